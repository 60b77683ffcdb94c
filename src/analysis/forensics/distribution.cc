#include "analysis/forensics/distribution.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "stats/dip.h"
#include "stats/moments.h"
#include "stats/null_tail.h"
#include "stats/parallel.h"
#include "stats/sampling.h"

namespace tallyscope {
namespace {

constexpr size_t kBlock = 25;
constexpr uint64_t kDistributionStreams = uint64_t{1} << 40;  // forensics.cc uses t * 2^20 + block, t small
enum Stat : size_t { kSkew, kKurt, kDip, kSlope, kCorr, kNStat };
constexpr std::array<bool, kNStat> kTwoSided = {true, true, false, true, true};

double nan() { return std::nan(""); }

// One (target, region) cell: the units and the data its statistics and nulls need.
struct Cell {
  size_t target = 0, group = 0;  // group == groups: the whole count
  std::vector<size_t> units;     // indices into the target's units
  std::vector<size_t> slope_units;  // of those, the ones with ballots <= registered (choices)
  std::vector<std::vector<size_t>> strata;  // slope_units by stratum
  std::vector<uint32_t> stratum_of;        // per slope unit: its index in strata
  std::string undefined;                   // why the share statistics are undefined, if they are
  std::array<double, kNStat> observed{};
  double beta_a = 0, beta_b = 0, mean_share = 0;  // beta_a == 0: pure binomial at mean_share
  std::array<std::vector<double>, kNStat> null;
  bool slope = false;
};


// Why each distribution statistic is shown without a test (distribution.h, issue 13).
std::string distribution_descriptive_why(size_t k) {
  switch (k) {
    case kSkew:
    case kKurt:
      return "descriptive only: compared with a beta-binomial null fitted by moments, which clean simulated "
             "elections with regional heterogeneity already reject (see distribution.h); statistic and null "
             "mean reported, not tested";
    case kDip:
      return "descriptive only: on real counts the dip measures ties (common sheet sizes, 100% turnouts: it is "
             "about half the share of the largest tied value), which the uniform null cannot produce; statistic "
             "and null mean reported, not tested";
    default:
      return "descriptive only: its null pairs turnout and share at random within regions, but clean counts "
             "associate them within regions too (places that turn out more also vote differently); the "
             "within-place tests (within_place.h) test stuffing instead; statistic and null mean reported, not tested";
  }
}

// Fills one (target, region) cell: its units, slope strata, observed statistics and null moments.
void distribution_fill_cell(Cell& c, const DistributionTarget& tg, size_t t, size_t g, size_t G, bool can_slope,
                            size_t R) {
  c.target = t;
  c.group = g;
  c.slope = can_slope;
  c.observed.fill(nan());
  if (!tg.why_not.empty()) return;
  for (size_t j = 0; j < tg.count.size(); ++j) {
    if (g != G && tg.group[j] != g) continue;
    c.units.push_back(j);
    if (can_slope && tg.registered[j] > 0 && tg.denom[j] <= tg.registered[j]) c.slope_units.push_back(j);
  }
  if (!c.slope_units.empty()) {
    std::map<uint32_t, uint32_t> index;
    for (size_t j : c.slope_units) {
      const uint32_t st = tg.stratum.empty() ? 0 : tg.stratum[j];
      auto [it, fresh] = index.emplace(st, static_cast<uint32_t>(c.strata.size()));
      if (fresh) c.strata.emplace_back();
      c.strata[it->second].push_back(j);
      c.stratum_of.push_back(it->second);
    }
  }
  const size_t n = c.units.size();
  std::vector<double> s(n);
  double mean = 0, binom = 0;
  for (size_t k = 0; k < n; ++k) {
    const size_t j = c.units[k];
    s[k] = static_cast<double>(tg.count[j]) / static_cast<double>(tg.denom[j]);
    mean += s[k];
    binom += s[k] * (1 - s[k]) / static_cast<double>(tg.denom[j]);
  }
  if (n == 0) return;
  if (std::all_of(c.units.begin(), c.units.end(), [&](size_t j) { return tg.count[j] == 0; }))
    c.undefined = "all counts are zero";
  else if (std::all_of(s.begin(), s.end(), [&](double v) { return v == s[0]; }))
    c.undefined = "every unit has the same share: statistic undefined";
  mean /= static_cast<double>(n);
  binom /= static_cast<double>(n);
  double var = 0;
  for (double v : s) var += (v - mean) * (v - mean);
  var = n > 1 ? var / static_cast<double>(n - 1) : 0;
  c.mean_share = mean;
  const double latent = std::min(var - binom, 0.999 * mean * (1 - mean));
  if (latent > 0 && mean > 0 && mean < 1) {
    const double k = mean * (1 - mean) / latent - 1;
    c.beta_a = mean * k;
    c.beta_b = (1 - mean) * k;
  }
  c.observed[kSkew] = stats::skewness(s.data(), n);
  c.observed[kKurt] = stats::excess_kurtosis(s.data(), n);
  c.observed[kDip] = n >= 2 ? stats::dip(s) : nan();
  if (can_slope && c.slope_units.size() >= 2) {
    std::vector<double> x, y, sh;
    for (size_t j : c.slope_units) {
      const double reg = static_cast<double>(tg.registered[j]);
      x.push_back(static_cast<double>(tg.denom[j]) / reg);
      y.push_back(static_cast<double>(tg.count[j]) / reg);
      sh.push_back(static_cast<double>(tg.count[j]) / static_cast<double>(tg.denom[j]));
    }
    c.observed[kSlope] = stats::fit_line(x.data(), y.data(), x.size()).slope;
    c.observed[kCorr] = stats::fit_line(x.data(), sh.data(), x.size()).correlation;
  }
  for (auto& v : c.null) v.assign(R, nan());
}

// Draws one block of kBlock replicates of a cell's three nulls from the block's own stream.
void distribution_simulate_block(Cell& c, const DistributionTarget& tg, const DistributionOptions& opt, size_t R,
                                 size_t b, stats::Rng& rng) {
  const size_t n = c.units.size(), m = std::min(n, std::max<size_t>(opt.null_units, 4));
  const size_t ns = c.slope_units.size(), ms = std::min(ns, std::max<size_t>(opt.null_units, 4));
  std::vector<double> s(m), x(ms), y(ms), sh(ms);
  for (size_t rep = b * kBlock; rep < std::min(R, (b + 1) * kBlock); ++rep) {
    // Beta-binomial null for skewness and kurtosis.
    for (size_t k = 0; k < m; ++k) {
      const size_t j = c.units[rng.below(n)];
      const double p = c.beta_a > 0 ? rng.beta(c.beta_a, c.beta_b) : c.mean_share;
      s[k] = static_cast<double>(stats::Binomial(tg.denom[j], p)(rng)) / static_cast<double>(tg.denom[j]);
    }
    c.null[kSkew][rep] = stats::skewness(s.data(), m);
    c.null[kKurt][rep] = stats::excess_kurtosis(s.data(), m);
    // Uniform-binomial null for the dip.
    for (size_t k = 0; k < m; ++k) {
      const size_t j = c.units[rng.below(n)];
      s[k] = static_cast<double>(stats::Binomial(tg.denom[j], rng.uniform())(rng)) / static_cast<double>(tg.denom[j]);
    }
    std::sort(s.begin(), s.end());
    c.null[kDip][rep] = stats::dip_sorted(s.data(), m);
    // Independence null for the slope and correlation.
    if (c.slope && ns >= 2) {
      for (size_t k = 0; k < ms; ++k) {
        const size_t ka = rng.below(ns);
        const std::vector<size_t>& same = c.strata[c.stratum_of[ka]];
        const size_t a = c.slope_units[ka], o = same[rng.below(same.size())];
        const double share = static_cast<double>(tg.count[o]) / static_cast<double>(tg.denom[o]);
        const double v = static_cast<double>(stats::Binomial(tg.denom[a], share)(rng));
        const double reg = static_cast<double>(tg.registered[a]), bal = static_cast<double>(tg.denom[a]);
        x[k] = bal / reg;
        y[k] = v / reg;
        sh[k] = v / bal;
      }
      c.null[kSlope][rep] = stats::fit_line(x.data(), y.data(), ms).slope;
      c.null[kCorr][rep] = stats::fit_line(x.data(), sh.data(), ms).correlation;
    }
  }
}

// Scores one statistic of one cell against its simulated null (descriptive: never run as a test).
ForensicTest distribution_score(const Cell& c, const DistributionTarget& tg, size_t k, size_t G, size_t R,
                                const DistributionOptions& opt) {
  const bool whole = c.group == G;
  ForensicTest x;
  x.id = kDistributionIds[k];
  x.target = tg.name;
  x.level = whole ? "all" : opt.level;
  x.region = whole || c.group >= opt.region_names.size() ? "" : opt.region_names[c.group];
  x.alternative = kTwoSided[k] ? "two-sided" : "greater";
  x.excluded = whole ? tg.excluded : c.group < tg.excluded_by.size() ? tg.excluded_by[c.group]
                                                                     : std::map<std::string, size_t>{};
  const bool sl = k >= kSlope;
  const size_t used = sl ? c.slope_units.size() : c.units.size();
  if (sl && c.units.size() > used) x.excluded["more ballots than registered voters (slope)"] += c.units.size() - used;
  x.units = used;
  x.statistic = c.observed[k];
  const size_t need = std::max<size_t>(opt.min_units, 4);
  if (!tg.why_not.empty()) {
    x.why_not = tg.why_not;
  } else if (used < need) {
    x.why_not = fmt::format("too few units ({} qualify, {} needed)", used, need);
  } else if (!c.undefined.empty()) {
    x.why_not = c.undefined;
  } else if (std::isnan(c.observed[k])) {
    x.why_not = sl ? "turnout or share is the same in every unit: statistic undefined"
                   : "every unit has the same share: statistic undefined";
  } else {
    // The replicates, scaled from the subsample size m to the cell's size.
    const size_t m = std::min(used, std::max<size_t>(opt.null_units, 4));
    const double scale = std::sqrt(static_cast<double>(m) / static_cast<double>(used));
    std::vector<double> sim;
    for (double v : c.null[k])
      if (std::isfinite(v)) sim.push_back(v);
    if (sim.empty()) {
      x.why_not = "null undefined (every simulated sample was constant)";
    } else {
      double sum = 0;
      for (double v : sim) sum += v;
      const double md = static_cast<double>(sim.size()), mean = sum / md;
      for (double& v : sim) v = k == kDip ? v * scale : mean + (v - mean) * scale;
      double sum2 = 0;
      const double smean = k == kDip ? mean * scale : mean;
      for (double v : sim) sum2 += (v - smean) * (v - smean);
      x.run = true;
      x.null_mean = smean;
      x.null_sd = sim.size() > 1 ? std::sqrt(sum2 / (md - 1)) : 0;
      const double t = c.observed[k], eps = 1e-12 * std::fabs(t);
      size_t ge = 0, le = 0;
      for (double v : sim) {
        ge += v >= t - eps;
        le += v <= t + eps;
      }
      const double pu = (1.0 + static_cast<double>(ge)) / (md + 1), pl = (1.0 + static_cast<double>(le)) / (md + 1);
      x.p_empirical = kTwoSided[k] ? std::min(1.0, 2 * std::min(pu, pl)) : pu;
      x.p_value = stats::null_tail_p(t, x.null_mean, x.null_sd, k == kDip, kTwoSided[k], x.p_empirical,
                                     static_cast<int>(sim.size()));
    }
  }
  x.replicates = static_cast<int>(R);
  if (x.run) {
    x.run = false;
    x.role = "descriptive";
    x.why_not = distribution_descriptive_why(k);
  }
  if (!x.run) x.p_value = x.q_value = x.p_empirical = nan();
  return x;
}

}  // namespace

std::vector<ForensicTest> distribution_tests(const std::vector<DistributionTarget>& targets,
                                             const DistributionOptions& opt) {
  const size_t T = targets.size(), G = std::max<size_t>(1, opt.groups);
  const bool regions = !opt.level.empty();
  const size_t R = static_cast<size_t>(std::max(1, std::min(opt.replicates, opt.max_replicates)));
  const size_t blocks = (R + kBlock - 1) / kBlock;

  // Cells: cell index t * (G + 1) + g, g == G the whole count.
  std::vector<Cell> cells(T * (G + 1));
  for (size_t t = 0; t < T; ++t) {
    const DistributionTarget& tg = targets[t];
    const bool can_slope = !tg.turnout && tg.registered.size() == tg.count.size();
    for (size_t g = 0; g <= G; ++g) distribution_fill_cell(cells[t * (G + 1) + g], tg, t, g, G, can_slope, R);
  }

  // Which cells are emitted, hence simulated.
  std::vector<size_t> emitted;  // cell indices in output order
  if (opt.whole_count || !regions)
    for (size_t t = 0; t < T; ++t) emitted.push_back(t * (G + 1) + G);
  if (regions)
    for (size_t g = 0; g < G; ++g)
      for (size_t t = 0; t < T; ++t) emitted.push_back(t * (G + 1) + g);
  std::vector<size_t> live;
  for (size_t ci : emitted)
    if (cells[ci].units.size() >= std::max<size_t>(opt.min_units, 2)) live.push_back(ci);

  stats::parallel_for(live.size() * blocks, opt.threads, [&](size_t task) {
    Cell& c = cells[live[task / blocks]];
    const size_t b = task % blocks;
    stats::Rng rng(opt.seed, kDistributionStreams + (static_cast<uint64_t>(live[task / blocks]) << 20) + b);
    distribution_simulate_block(c, targets[c.target], opt, R, b, rng);
  });

  std::vector<ForensicTest> out;
  for (size_t ci : emitted) {
    const Cell& c = cells[ci];
    const size_t n_stats = c.slope ? kNStat : kDip + 1;
    for (size_t k = 0; k < n_stats; ++k) out.push_back(distribution_score(c, targets[c.target], k, G, R, opt));
  }
  return out;
}

}  // namespace tallyscope
