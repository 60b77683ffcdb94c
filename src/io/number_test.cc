#include "io/number.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "io/csv_reader.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

constexpr int64_t kUntouched = -777;

// Parses and returns the status; value holds what parse_count wrote (or kUntouched).
CountParse count(std::string_view text, int64_t& value) {
  value = kUntouched;
  return parse_count(text, value);
}

TEST(NumberCount, PlainDigits) {
  int64_t v;
  EXPECT_EQ(count("12", v), CountParse::kOk);
  EXPECT_EQ(v, 12);
  EXPECT_EQ(count("0", v), CountParse::kOk);
  EXPECT_EQ(v, 0);
  EXPECT_EQ(count("007", v), CountParse::kOk);
  EXPECT_EQ(v, 7);
  // Above kMaxCount (10^12) a count is refused as too large, so totals cannot overflow.
  EXPECT_EQ(count("123456789012345678", v), CountParse::kOverflow);  // 18 digits
  EXPECT_EQ(count("1234567890123456789", v), CountParse::kOverflow);  // 19 digits
  EXPECT_EQ(count("123456789012", v), CountParse::kOk);  // 12 digits
  EXPECT_EQ(v, 123456789012);
}

TEST(NumberCount, SurroundingSpacesAndTabs) {
  int64_t v;
  EXPECT_EQ(count(" 12 ", v), CountParse::kOk);
  EXPECT_EQ(v, 12);
  EXPECT_EQ(count("\t42\t", v), CountParse::kOk);
  EXPECT_EQ(v, 42);
  EXPECT_EQ(count("   5", v), CountParse::kOk);
  EXPECT_EQ(v, 5);
}

TEST(NumberCount, ZeroFraction) {
  int64_t v;
  EXPECT_EQ(count("12.0", v), CountParse::kOk);
  EXPECT_EQ(v, 12);
  EXPECT_EQ(count("12.000", v), CountParse::kOk);
  EXPECT_EQ(v, 12);
  EXPECT_EQ(count(" 0.0 ", v), CountParse::kOk);
  EXPECT_EQ(v, 0);
}

TEST(NumberCount, Empty) {
  int64_t v;
  EXPECT_EQ(count("", v), CountParse::kEmpty);
  EXPECT_EQ(v, kUntouched);
  EXPECT_EQ(count("  ", v), CountParse::kEmpty);
  EXPECT_EQ(v, kUntouched);
  EXPECT_EQ(count("\t \t", v), CountParse::kEmpty);
  EXPECT_EQ(v, kUntouched);
}

TEST(NumberCount, Negative) {
  int64_t v;
  EXPECT_EQ(count("-3", v), CountParse::kNegative);
  EXPECT_EQ(v, kUntouched);
  EXPECT_EQ(count(" -120 ", v), CountParse::kNegative);
  EXPECT_EQ(v, kUntouched);
  EXPECT_EQ(count("-3.0", v), CountParse::kNegative);
  EXPECT_EQ(v, kUntouched);
}

TEST(NumberCount, Fraction) {
  int64_t v;
  EXPECT_EQ(count("1.5", v), CountParse::kFraction);
  EXPECT_EQ(v, kUntouched);
  EXPECT_EQ(count("12.01", v), CountParse::kFraction);
  EXPECT_EQ(count("12.10", v), CountParse::kFraction);
  EXPECT_EQ(count(" 3.25 ", v), CountParse::kFraction);
  EXPECT_EQ(v, kUntouched);
}

TEST(NumberCount, NotANumber) {
  int64_t v;
  for (const char* s : {"abc", "12abc", "1 2", "1e3", "0x10", "1,000", "1.000.000", ".5", "-", "+", "--1", "12.0x",
                        "12.5.0", "one", "١٢", "12%", "NaN"}) {
    SCOPED_TRACE(s);
    EXPECT_EQ(count(s, v), CountParse::kNotANumber);
    EXPECT_EQ(v, kUntouched);
  }
}

TEST(NumberCount, Overflow) {
  int64_t v;
  EXPECT_EQ(count("99999999999999999999", v), CountParse::kOverflow);
  EXPECT_EQ(v, kUntouched);
  EXPECT_EQ(count("9223372036854775808", v), CountParse::kOverflow);
  EXPECT_EQ(count(" 99999999999999999999.0 ", v), CountParse::kOverflow);
  EXPECT_EQ(count("9223372036854775807", v), CountParse::kOverflow);  // above kMaxCount
  EXPECT_EQ(count("1000000000001", v), CountParse::kOverflow);
  EXPECT_EQ(count("1000000000000", v), CountParse::kOk);
  EXPECT_EQ(v, kMaxCount);
  EXPECT_EQ(count("999999999999", v), CountParse::kOk);
}

TEST(NumberCount, Describe) {
  EXPECT_STREQ(describe(CountParse::kOk), "ok");
  EXPECT_STREQ(describe(CountParse::kEmpty), "empty");
  EXPECT_STREQ(describe(CountParse::kNotANumber), "not a number");
  EXPECT_STREQ(describe(CountParse::kNegative), "negative");
  EXPECT_STREQ(describe(CountParse::kFraction), "not a whole number");
  EXPECT_STREQ(describe(CountParse::kOverflow), "too large");
}

TEST(NumberTrim, SpacesAndTabsOnly) {
  EXPECT_EQ(trim("  a b \t"), "a b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim("x"), "x");
  EXPECT_EQ(trim("\nx\n"), "\nx\n");
}

TEST(NumberDouble, ParsesDecimals) {
  EXPECT_EQ(parse_double("3.5"), 3.5);
  EXPECT_EQ(parse_double(" -17.25 "), -17.25);
  EXPECT_EQ(parse_double("+2.5"), 2.5);
  EXPECT_EQ(parse_double("-65.2619"), -65.2619);
  EXPECT_EQ(parse_double("42"), 42.0);
  EXPECT_EQ(parse_double("1e3"), 1000.0);
  EXPECT_EQ(parse_double("0"), 0.0);
  EXPECT_EQ(parse_double("\t0.125\t"), 0.125);
}

TEST(NumberDouble, RejectsNonNumbers) {
  for (const char* s : {"", "   ", "abc", "1.5x", "1,5", "nan", "NaN", "inf", "-inf", "Infinity", "1e999",
                        "-1e999", "-", "+", ".", "+-5", "++5", "-+5", "--5", "0x1p3", "1 2"}) {
    SCOPED_TRACE(s);
    EXPECT_EQ(parse_double(s), std::nullopt);
  }
}

TEST(NumberShared, RussiaProtocolCountsAllParse) {
  TALLYSCOPE_REQUIRE_SHARED(path, "russia-2018/2018.csv.gz");
  auto reader = CsvReader::open(path);
  CsvRecord rec;
  ASSERT_TRUE(reader->next(rec));  // header
  ASSERT_EQ(rec.fields.size(), 24u);
  int64_t putin = 0, rows = 0, not_ok = 0;
  while (reader->next(rec)) {
    ++rows;
    for (size_t c = 3; c < 23; ++c) {
      int64_t v = -1;
      if (parse_count(rec.fields[c], v) != CountParse::kOk) ++not_ok;
      if (c == 18) putin += v;
    }
  }
  EXPECT_EQ(rows, 97699);
  EXPECT_EQ(not_ok, 0);
  EXPECT_EQ(putin, 56430712);  // the official national total
}

}  // namespace
}  // namespace tallyscope
