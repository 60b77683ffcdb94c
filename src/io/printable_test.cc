#include "io/printable.h"

#include <gtest/gtest.h>

namespace tallyscope {
namespace {

TEST(Printable, PlainTextUnchanged) {
  EXPECT_EQ(printable("Frente Popular"), "Frente Popular");
  EXPECT_EQ(printable("Peña \\ Ñandú – 東京"), "Peña \\ Ñandú – 東京");
  EXPECT_EQ(printable(""), "");
}

TEST(Printable, ControlsShownVisibly) {
  EXPECT_EQ(printable("a\nb\r\tc"), "a\\nb\\r\\tc");
  EXPECT_EQ(printable("\x1b]0;owned\x07\x1b[2J"), "\\x1B]0;owned\\x07\\x1B[2J");
  EXPECT_EQ(printable(std::string("x\0y\x7f", 4)), "x\\x00y\\x7F");
  EXPECT_EQ(printable("\xc2\x9b" "31m"), "<U+009B>31m");  // C1 CSI
}

TEST(Printable, BidiControlsShownVisibly) {
  EXPECT_EQ(printable("Frente\u202E 33.21"), "Frente<U+202E> 33.21");
  for (const char* c : {"\u202A", "\u202B", "\u202C", "\u202D", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E",
                        "\u200F", "\u061C", "\u2028", "\u2029"})
    EXPECT_EQ(printable(c).rfind("<U+", 0), 0u) << printable(c);
}

TEST(Printable, InvalidUtf8ByBytes) {
  EXPECT_EQ(printable("Pe\xf1" "a"), "Pe\\xF1a");
  EXPECT_EQ(printable("\xc3"), "\\xC3");
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // a UTF-16 surrogate in UTF-8
}

TEST(Printable, LinesKeepsLineBreaksOnly) {
  EXPECT_EQ(printable_lines("a\tb\nc\x1b[2J\u202Ed\r\n"), "a\tb\nc\\x1B[2J<U+202E>d\\r\n");
}

}  // namespace
}  // namespace tallyscope
