#include "io/clean_name.h"

#include <gtest/gtest.h>

namespace tallyscope {
namespace {

// Issue 15 item 7: names that differ only invisibly are one name.
TEST(CleanName, InvisibleDifferencesVanish) {
  const std::string nfc = "Escuela Jos\u00e9 1";
  for (const std::string& s : {std::string("Escuela Jose\u0301 1"),  // NFD
                               std::string("Escuela Jos\u00e9 1\u00a0"), std::string("\ufeffEscuela Jos\u00e9 1"),
                               std::string("Escuela Jos\u00e9\u200b 1"), std::string("Escuela\u00a0Jos\u00e9 1"),
                               std::string("  Escuela Jos\u00e9 1\t"), std::string("Escuela Jos\u00e9 \u20601"),
                               std::string("Escuela Jos\u00e9 1\u3000"), std::string("Escuela Jo\u00ads\u00e9 1")})
    EXPECT_EQ(clean_name(s), nfc) << visible_spelling(s);
  EXPECT_EQ(clean_name(nfc), nfc);
  EXPECT_EQ(clean_name("Escuela 1 "), "Escuela 1");
  EXPECT_EQ(clean_name("Escuela  1"), "Escuela  1");  // inner spacing is the file's
  EXPECT_EQ(clean_name("\u0413\u0418\u041a"), "\u0413\u0418\u041a");  // other scripts unchanged
  EXPECT_EQ(clean_name("\ufeff"), "");
  EXPECT_EQ(clean_name("bad \xff byte"), "bad \xff byte");  // not UTF-8: as it is
}

TEST(CleanName, VisibleSpellingShowsWhatDiffers) {
  EXPECT_EQ(visible_spelling("Escuela 1\u00a0"), "Escuela 1<U+00A0>");
  EXPECT_EQ(visible_spelling("Jose\u0301"), "Jose<U+0301>");
  EXPECT_EQ(visible_spelling("\ufeffA\u200bB"), "<U+FEFF>A<U+200B>B");
  EXPECT_EQ(visible_spelling("Jos\u00e9"), "Jos\u00e9");
  EXPECT_EQ(visible_spelling("a\nb"), "a\\nb");
}

}  // namespace
}  // namespace tallyscope
