#include "analysis/progression/progression.h"

#include <cmath>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "io/csv_reader.h"
#include "io/error.h"
#include "io/number.h"
#include "io/timestamp.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

using testing::temp_file;

// Two places: P1 always gives A a 10-point lead, P2 a 50-point lead. Early: all of P1 and half of
// P2; late: the other half of P2. The raw late-minus-early gap is pure composition:
// 50 - (10*10 + 5*50)/15 = 26.667 points; within places it is exactly 0.
struct TwoPlaces {
  Election final_count;
  Arrival arrival;
};

TwoPlaces two_places() {
  std::string csv = "id,place,A,B\n", times = "id,time\n";
  int id = 0;
  for (int p = 0; p < 2; ++p)
    for (int k = 0; k < 10; ++k) {
      ++id;
      int a = p == 0 ? 55 : 75, b = p == 0 ? 45 : 25;  // margins 10 and 50 points of 100 valid
      csv += fmt::format("{},P{},{},{}\n", id, p + 1, a, b);
      bool late = p == 1 && k >= 5;
      times += fmt::format("{},2020-01-01T{:02}:{:02}:00Z\n", id, late ? 12 : 8, id);
    }
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"place\"]\n", "s");
  Election e = load_election(temp_file(csv), o);
  Arrival a = read_arrival_times(temp_file(times), e);
  return {std::move(e), std::move(a)};
}

TEST(Progression, CompositionClosedForm) {
  auto [e, a] = two_places();
  ProgressionOptions o;
  o.placebos = 0;
  ProgressionResult r = analyze_progression(e, a, o);
  EXPECT_EQ(r.early, 15u);
  EXPECT_EQ(r.late, 5u);
  EXPECT_NE(r.cutoff_rule.find("longest pause"), std::string::npos);
  EXPECT_NEAR(r.margin_early, (10.0 * 10 + 5 * 50) / 15, 1e-12);
  EXPECT_NEAR(r.margin_late, 50, 1e-12);
  ASSERT_EQ(r.composition.size(), 2u);
  EXPECT_EQ(r.composition[0].level, "none");
  EXPECT_NEAR(r.composition[0].gap_points, 50 - (10.0 * 10 + 5 * 50) / 15, 1e-9);
  EXPECT_EQ(r.composition[1].level, "place");
  EXPECT_NEAR(r.composition[1].gap_points, 0, 1e-9);
  EXPECT_NEAR(r.composition[1].explained, 1, 1e-9);
  EXPECT_NEAR(r.margin_final, (10.0 * 10 + 10 * 50) / 20, 1e-12);
  // The trajectory ends at the final margin, and the naive "last 5%" compares different places.
  EXPECT_NEAR(r.trajectory.back().margin_points, 30, 1e-9);
  EXPECT_TRUE(r.naive.available);
  EXPECT_EQ(r.naive.text_sort_moved, 0u);
  auto j = to_json(r);
  for (const char* k : {"composition", "naive", "rd", "trajectory"}) EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["composition"][0]["level"], "none");
}

TEST(Progression, BaselineClosedForm) {
  auto [e, a] = two_places();
  // The previous election: P1 leaned 0 points, P2 leaned 40 points (X over Y).
  LoadOptions o;
  o.spec = parse_spec("choices = [\"X\", \"Y\"]\n[columns]\nid = \"id\"\ngeography = [\"place\"]\n", "s");
  Election base = load_election(temp_file("id,place,X,Y\n1,P1,50,50\n2,P2,70,30\n"), o);
  ProgressionOptions po;
  po.placebos = 0;
  po.baseline_leader = "X";
  po.baseline_runner_up = "Y";
  ProgressionResult r = analyze_progression(e, a, po, &base);
  ASSERT_TRUE(r.baseline.available) << r.baseline.reason;
  EXPECT_EQ(r.baseline.places_matched, 2u);
  // Late sheets are all in P2 (lean 40); early: 10 in P1 (0) and 5 in P2 (40): mean 13.33.
  EXPECT_NEAR(r.baseline.prior_gap_points, 40 - 5.0 * 40 / 15, 1e-9);
  // This election's margin is exactly 10 + baseline: controlling for it leaves no gap.
  EXPECT_NEAR(r.baseline.gap_controlled_points, 0, 1e-9);
  EXPECT_NEAR(r.baseline.baseline_coef, 1, 1e-9);
}

TEST(Progression, BadInput) {
  auto [e, a] = two_places();
  ProgressionOptions o;
  o.placebos = 0;
  o.cutoff_ms = 0;  // 1970: before every arrival
  EXPECT_THROW(analyze_progression(e, a, o), UsageError);
  o.cutoff_ms.reset();
  o.cutoff_share = 1.5;
  EXPECT_THROW(analyze_progression(e, a, o), UsageError);
  o.cutoff_share.reset();
  o.cutoff_ms = a.order[19];  // the last arrival: nothing arrives after it
  EXPECT_THROW(analyze_progression(e, a, o), UsageError);
  o.cutoff_ms.reset();
  o.leader = "Z";
  EXPECT_THROW(analyze_progression(e, a, o), UsageError);
}

// ---- Bolivia 2019 ----

// The late-minus-early gap with the early sheets those of the TREP at 19:40:57, on the 34,551 actas
// with valid votes; reference: Debian's python3-statsmodels 0.13.5,
//   smf.ols('y ~ late', d).fit(cov_type='cluster', cov_kwds={'groups': place})            (none)
//   sm.OLS(y - mean_g(y), late - mean_g(late)).fit(cov_type='cluster', groups=place)       (g = municipality, place)
// with y = 100 (MAS - CC) / valid, place = the full path to the Recinto (5,296 places):
//   none 16.273665 (SE 1.294270); Municipio 7.213866 (SE 0.817630); Recinto 0.360050 (SE 0.180791).
TEST(ProgressionShared, Bolivia2019CompositionAgainstStatsmodels) {
  TALLYSCOPE_REQUIRE_SHARED(final_path, "bolivia-2019/computo-final.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(trep_path, "bolivia-2019/trep-2019-10-20T19-40-57.csv.gz");
  Election f = load_election(final_path);
  Election trep = load_election(trep_path);
  Arrival a = arrival_from_snapshots({&trep}, f);
  ProgressionResult r = analyze_progression(f, a);
  EXPECT_EQ(r.early, 28975u);
  EXPECT_NEAR(100 * r.cutoff_sheet_share, 83.85, 0.005);
  // The TREP's own figure was 7.87 points; on the final count's votes for the same sheets it is
  // 7.88288 (pandas on the same two files).
  EXPECT_NEAR(r.margin_early, 7.882880, 5e-6);
  EXPECT_FALSE(r.rd.available);             // a snapshot gives no order within the count
  std::map<std::string, std::pair<double, double>> want = {
      {"none", {16.273665, 1.294270}}, {"Municipio", {7.213866, 0.817630}}, {"Recinto", {0.360050, 0.180791}}};
  size_t seen = 0;
  for (const auto& c : r.composition) {
    auto it = want.find(c.level);
    if (it == want.end()) continue;
    ++seen;
    EXPECT_EQ(c.n, 34551u);
    EXPECT_NEAR(c.gap_points, it->second.first, 5e-6) << c.level;
    EXPECT_NEAR(c.se, it->second.second, 5e-6) << c.level;
  }
  EXPECT_EQ(seen, 3u);
}

// The whole pipeline (arrival file -> order -> running variable -> rdrobust) on the reference
// fixture rd_bol_trep_rank.csv.gz: its ranks become arrival times one second apart, with the
// cutoff after the 28,973 actas of the 19:40:57 TREP. Reference: rdrobust(y, x, c = 0) printed
// coef 0.15409, bias-corrected 0.16028, robust 95% CI [0.0745, 0.2460], h = 1437.44, effective
// obs 1437 / 1438 (../shared/reference/README.md); tallyscope works in points (x 100).
TEST(ProgressionShared, RdThroughThePipelineMatchesRdrobust) {
  TALLYSCOPE_REQUIRE_SHARED(final_path, "bolivia-2019/computo-final.csv.gz");
  std::string fixture = testing::shared_data_dir() + "/../reference/rdrobust/rd_bol_trep_rank.csv.gz";
  if (!std::ifstream(fixture)) GTEST_SKIP() << "reference fixture absent: " << fixture;
  Election f = load_election(final_path);
  auto reader = CsvReader::open(fixture);
  CsvRecord rec;
  reader->next(rec);  // numero_mesa,in_trep_1940,rank,x,y,mas,cc,valid
  std::string times = "Número Mesa,verified_at\n";
  while (reader->next(rec)) {
    int64_t rank = 0;
    ASSERT_EQ(parse_count(rec.fields[2], rank), CountParse::kOk);
    times += fmt::format("{},2019-10-20T{:02}:{:02}:{:02}Z\n", rec.fields[0], rank / 3600, rank / 60 % 60, rank % 60);
  }
  Arrival a = read_arrival_times(temp_file(times), f);
  ProgressionOptions o;
  o.cutoff_ms = a.order[*f.find("31955")] + 28972 * 1000;  // the 28,973rd acta (rank 28,972)
  o.placebos = 0;
  ProgressionResult r = analyze_progression(f, a, o);
  ASSERT_TRUE(r.rd.available) << r.rd.reason;
  EXPECT_NEAR(r.rd.result.coef_conventional, 15.409, 5e-4);
  EXPECT_NEAR(r.rd.result.coef_bias_corrected, 16.028, 5e-4);
  EXPECT_NEAR(r.rd.result.ci_robust_low, 7.45, 5e-3);
  EXPECT_NEAR(r.rd.result.ci_robust_high, 24.60, 5e-3);
  EXPECT_NEAR(r.rd.result.h_left, 1437.44, 5e-3);
  EXPECT_EQ(r.rd.result.n_eff_left, 1437u);
  EXPECT_EQ(r.rd.result.n_eff_right, 1438u);
}

// With per-sheet verification times, a 19:40:57 cutoff, the 2016 referendum as baseline and 200
// placebo cutoffs; the same JSON whatever the thread count.
TEST(ProgressionShared, Bolivia2019ArrivalDeterministicAcrossThreads) {
  TALLYSCOPE_REQUIRE_SHARED(final_path, "bolivia-2019/computo-final.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(times_path, "bolivia-2019/trep-verification-times.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(base_path, "bolivia-2016/referendum-2016-02-21.csv.gz");
  Election f = load_election(final_path);
  Election base = load_election(base_path);
  Arrival a = read_arrival_times(times_path, f);
  EXPECT_EQ(a.arrived, 33044u);
  ProgressionOptions o;
  o.cutoff_ms = 1571614857000;  // 2019-10-20T19:40:57-04:00
  o.threads = 1;
  ProgressionResult one = analyze_progression(f, a, o, &base);
  o.threads = 2;
  ProgressionResult two = analyze_progression(f, a, o, &base);
  EXPECT_EQ(to_json(one).dump(), to_json(two).dump());
  ASSERT_TRUE(one.rd.available);
  EXPECT_GT(one.rd.placebos.size(), 150u);
  // No discontinuity at the interruption: the robust interval covers zero.
  EXPECT_LT(one.rd.result.ci_robust_low, 0);
  EXPECT_GT(one.rd.result.ci_robust_high, 0);
  ASSERT_TRUE(one.baseline.available) << one.baseline.reason;
  EXPECT_EQ(one.baseline.leader, "SÍ");
  // The late places already leaned towards MAS's position in 2016, and that lean accounts for most
  // of the gap.
  EXPECT_GT(one.baseline.prior_gap_points, 10);
  EXPECT_LT(one.baseline.gap_controlled_points, one.baseline.gap_points / 3);
  EXPECT_EQ(one.naive.text_sort_moved, 0u);  // ISO 8601 with one zone sorts the same as text
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

// The chart's discontinuity fit is the conventional local-linear estimate: its two ends at the
// cutoff differ by exactly rdrobust's conventional estimate (validated against rdrobust above).
TEST(Progression, RdFitEndsDifferByTheEstimate) {
  std::string csv = "id,place,A,B\n", times = "id,time\n";
  for (int i = 0; i < 400; ++i) {
    const bool late = i >= 300;
    int a = 550 + i / 5 + (late ? 25 : 0) + ((i * 37) % 7 - 3);
    csv += fmt::format("{},P{},{},{}\n", i + 1, i % 20, a, 1000 - a);
    // One sheet a minute, and a two-hour pause before the late sheets.
    int minute = i + (late ? 120 : 0);
    times += fmt::format("{},2020-01-01T{:02}:{:02}:00Z\n", i + 1, minute / 60, minute % 60);
  }
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"place\"]\n", "s");
  Election e = load_election(temp_file(csv), o);
  Arrival a = read_arrival_times(temp_file(times), e);
  ProgressionOptions po;
  po.placebos = 0;
  ProgressionResult r = analyze_progression(e, a, po);
  ASSERT_TRUE(r.rd.available) << r.rd.reason;
  ASSERT_EQ(r.early, 300u);
  ASSERT_EQ(r.rd.fit.size(), 50u);
  const auto& left = r.rd.fit[0];    // u = 0 on the early side
  const auto& right = r.rd.fit[25];  // u = 0 on the late side
  EXPECT_FALSE(left.late);
  EXPECT_TRUE(right.late);
  EXPECT_NEAR(left.rank_share, 300.0 / 400, 1e-12);
  EXPECT_NEAR(right.margin_points - left.margin_points, r.rd.result.coef_conventional, 1e-6);
  EXPECT_NEAR(r.rd.result.coef_conventional, 5.0, 1.5);  // the planted jump: 25 votes of 1000 each way
  auto j = to_json(r);
  EXPECT_EQ(j["rd"]["fit"].size(), 50u);
}

// Footing: 600 sheets in 60 places, one a minute. A cutoff after the 50th sheet leaves too few
// early sheets for the discontinuity ("too little to tell", not a jump); with places of
// consecutive sheets, a cutoff after the 300th leaves one place holding both early and late sheets,
// too few for the within-place comparison, which says how many it used.
Election sixty_places(bool consecutive) {
  std::string csv = "id,place,A,B\n";
  for (int i = 0; i < 600; ++i)
    csv += fmt::format("{},P{},{},{}\n", i, consecutive ? i / 10 : i % 60, 40 + (i * 7) % 23, 45 - (i * 5) % 19);
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"place\"]\n", "s");
  return load_election(temp_file(csv), o);
}

Arrival minute_by_minute(const Election& e) {
  std::string times = "id,time\n";
  for (int i = 0; i < 600; ++i) times += fmt::format("{},2020-01-01T{:02}:{:02}:00Z\n", i, 8 + i / 60, i % 60);
  return read_arrival_times(temp_file(times), e);
}

TEST(Progression, FootingTooLittleToTell) {
  const Election spread = sixty_places(false);
  const Arrival a = minute_by_minute(spread);
  ProgressionOptions o;
  o.placebos = 0;
  o.cutoff_ms = parse_timestamp("2020-01-01T08:49:00Z")->epoch_ms;
  ProgressionResult r = analyze_progression(spread, a, o);
  EXPECT_EQ(r.early, 50u);
  ASSERT_EQ(r.footing.size(), 1u);
  EXPECT_NE(r.footing[0].find("discontinuity at the cutoff: too little to tell"), std::string::npos) << r.footing[0];
  bool said = false;
  for (const auto& v : r.verdict) {
    EXPECT_EQ(v.find("no discontinuity is detected"), std::string::npos) << v;
    said |= v.find("At the cutoff: too little to tell") != std::string::npos;
  }
  EXPECT_TRUE(said);
  ASSERT_EQ(r.composition.size(), 2u);
  EXPECT_EQ(r.composition[1].informative_groups, 50u);  // the 50 places with an early sheet
  EXPECT_EQ(to_json(r)["footing"].size(), 1u);
  EXPECT_NE(to_text(r).find("Too little to tell"), std::string::npos);

  const Election blocks = sixty_places(true);
  o.cutoff_ms = parse_timestamp("2020-01-01T12:54:00Z")->epoch_ms;
  ProgressionResult b = analyze_progression(blocks, minute_by_minute(blocks), o);
  EXPECT_EQ(b.early, 295u);
  EXPECT_EQ(b.composition[1].informative_groups, 1u);  // P29 holds sheets 290-299
  ASSERT_EQ(b.footing.size(), 1u);
  EXPECT_NE(b.footing[0].find("within the same place: too little to tell. Only 1 of them"), std::string::npos)
      << b.footing[0];
}

// Arrival times for only 200 of the 600 sheets (the rest untimed, as mistyped or missing protocol
// times are dropped): the count's order is too little to tell, whatever the cutoff.
TEST(Progression, FootingFewSheetsWithUsableTimes) {
  const Election spread = sixty_places(false);
  std::string times = "id,time\n";
  for (int i = 0; i < 600; i += 3) times += fmt::format("{},2020-01-01T{:02}:{:02}:00Z\n", i, 8 + i / 60, i % 60);
  const Arrival a = read_arrival_times(temp_file(times), spread);
  ProgressionOptions o;
  o.placebos = 0;
  o.cutoff_ms = parse_timestamp("2020-01-01T12:00:00Z")->epoch_ms;
  ProgressionResult r = analyze_progression(spread, a, o);
  EXPECT_EQ(r.arrived, 200u);
  EXPECT_FALSE(r.order_on_footing());
  ASSERT_FALSE(r.footing.empty());
  EXPECT_NE(r.footing[0].find("The count's order: too little to tell. Only 200 of its 600 sheets (33.3%)"),
            std::string::npos)
      << r.footing[0];
  // With every sheet timed, no such footing line.
  ProgressionResult all = analyze_progression(spread, minute_by_minute(spread), o);
  EXPECT_TRUE(all.order_on_footing());
  for (const auto& f : all.footing) EXPECT_EQ(f.find("The count's order"), std::string::npos) << f;
}

}  // namespace
}  // namespace tallyscope
