#include "model/relation.h"

#include <gtest/gtest.h>

#include "io/error.h"

namespace tallyscope {
namespace {

TEST(Relation, ParsesBothSidesWithSignsAndCoefficients) {
  Relation r = parse_relation("acc", "received = issued + 2*cancelled - unaccounted");
  ASSERT_EQ(r.terms.size(), 4u);
  EXPECT_EQ(r.terms[0].symbol, "received");
  EXPECT_EQ(r.terms[0].coefficient, 1);
  EXPECT_EQ(r.terms[1].coefficient, -1);
  EXPECT_EQ(r.terms[2].symbol, "cancelled");
  EXPECT_EQ(r.terms[2].coefficient, -2);
  EXPECT_EQ(r.terms[3].coefficient, 1);  // -unaccounted on the right moves left as +
}

TEST(Relation, LeadingMinus) {
  Relation r = parse_relation("x", "-a + b = c");
  EXPECT_EQ(r.terms[0].coefficient, -1);
  EXPECT_EQ(r.terms[1].coefficient, 1);
  EXPECT_EQ(r.terms[2].coefficient, -1);
}

TEST(Relation, RejectsMalformed) {
  for (const char* bad : {"a + b", "a = b = c", "= b", "a = ", "a + = b", "a = 3", "a * b = c", "a = b +", "1a = b"})
    EXPECT_THROW(parse_relation("bad", bad), UsageError) << bad;
}

}  // namespace
}  // namespace tallyscope
