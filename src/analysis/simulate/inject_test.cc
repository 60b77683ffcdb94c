// Fraud injected into a copy of a real file (inject_into): only the sheets the truth columns name
// change, each as manipulate.h defines, and the copy is the same whatever the thread count.
#include <cmath>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "analysis/forensics/forensics.h"
#include "analysis/simulate/simulate.h"
#include "io/error.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

const CountColumn& inj_extra(const Election& e, const char* name) {
  for (const auto& x : e.extras())
    if (x.name == name) return x;
  throw std::runtime_error(std::string("no extra ") + name);
}

Election inj_template() {
  SimulationOptions o;
  o.units = 6000;
  o.seed = 5;
  return simulate(o);
}

TEST(Inject, StuffingChangesOnlyTheNamedSheetsAndAddsLeaderVotes) {
  const Election real = inj_template();
  SimulationOptions o;
  o.seed = 9;
  o.fraud_share = 0.05;
  o.fraud_intensity = 0.75;
  const Election copy = inject_into(real, o);
  ASSERT_EQ(copy.sheets(), real.sheets());
  EXPECT_EQ(copy.ids(), real.ids());
  EXPECT_EQ(copy.registered()->values, real.registered()->values);
  EXPECT_EQ(copy.timestamps_ms(), real.timestamps_ms());
  const auto& stuffed = inj_extra(copy, "stuffed").values;
  size_t n = 0;
  double added = 0, abstainers = 0;
  for (size_t s = 0; s < copy.sheets(); ++s) {
    if (stuffed[s] == 0) {
      for (size_t k = 0; k < real.choices().size(); ++k) ASSERT_EQ(copy.choices()[k][s], real.choices()[k][s]);
      ASSERT_EQ((*copy.blank())[s], (*real.blank())[s]);
      continue;
    }
    ASSERT_EQ(stuffed[s], 1);
    ++n;
    ASSERT_LE(copy.ballots()[s], (*copy.registered())[s]);
    ASSERT_GE(copy.choices()[0][s], real.choices()[0][s]);
    added += static_cast<double>(copy.ballots()[s] - real.ballots()[s]);
    abstainers += static_cast<double>((*real.registered())[s] - real.ballots()[s]);
  }
  // 5% of 6,000 sheets, binomial sd 17; the mean fraction of non-voters stuffed is E|N(0.75, 0.375)|
  // clipped at 1, about 0.72.
  EXPECT_NEAR(static_cast<double>(n), 300, 60);
  EXPECT_NEAR(added / abstainers, 0.72, 0.05);
  o.threads = 1;
  const Election one = inject_into(real, o);
  for (size_t k = 0; k < real.choices().size(); ++k) EXPECT_EQ(one.choices()[k].values, copy.choices()[k].values);
}

TEST(Inject, RoundingAndRewriting) {
  const Election real = inj_template();
  SimulationOptions o;
  o.seed = 3;
  o.round_share = 0.1;
  const Election rounded = inject_into(real, o);
  const auto& flag = inj_extra(rounded, "rounded").values;
  size_t n = 0;
  for (size_t s = 0; s < rounded.sheets(); ++s) {
    if (!flag[s]) continue;
    ++n;
    const int64_t b = rounded.ballots()[s], l = rounded.choices()[0][s];
    ASSERT_EQ((100 * l) % b, 0) << "sheet " << s << ": " << l << " of " << b;
  }
  EXPECT_NEAR(static_cast<double>(n), 600, 80);
  SimulationOptions w;
  w.seed = 3;
  w.fraud_share = 0.1;
  w.fraud_kind = FraudKind::kRewrite;
  const Election rewritten = inject_into(real, w);
  const auto& code = inj_extra(rewritten, "stuffed").values;
  size_t m = 0;
  for (size_t s = 0; s < rewritten.sheets(); ++s) {
    ASSERT_EQ(rewritten.ballots()[s], real.ballots()[s]);  // turnout is left alone
    if (code[s] == 0) continue;
    ASSERT_EQ(code[s], 3);
    ASSERT_GE(rewritten.choices()[0][s], real.choices()[0][s]);
    ++m;
  }
  EXPECT_NEAR(static_cast<double>(m), 600, 80);
}

// A file without blank and invalid columns (Germany's downloads, OpenElections' precincts): the
// copy carries 0 there, as the file is analysed, so the battery still has whole sheets to test
// (before, the copy's blank was missing on every sheet and integer percentages "0 qualify").
TEST(Inject, AFileWithoutBlankColumnsGivesACopyTheBatteryCanTest) {
  std::string csv = "id,place,reg,A,B\n";
  for (int i = 0; i < 400; ++i) csv += fmt::format("{},P{},{},{},{}\n", i, i / 4, 500 + i % 37, 150 + i % 23, 120 + i % 19);
  LoadOptions lo;
  lo.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"place\"]\nregistered = \"reg\"\n",
                       "s");
  const Election real = load_election(testing::temp_file(csv), lo);
  ASSERT_EQ(real.blank(), nullptr);
  SimulationOptions o;
  o.seed = 3;
  o.round_share = 0.1;
  const Election copy = inject_into(real, o);
  ASSERT_NE(copy.blank(), nullptr);
  EXPECT_EQ(copy.blank()->missing, 0u);
  ForensicsOptions fo;
  fo.replicates = 10;
  fo.digit_tests = fo.distribution_tests = fo.within_place = fo.fits = fo.model_fits = false;
  const ForensicsResult r = run_forensics(copy, fo);
  bool ran = false;
  for (const auto& t : r.tests) ran |= t.id == "integer_percent" && t.target == "A" && t.run && t.units == 400;
  EXPECT_TRUE(ran);
}

TEST(Inject, LeaderBeyondTheChoicesIsAUsageError) {
  SimulationOptions o;
  o.units = 50;
  Election e = simulate(o);
  o.fraud_share = 0.5;
  o.leader = 7;
  EXPECT_THROW(inject_into(e, o), UsageError);
}

}  // namespace
}  // namespace tallyscope
