#include "analysis/common/checked.h"

#include <limits>

#include <gtest/gtest.h>

#include "analysis/count/integrity.h"
#include "io/error.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

Election two_sheets() {
  return load_election(testing::temp_file("id,A,B\n1,3,4\nsheet-two,5,6\n"));
}

TEST(CheckedArithmetic, ExactOrAnErrorNamingTheSheet) {
  const Election e = two_sheets();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(checked_add(kMax - 1, 1, e, 1, "x"), kMax);
  EXPECT_EQ(checked_mul(1000000, 1000000000000, e, 0, "x"), 1000000000000000000);
  try {
    checked_add(kMax, 1, e, 1, "the total of 'A'");
    ADD_FAILURE() << "no error";
  } catch (const InputError& err) {
    const std::string m = err.what();
    EXPECT_NE(m.find(":3"), std::string::npos) << m;  // the sheet's line
    EXPECT_NE(m.find("sheet-two"), std::string::npos) << m;
    EXPECT_NE(m.find("the total of 'A'"), std::string::npos) << m;
  }
  EXPECT_THROW(checked_mul(10000000, 1000000000000, e, 0, "x"), InputError);
  EXPECT_THROW(checked_add(std::numeric_limits<int64_t>::min(), -1, e, 0, "x"), InputError);
}

// A relation whose sides leave int64 is an input error, not a wrapped sum that may "hold".
TEST(CheckedArithmetic, RelationSumsDoNotWrap) {
  std::string header = "id,A,x0", row = "1,5,1000000000000";
  std::string extras = "x0 = \"x0\"\n", rhs;
  for (int i = 1; i <= 10; ++i) {
    header += ",x" + std::to_string(i);
    row += ",1000000000000";
    extras += "x" + std::to_string(i) + " = \"x" + std::to_string(i) + "\"\n";
    rhs += (i > 1 ? " + " : "") + std::string("1000000*x") + std::to_string(i);
  }
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\"]\n[columns]\nid = \"id\"\n[extras]\n" + extras +
                          "[[relations]]\nname = \"big\"\nequation = \"x0 = " + rhs + "\"\n",
                      "s");
  const Election e = load_election(testing::temp_file(header + "\n" + row + "\n"), o);
  try {
    check_integrity(e);
    ADD_FAILURE() << "no error";
  } catch (const InputError& err) {
    EXPECT_NE(std::string(err.what()).find("relation big overflows"), std::string::npos) << err.what();
  }
}

}  // namespace
}  // namespace tallyscope
