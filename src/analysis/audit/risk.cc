#include "analysis/audit/risk.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tallyscope::audit {

double null_mean_remaining(const MeanTest& test, double sum_before, size_t j) {
  if (test.N <= 0) return test.t;
  return (static_cast<double>(test.N) * test.t - sum_before) / static_cast<double>(test.N - static_cast<int64_t>(j));
}

namespace {

constexpr double kAtol = 2 * std::numeric_limits<double>::epsilon();

bool near(double a, double b, double rtol = 0) { return std::fabs(a - b) <= kAtol + rtol * std::fabs(b); }

// The shared bookkeeping of both martingales (SHANGRLA NonnegMean: the special cases where the
// null is already settled by the sample, and m_j near 0 or u where a draw carries no evidence).
template <class Factor>
std::vector<double> p_history(const MeanTest& test, const std::vector<double>& x, Factor factor) {
  std::vector<double> p(x.size(), 1.0);
  double sum = 0, mart = 1;
  const double inf = std::numeric_limits<double>::infinity();
  for (size_t j = 0; j < x.size(); ++j) {
    const double m = null_mean_remaining(test, sum, j);
    if (m > test.u) mart = 0;  // the rest cannot reach the null mean: the null is certainly true
    else if (m >= 0) mart *= std::max(0.0, factor(j, x[j], m, sum));
    double term = mart;
    if (near(m, 0) || near(test.u, m, 1e-6)) term = 1;
    if (near(term, 0)) term = 1;
    if (m < 0) term = inf;  // the sample alone already exceeds the null total
    sum += x[j];
    if (j + 1 == x.size() && test.N > 0 && sum > static_cast<double>(test.N) * test.t) term = inf;
    p[j] = std::min(1.0, 1.0 / term);
  }
  return p;
}

}  // namespace

std::vector<double> alpha_p_history(const MeanTest& test, double eta, const std::vector<double>& x) {
  const double u = test.u;
  return p_history(test, x, [&](size_t j, double xj, double m, double sum) {
    double e = test.N > 0 ? (static_cast<double>(test.N) * eta - sum) / static_cast<double>(test.N - static_cast<int64_t>(j))
                          : eta;
    e = std::clamp(e, 0.0, u);
    return (xj * e / m + (u - xj) * (u - e) / (u - m)) / u;
  });
}

std::vector<double> betting_p_history(const MeanTest& test, double lambda, const std::vector<double>& x) {
  return p_history(test, x, [&](size_t, double xj, double m, double) { return 1 + lambda * (xj - m); });
}

std::vector<double> running_min(std::vector<double> p) {
  for (size_t j = 1; j < p.size(); ++j) p[j] = std::min(p[j], p[j - 1]);
  return p;
}

}  // namespace tallyscope::audit
