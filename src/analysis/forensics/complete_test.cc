#include "analysis/forensics/complete.h"

#include <gtest/gtest.h>

#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

// By hand: sheet 1 is whole; sheet 2's empty C is 0 by its declared valid votes (30 + 20 = 50);
// sheet 3's empty C is not (declared 60 against 50 given); sheet 4 has no declared total; sheet 5
// lacks its registered voters, which no total can stand in for.
TEST(CompleteSheets, AnEmptyChoiceIsZeroOnlyWhenTheDeclaredValidVotesSaySo) {
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\", \"C\"]\n[columns]\nid = \"id\"\nregistered = \"reg\"\nvalid = \"valid\"\n",
                      "s");
  const Election e = load_election(testing::temp_file("id,reg,A,B,C,valid\n1,100,30,20,5,55\n2,100,30,20,,50\n"
                                                      "3,100,30,20,,60\n4,100,30,20,,\n5,,30,20,5,55\n"),
                                   o);
  const CompleteSheets c = complete_sheets(e);
  EXPECT_EQ(c.complete, (std::vector<uint8_t>{1, 1, 0, 0, 0}));
  EXPECT_EQ(c.zero_filled, 1u);
}

}  // namespace
}  // namespace tallyscope
