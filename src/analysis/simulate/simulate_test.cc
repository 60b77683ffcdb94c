// The simulator's properties, each a check that a wrong generator would fail: determinism,
// a file that reads back to the same Election, realistic spreads, and manipulation where (and
// only where) the truth columns say.
#include "analysis/simulate/simulate.h"

#include <cmath>
#include <map>
#include <numeric>

#include <gtest/gtest.h>

#include "io/error.h"
#include "model/layout.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

std::string csv_of(const Election& e) {
  std::string out;
  write_simulated_csv(e, [&](std::string_view c) { out.append(c); });
  return out;
}

const CountColumn& extra(const Election& e, const char* name) {
  for (const auto& x : e.extras())
    if (x.name == name) return x;
  throw std::runtime_error(std::string("no extra ") + name);
}

struct Stats {
  double mean = 0, sd = 0;
  size_t n = 0;
};
template <class F>
Stats stats_over(const Election& e, F&& value) {  // value(sheet) -> optional<double>
  double s = 0, s2 = 0;
  size_t n = 0;
  for (size_t i = 0; i < e.sheets(); ++i)
    if (auto v = value(i)) s += *v, s2 += *v * *v, ++n;
  Stats st;
  st.n = n;
  if (n) st.mean = s / static_cast<double>(n);
  if (n > 1) st.sd = std::sqrt((s2 - s * s / static_cast<double>(n)) / static_cast<double>(n - 1));
  return st;
}
std::optional<double> turnout(const Election& e, size_t i) {
  double r = static_cast<double>(e.registered()->or_zero(i));
  if (r <= 0) return std::nullopt;
  return static_cast<double>(e.ballots()[i]) / r;
}
std::optional<double> leader_share(const Election& e, size_t i, size_t leader = 0) {
  double v = static_cast<double>(e.valid()[i]);
  if (v <= 0) return std::nullopt;
  return static_cast<double>(e.choices()[leader][i]) / v;
}

TEST(Simulate, SameSeedSameBytesWhateverTheThreads) {
  SimulationOptions o;
  o.units = 20000;
  o.seed = 7;
  o.fraud_share = 0.05;
  o.round_share = 0.05;
  o.late_bias = 0.05;
  o.threads = 1;
  std::string one = csv_of(simulate(o));
  o.threads = 3;
  std::string three = csv_of(simulate(o));
  EXPECT_EQ(one, three);
  o.seed = 8;
  EXPECT_NE(one, csv_of(simulate(o)));
}

TEST(Simulate, TheFileReadsBackWithoutASpec) {
  SimulationOptions o;
  o.units = 3000;
  o.seed = 3;
  o.fraud_share = 0.1;
  o.round_share = 0.1;
  Election e = simulate(o);
  std::string path = testing::temp_file(csv_of(e), ".csv");
  Election back = load_election(path);
  EXPECT_EQ(back.spec().layout, kSimulatedLayout);
  ASSERT_EQ(back.sheets(), e.sheets());
  EXPECT_EQ(back.ids(), e.ids());
  EXPECT_EQ(back.header(), e.header());
  ASSERT_EQ(back.choices().size(), 4u);
  for (size_t k = 0; k < 4; ++k) EXPECT_EQ(back.choices()[k].values, e.choices()[k].values);
  EXPECT_EQ(back.registered()->values, e.registered()->values);
  EXPECT_EQ(back.blank()->values, e.blank()->values);
  EXPECT_EQ(back.invalid()->values, e.invalid()->values);
  EXPECT_EQ(back.timestamps_ms(), e.timestamps_ms());
  EXPECT_EQ(back.latitude(), e.latitude());
  ASSERT_EQ(back.extras().size(), 3u);
  for (size_t x = 0; x < 3; ++x) EXPECT_EQ(back.extras()[x].values, e.extras()[x].values);
  EXPECT_EQ(back.geography().levels(), 3u);
  EXPECT_EQ(back.geography().node_count(2), e.geography().node_count(2));
  // Gzip through the same function, by name.
  EXPECT_TRUE(back.has_timestamps());
  EXPECT_TRUE(back.has_coordinates());
}

TEST(Simulate, RealisticHeterogeneity) {
  SimulationOptions o;
  o.units = 40000;
  o.seed = 11;
  Election e = simulate(o);
  EXPECT_EQ(e.sheets(), 40000u);
  EXPECT_EQ(e.geography().node_count(0), 20u);        // regions
  EXPECT_EQ(e.geography().node_count(2), 10000u);     // places: units / 4
  // Sheet sizes vary (lognormal place sizes times sheet variation): coefficient of variation.
  Stats reg = stats_over(e, [&](size_t i) { return std::optional<double>(e.registered()->or_zero(i)); });
  EXPECT_NEAR(reg.mean, 350 * std::exp(0.5 * (0.45 * 0.45 + 0.15 * 0.15)), 15);  // lognormal mean
  EXPECT_GT(reg.sd / reg.mean, 0.35);
  // Sheets per place vary too.
  std::map<uint32_t, int> per_place;
  for (size_t i = 0; i < e.sheets(); ++i) ++per_place[e.geography().node_of(2, i)];
  int most = 0;
  for (auto [p, c] : per_place) most = std::max(most, c);
  EXPECT_GE(most, 12);
  // Turnout near 65% with a spread of several points; the leader near 45% with its spread.
  Stats t = stats_over(e, [&](size_t i) { return turnout(e, i); });
  EXPECT_NEAR(t.mean, 0.65, 0.05);
  EXPECT_GT(t.sd, 0.05);
  EXPECT_LT(t.sd, 0.15);
  Stats l = stats_over(e, [&](size_t i) { return leader_share(e, i); });
  EXPECT_NEAR(l.mean, 0.45, 0.06);
  EXPECT_GT(l.sd, 0.05);
  EXPECT_LT(l.sd, 0.20);
  // Regions differ more than binomial noise would make them: between-region sd of turnout.
  std::vector<double> rb(20, 0), rr(20, 0);
  for (size_t i = 0; i < e.sheets(); ++i) {
    rb[e.geography().node_of(0, i)] += static_cast<double>(e.ballots()[i]);
    rr[e.geography().node_of(0, i)] += static_cast<double>(e.registered()->or_zero(i));
  }
  double s = 0, s2 = 0;
  for (size_t r = 0; r < 20; ++r) s += rb[r] / rr[r], s2 += (rb[r] / rr[r]) * (rb[r] / rr[r]);
  EXPECT_GT(std::sqrt((s2 - s * s / 20) / 19), 0.02);
  // No manipulation was asked for: the truth columns are all zero.
  for (const char* x : {"stuffed", "rounded"})
    for (int64_t v : extra(e, x).values) ASSERT_EQ(v, 0) << x;
  // Coordinates: one per place, inside the box.
  for (size_t i = 0; i < e.sheets(); ++i) {
    ASSERT_GT(e.latitude()[i], -25);
    ASSERT_LT(e.latitude()[i], -9);
  }
}

TEST(Simulate, StuffedSheetsHaveHigherTurnoutAndLeaderShare) {
  for (FraudKind kind : {FraudKind::kIncremental, FraudKind::kExtreme}) {
    SimulationOptions o;
    o.units = 30000;
    o.seed = 5;
    Election clean = simulate(o);
    o.fraud_share = 0.1;
    o.fraud_kind = kind;
    Election e = simulate(o);
    const auto& st = extra(e, "stuffed");
    size_t n_stuffed = 0;
    for (size_t i = 0; i < e.sheets(); ++i) {
      if (st[i] == 0) {
        // The clean part is untouched: the same sheet with the same seed, without fraud.
        ASSERT_EQ(e.choices()[0][i], clean.choices()[0][i]);
        ASSERT_EQ(e.ballots()[i], clean.ballots()[i]);
      } else {
        ++n_stuffed;
        ASSERT_EQ(st[i], kind == FraudKind::kExtreme ? 2 : 1);
        ASSERT_GE(e.ballots()[i], clean.ballots()[i]);
        ASSERT_GE(e.choices()[0][i], clean.choices()[0][i]);
      }
    }
    EXPECT_NEAR(static_cast<double>(n_stuffed) / 30000, 0.1, 0.01);  // binomial sd 0.0017
    Stats ts = stats_over(e, [&](size_t i) { return st[i] ? turnout(e, i) : std::nullopt; });
    Stats tc = stats_over(e, [&](size_t i) { return st[i] ? std::nullopt : turnout(e, i); });
    Stats ls = stats_over(e, [&](size_t i) { return st[i] ? leader_share(e, i) : std::nullopt; });
    Stats lc = stats_over(e, [&](size_t i) { return st[i] ? std::nullopt : leader_share(e, i); });
    // Votes added are linear in x, so their expected total follows from the clean sheets and E[x]:
    // extreme x = 1 - |N(0, 0.05)|, E = 1 - 0.05*sqrt(2/pi); incremental x = |N(0.3, 0.15)|,
    // E = mu(1 - 2 Phi(-mu/sigma)) + 2 sigma phi(mu/sigma) = 0.3026 (folded normal mean).
    const double ex = kind == FraudKind::kExtreme ? 1 - 0.05 * std::sqrt(2 / M_PI) : 0.30262;
    double added = 0, expect_added = 0, moved = 0, expect_moved = 0;
    for (size_t i = 0; i < e.sheets(); ++i) {
      if (!st[i]) continue;
      double nonvoters = static_cast<double>(e.registered()->or_zero(i) - clean.ballots()[i]);
      added += static_cast<double>(e.ballots()[i] - clean.ballots()[i]);
      expect_added += ex * nonvoters;
      double others_before = static_cast<double>(clean.valid()[i] - clean.choices()[0][i]);
      double others_after = static_cast<double>(e.valid()[i] - e.choices()[0][i]);
      moved += others_before - others_after;
      expect_moved += 0.5 * ex * others_before;  // steal = 0.5
    }
    EXPECT_NEAR(added / expect_added, 1.0, 0.02) << to_string(kind);
    EXPECT_NEAR(moved / expect_moved, 1.0, 0.03) << to_string(kind);
    EXPECT_GT(ts.mean - tc.mean, kind == FraudKind::kExtreme ? 0.25 : 0.08);
    EXPECT_GT(ls.mean - lc.mean, kind == FraudKind::kExtreme ? 0.3 : 0.10);
    if (kind == FraudKind::kExtreme) {
      EXPECT_GT(ts.mean, 0.95);
    }
  }
}

TEST(Simulate, RoundPercentagesExactlyInTheRoundShareUnits) {
  SimulationOptions o;
  o.units = 20000;
  o.seed = 9;
  o.round_share = 0.15;
  o.fraud_share = 0.05;
  Election e = simulate(o);
  const auto& rounded = extra(e, "rounded");
  size_t n_rounded = 0, clean_whole = 0, clean = 0;
  for (size_t i = 0; i < e.sheets(); ++i) {
    // Whole percentages of all ballots, the denominator of Kobak et al.'s leader result.
    int64_t v = e.ballots()[i], l = e.choices()[0][i];
    bool whole = v > 0 && (100 * l) % v == 0;
    if (rounded[i]) {
      ++n_rounded;
      ASSERT_TRUE(whole) << "sheet " << e.id(i) << ": " << l << " of " << v;
      ASSERT_GT(l, 0);
      ASSERT_LT(l, v);
    } else if (v > 0) {
      ++clean;
      clean_whole += whole;
    }
  }
  EXPECT_NEAR(static_cast<double>(n_rounded) / 20000, 0.15, 0.015);
  // By chance a sheet of a few hundred ballots shows a whole percentage a few times in 100.
  EXPECT_LT(static_cast<double>(clean_whole) / static_cast<double>(clean), 0.06);
}

TEST(Simulate, LateRegionsLeanAsAskedAndArriveLate) {
  SimulationOptions o;
  o.units = 30000;
  o.seed = 21;
  o.late_regions = 0.25;
  Election flat = simulate(o);
  o.late_bias = 0.10;
  Election lean = simulate(o);
  auto shares = [](const Election& e) {
    const auto& late = extra(e, "late");
    double ll = 0, lv = 0, el = 0, ev = 0;
    for (size_t i = 0; i < e.sheets(); ++i) {
      double l = static_cast<double>(e.choices()[0][i]), v = static_cast<double>(e.valid()[i]);
      (late[i] ? ll : el) += l;
      (late[i] ? lv : ev) += v;
    }
    return std::pair{ll / lv, el / ev};
  };
  auto [fl, fe] = shares(flat);
  auto [bl, be] = shares(lean);
  EXPECT_NEAR(be, fe, 1e-12);  // early regions untouched
  // The expected national share moves by 0.10 in late regions; their own mix differs a little.
  EXPECT_NEAR(bl - fl, 0.10, 0.025);
  size_t late_regions = 0;
  std::map<uint32_t, int64_t> region_late;
  for (size_t i = 0; i < lean.sheets(); ++i) region_late[lean.geography().node_of(0, i)] = extra(lean, "late")[i];
  for (auto [r, l] : region_late) late_regions += l;
  EXPECT_EQ(late_regions, 5u);  // a quarter of 20
  Stats tl = stats_over(lean, [&](size_t i) {
    return extra(lean, "late")[i] ? std::optional<double>(lean.timestamps_ms()[i] / 3.6e6) : std::nullopt;
  });
  Stats te = stats_over(lean, [&](size_t i) {
    return extra(lean, "late")[i] ? std::nullopt : std::optional<double>(lean.timestamps_ms()[i] / 3.6e6);
  });
  EXPECT_NEAR(tl.mean - te.mean, 5.0, 0.1);  // five hours later
}

TEST(Simulate, LikeATemplateKeepsItsFrameAndMatchesItsSpread) {
  SimulationOptions o;
  o.units = 20000;
  o.seed = 31;
  o.turnout_place_sd = 0.35;
  o.share_place_sd = 0.3;
  Election templ = simulate(o);
  SimulationOptions lo;
  lo.seed = 32;
  Election like = simulate_like(templ, lo);
  EXPECT_EQ(like.ids(), templ.ids());
  EXPECT_EQ(like.registered()->values, templ.registered()->values);
  EXPECT_EQ(like.geography().node_count(2), templ.geography().node_count(2));
  EXPECT_EQ(like.latitude(), templ.latitude());
  EXPECT_NE(like.choices()[0].values, templ.choices()[0].values);
  Stats t0 = stats_over(templ, [&](size_t i) { return turnout(templ, i); });
  Stats t1 = stats_over(like, [&](size_t i) { return turnout(like, i); });
  Stats l0 = stats_over(templ, [&](size_t i) { return leader_share(templ, i); });
  Stats l1 = stats_over(like, [&](size_t i) { return leader_share(like, i); });
  EXPECT_NEAR(t1.mean, t0.mean, 0.01);
  EXPECT_NEAR(t1.sd / t0.sd, 1.0, 0.1);
  EXPECT_NEAR(l1.mean, l0.mean, 0.015);
  EXPECT_NEAR(l1.sd / l0.sd, 1.0, 0.12);
  for (int64_t v : extra(like, "stuffed").values) ASSERT_EQ(v, 0);  // clean unless asked
}

TEST(Simulate, LikeBolivia2019) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/computo-final.csv.gz");
  Election templ = load_election(path);
  SimulationOptions o;
  o.seed = 1;
  Election like = simulate_like(templ, o);
  ASSERT_EQ(like.sheets(), templ.sheets());
  size_t leader = largest_choice(templ);
  EXPECT_EQ(templ.choices()[leader].name, "MAS - IPSP");
  Stats t0 = stats_over(templ, [&](size_t i) { return turnout(templ, i); });
  Stats t1 = stats_over(like, [&](size_t i) { return turnout(like, i); });
  Stats l0 = stats_over(templ, [&](size_t i) { return leader_share(templ, i, leader); });
  Stats l1 = stats_over(like, [&](size_t i) { return leader_share(like, i, leader); });
  EXPECT_NEAR(l1.mean, l0.mean, 0.03);
  EXPECT_NEAR(l1.sd / l0.sd, 1.0, 0.15);
  EXPECT_NEAR(t1.mean, t0.mean, 0.03);
  // Measured 1.28: Bolivia's turnout has a long left tail (1% of sheets below 51%) that a
  // normal on the logit scale with the same variance spreads over both sides.
  EXPECT_NEAR(t1.sd / t0.sd, 1.0, 0.35);
}

TEST(Simulate, BadOptionsAreUsageErrors) {
  SimulationOptions o;
  o.units = 100;
  o.fraud_share = 1.5;
  EXPECT_THROW(simulate(o), UsageError);
  o.fraud_share = 0;
  o.choices = {"Only"};
  EXPECT_THROW(simulate(o), UsageError);
  o.choices = {"A", "A"};
  EXPECT_THROW(simulate(o), UsageError);
  o.choices = {"A", "blank"};
  EXPECT_THROW(simulate(o), UsageError);
  o.choices = {"A", "B"};
  o.late_bias = 0.7;  // 0.5 + 0.7 is no share
  EXPECT_THROW(simulate(o), UsageError);
  o.late_bias = 0;
  o.units = 0;
  EXPECT_THROW(simulate(o), UsageError);
  o.units = 1;  // the smallest election still works
  EXPECT_EQ(simulate(o).sheets(), 1u);
}

}  // namespace
}  // namespace tallyscope
