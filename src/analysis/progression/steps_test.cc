// Tests of the progression's steps (steps.h) that carry logic of their own.
#include "analysis/progression/steps.h"

#include <gtest/gtest.h>

#include "io/error.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope::progression_steps {
namespace {

TEST(ProgressionSteps, LongestPauseSkipsTheEnds) {
  // 200 sheets a minute apart, with a 10-minute pause after position 120 and a longer one inside
  // the first 1% (after position 0), which is left out.
  std::vector<int64_t> time(200);
  std::vector<size_t> order(200);
  int64_t t = 0;
  for (size_t i = 0; i < 200; ++i) {
    order[i] = 199 - i;  // the order lists sheets, not positions
    t += i == 1 ? 3600000 : i == 121 ? 600000 : 60000;
    time[order[i]] = t;
  }
  const auto [gap, at] = longest_pause(order, time);
  EXPECT_EQ(gap, 600000);
  EXPECT_EQ(at, 120u);
}

TEST(ProgressionSteps, PlaceboWindowsStayOnOneSide) {
  // 2,000 observations, 1,200 left of the real cutoff, bandwidth 50: margin 200 from each end.
  const auto w = placebo_windows(2000, 1200, 50, 20);
  ASSERT_FALSE(w.empty());
  for (const auto& p : w) {
    const bool left = p.at < 1200;
    EXPECT_EQ(p.lo, left ? 0u : 1200u);
    EXPECT_EQ(p.hi, left ? 1200u : 2000u);
    EXPECT_GE(p.at, p.lo + 200);
    EXPECT_LE(p.at + 200, p.hi);
  }
  // Evenly spread at (k + 0.5) / 20 of the sample: 250, 350, ..., 950 left; 1450 ... 1750 right.
  EXPECT_EQ(w.front().at, 250u);
  EXPECT_EQ(w.back().at, 1750u);
  EXPECT_EQ(w.size(), 12u);
  // A wide bandwidth widens the margin.
  EXPECT_LT(placebo_windows(2000, 1200, 400, 20).size(), w.size());
}

Election small_election(const std::string& choices, const std::string& csv) {
  LoadOptions o;
  o.spec = parse_spec("choices = [" + choices + "]\n[columns]\nid = \"id\"\ngeography = [\"place\"]\n", "s");
  return load_election(testing::temp_file(csv), o);
}

TEST(ProgressionSteps, StudiedPairDefaultsToTheTopTwo) {
  Election e = small_election("\"A\", \"B\", \"C\"", "id,place,A,B,C\n1,P,10,30,20\n2,P,5,10,20\n");
  ProgressionOptions o;
  EXPECT_EQ(studied_pair(e, o), (std::pair<size_t, size_t>{1, 2}));  // B 40, C 40 (a tie: in file order), A 15
  o.leader = "A";
  EXPECT_EQ(studied_pair(e, o).first, 0u);
  o.runner_up = "A";
  EXPECT_THROW(studied_pair(e, o), UsageError);
}

TEST(ProgressionSteps, BaselinePairByNameOrAsGiven) {
  Election base = small_election("\"X\", \"Y\"", "id,place,X,Y\n1,P,1,2\n");
  ProgressionOptions o;
  EXPECT_THROW(baseline_pair("A", "B", o, base), UsageError);
  EXPECT_EQ(baseline_pair("X", "Y", o, base), (std::pair<std::string, std::string>{"X", "Y"}));
  o.baseline_leader = "Y";
  o.baseline_runner_up = "X";
  EXPECT_EQ(baseline_pair("A", "B", o, base), (std::pair<std::string, std::string>{"Y", "X"}));
}

// Ten sheets arriving at 1..10; the snapshot holds those at 1-4 and the one at 6 (re-verified
// later than it was published). Cutting after 4 or after 6 puts 9 of 10 on the right side; the
// first such time wins. Sheet 10 has no time and is left out; one never in a snapshot counts as out.
TEST(ProgressionSteps, CutoffMatchingSnapshotMaximisesAgreement) {
  Arrival times, snaps;
  snaps.kind = Arrival::Kind::kSnapshots;
  times.order = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, kMissing};
  snaps.order = {0, 0, 0, 0, 1, 0, 1, kMissing, 1, 1, 0};
  const auto c = cutoff_matching_snapshot(times, snaps, 0);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->cutoff_ms, 4);
  EXPECT_EQ(c->sheets, 10u);
  EXPECT_DOUBLE_EQ(c->agreement, 0.9);
  // Snapshot 2 (index 1) holds every sheet with a time but the one at 8. The last time is no
  // cutoff; after 7 and after 9 both put 8 of 10 right.
  const auto c2 = cutoff_matching_snapshot(times, snaps, 1);
  ASSERT_TRUE(c2.has_value());
  EXPECT_EQ(c2->cutoff_ms, 7);
  EXPECT_DOUBLE_EQ(c2->agreement, 0.8);
  // Nothing to separate: every sheet in the snapshot, or timestamps on both sides.
  snaps.order.assign(11, 0);
  EXPECT_FALSE(cutoff_matching_snapshot(times, snaps, 0).has_value());
  EXPECT_FALSE(cutoff_matching_snapshot(times, times, 0).has_value());
}

}  // namespace
}  // namespace tallyscope::progression_steps
