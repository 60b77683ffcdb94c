#include "analysis/audit/comparison.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace tallyscope::audit {

double BatchComparison::value(double overstatement) const {
  const double d = overstatement * static_cast<double>(sheets) / cards;
  return (c - d) / (2 * c - margin);
}

BatchComparison make_batch_comparison(const std::vector<double>& reported, const std::vector<int64_t>& cards,
                                      double assorter_u, double margin) {
  if (reported.size() != cards.size() || reported.empty())
    throw std::invalid_argument("batch comparison: one reported total and one card bound per sheet");
  BatchComparison bc;
  bc.sheets = static_cast<int64_t>(reported.size());
  for (int64_t b : cards) bc.cards += static_cast<double>(b);
  const double scale = static_cast<double>(bc.sheets) / bc.cards;
  double rmax = 0, dmin = 0;
  for (size_t i = 0; i < reported.size(); ++i) {
    rmax = std::max(rmax, reported[i]);
    dmin = std::min(dmin, reported[i] - assorter_u * static_cast<double>(cards[i]));
  }
  bc.margin = margin;
  bc.c = rmax * scale;
  bc.x_max = (bc.c - dmin * scale) / (2 * bc.c - margin);
  bc.no_error = bc.c / (2 * bc.c - margin);
  return bc;
}

namespace {

// Draws needed by ALPHA on a stream of values, computed incrementally (no history kept).
struct AlphaStream {
  MeanTest test;
  double eta, alpha;
  double sum = 0, mart = 1;
  int64_t j = 0;
  bool step(double x) {  // true when confirmed after this draw
    const double n = static_cast<double>(test.N), jd = static_cast<double>(j);
    const double m = (n * test.t - sum) / (n - jd);
    if (m < 0) return true;
    if (m > test.u) mart = 0;
    else {
      const double e = std::clamp((n * eta - sum) / (n - jd), 0.0, test.u);
      mart *= std::max(0.0, (x * e / m + (test.u - x) * (test.u - e) / (test.u - m)) / test.u);
    }
    sum += x;
    ++j;
    return mart >= 1 / alpha;
  }
};

}  // namespace

int64_t sheets_needed_no_errors(const BatchComparison& bc, double risk_limit, double eta) {
  AlphaStream s{bc.test(), eta > 0 ? eta : bc.no_error, risk_limit};
  for (int64_t n = 1; n <= bc.sheets; ++n)
    if (s.step(bc.no_error)) return n;
  return -1;
}

int64_t SampleSizeSimulation::quantile(double q) const {
  if (needed.empty()) return 0;
  const size_t k = static_cast<size_t>(std::ceil(q * static_cast<double>(needed.size()))) ;
  return needed[std::min(needed.size() - 1, k == 0 ? 0 : k - 1)];
}

double SampleSizeSimulation::mean() const {
  double s = 0;
  for (int64_t v : needed) s += static_cast<double>(v);
  return needed.empty() ? 0 : s / static_cast<double>(needed.size());
}

SampleSizeSimulation simulate_sheets_needed(const BatchComparison& bc, double risk_limit, double rate,
                                            double overstatement, int replicates, uint64_t seed, double eta) {
  SampleSizeSimulation out;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  const double x_err = bc.value(overstatement);
  const double expected = (1 - rate) * bc.no_error + rate * x_err;
  for (int r = 0; r < replicates; ++r) {
    AlphaStream s{bc.test(), eta > 0 ? eta : expected, risk_limit};
    int64_t n = 1;
    for (; n <= bc.sheets; ++n)
      if (s.step(unif(rng) < rate ? x_err : bc.no_error)) break;
    out.needed.push_back(n);
  }
  std::sort(out.needed.begin(), out.needed.end());
  return out;
}

}  // namespace tallyscope::audit
