#include "analysis/count/regions.h"

#include <cmath>

#include <gtest/gtest.h>

#include "io/error.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

// Two regions, sums by hand: North (sheets 1-2) A 60+50, B 30+40, blank 10+0, registered 120+100;
// South (sheet 3) A 10, B 70, registered missing. The whole count's leader is B (140) over A (120).
TEST(RegionTable, SumsByHandAndFindingsPerRegion) {
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"region\", \"place\"]\n"
                      "registered = \"reg\"\nblank = \"blank\"\n", "s");
  Election e = load_election(testing::temp_file("id,region,place,reg,A,B,blank\n1,North,P1,120,60,30,10\n"
                                                "2,North,P2,100,50,40,0\n3,South,P3,,10,70,0\n"),
                             o);
  IntegrityReport integ;
  integ.findings.push_back({"x", Severity::kError, "2", 3, "", "bad", {}});
  integ.findings.push_back({"y", Severity::kWarning, "3", 4, "", "odd", {}});
  RegionTable t = region_table(e, "region", &integ);
  EXPECT_EQ(t.level, "region");
  EXPECT_EQ(t.leader, "B");
  EXPECT_EQ(t.runner_up, "A");
  ASSERT_EQ(t.rows.size(), 2u);
  const RegionRow& n = t.rows[0];
  EXPECT_EQ(n.name, "North");
  EXPECT_EQ(n.sheets, 2u);
  EXPECT_EQ(n.registered, 220);
  EXPECT_EQ(n.valid, 180);
  EXPECT_EQ(n.ballots, 190);
  EXPECT_EQ(n.votes[0], 110);
  EXPECT_EQ(n.votes[1], 70);
  EXPECT_DOUBLE_EQ(n.margin_points, 100.0 * (70 - 110) / 180);
  EXPECT_DOUBLE_EQ(n.turnout, 190.0 / 220);
  EXPECT_EQ(n.sheets_with_errors, 1u);
  const RegionRow& s = t.rows[1];
  EXPECT_EQ(s.sheets_with_registered, 0u);
  EXPECT_TRUE(std::isnan(s.turnout));
  EXPECT_DOUBLE_EQ(s.margin_points, 100.0 * 60 / 80);
  EXPECT_EQ(s.sheets_with_warnings, 1u);
  EXPECT_TRUE(to_json(t)["rows"][1]["turnout"].is_null());
  EXPECT_EQ(to_json(t)["rows"][0]["votes"]["A"], 110);
  // The second level, and bad levels.
  EXPECT_EQ(region_table(e, size_t{1}).rows.size(), 3u);
  EXPECT_EQ(region_table(e, "").level, "region");
  EXPECT_THROW(region_table(e, "county"), UsageError);
  EXPECT_THROW(region_table(e, size_t{2}), UsageError);
}

// A region's position is the mean of its sheets' coordinates, over the sheets that have them (by
// hand: North (-16.0 + -16.4) / 2, (-68.0 + -68.2) / 2; South has none); without coordinate
// columns every position is missing.
TEST(RegionTable, PositionIsTheMeanOfItsSheets) {
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"region\"]\n"
                      "latitude = \"lat\"\nlongitude = \"lon\"\n", "s");
  Election e = load_election(testing::temp_file("id,region,lat,lon,A,B\n1,North,-16.0,-68.0,6,3\n"
                                                "2,North,-16.4,-68.2,5,4\n3,South,,,1,7\n"),
                             o);
  RegionTable t = region_table(e, "region");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_NEAR(t.rows[0].lat, -16.2, 1e-12);
  EXPECT_NEAR(t.rows[0].lon, -68.1, 1e-12);
  EXPECT_EQ(t.rows[0].sheets_with_coordinates, 2u);
  EXPECT_TRUE(std::isnan(t.rows[1].lat));
  EXPECT_EQ(t.rows[1].sheets_with_coordinates, 0u);
  EXPECT_TRUE(to_json(t)["rows"][1]["lat"].is_null());
}

}  // namespace
}  // namespace tallyscope
