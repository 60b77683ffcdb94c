#include "analysis/forensics/shpilkin.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analysis/common/json_number.h"
#include "stats/parallel.h"
#include "stats/quantile.h"
#include "stats/sampling.h"

namespace tallyscope {
namespace {

constexpr uint64_t kShpilkinStreams = 1ULL << 41;  // forensics < 2^30, klimek 2^40 + small

struct Unit {
  double reg, bal, win;
};

struct Point {
  double tau = 0, share = 0, anomalous = 0, others = 0, winner = 0, ballots = 0;
  size_t above = 0;
};

// The procedure on units[idx[k]] for k in [0, n) (idx empty: all units).
Point compute(const std::vector<Unit>& units, const std::vector<uint32_t>& idx, const ShpilkinOptions& o) {
  const size_t n = idx.empty() ? units.size() : idx.size();
  auto at = [&](size_t k) -> const Unit& { return units[idx.empty() ? k : idx[k]]; };
  const size_t B = o.bins;
  std::vector<double> h(B, 0.0);
  for (size_t k = 0; k < n; ++k) {
    const Unit& x = at(k);
    h[std::min(B - 1, static_cast<size_t>(x.bal / x.reg * static_cast<double>(B)))] += x.reg;
  }
  std::vector<double> s = h;
  if (o.smooth_bins > 0) {
    const int rad = static_cast<int>(4 * o.smooth_bins + 0.5), nb = static_cast<int>(B);
    std::vector<double> ker(2 * static_cast<size_t>(rad) + 1);
    double sum = 0;
    for (int j = -rad; j <= rad; ++j)
      sum += ker[static_cast<size_t>(j + rad)] = std::exp(-0.5 * j * j / (o.smooth_bins * o.smooth_bins));
    for (int i = 0; i < nb; ++i) {
      double v = 0;
      for (int j = -rad; j <= rad; ++j) {
        int m = i + j;
        while (m < 0 || m >= nb) m = m < 0 ? -m - 1 : 2 * nb - m - 1;  // reflect, as scipy.ndimage
        v += ker[static_cast<size_t>(j + rad)] / sum * h[static_cast<size_t>(m)];
      }
      s[static_cast<size_t>(i)] = v;
    }
  }
  Point p;
  p.tau = (static_cast<double>(std::max_element(s.begin(), s.end()) - s.begin()) + 0.5) / static_cast<double>(B);
  double lw = 0, lb = 0;
  for (size_t k = 0; k < n; ++k) {
    const Unit& x = at(k);
    p.winner += x.win;
    p.ballots += x.bal;
    if (x.bal / x.reg <= p.tau) lw += x.win, lb += x.bal;
  }
  p.share = lb > 0 ? lw / lb : std::nan("");
  for (size_t k = 0; k < n; ++k) {
    const Unit& x = at(k);
    if (x.bal / x.reg <= p.tau) continue;
    ++p.above;
    p.anomalous += x.win - x.reg * p.tau * p.share;
    p.others += x.win - (x.bal - x.win) * p.share / (1 - p.share);
  }
  return p;
}


}  // namespace

ShpilkinEstimate estimate_shpilkin(std::span<const int64_t> registered, std::span<const int64_t> ballots,
                                   std::span<const int64_t> votes, const ShpilkinOptions& o,
                                   const std::string& choice) {
  ShpilkinEstimate e;
  e.choice = choice;
  e.bootstrap = o.bootstrap;
  e.level = o.level;
  e.seed = o.seed;
  std::vector<Unit> units;
  for (size_t i = 0; i < registered.size(); ++i) {
    const int64_t R = registered[i], Bv = ballots[i], V = votes[i];
    if (R <= 0)
      ++e.excluded["no registered voters"];
    else if (Bv <= 0)
      ++e.excluded["no ballots"];
    else if (Bv > R)
      ++e.excluded["more ballots than registered voters"];
    else if (V < 0 || V > Bv)
      ++e.excluded["votes missing or above ballots"];
    else
      units.push_back({static_cast<double>(R), static_cast<double>(Bv), static_cast<double>(V)});
  }
  e.units = units.size();
  if (o.bins < 2 || !(o.level > 0 && o.level < 1)) {
    e.why_not = "invalid options";
    return e;
  }
  if (e.units < std::max<size_t>(o.min_units, 2) || units.size() > UINT32_MAX) {
    e.why_not = fmt::format("too few units ({} qualify, {} needed)", e.units, std::max<size_t>(o.min_units, 2));
    return e;
  }
  const Point p = compute(units, {}, o);
  if (p.winner <= 0) {
    e.why_not = "the choice has no votes in the qualifying units";
    return e;
  }
  if (!(p.share > 0 && p.share < 1)) {
    e.why_not = "the winner's share at or below the clean turnout mode is 0 or 1 (or there are no such units)";
    return e;
  }
  e.run = true;
  e.clean_turnout_mode = p.tau;
  e.clean_share = p.share;
  e.anomalous_votes = p.anomalous;
  e.anomalous_votes_others = p.others;
  e.units_above_mode = p.above;
  e.winner_votes = p.winner;
  e.share_of_winner_votes = p.anomalous / p.winner;
  e.official_share = p.winner / p.ballots;
  e.clean_share_of_ballots_estimate = (p.winner - p.anomalous) / (p.ballots - p.anomalous);
  const size_t nb = static_cast<size_t>(std::max(0, o.bootstrap)), n = units.size();
  std::vector<double> a(nb), b(nb);
  stats::parallel_for(nb, o.threads, [&](size_t r) {
    stats::Rng rng(o.seed, kShpilkinStreams + r);
    std::vector<uint32_t> idx(n);
    for (auto& k : idx) k = static_cast<uint32_t>(rng.below(n));
    const Point q = compute(units, idx, o);
    a[r] = q.anomalous;
    b[r] = q.others;
  });
  const double al = (1 - o.level) / 2;
  e.lo = stats::quantile(a, al);
  e.hi = stats::quantile(a, 1 - al);
  e.others_lo = stats::quantile(b, al);
  e.others_hi = stats::quantile(b, 1 - al);
  e.raw_anomalous_votes = e.anomalous_votes;
  if (e.anomalous_votes < 0 || e.lo < 0) {
    e.clipped = e.anomalous_votes < 0;
    e.anomalous_votes = std::max(0.0, e.anomalous_votes);
    e.lo = std::max(0.0, e.lo);
    e.hi = std::max(0.0, e.hi);
    e.share_of_winner_votes = std::max(0.0, e.share_of_winner_votes);
  }
  if (e.clean_turnout_mode >= 0.95) {
    e.fits = false;
    e.fit_check = fmt::format("the clean turnout mode ({:.1f}%) sits on the 100% spike", 100 * e.clean_turnout_mode);
  }
  return e;
}

nlohmann::ordered_json to_json(const ShpilkinEstimate& s) {
  nlohmann::ordered_json j;
  j["run"] = s.run;
  j["why_not"] = s.run ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.why_not);
  j["choice"] = s.choice;
  j["units"] = s.units;
  j["excluded"] = s.excluded;
  j["method"] = "Shpilkin: clean turnout mode (registered-weighted), winner's share at or below it; anomalous = "
                "sum above the mode of winner votes - registered * mode * clean share; bootstrap over units";
  if (!s.run) return j;
  j["fits"] = s.fits;
  if (!s.fit_check.empty()) j["fit_check"] = s.fit_check;
  if (!s.fits) {
    j["estimate"] = "the model's assumptions fail here: no estimate";
    return j;
  }
  j["anomalous_votes"] = s.anomalous_votes;
  j["interval"] = {json_number(s.lo), json_number(s.hi)};
  j["clipped"] = s.clipped;
  if (s.clipped) j["note"] = "the raw count is negative (the winner does worse above the mode); shown as 0";
  j["level"] = s.level;
  j["share_of_winner_votes"] = s.share_of_winner_votes;
  j["anomalous_votes_others"] = s.anomalous_votes_others;
  j["others_interval"] = {json_number(s.others_lo), json_number(s.others_hi)};
  j["winner_votes"] = s.winner_votes;
  j["clean_turnout_mode"] = s.clean_turnout_mode;
  j["clean_share"] = s.clean_share;
  j["official_share"] = s.official_share;
  j["share_without_anomaly"] = s.clean_share_of_ballots_estimate;
  j["units_above_mode"] = s.units_above_mode;
  j["bootstrap"] = s.bootstrap;
  j["seed"] = s.seed;
  return j;
}

}  // namespace tallyscope
