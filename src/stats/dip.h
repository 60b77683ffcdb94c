// Hartigan's dip statistic of unimodality (J. A. Hartigan & P. M. Hartigan, "The dip test of
// unimodality", Annals of Statistics 13(1), 1985, 70-84; algorithm after P. M. Hartigan,
// "Algorithm AS 217: Computation of the dip statistic to test for unimodality", Applied
// Statistics 34(3), 1985, 320-325).
//
// The dip is the largest difference between the empirical distribution function F_n and the
// unimodal distribution function closest to it: dip = inf over unimodal G of sup |F_n - G|.
// It is written here from the paper's description (greatest convex minorant left of the modal
// interval, least concave majorant right of it, shrinking the interval until the dip stops
// growing); no code was copied. Conventions follow R's diptest::dip() (min.is.0 = FALSE): the
// smallest dip of a sample of n is 1 / (2n), and a two-point mass has dip 0.25. Validated in
// dip_test.cc against R diptest 0.76-0 and those closed forms.
//
// Under the uniform distribution (the least favourable unimodal null, Hartigan & Hartigan
// Theorem 3) sqrt(n) * dip converges in law, which is what forensics uses to scale a null
// simulated on a subsample to the full sample (analysis/distribution.h).
#pragma once

#include <cstddef>
#include <vector>

namespace tallyscope::stats {

// The dip of x[0..n), which must be sorted ascending. O(n) time after sorting. Returns 0 for
// n == 0; for n == 1 or all values equal, 1 / (2n) as R does.
double dip_sorted(const double* x, size_t n);

// The dip of any sample (copied and sorted). NaNs must have been removed by the caller.
double dip(std::vector<double> x);

}  // namespace tallyscope::stats
