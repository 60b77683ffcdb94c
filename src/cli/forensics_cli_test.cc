// End-to-end tests of `tallyscope forensics`: help, JSON keys, exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace tallyscope {
namespace {

using testing::run_cli;

using testing::kExample;
using testing::kExampleSpec;

TEST(ForensicsCli, Help) {
  auto r = run_cli("forensics --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--replicates"), std::string::npos) << r.out;
}

TEST(ForensicsCli, JsonOfTheExample) {
  auto r = run_cli("forensics " + kExample + " --spec " + kExampleSpec + " --replicates 50 --json --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"tests", "fingerprint", "choices", "replicates", "seed", "fdr", "null_model"})
    EXPECT_TRUE(j.contains(k)) << k;
  ASSERT_FALSE(j["tests"].empty());
  for (const char* k : {"id", "target", "level", "statistic", "p_value", "q_value", "flag", "units", "excluded"})
    EXPECT_TRUE(j["tests"][0].contains(k)) << k;
  EXPECT_EQ(j["tests"][0]["id"], "integer_percent");
  EXPECT_EQ(j["tests"][0]["target"], "turnout");
  // Same seed, other thread count: the same bytes.
  auto again = run_cli("forensics " + kExample + " --spec " + kExampleSpec + " --replicates 50 --json --threads 1");
  EXPECT_EQ(again.out, r.out);
}

// --tests runs a subset: integer percentages alone give only integer_percent rows, no fingerprint
// and no model fit; fits alone give the Klimek and Shpilkin results and no test.
TEST(ForensicsCli, TestsRunsASubset) {
  const std::string base = "forensics " + kExample + " --spec " + kExampleSpec + " --replicates 50 --json";
  auto r = run_cli(base + " --tests integer_percent");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_FALSE(j["tests"].empty());
  for (const auto& t : j["tests"]) EXPECT_EQ(t["id"], "integer_percent") << t.dump();
  EXPECT_TRUE(j["fingerprint"].empty()) << j["fingerprint"].dump().substr(0, 200);
  EXPECT_FALSE(j["klimek"]["run"].get<bool>());
  auto f = run_cli(base + " --tests fits,within_place");
  ASSERT_EQ(f.exit_code, 0) << f.err;
  const auto k = nlohmann::json::parse(f.out);
  for (const auto& t : k["tests"]) EXPECT_EQ(t["level"].get<std::string>().rfind("within-place", 0), 0u) << t.dump();
  EXPECT_TRUE(k["klimek"].contains("run"));
  EXPECT_EQ(run_cli(base + " --tests integer_percent,bogus").exit_code, 2);
  EXPECT_EQ(run_cli(base + " --tests digits,digits").exit_code, 2);
}

TEST(ForensicsCli, UsageErrorsExit2) {
  EXPECT_EQ(run_cli("forensics").exit_code, 2);
  EXPECT_EQ(run_cli("forensics " + kExample + " --spec " + kExampleSpec + " --replicates 0").exit_code, 2);
  EXPECT_EQ(run_cli("forensics " + kExample + " --spec " + kExampleSpec + " --choices Nobody").exit_code, 2);
  EXPECT_EQ(run_cli("forensics " + kExample + " --spec " + kExampleSpec + " --by nowhere").exit_code, 2);
}

}  // namespace
}  // namespace tallyscope
