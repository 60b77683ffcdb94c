#include "analysis/count/flagged.h"

#include <gtest/gtest.h>

#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

// Sheet 2 has more votes than registered voters (an error); its row names the sheet, its line,
// its place and the finding; a field with a comma or a formula-like start is quoted or defused.
TEST(FlaggedSheets, OneRowPerFindingWithPlaceAndLink) {
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"region\", \"place\"]\n"
                      "registered = \"reg\"\n", "s");
  Election e = load_election(testing::temp_file("id,region,place,reg,A,B\n1,North,P1,100,40,30\n"
                                                "2,North,\"P2, school\",100,90,30\n3,South,P3,100,20,30\n"),
                             o);
  IntegrityReport r = check_integrity(e);
  std::vector<FlaggedSheet> rows = flagged_sheets(e, r);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].id, "2");
  EXPECT_EQ(rows[0].line, 3u);
  EXPECT_EQ(rows[0].place, "North / P2, school");
  EXPECT_EQ(rows[0].severity, "error");
  const std::vector<std::string> links(rows.size(), "=HYPERLINK(\"x\")");
  const std::string csv = flagged_csv(rows, &links);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "sheet_id,line,place,severity,finding,message,link");
  EXPECT_NE(csv.find("2,3,\"North / P2, school\",error,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"'=HYPERLINK(\"\"x\"\")\"\n"), std::string::npos) << csv;
  EXPECT_EQ(flagged_csv(rows).find("link"), std::string::npos);
}

}  // namespace
}  // namespace tallyscope
