// The report and the commands agree: on Bolivia 2019, the report's backtest and the one of
// `project --backtest` give the same rows and coverage for the same points, draws and seed; every
// row is in one sign convention (MAS minus CC); with --early and --arrival and no --cutoff the
// progression studies the stop the TREP snapshot published, and the findings open with one
// sentence.
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace tallyscope {
namespace {

std::string agrees_read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

TEST(ReportAgrees, Bolivia2019BacktestCutoffAndHeadline) {
  TALLYSCOPE_REQUIRE_SHARED(final_count, "bolivia-2019/computo-final.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(trep, "bolivia-2019/trep-2019-10-20T19-40-57.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(times, "bolivia-2019/trep-verification-times.csv.gz");
  const std::string html = testing::temp_file(""), json = testing::temp_file("");
  auto r = testing::run_cli(fmt::format("report {} --early {} --arrival {} --placebos 20 --draws 200 "
                                        "--backtest-points 0.2 0.3 0.6 0.9 --backtest-draws 150 --seed 7 "
                                        "--forensics-replicates 0 -o {} --json-out {}",
                                        final_count, trep, times, html, json));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rep = nlohmann::json::parse(agrees_read(json));
  auto cli = testing::run_cli(fmt::format("project --backtest {} --arrival {} --points 0.2 0.3 0.6 0.9 --draws 150 "
                                          "--seed 7 --json",
                                          final_count, times));
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  auto bt = nlohmann::json::parse(cli.out);
  // Same rows, same coverage, one convention: the final count's leader minus its runner-up.
  EXPECT_EQ(rep["backtest"]["points"], bt["points"]);
  EXPECT_EQ(rep["backtest"]["coverage"], bt["coverage"]);
  EXPECT_EQ(bt["leader"], "MAS - IPSP");
  for (const auto& p : bt["points"]) {
    EXPECT_GT(p["median"].get<double>(), 0) << p;
    const double actual = bt["actual_margin"].get<double>();
    EXPECT_EQ(p["covered"].get<bool>(), actual >= p["lo"].get<double>() && actual <= p["hi"].get<double>()) << p;
  }
  // At 20-30% CC led the counted sheets: the HTML table shows those rows with a negative counted
  // margin and a positive projection, not flipped.
  const std::string page = agrees_read(html);
  EXPECT_NE(page.find("every row is in that convention"), std::string::npos);
  // The cutoff: the TREP's stop (19:40:57), found from the snapshot, not the overnight pause.
  const std::string rule = rep["progression"]["cutoff"]["rule"];
  EXPECT_NE(rule.find("the stop of the early snapshot"), std::string::npos) << rule;
  const std::string at = rep["progression"]["cutoff"]["time"];
  EXPECT_EQ(at.substr(0, 13), "2019-10-20T19") << at;
  // The findings open with one sentence, and it is about where the late sheets come from.
  const std::string headline = rep["headline"];
  EXPECT_NE(headline.find("late"), std::string::npos) << headline;
  EXPECT_NE(page.find("<p class=\"headline\" id=\"headline\">"), std::string::npos);
}

}  // namespace
}  // namespace tallyscope
