#include "analysis/simulate/manipulate.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <numeric>
#include <utility>

namespace tallyscope {

std::string to_string(FraudKind k) {
  switch (k) {
    case FraudKind::kExtreme: return "extreme";
    case FraudKind::kRewrite: return "rewrite";
    case FraudKind::kIncremental: break;
  }
  return "incremental";
}

double manipulation_fraction(FraudKind kind, double intensity, double z) {
  double x = kind == FraudKind::kExtreme ? 1 - std::abs(0.05 * z) : std::abs(intensity + intensity / 2 * z);
  return std::clamp(x, 0.0, 1.0);
}

int64_t manipulation_code(FraudKind kind) {
  return kind == FraudKind::kExtreme ? 2 : kind == FraudKind::kRewrite ? 3 : 1;
}

int64_t manipulate_sheet(std::vector<int64_t>& v, size_t leader, int64_t abstainers, FraudKind kind, double x,
                         double steal) {
  const bool rewrite = kind == FraudKind::kRewrite;
  const int64_t added = rewrite ? 0 : std::llround(x * static_cast<double>(std::max<int64_t>(0, abstainers)));
  v[leader] += added;
  const double moved_fraction = rewrite ? x : steal * x;
  for (size_t k = 0; k < v.size(); ++k) {
    if (k == leader) continue;
    int64_t moved = std::llround(moved_fraction * static_cast<double>(v[k]));
    v[k] -= moved;
    v[leader] += moved;
  }
  return added;
}

bool round_leader_share(std::vector<int64_t>& v, size_t leader, int64_t& surplus) {
  int64_t V = std::accumulate(v.begin(), v.end(), int64_t{0});
  if (V <= 0 || v.size() < 2) return false;
  const double natural = 100.0 * static_cast<double>(v[leader]) / static_cast<double>(V);
  const int64_t nearest = std::llround(natural);
  int64_t best_k = -1, best_V = 0;
  for (int64_t reach : {int64_t{2}, int64_t{100}}) {  // widen only when no nearby percentage fits
    int64_t best_surplus = INT64_MAX;
    for (int64_t delta = 0; delta <= reach; ++delta) {
      for (int64_t k : {nearest - delta, nearest + delta}) {
        if (k < 1 || k > 99) continue;
        int64_t d = 100 / std::gcd(k, int64_t{100});
        if (d > V || V % d >= best_surplus) continue;
        best_surplus = V % d;
        best_k = k;
        best_V = V - V % d;
      }
    }
    if (best_k >= 0) break;
  }
  if (best_k < 0) return false;
  const int64_t L = best_V * best_k / 100, T = best_V - L;
  int64_t others = V - v[leader];
  // The others' votes scaled to T by largest remainder (ties to the lower index).
  std::vector<int64_t> out(v.size(), 0);
  std::vector<std::pair<double, size_t>> rem;
  int64_t given = 0;
  for (size_t k = 0; k < v.size(); ++k) {
    if (k == leader) continue;
    double exact = others > 0 ? static_cast<double>(T) * static_cast<double>(v[k]) / static_cast<double>(others)
                              : (rem.empty() ? static_cast<double>(T) : 0.0);
    out[k] = static_cast<int64_t>(std::floor(exact));
    given += out[k];
    rem.push_back({exact - std::floor(exact), k});
  }
  std::stable_sort(rem.begin(), rem.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; given < T; i = (i + 1) % rem.size(), ++given) ++out[rem[i].second];
  out[leader] = L;
  surplus += V - best_V;
  v = out;
  return true;
}

bool round_sheet(std::vector<int64_t>& v, int64_t& blank, int64_t& invalid, size_t leader) {
  const size_t K = v.size();
  std::vector<int64_t> all = v;
  all.push_back(blank);
  all.push_back(invalid);
  int64_t dropped = 0;
  if (!round_leader_share(all, leader, dropped)) return false;
  for (size_t k = 0; k < K; ++k) v[k] = all[k];
  blank = all[K];
  invalid = all[K + 1];
  return true;
}

}  // namespace tallyscope
