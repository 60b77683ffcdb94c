#include "analysis/forensics/calibrate.h"

#include <gtest/gtest.h>

#include "analysis/forensics/forensics.h"
#include "io/error.h"

namespace tallyscope {
namespace {

Election template_election() {
  SimulationOptions so;
  so.units = 1000;
  so.seed = 11;
  so.threads = 1;
  return simulate(so);
}

CalibrationOptions small() {
  CalibrationOptions o;
  o.runs = 20;
  o.replicates = 200;
  o.seed = 5;
  CalibrationScenario round;
  round.name = "round 5%";
  round.round_share = 0.05;
  CalibrationScenario stuffing;
  stuffing.name = "incremental 10%";
  stuffing.fraud_share = 0.10;
  o.scenarios = {CalibrationScenario{"clean"}, round, stuffing};
  return o;
}

// On clean simulations the tests fire (p <= 0.05) at their nominal rate: pooled over every test
// and target, the rate is within sampling error of 5% (a binomial null: 20 runs x ~24 rows; the
// runs share their simulated elections, so the bound is loose), no single test fires in more than
// a quarter of clean runs, and under Benjamini-Hochberg control the battery as a whole flags few
// clean elections. Fabricated whole-number percentages in 5% of the sheets are flagged by the
// integer-percentage test in most runs.
TEST(Calibrate, FalseAlarmsNearNominalAndRoundingDetected) {
  Election t = template_election();
  CalibrationOptions o = small();
  o.threads = 2;
  CalibrationResult r = calibrate(t, o);
  ASSERT_EQ(r.scenarios.size(), 3u);
  ASSERT_FALSE(r.rows.empty());
  size_t fired = 0, runs = 0;
  for (const auto& row : r.rows) {
    if (row.runs == 0) continue;
    fired += row.fired;
    runs += row.runs;
    EXPECT_LE(row.false_alarm, 0.30) << row.test << " " << row.target;
  }
  ASSERT_GT(runs, 300u);
  const double pooled = static_cast<double>(fired) / static_cast<double>(runs);
  EXPECT_GT(pooled, 0.01);
  EXPECT_LT(pooled, 0.10);
  EXPECT_LE(r.any_flag[0], 0.25);
  bool integer_percent_found = false;
  for (const auto& row : r.rows)
    if (row.test == "integer_percent" && row.target == "Party A") {  // the leader, whose share is rounded
      integer_percent_found = true;
      EXPECT_GE(row.detection[0], 0.8) << row.target;  // the round scenario
    }
  EXPECT_TRUE(integer_percent_found);
  EXPECT_GT(r.any_flag[1], 0.8);
}

TEST(Calibrate, SameSeedSameResultWhateverTheThreads) {
  Election t = template_election();
  CalibrationOptions o = small();
  o.runs = 4;
  o.replicates = 50;
  o.threads = 1;
  auto one = to_json(calibrate(t, o)).dump();
  o.threads = 2;
  EXPECT_EQ(one, to_json(calibrate(t, o)).dump());
  o.seed = 6;
  EXPECT_NE(one, to_json(calibrate(t, o)).dump());
}

TEST(Calibrate, BadOptions) {
  Election t = template_election();
  CalibrationOptions o = small();
  o.runs = 0;
  EXPECT_THROW(calibrate(t, o), UsageError);
  o = small();
  o.scenarios.erase(o.scenarios.begin());  // the first is no longer clean
  EXPECT_THROW(calibrate(t, o), UsageError);
  o = small();
  o.alpha = 1.5;
  EXPECT_THROW(calibrate(t, o), UsageError);
}

}  // namespace
}  // namespace tallyscope
