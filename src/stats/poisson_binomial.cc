#include "stats/poisson_binomial.h"

#include <algorithm>

namespace tallyscope::stats {

namespace {
constexpr double kDrop = 1e-18;  // end values below this are dropped from the window
}

PoissonBinomial::PoissonBinomial(const std::vector<double>& p) {
  std::vector<double> w{1.0}, next;  // w[j] = P(X = lo + j)
  int64_t lo = 0;
  for (double pi : p) {
    pi = std::clamp(pi, 0.0, 1.0);
    next.assign(w.size() + 1, 0.0);
    for (size_t j = 0; j < w.size(); ++j) {
      next[j] += w[j] * (1 - pi);
      next[j + 1] += w[j] * pi;
    }
    // Trim the window's ends (never below one value).
    size_t a = 0, b = next.size();
    while (b - a > 1 && next[a] < kDrop) ++a;
    while (b - a > 1 && next[b - 1] < kDrop) --b;
    lo += static_cast<int64_t>(a);
    w.assign(next.begin() + static_cast<std::ptrdiff_t>(a), next.begin() + static_cast<std::ptrdiff_t>(b));
  }
  lo_ = lo;
  cdf_.resize(w.size());
  double run = 0;
  for (size_t j = 0; j < w.size(); ++j) cdf_[j] = run += w[j];
  for (double& c : cdf_) c /= run;
  pmf_ = std::move(w);
  cdf_.back() = 1.0;
}

double PoissonBinomial::pmf(int64_t k) const {
  if (k < lo() || k > hi()) return 0.0;
  return pmf_[static_cast<size_t>(k - lo_)];
}

int64_t PoissonBinomial::operator()(Rng& rng) const {
  const double u = rng.uniform();
  const auto at = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  return lo_ + static_cast<int64_t>(std::min<std::ptrdiff_t>(at - cdf_.begin(), static_cast<std::ptrdiff_t>(cdf_.size()) - 1));
}

}  // namespace tallyscope::stats
