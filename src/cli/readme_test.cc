// The README's figures are what the commands print: each test runs the command the README names
// and checks that the README's sentence holds the number the command gives today (issue 16: "the
// README's example outputs match what the commands print"). Left out of the sanitizer suite (its
// commands are exercised there by their own tests; these only compare numbers with prose).
#include <cmath>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace tallyscope {
namespace {

std::string readme() {
  std::ifstream f(testing::source_dir() + "/README.md", std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  // The prose is wrapped at ~100 columns: compare with the line breaks as spaces.
  for (char& c : text)
    if (c == '\n') c = ' ';
  return text;
}

// "On Bolivia 2019 the backtest's 90% intervals cover the final margin at 94% of 16 points (0%
// without the drift term)": `project --backtest` with its defaults, and with --drift none.
TEST(Readme, BacktestCoverageOnBolivia2019) {
  TALLYSCOPE_REQUIRE_SHARED(final_count, "bolivia-2019/computo-final.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(times, "bolivia-2019/trep-verification-times.csv.gz");
  const std::string args = fmt::format("project --backtest {} --arrival {} --json", final_count, times);
  auto with = testing::run_cli(args), without = testing::run_cli(args + " --drift none");
  ASSERT_EQ(with.exit_code, 0) << with.err;
  ASSERT_EQ(without.exit_code, 0) << without.err;
  const auto a = nlohmann::json::parse(with.out), b = nlohmann::json::parse(without.out);
  const std::string claim = fmt::format(
      "On Bolivia 2019 the backtest's 90% intervals cover the final margin at {}% of {} points ({}% without the drift "
      "term)",
      std::lround(100 * a["coverage"].get<double>()), a["points"].size(), std::lround(100 * b["coverage"].get<double>()));
  EXPECT_NE(readme().find(claim), std::string::npos) << "README should say: " << claim;
}

// "this is now the case, for both leading choices, on Bolivia 2019, Bolivia 2020, Pennsylvania 2020
// and on Russia 2018 itself": the model fits alone (`forensics --tests fits`), each file read
// without a spec as the README's readers section says it is.
TEST(Readme, ModelFitsFailTheirCheckOnTheFilesNamed) {
  const std::string claim = "this is now the case, for both leading choices, on Bolivia 2019, Bolivia 2020, "
                            "Pennsylvania 2020 and on Russia 2018 itself";
  ASSERT_NE(readme().find(claim), std::string::npos);
  for (const char* rel : {"bolivia-2019/computo-final.csv.gz",
                          "bolivia-2020/computo-snapshots/"
                          "exportacion_EG2020_20201020_021835_22649391410013071111603175145.xlsx",
                          "usa-2020-pennsylvania", "russia-2018/2018.csv.gz"}) {
    TALLYSCOPE_REQUIRE_SHARED(file, rel);
    auto r = testing::run_cli(fmt::format("forensics {} --tests fits --json", file));
    ASSERT_EQ(r.exit_code, 0) << rel << ": " << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["model_fits"].size(), 2u) << rel;
    for (const auto& m : j["model_fits"]) {
      EXPECT_TRUE(m["klimek"]["run"].get<bool>()) << rel << " " << m["choice"];
      EXPECT_FALSE(m["klimek"]["fits"].get<bool>()) << rel << " " << m["choice"];
      EXPECT_FALSE(m["shpilkin"]["fits"].get<bool>()) << rel << " " << m["choice"];
    }
  }
}

}  // namespace
}  // namespace tallyscope
