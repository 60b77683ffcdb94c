#include "stats/psd_factor.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Eigenvalues>

namespace tallyscope::stats {

std::vector<double> psd_factor(const std::vector<double>& a, size_t D) {
  const auto d = static_cast<Eigen::Index>(D);
  Eigen::MatrixXd A(d, d);
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index j = 0; j <= i; ++j) A(i, j) = A(j, i) = a[static_cast<size_t>(i) * D + static_cast<size_t>(j)];
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(A);
  Eigen::VectorXd root = es.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  Eigen::MatrixXd L = es.eigenvectors() * root.asDiagonal();
  std::vector<double> out(D * D);
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index j = 0; j < d; ++j) out[static_cast<size_t>(i) * D + static_cast<size_t>(j)] = L(i, j);
  return out;
}

}  // namespace tallyscope::stats
