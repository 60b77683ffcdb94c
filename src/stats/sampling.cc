#include "stats/sampling.h"

#include <algorithm>
#include <array>
#include <vector>

namespace tallyscope::stats {

namespace {

// Stirling's correction: log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2].
double fc(double k) {
  static const std::array<double, 10> table = [] {
    std::array<double, 10> t{};
    for (int i = 0; i < 10; ++i)
      t[i] = std::lgamma(i + 1.0) - ((i + 0.5) * std::log(i + 1.0) - (i + 1.0) + 0.5 * std::log(2 * M_PI));
    return t;
  }();
  if (k < 10) return table[static_cast<size_t>(k)];
  double k1 = k + 1, k2 = k1 * k1;
  return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / k2) / k2) / k1;
}

const double* log_factorials() {
  static const std::vector<double> table = [] {
    std::vector<double> t(static_cast<size_t>(Binomial::kLogFactorialTable) + 1, 0.0);
    for (size_t k = 2; k < t.size(); ++k) t[k] = t[k - 1] + std::log(static_cast<double>(k));
    return t;
  }();
  return table.data();
}

}  // namespace

Binomial::Binomial(int64_t n, double p) : n_(std::max<int64_t>(n, 0)) {
  p = std::clamp(std::isnan(p) ? 0.0 : p, 0.0, 1.0);
  flip_ = p > 0.5;
  p_ = flip_ ? 1 - p : p;
  const double nd = static_cast<double>(n_);
  use_btrd_ = nd * p_ >= 10;
  if (!use_btrd_) {
    const double q = 1 - p_;
    q_n_ = std::pow(q, nd);
    s_ = p_ / q;
    a_ = (nd + 1) * s_;
    return;
  }
  m_ = std::floor((nd + 1) * p_);
  r_ = p_ / (1 - p_);
  nr_ = (nd + 1) * r_;
  npq_ = nd * p_ * (1 - p_);
  const double sq = std::sqrt(npq_);
  b_ = 1.15 + 2.53 * sq;
  a2_ = -0.0873 + 0.0248 * b_ + 0.01 * p_;
  c_ = nd * p_ + 0.5;
  alpha_ = (2.83 + 5.1 / b_) * sq;
  vr_ = 0.92 - 4.2 / b_;
  urvr_ = 0.86 * vr_;
  nm_ = nd - m_ + 1;
  h_ = (m_ + 0.5) * std::log((m_ + 1) / (r_ * nm_)) + fc(m_) + fc(nd - m_);
  if (n_ < kLogFactorialTable) {
    log_fact_ = log_factorials();
    log_r_ = std::log(r_);
    const auto m = static_cast<size_t>(m_);
    log_fm_ = log_fact_[m] + log_fact_[static_cast<size_t>(n_) - m];
  }
}

int64_t Binomial::operator()(Rng& rng) const {
  if (n_ == 0 || p_ <= 0) return flip_ ? n_ : 0;
  int64_t k = use_btrd_ ? btrd(rng) : inversion(rng);
  return flip_ ? n_ - k : k;
}

int64_t Binomial::inversion(Rng& rng) const {
  for (;;) {
    double u = rng.uniform(), r = q_n_;
    int64_t x = 0;
    while (u > r) {
      u -= r;
      ++x;
      if (x > n_) break;
      r *= a_ / static_cast<double>(x) - s_;
    }
    if (x <= n_) return x;  // else rounding ran past n: draw again
  }
}

int64_t Binomial::btrd(Rng& rng) const {
  const double nd = static_cast<double>(n_);
  for (;;) {
    double v = rng.uniform(), u;
    if (v <= urvr_) {
      u = v / vr_ - 0.43;
      return static_cast<int64_t>(std::floor((2 * a2_ / (0.5 - std::fabs(u)) + b_) * u + c_));
    }
    if (v >= vr_) {
      u = rng.uniform() - 0.5;
    } else {
      u = v / vr_ - 0.93;
      u = (u < 0 ? -0.5 : 0.5) - u;
      v = rng.uniform() * vr_;
    }
    const double us = 0.5 - std::fabs(u);
    const double kd = std::floor((2 * a2_ / us + b_) * u + c_);
    if (kd < 0 || kd > nd) continue;
    v = v * alpha_ / (a2_ / (us * us) + b_);
    if (log_fact_) {  // accept when v <= f(k) / f(m), f the binomial probability
      const auto k = static_cast<size_t>(kd);
      const double log_ratio =
          log_fm_ - log_fact_[k] - log_fact_[static_cast<size_t>(n_) - k] + (kd - m_) * log_r_;
      if (std::log(v) <= log_ratio) return static_cast<int64_t>(kd);
      continue;
    }
    const double km = std::fabs(kd - m_);
    if (km <= 15) {
      double f = 1;
      if (m_ < kd) {
        for (double i = m_ + 1; i <= kd; ++i) f *= nr_ / i - r_;
      } else if (m_ > kd) {
        for (double i = kd + 1; i <= m_; ++i) v *= nr_ / i - r_;
      }
      if (v <= f) return static_cast<int64_t>(kd);
      continue;
    }
    v = std::log(v);
    const double rho = (km / npq_) * (((km / 3 + 0.625) * km + 1.0 / 6) / npq_ + 0.5);
    const double t = -km * km / (2 * npq_);
    if (v < t - rho) return static_cast<int64_t>(kd);
    if (v > t + rho) continue;
    const double nk = nd - kd + 1;
    if (v <= h_ + (nd + 1) * std::log(nm_ / nk) + (kd + 0.5) * std::log(nk * r_ / (kd + 1)) - fc(kd) - fc(nd - kd))
      return static_cast<int64_t>(kd);
  }
}

}  // namespace tallyscope::stats
