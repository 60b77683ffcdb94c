// Multiple-testing control across a battery of tests.
#pragma once

#include <vector>

namespace tallyscope::stats {

// Benjamini-Hochberg adjusted p-values (q-values): q_(i) = min_{j >= i} m p_(j) / j, capped at 1,
// returned in the input order. NaN p-values (tests not run) stay NaN and do not count in m.
// Same convention as statsmodels.stats.multitest.multipletests(method="fdr_bh").
std::vector<double> benjamini_hochberg(const std::vector<double>& p);

}  // namespace tallyscope::stats
