// A square-root factor of a symmetric matrix made positive semi-definite: L with L L' = V max(Λ, 0) V'
// for the eigendecomposition A = V Λ V' (Eigen's SelfAdjointEigenSolver). Negative eigenvalues,
// which a covariance estimated by subtracting a noise part can have, are set to 0 (the nearest
// PSD matrix in the Frobenius norm: Higham 1988, "Computing a nearest symmetric positive
// semidefinite matrix", Linear Algebra Appl. 103:103). Draws e = L z with z standard normal then
// have that covariance.
#pragma once

#include <cstddef>
#include <vector>

namespace tallyscope::stats {

// `a`: row-major D x D, symmetric (only its lower triangle is read). Returns L row-major D x D.
std::vector<double> psd_factor(const std::vector<double>& a, size_t D);

}  // namespace tallyscope::stats
