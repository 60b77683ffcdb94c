#include "analysis/forensics/forensics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <mutex>
#include <numeric>

#include <fmt/format.h>

#include "analysis/forensics/complete.h"
#include "analysis/forensics/digit_null.h"
#include "analysis/forensics/digits.h"
#include "analysis/forensics/distribution.h"
#include "analysis/forensics/integer_percent.h"
#include "analysis/forensics/p_display.h"
#include "analysis/forensics/within_place.h"
#include "analysis/common/json_number.h"
#include "analysis/common/text.h"
#include "io/error.h"
#include "stats/parallel.h"
#include "stats/multiple_testing.h"
#include "stats/null_tail.h"
#include "stats/poisson_binomial.h"
#include "stats/sampling.h"

namespace tallyscope {
namespace {

constexpr size_t kChunk = 1024;  // units per Monte Carlo task (and RNG stream); their tables stay in cache
constexpr int64_t kMaxTableDenominator = 1 << 20;  // larger denominators redraw the binomial instead
constexpr double kMaxNullBytes = 4e9;

using stats::parallel_for;  // one implementation for every analysis: stats/parallel.h

// The binomial-null statistics, in this order.
struct StatDef {
  const char* id;
  bool two_sided;
};
constexpr std::array<StatDef, 8> kStats = {{
    {"integer_percent", false},
    {"second_digit_mean", true},
    {"last_digit_mean", true},
    {"last_digit_uniformity", false},
    {"last_digit_0_5", false},
    {"percent_0_5", false},
    {"pairs_repeated", true},
    {"pairs_adjacent", true},
}};
constexpr size_t kS = kStats.size();
constexpr size_t kSecondDigit = 1, kUniformity = 3, kPercent05 = 5;

using StatVec = std::array<double, kS>;
using Counts = std::array<size_t, kS>;  // units each statistic used

struct Tally {
  DigitTally digits;
  size_t int_eligible = 0, int_hits = 0;
  double int_mean = 0, int_var = 0;  // exact null moments (observed tallies only)
  void merge(const Tally& o) {
    digits.merge(o.digits);
    int_eligible += o.int_eligible;
    int_hits += o.int_hits;
    int_mean += o.int_mean;
    int_var += o.int_var;
  }
  StatVec stats() const {
    DigitStatistics d = digits.statistics();
    return {static_cast<double>(int_hits), d.second_digit_mean, d.last_digit_mean, d.last_digit_chi2,
            d.last_0_5, d.percent_0_5, d.pairs_repeated, d.pairs_adjacent};
  }
  Counts units() const {
    return {int_eligible, digits.n_second, digits.n_last, digits.n_last, digits.n_last, digits.n_percent,
            digits.n_last, digits.n_last};
  }
};

// One target (turnout or a choice) prepared for the binomial null.
struct Target {
  std::string name;
  std::vector<uint32_t> unit;        // sheets used
  std::vector<uint32_t> group;       // region of each used sheet (0 without --by)
  std::vector<int64_t> count, denom;
  std::vector<uint8_t> int_eligible, digit_ok;
  std::vector<double> int_prob;  // P(integer percentage) under the null, 0 when not eligible
  std::map<std::string, size_t> excluded;                // whole count
  std::vector<std::map<std::string, size_t>> excluded_by;  // per region
  bool all_zero = true;
  std::string why_not;  // the whole target cannot be tested
};

}  // namespace

size_t ForensicsResult::tests_run() const {
  return static_cast<size_t>(std::count_if(tests.begin(), tests.end(), [](const auto& t) { return t.run; }));
}
size_t ForensicsResult::flagged() const {
  return static_cast<size_t>(std::count_if(tests.begin(), tests.end(), [](const auto& t) { return t.flag; }));
}
bool ForensicsResult::within_place_tail_flagged() const {
  return std::any_of(tests.begin(), tests.end(), [](const ForensicTest& t) {
    return t.id == "within_place_tail_symmetry" && t.region.empty() && t.flag;
  });
}
const ModelFits& ForensicsResult::leading_fits() const {
  static const ModelFits none = [] {
    ModelFits m;
    m.klimek.why_not = m.shpilkin.why_not = "no choice";
    return m;
  }();
  return model_fits.empty() ? none : model_fits.front();
}

namespace {

// What every step of the battery reads: the election, the options, the regions and the complete sheets.
struct ForensicsFrame {
  ForensicsFrame(const Election& election, const ForensicsOptions& options) : e(election), opt(options) {}
  const Election& e;
  const ForensicsOptions& opt;
  size_t N = 0;
  int level = -1;  // geography level of --by, -1 without
  size_t G = 1;    // regions (1 without --by)
  const CountColumn* reg = nullptr;
  std::vector<uint8_t> complete;  // sheets with every count present
  uint32_t group_of(size_t i) const {
    return level < 0 ? 0 : e.geography().node_of(static_cast<size_t>(level), i);
  }
  std::string region_name(size_t g) const {
    return e.geography().path(static_cast<size_t>(level), static_cast<uint32_t>(g));
  }
};

// null[t][g][s][replicate], g == G the whole count.
using ForensicsNull = std::vector<std::vector<std::array<std::vector<double>, kS>>>;

// Checks the options and fills the result's description of the run (source, null model, units).
ForensicsResult forensics_header(const Election& e, const ForensicsOptions& opt) {
  if (opt.replicates < 1) throw UsageError("forensics: --replicates must be at least 1");
  if (!(opt.fdr > 0 && opt.fdr < 1)) throw UsageError("forensics: the FDR level must be between 0 and 1");
  ForensicsResult r;
  r.source = e.source();
  r.replicates = opt.replicates;
  r.seed = opt.seed;
  r.fdr = opt.fdr;
  r.null_model = "binomial: each unit's count redrawn from its own denominator at its own observed share "
                 "(Kobak, Shpilkin & Pshenichnikov 2016); p_value from the simulated null's mean and sd "
                 "(normal; scaled chi-square for last_digit_uniformity), p_empirical the Monte Carlo rank p-value";
  if (opt.distribution_tests)
    r.null_model += "; distribution statistics (analysis/distribution.h: skewness, kurtosis, dip, turnout-share "
                    "slope and correlation) descriptive only, beside their simulated nulls: none of those nulls "
                    "holds on clean counts whose places differ";
  r.units = e.sheets();
  return r;
}

// The choices tested: those named, or the leading ones by total votes.
std::vector<int> forensics_choices(const Election& e, const ForensicsOptions& opt) {
  const size_t N = e.sheets();
  std::vector<int> chosen;
  if (!opt.choices.empty()) {
    for (const auto& name : opt.choices) {
      int k = e.find_choice(name);
      if (k < 0) throw UsageError(fmt::format("forensics: no choice named '{}' in {}", name, e.source()));
      chosen.push_back(k);
    }
  } else {
    std::vector<std::pair<int64_t, int>> totals;
    for (size_t k = 0; k < e.choices().size(); ++k) {
      int64_t t = 0;
      for (size_t i = 0; i < N; ++i) t += e.choices()[k].or_zero(i);
      totals.push_back({-t, static_cast<int>(k)});
    }
    std::stable_sort(totals.begin(), totals.end());
    for (size_t k = 0; k < std::min(opt.leading, totals.size()); ++k) chosen.push_back(totals[k].second);
  }
  return chosen;
}

// The regions of --by (level and count, also recorded in the result) and the sheets with every count present.
ForensicsFrame forensics_frame(const Election& e, const ForensicsOptions& opt, ForensicsResult& r) {
  ForensicsFrame fr(e, opt);
  fr.N = e.sheets();
  if (!opt.by.empty()) {
    fr.level = e.geography().find_level(opt.by);
    if (fr.level < 0) {
      std::string have;
      for (const auto& n : e.geography().level_names()) have += (have.empty() ? "" : ", ") + n;
      throw UsageError(fmt::format("forensics: no geography level '{}' (levels: {})", opt.by,
                                   have.empty() ? "none" : have));
    }
    fr.G = e.geography().node_count(static_cast<size_t>(fr.level));
    r.by = opt.by;
    r.regions = fr.G;
  }
  // Sheets with every count present (or a choice's empty cell shown to be 0 by the sheet's own
  // declared valid votes: complete.h).
  CompleteSheets cs = complete_sheets(e);
  fr.complete = std::move(cs.complete);
  if (cs.zero_filled > 0)
    r.notes.push_back(fmt::format("on {} sheets a choice's cell is empty and is read as 0, because the sheet's declared "
                                  "valid votes equal the sum of the choices it gives (a party not on that ballot)",
                                  thousands(static_cast<int64_t>(cs.zero_filled))));
  fr.reg = e.registered();
  return fr;
}

// Prepares one target for the binomial null: its usable sheets, their counts and null chances, and exclusions.
template <class CountOf, class DenomOf>
void forensics_prepare(const ForensicsFrame& fr, Target& t, CountOf&& count_of, DenomOf&& denom_of, bool turnout) {
  const CountColumn* reg = fr.reg;
  const auto& ballots = fr.e.ballots();
  t.excluded_by.resize(fr.G);
  for (size_t i = 0; i < fr.N; ++i) {
    const char* why = nullptr;
    if (!fr.complete[i]) why = "a count is missing on the sheet";
    else if (reg && fr.e.postal(i)) why = "a postal-vote district (its voters are registered elsewhere)";
    else if (reg && (*reg)[i] <= 0) why = "zero registered voters";
    else if (turnout && ballots[i] > (*reg)[i]) why = "more ballots than registered voters";
    else if (!turnout && ballots[i] <= 0) why = "no ballots";
    if (why) {
      ++t.excluded[why];
      ++t.excluded_by[fr.group_of(i)][why];
      continue;
    }
    const int64_t v = count_of(i), n = denom_of(i);
    t.unit.push_back(static_cast<uint32_t>(i));
    t.group.push_back(fr.group_of(i));
    t.count.push_back(v);
    t.denom.push_back(n);
    t.int_eligible.push_back(integer_percent_eligible(v, n));
    t.digit_ok.push_back(digit_spread_ok(v, n));
    if (v != 0) t.all_zero = false;
  }
  // Each eligible unit's exact chance of a whole percentage (independent units: in parallel).
  t.int_prob.assign(t.unit.size(), 0.0);
  parallel_for((t.unit.size() + kChunk - 1) / kChunk, fr.opt.threads, [&](size_t c) {
    for (size_t j = c * kChunk; j < std::min(t.unit.size(), (c + 1) * kChunk); ++j)
      if (t.int_eligible[j])
        t.int_prob[j] = integer_percent_probability(
            t.denom[j], static_cast<double>(t.count[j]) / static_cast<double>(t.denom[j]));
  });
  if (t.all_zero && !t.unit.empty()) t.why_not = "all counts are zero";
}

// The targets: turnout first, then each chosen choice.
std::vector<Target> forensics_targets(const ForensicsFrame& fr, const std::vector<int>& chosen) {
  const CountColumn* reg = fr.reg;
  const auto& ballots = fr.e.ballots();
  std::vector<Target> targets;
  {
    Target t;
    t.name = "turnout";
    if (!reg) {
      t.why_not = "no registered-voters column";
      t.excluded_by.resize(fr.G);
    } else {
      forensics_prepare(fr, t, [&](size_t i) { return ballots[i]; }, [&](size_t i) { return (*reg)[i]; }, true);
    }
    targets.push_back(std::move(t));
  }
  for (int k : chosen) {
    Target t;
    const CountColumn& c = fr.e.choices()[static_cast<size_t>(k)];
    t.name = c.name;
    forensics_prepare(fr, t, [&](size_t i) { return c[i]; }, [&](size_t i) { return ballots[i]; }, false);
    targets.push_back(std::move(t));
  }
  return targets;
}

// Appends the whole count's tally (index G) to the per-region tallies.
void forensics_finish(std::vector<Tally>& by_group, size_t G) {
  Tally all;
  for (size_t g = 0; g < G; ++g) all.merge(by_group[g]);
  by_group.push_back(all);
}

// Observed tallies per target and region (index G: the whole count), with the exact integer-percent moments.
std::vector<std::vector<Tally>> forensics_observed(const ForensicsFrame& fr, const std::vector<Target>& targets) {
  const size_t T = targets.size();
  const bool digits_on = fr.opt.digit_tests;
  std::vector<std::vector<Tally>> observed(T, std::vector<Tally>(fr.G));
  for (size_t t = 0; t < T; ++t) {
    const Target& tg = targets[t];
    for (size_t j = 0; j < tg.unit.size(); ++j) {
      Tally& x = observed[t][tg.group[j]];
      if (digits_on && tg.digit_ok[j]) x.digits.add(tg.count[j], tg.denom[j]);
      if (tg.int_eligible[j]) {
        ++x.int_eligible;
        x.int_hits += is_integer_percent(tg.count[j], tg.denom[j]);
        x.int_mean += tg.int_prob[j];
        x.int_var += tg.int_prob[j] * (1 - tg.int_prob[j]);
      }
    }
    forensics_finish(observed[t], fr.G);
  }
  return observed;
}

// Refuses null sizes that cannot fit: one tally per target, replicate and region.
void forensics_check_null_size(size_t T, size_t R, size_t G) {
  const double bytes = static_cast<double>(T) * static_cast<double>(R) * static_cast<double>(G + 1) *
                       static_cast<double>(sizeof(Tally) + kS * sizeof(double));
  if (bytes > kMaxNullBytes)
    throw UsageError(fmt::format(
        "forensics: {} regions x {} replicates x {} targets would need {:.1f} GB for the simulated null "
        "(limit {:.0f} GB); use a coarser --by level or fewer --replicates",
        G, R, T, bytes / 1e9, kMaxNullBytes / 1e9));
}

// One Monte Carlo task: every replicate of one chunk of a target's units, from the chunk's own stream.
void forensics_draw_chunk(const ForensicsFrame& fr, const Target& tg, size_t t, size_t chunk, size_t R,
                          std::vector<std::vector<Tally>>& tallies_t, std::mutex& lock_t) {
  const bool digits_on = fr.opt.digit_tests;
  const size_t lo = chunk * kChunk, hi = std::min(tg.unit.size(), lo + kChunk);
  stats::Rng rng(fr.opt.seed, (static_cast<uint64_t>(t) << 20) + chunk);
  // The chunk's units: their null tables and their regions renumbered 0..L-1.
  std::vector<DigitSampler> sampler(digits_on ? hi - lo : 0);
  std::vector<stats::Binomial> wide;  // units whose binomial is too wide for a table (see below)
  std::vector<int32_t> wide_of(hi - lo, -1);
  std::vector<uint32_t> local(hi - lo), groups;
  for (size_t j = lo; j < hi; ++j) {
    auto at = std::find(groups.begin(), groups.end(), tg.group[j]);
    local[j - lo] = static_cast<uint32_t>(at - groups.begin());
    if (at == groups.end()) groups.push_back(tg.group[j]);
    if (!digits_on || !tg.digit_ok[j]) continue;
    const double share = static_cast<double>(tg.count[j]) / static_cast<double>(tg.denom[j]);
    if (tg.denom[j] > kMaxTableDenominator) {
      // Counts in the millions (a whole region on one sheet): the tables would sum millions of
      // terms, so these rare units keep the exact binomial redraw, scored by DigitTally::add.
      wide_of[j - lo] = static_cast<int32_t>(wide.size());
      wide.emplace_back(tg.denom[j], share);
    } else {
      // The null given the screen the unit passed (digit_null.h).
      sampler[j - lo] = DigitSampler(digit_classes(tg.denom[j], share, /*screened=*/true));
    }
  }
  // Whole percentages: each region's hits in the chunk are a sum of independent Bernoulli(P_j),
  // P_j the unit's exact chance (integer_percent.h), drawn at once from their Poisson-binomial law
  // on a stream of their own, so the draws are the same whether or not the digit tests run.
  std::vector<std::vector<double>> int_p(groups.size());
  for (size_t j = lo; j < hi; ++j)
    if (tg.int_eligible[j]) int_p[local[j - lo]].push_back(tg.int_prob[j]);
  std::vector<stats::PoissonBinomial> int_law;
  for (const auto& p : int_p) int_law.emplace_back(p);
  stats::Rng int_rng(fr.opt.seed, (uint64_t{1} << 40) + (static_cast<uint64_t>(t) << 20) + chunk);
  std::vector<Tally> tl(groups.size());
  for (size_t rep = 0; rep < R; ++rep) {
    for (size_t k = 0; k < tl.size(); ++k) {
      tl[k] = Tally{};
      tl[k].int_eligible = int_p[k].size();
      if (!int_p[k].empty()) tl[k].int_hits = static_cast<size_t>(int_law[k](int_rng));
    }
    if (digits_on)
      for (size_t j = lo; j < hi; ++j) {
        if (!tg.digit_ok[j]) continue;
        Tally& x = tl[local[j - lo]];
        if (wide_of[j - lo] < 0) sampler[j - lo].draw(rng, x.digits);
        else x.digits.add(wide[static_cast<size_t>(wide_of[j - lo])](rng), tg.denom[j]);
      }
    std::lock_guard<std::mutex> lock(lock_t);
    for (size_t k = 0; k < groups.size(); ++k) tallies_t[rep][groups[k]].merge(tl[k]);
  }
}

// Monte Carlo. A task is one target and one chunk of kChunk consecutive units: it builds the
// chunk's per-unit null tables once (digit_null.h), then draws every replicate of those units
// from its own stream Rng(seed, t * 2^20 + chunk) and adds them into the shared per-replicate,
// per-region tallies. Tallies are integer sums, so the order in which tasks add up does not
// matter and the result is identical whatever the thread count.
ForensicsNull forensics_simulate(const ForensicsFrame& fr, const std::vector<Target>& targets) {
  const size_t T = targets.size(), G = fr.G;
  const size_t R = static_cast<size_t>(fr.opt.replicates);
  forensics_check_null_size(T, R, G);
  std::vector<std::vector<std::vector<Tally>>> tallies(T);  // [t][replicate][group]
  std::vector<std::mutex> tally_lock(T);
  std::vector<size_t> live;
  for (size_t t = 0; t < T; ++t)
    if (targets[t].why_not.empty() && !targets[t].unit.empty()) {
      live.push_back(t);
      tallies[t].assign(R, std::vector<Tally>(G));
    }
  std::vector<size_t> chunk_start(live.size() + 1, 0);  // task index of each live target's first chunk
  for (size_t i = 0; i < live.size(); ++i)
    chunk_start[i + 1] = chunk_start[i] + (targets[live[i]].unit.size() + kChunk - 1) / kChunk;
  parallel_for(chunk_start.back(), fr.opt.threads, [&](size_t task) {
    const size_t li = static_cast<size_t>(std::upper_bound(chunk_start.begin(), chunk_start.end(), task) -
                                          chunk_start.begin()) - 1;
    const size_t t = live[li], chunk = task - chunk_start[li];
    forensics_draw_chunk(fr, targets[t], t, chunk, R, tallies[t], tally_lock[t]);
  });
  ForensicsNull null(T);
  for (size_t t = 0; t < T; ++t) {
    null[t].resize(G + 1);
    for (auto& g : null[t])
      for (auto& s : g) s.assign(R, std::nan(""));
    if (tallies[t].empty()) continue;
    for (size_t rep = 0; rep < R; ++rep) {
      forensics_finish(tallies[t][rep], G);
      for (size_t g = 0; g <= G; ++g) {
        const StatVec st = tallies[t][rep][g].stats();
        for (size_t k = 0; k < kS; ++k) null[t][g][k][rep] = st[k];
      }
    }
    std::vector<std::vector<Tally>>().swap(tallies[t]);
  }
  return null;
}

// Scores statistic k of target tg in region g (G: the whole count) against its simulated null.
ForensicTest forensics_score(const ForensicsFrame& fr, const Target& tg, const Tally& observed, const StatVec& obs,
                             const Counts& used, const std::vector<double>& sim, size_t g, size_t k) {
  const ForensicsOptions& opt = fr.opt;
  const size_t G = fr.G;
  ForensicTest x;
  x.id = kStats[k].id;
  x.target = tg.name;
  x.level = g == G ? "all" : opt.by;
  x.region = g == G ? "" : fr.region_name(g);
  x.alternative = kStats[k].two_sided ? "two-sided" : "greater";
  x.units = used[k];
  x.excluded = g == G ? tg.excluded : tg.excluded_by[g];
  const size_t prepared = g == G ? tg.unit.size()
                                 : static_cast<size_t>(std::count(tg.group.begin(), tg.group.end(), g));
  if (prepared > used[k])
    x.excluded[k == 0 ? "integer-percent rule (denominator < 100 or share > 0.99)"
               : k == 5 ? "percentage rule (denominator < 100, count 0 or all, or binomial sd below 7)"
                        : "count below 10 or binomial sd below 7 (digit rule)"] += prepared - used[k];
  x.statistic = obs[k];
  if (!tg.why_not.empty()) {
    x.why_not = tg.why_not;
  } else if (used[k] < opt.min_units) {
    x.why_not = fmt::format("too few units ({} qualify, {} needed)", used[k], opt.min_units);
  } else if (std::isnan(obs[k])) {
    x.why_not = "statistic undefined";
  } else {
    double sum = 0, sum2 = 0;
    size_t ge = 0, le = 0, m = 0;
    for (double v : sim) {
      if (std::isnan(v)) continue;
      ++m;
      sum += v;
      sum2 += v * v;
      ge += v >= obs[k] - 1e-12 * std::fabs(obs[k]);
      le += v <= obs[k] + 1e-12 * std::fabs(obs[k]);
    }
    if (m == 0) {
      x.why_not = "null undefined";
    } else {
      const double md = static_cast<double>(m);
      x.run = true;
      x.null_mean = sum / md;
      x.null_sd = m > 1 ? std::sqrt(std::max(0.0, (sum2 - sum * sum / md) / (md - 1))) : 0;
      const double pu = (1.0 + static_cast<double>(ge)) / (md + 1), pl = (1.0 + static_cast<double>(le)) / (md + 1);
      x.p_empirical = kStats[k].two_sided ? std::min(1.0, 2 * std::min(pu, pl)) : pu;
      x.p_value = stats::null_tail_p(obs[k], x.null_mean, x.null_sd, k == kUniformity, kStats[k].two_sided, x.p_empirical,
                                     static_cast<int>(m));
      if (k == 0) {  // integer percentages: the exact Poisson-binomial moments, continuity-corrected
        x.null_mean = observed.int_mean;
        x.null_sd = std::sqrt(observed.int_var);
        x.p_value = stats::null_tail_p(obs[k] - 0.5, x.null_mean, x.null_sd, false, false, x.p_empirical,
                                       stats::kExactMoments);
      }
    }
  }
  x.replicates = opt.replicates;
  if (x.run && k == kSecondDigit) {
    x.run = false;
    x.role = "descriptive";
    x.why_not = "descriptive only: the own-share binomial null smooths the counts a second time, which "
                "moves the second digit by itself (see digits.h); statistic and null mean reported, not tested";
  }
  if (x.run && k == kPercent05) {
    x.run = false;
    x.role = "descriptive";
    x.why_not = "descriptive only: on clean twins of Bolivia 2019 (simulate --like; calibrate --runs 40) the "
                "turnout's share of percentages ending in 0 or 5 exceeded its own-share binomial null at p <= 0.05 "
                "in 9 of 40 runs (nominal 2), so that null is not honest for it; statistic and null mean "
                "reported, not tested";
  }
  if (!x.run) x.p_value = x.q_value = x.p_empirical = std::nan("");
  return x;
}

// The binomial-null tests: the whole count first, then each region.
void forensics_binomial_tests(const ForensicsFrame& fr, const std::vector<Target>& targets,
                              const std::vector<std::vector<Tally>>& observed, const ForensicsNull& null,
                              ForensicsResult& r) {
  const size_t T = targets.size(), G = fr.G;
  const int level = fr.level;
  const bool digits_on = fr.opt.digit_tests;
  for (size_t gi = 0; gi <= G; ++gi) {
    const size_t g = gi == 0 ? G : gi - 1;  // whole count first
    if (gi > 0 && level < 0) break;
    if (gi == 0 && level >= 0 && G == 1) continue;  // one region: the whole count says it all
    for (size_t t = 0; t < T; ++t) {
      const StatVec obs = observed[t][g].stats();
      const Counts used = observed[t][g].units();
      for (size_t k = fr.opt.integer_percent ? 0 : 1; k < (digits_on ? kS : 1); ++k)
        r.tests.push_back(forensics_score(fr, targets[t], observed[t][g], obs, used, null[t][g][k], g, k));
    }
  }
}

// Distribution tests (analysis/distribution.h), appended: whole count, then each region. The targets'
// vectors move into them: nothing after this step reads them.
void forensics_distribution(const ForensicsFrame& fr, std::vector<Target>& targets, ForensicsResult& r) {
  const Election& e = fr.e;
  const ForensicsOptions& opt = fr.opt;
  const CountColumn* reg = fr.reg;
  const size_t T = targets.size(), G = fr.G;
  const int level = fr.level;
  // Strata of the slope/correlation null: the coarsest geography level with two or more regions.
  int strata_level = -1;
  for (size_t l = 0; l < e.geography().level_names().size() && strata_level < 0; ++l)
    if (e.geography().node_count(l) >= 2) strata_level = static_cast<int>(l);
  std::vector<DistributionTarget> dts(T);
  for (size_t t = 0; t < T; ++t) {
    Target& tg = targets[t];  // its vectors move into the distribution tests: nothing below reads them
    DistributionTarget& d = dts[t];
    d.name = tg.name;
    d.turnout = t == 0;
    d.count = std::move(tg.count);
    d.denom = std::move(tg.denom);
    d.group = std::move(tg.group);
    std::vector<double>().swap(tg.int_prob);
    std::vector<uint8_t>().swap(tg.int_eligible);
    std::vector<uint8_t>().swap(tg.digit_ok);
    if (t > 0 && reg)
      for (uint32_t i : tg.unit) d.registered.push_back((*reg)[i]);
    if (strata_level >= 0)
      for (uint32_t i : tg.unit) d.stratum.push_back(e.geography().node_of(static_cast<size_t>(strata_level), i));
    d.excluded = tg.excluded;
    d.excluded_by = tg.excluded_by;
    d.why_not = tg.why_not;
  }
  DistributionOptions d;
  d.replicates = opt.replicates;
  d.max_replicates = opt.distribution_replicates;
  d.null_units = opt.distribution_null_units;
  d.seed = opt.seed;
  d.threads = opt.threads;
  d.min_units = opt.min_units;
  d.groups = G;
  if (level >= 0) {
    d.level = opt.by;
    for (size_t g = 0; g < G; ++g) d.region_names.push_back(fr.region_name(g));
  }
  d.whole_count = !(level >= 0 && G == 1);
  std::vector<ForensicTest> more = distribution_tests(dts, d);
  r.tests.insert(r.tests.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

// The within-place stuffing tests (within_place.h), appended, with their level, note and places.
void forensics_within_place(const Election& e, const std::vector<int>& chosen, const ForensicsOptions& opt,
                            ForensicsResult& r) {
  WithinPlaceOptions wo;
  wo.seed = opt.seed;
  wo.replicates = opt.replicates;
  wo.min_places = opt.min_units;
  WithinPlaceResult w = within_place_tests(e, chosen, wo);
  r.within_place_level = w.level;
  r.within_place_note = w.note;
  r.within_place_why = w.why_not;
  r.within_place_places = w.places;
  r.within_place_tail_sheets = std::move(w.tail_sheets);
  r.tests.insert(r.tests.end(), std::make_move_iterator(w.tests.begin()), std::make_move_iterator(w.tests.end()));
  if (!w.run) r.notes.push_back("within-place tests not run: " + w.why_not);
}

// Benjamini-Hochberg across every test run: q-values and flags.
void forensics_adjust(ForensicsResult& r, double fdr) {
  std::vector<double> p;
  for (const auto& x : r.tests) p.push_back(x.p_value);
  std::vector<double> q = stats::benjamini_hochberg(p);
  for (size_t i = 0; i < r.tests.size(); ++i) {
    r.tests[i].q_value = q[i];
    r.tests[i].flag = r.tests[i].run && q[i] <= fdr;
  }
}

// Klimek et al.'s model and Shpilkin's estimate for one choice (counts of the complete sheets).
ModelFits fit_models(const std::vector<int64_t>& rg, const std::vector<int64_t>& bl, const std::vector<int64_t>& v,
                     const ForensicsOptions& opt, const std::string& choice) {
  ModelFits m;
  m.choice = choice;
  KlimekOptions ko;
  ko.seed = opt.seed;
  ko.threads = opt.threads;
  m.klimek = fit_klimek(rg, bl, v, ko, choice);
  ShpilkinOptions so;
  so.seed = opt.seed;
  so.threads = opt.threads;
  m.shpilkin = estimate_shpilkin(rg, bl, v, so, choice);
  if (m.klimek.run && !m.klimek.fits && m.shpilkin.run && m.shpilkin.fits) {
    m.shpilkin.fits = false;
    m.shpilkin.fit_check =
        "it assumes the single clean cluster of Klimek's model, which fails its check here: " + m.klimek.fit_check;
  }
  return m;
}

// Fingerprints, Klimek's model and Shpilkin's estimate of each chosen choice.
void forensics_fits(const ForensicsFrame& fr, const std::vector<int>& chosen, ForensicsResult& r) {
  const Election& e = fr.e;
  const ForensicsOptions& opt = fr.opt;
  const CountColumn* reg = fr.reg;
  const auto& ballots = e.ballots();
  const size_t N = fr.N;
  // With postal-vote districts (spec [postal]), the other sheets' turnout leaves out their own
  // voters who voted by post (half of them or more in Germany), so their turnout is not the voters'
  // and a turnout-based model of stuffing reads postal voting as fraud (on Rheinland-Pfalz 2025 the
  // urn districts' "clean turnout mode" was 45%, and both fits passed their check with estimates
  // above 0). Fingerprints are still drawn; the models are not run.
  const size_t postal = e.postal_sheets();
  const std::string postal_why =
      postal ? fmt::format("the count has {} postal-vote districts: the other sheets' turnout leaves out their voters "
                           "who voted by post, so a turnout-based model of stuffing has no ground here",
                           thousands(static_cast<int64_t>(postal)))
             : "";
  if ((opt.fits || opt.model_fits) && reg) {
    std::vector<int64_t> rg(N), bl(N), v(N);
    for (int k : chosen) {
      const CountColumn& c = e.choices()[static_cast<size_t>(k)];
      for (size_t i = 0; i < N; ++i) {
        const bool ok = fr.complete[i] != 0;
        rg[i] = ok ? (*reg)[i] : 0;
        bl[i] = ok ? ballots[i] : 0;
        v[i] = ok ? c[i] : 0;
      }
      if (opt.fits) r.fingerprints.push_back(fingerprint(rg, bl, v, opt.fingerprint_bins, c.name));
      if (opt.model_fits && postal == 0) r.model_fits.push_back(fit_models(rg, bl, v, opt, c.name));
    }
  } else if (opt.fits || opt.model_fits) {
    r.notes.push_back("no fingerprint and no model fit: the file has no registered-voters column");
  }
  if (r.model_fits.empty())
    for (int k : chosen) {
      ModelFits m;
      m.choice = e.choices()[static_cast<size_t>(k)].name;
      m.klimek.why_not = m.shpilkin.why_not =
          !opt.model_fits ? "fits are off" : !reg ? "no registered-voters column" : postal_why;
      r.model_fits.push_back(std::move(m));
    }
}

}  // namespace

ForensicsResult run_forensics(const Election& e, const ForensicsOptions& opt) {
  ForensicsResult r = forensics_header(e, opt);
  const std::vector<int> chosen = forensics_choices(e, opt);
  for (int k : chosen) r.choices.push_back(e.choices()[static_cast<size_t>(k)].name);
  const ForensicsFrame fr = forensics_frame(e, opt, r);
  std::vector<Target> targets = forensics_targets(fr, chosen);
  if (opt.integer_percent || opt.digit_tests) {
    const std::vector<std::vector<Tally>> observed = forensics_observed(fr, targets);
    const ForensicsNull null = forensics_simulate(fr, targets);
    forensics_binomial_tests(fr, targets, observed, null, r);
  }
  if (opt.fits && opt.integer_percent)
    for (const Target& tg : targets)
      if (tg.why_not.empty() && !tg.unit.empty())
        r.percent_histograms.push_back(percent_histogram(tg.count, tg.denom, tg.int_eligible, tg.name));
  if (opt.distribution_tests) forensics_distribution(fr, targets, r);
  if (opt.within_place) forensics_within_place(e, chosen, opt, r);
  forensics_adjust(r, opt.fdr);
  forensics_fits(fr, chosen, r);
  r.notes.push_back(fmt::format("benford second-digit mean (reference only, not the null): {:.3f}",
                                benford_second_digit_mean()));
  return r;
}

nlohmann::ordered_json to_json(const ForensicsResult& r) {
  nlohmann::ordered_json j;
  j["source"] = r.source;
  j["replicates"] = r.replicates;
  j["seed"] = r.seed;
  j["fdr"] = r.fdr;
  j["multiple_testing"] = "benjamini-hochberg across all tests, targets and regions";
  j["null_model"] = r.null_model;
  j["choices"] = r.choices;
  j["by"] = r.by.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.by);
  j["units"] = r.units;
  j["tests_run"] = r.tests_run();
  j["flagged"] = r.flagged();
  auto& ts = j["tests"] = nlohmann::ordered_json::array();
  for (const auto& t : r.tests) {
    nlohmann::ordered_json x;
    x["id"] = t.id;
    x["target"] = t.target;
    x["level"] = t.level;
    x["region"] = t.region.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(t.region);
    x["statistic"] = json_number(t.statistic);
    const bool simulated = t.run || t.null_sd > 0;
    x["null_mean"] = simulated ? json_number(t.null_mean) : nlohmann::ordered_json(nullptr);
    x["null_sd"] = simulated ? json_number(t.null_sd) : nlohmann::ordered_json(nullptr);
    x["alternative"] = t.alternative;
    x["role"] = t.role;
    x["p_value"] = json_number(t.p_value);
    x["p_display"] = std::isfinite(t.p_value) ? nlohmann::ordered_json(p_display(t.p_value, t.replicates))
                                              : nlohmann::ordered_json(nullptr);
    x["p_resolution"] = t.replicates > 0 ? json_number(p_resolution(t.replicates)) : nlohmann::ordered_json(nullptr);
    if (p_below_resolution(t.p_value, t.replicates)) x["p_method"] = p_method(t.replicates);
    x["p_empirical"] = json_number(t.p_empirical);
    x["q_value"] = json_number(t.q_value);
    x["flag"] = t.flag;
    x["run"] = t.run;
    if (!t.run) x["why_not"] = t.why_not;
    x["units"] = t.units;
    x["excluded"] = nlohmann::ordered_json::object();
    for (const auto& [why, n] : t.excluded) x["excluded"][why] = n;
    ts.push_back(std::move(x));
  }
  j["fingerprint"] = r.fingerprints.empty() ? nlohmann::ordered_json(nullptr) : to_json(r.fingerprints[0]);
  auto& fs = j["fingerprints"] = nlohmann::ordered_json::array();
  for (const auto& f : r.fingerprints) fs.push_back(to_json(f));
  auto& ph = j["percent_histograms"] = nlohmann::ordered_json::array();
  for (const auto& h : r.percent_histograms) {
    // Only the bins from the first to the last that hold a unit or null mass above 1e-9.
    size_t lo = PercentHistogram::kBins, hi = 0;
    for (size_t b = 0; b < PercentHistogram::kBins; ++b)
      if (h.observed[b] > 0 || h.null_mean[b] > 1e-9) lo = std::min(lo, b), hi = b;
    nlohmann::ordered_json x;
    x["target"] = h.target;
    x["units"] = h.units;
    x["bin_width"] = 0.1;
    x["first_bin_percent"] = lo <= hi ? static_cast<double>(lo) / 10 : 0.0;
    auto& o = x["observed"] = nlohmann::ordered_json::array();
    auto& m = x["null_mean"] = nlohmann::ordered_json::array();
    auto& sd = x["null_sd"] = nlohmann::ordered_json::array();
    for (size_t b = lo; b <= hi && lo <= hi; ++b) {
      o.push_back(h.observed[b]);
      m.push_back(std::round(h.null_mean[b] * 1e6) / 1e6);
      sd.push_back(std::round(h.null_sd[b] * 1e6) / 1e6);
    }
    ph.push_back(std::move(x));
  }
  j["within_place"] = {{"run", !r.within_place_note.empty()},
                       {"level", r.within_place_level.empty() ? nlohmann::ordered_json(nullptr)
                                                              : nlohmann::ordered_json(r.within_place_level)},
                       {"places", r.within_place_places},
                       {"note", r.within_place_note.empty() ? r.within_place_why : r.within_place_note},
                       {"tail_sheets", r.within_place_tail_sheets.size()},
                       {"tail_flagged", r.within_place_tail_flagged()}};
  // Every tested choice's fits; "klimek" and "shpilkin" repeat the leading choice's (model_fits[0]).
  auto& mf = j["model_fits"] = nlohmann::ordered_json::array();
  for (const auto& m : r.model_fits)
    mf.push_back({{"choice", m.choice}, {"klimek", to_json(m.klimek)}, {"shpilkin", to_json(m.shpilkin)}});
  j["klimek"] = to_json(r.leading_fits().klimek);
  j["shpilkin"] = to_json(r.leading_fits().shpilkin);
  j["notes"] = r.notes;
  return j;
}

std::string to_text(const ForensicsResult& r) {
  std::string o;
  o += fmt::format("Forensic battery: {}\n", r.source);
  o += fmt::format("  {} units; targets turnout, {}; {} replicates, seed {}; Benjamini-Hochberg at {}\n",
                   thousands(static_cast<int64_t>(r.units)), fmt::join(r.choices, ", "), r.replicates, r.seed, r.fdr);
  o += fmt::format("  {} tests run, {} flagged{}\n\n", r.tests_run(), r.flagged(),
                   r.by.empty() ? "" : fmt::format(" (whole count and {} regions by {})", r.regions, r.by));
  o += fmt::format("  {:<26} {:<28} {:>12} {:>12} {:>9} {:>9}  flag\n", "test", "target", "statistic", "null mean",
                   "p", "q");
  auto line = [&](const ForensicTest& t) {
    std::string target = t.target.size() > 28 ? t.target.substr(0, 25) + "..." : t.target;
    if (t.role == "descriptive")
      return fmt::format("  {:<26} {:<28} {:>12.4g} {:>12.4g}  (descriptive, not tested: see below)\n", t.id, target,
                         t.statistic, t.null_mean);
    if (!t.run)
      return fmt::format("  {:<26} {:<28} not run: {}\n", t.id, target, t.why_not);
    return fmt::format("  {:<26} {:<28} {:>12.4g} {:>12.4g} {:>9} {:>9}  {}\n", t.id, target, t.statistic,
                       t.null_mean, p_display(t.p_value, t.replicates), p_display(t.q_value, t.replicates),
                       t.flag ? "FLAG" : "");
  };
  bool bounded = false;
  std::map<std::string, std::string> descriptive;  // id -> why
  for (const auto& t : r.tests) {
    if (t.role == "descriptive") descriptive.emplace(t.id, t.why_not);
    if (!t.region.empty()) continue;
    o += line(t);
    bounded |= t.run && p_below_resolution(t.p_value, t.replicates);
  }
  if (bounded) o += fmt::format("  p \"< x\": {}\n", p_method(r.replicates));
  if (!descriptive.empty()) {
    o += "\n  descriptive statistics (shown, out of the Benjamini-Hochberg family, never a flag):\n";
    for (const auto& [id, why] : descriptive) o += fmt::format("    {}: {}\n", id, why);
  }
  if (!r.by.empty()) {
    o += fmt::format("\n  flagged per region ({}):\n", r.by);
    std::map<std::string, size_t> per;
    for (const auto& t : r.tests)
      if (!t.region.empty() && t.flag) ++per[t.region];
    if (per.empty()) o += "    none\n";
    for (const auto& [reg, n] : per) o += fmt::format("    {:<60} {} flagged\n", reg, n);
  }
  if (!r.within_place_note.empty()) o += fmt::format("\n  {}\n", r.within_place_note);
  if (!r.fingerprints.empty()) o += "\n";
  for (const auto& f : r.fingerprints)
    o += fmt::format("  fingerprint {}: {} units; {:.2f}% of units ({:.2f}% of voters) at turnout and share >= 90%\n",
                     f.choice, thousands(static_cast<int64_t>(f.units)), 100 * f.corner_units, 100 * f.corner_voters);
  for (const auto& m : r.model_fits) {
  const KlimekFit& kf = m.klimek;
  if (kf.run && kf.fits)
    o += fmt::format("  klimek {}: incremental fraud in {:.1f}% of units [{:.1f}, {:.1f}], extreme in {:.2f}% [{:.2f}, {:.2f}] "
                     "({:.0f}% intervals, parametric bootstrap; fit check: {})\n",
                     kf.choice, 100 * kf.fi, 100 * kf.fi_lo, 100 * kf.fi_hi, 100 * kf.fe, 100 * kf.fe_lo, 100 * kf.fe_hi,
                     100 * kf.level, kf.fit_check);
  else if (kf.run)
    o += fmt::format("  klimek {}: the model's assumptions fail here: no estimate ({})\n", kf.choice, kf.fit_check);
  else
    o += fmt::format("  klimek {}: not run: {}\n", m.choice, kf.why_not);
  const ShpilkinEstimate& sh = m.shpilkin;
  if (sh.run && sh.fits)
    o += fmt::format("  shpilkin {}: {} anomalous votes [{}, {}] ({:.1f}% of its votes; clean turnout mode {:.1f}%, "
                     "clean share {:.1f}%){}\n",
                     sh.choice, thousands(std::llround(sh.anomalous_votes)), thousands(std::llround(sh.lo)),
                     thousands(std::llround(sh.hi)), 100 * sh.share_of_winner_votes, 100 * sh.clean_turnout_mode,
                     100 * sh.clean_share, sh.clipped ? " (the raw count is negative: shown as 0)" : "");
  else if (sh.run)
    o += fmt::format("  shpilkin {}: the model's assumptions fail here: no estimate ({})\n", sh.choice, sh.fit_check);
  else
    o += fmt::format("  shpilkin {}: not run: {}\n", m.choice, sh.why_not);
  }
  for (const auto& n : r.notes) o += fmt::format("  note: {}\n", n);
  return o;
}

}  // namespace tallyscope
