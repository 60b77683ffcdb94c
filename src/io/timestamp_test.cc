#include "io/timestamp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "io/csv_reader.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

constexpr int64_t kTrepStop = 1571614857000;  // 2019-10-20T19:40:57-04:00 = 23:40:57Z

TEST(TimestampParse, NegativeOffsetWithColon) {
  auto t = parse_timestamp("2019-10-20T19:40:57-04:00");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->epoch_ms, kTrepStop);
  EXPECT_TRUE(t->had_offset);
  EXPECT_EQ(t->offset_minutes, -240);
}

TEST(TimestampParse, ZuluAndOtherZoneForms) {
  auto z = parse_timestamp("2019-10-20T23:40:57Z");
  ASSERT_TRUE(z.has_value());
  EXPECT_EQ(z->epoch_ms, kTrepStop);
  EXPECT_TRUE(z->had_offset);
  EXPECT_EQ(z->offset_minutes, 0);

  auto compact = parse_timestamp("2019-10-20T19:40:57-0400");
  ASSERT_TRUE(compact.has_value());
  EXPECT_EQ(compact->epoch_ms, kTrepStop);
  EXPECT_EQ(compact->offset_minutes, -240);

  auto hours_only = parse_timestamp("2019-10-20T19:40:57-04");
  ASSERT_TRUE(hours_only.has_value());
  EXPECT_EQ(hours_only->epoch_ms, kTrepStop);

  auto india = parse_timestamp("2019-10-21T05:10:57+05:30");
  ASSERT_TRUE(india.has_value());
  EXPECT_EQ(india->epoch_ms, kTrepStop);
  EXPECT_EQ(india->offset_minutes, 330);

  auto india2 = parse_timestamp("2019-10-21T05:10:57+0530");
  ASSERT_TRUE(india2.has_value());
  EXPECT_EQ(india2->epoch_ms, kTrepStop);

  auto lower = parse_timestamp("2019-10-20t23:40:57z");
  ASSERT_TRUE(lower.has_value());
  EXPECT_EQ(lower->epoch_ms, kTrepStop);

  auto plus_zero = parse_timestamp("2019-10-20T23:40:57+00:00");
  ASSERT_TRUE(plus_zero.has_value());
  EXPECT_EQ(plus_zero->epoch_ms, kTrepStop);
  EXPECT_TRUE(plus_zero->had_offset);
}

TEST(TimestampParse, NoZoneUsesTheDefaultOffset) {
  auto t = parse_timestamp("2019-10-20 19:40:57", -240);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->epoch_ms, kTrepStop);
  EXPECT_FALSE(t->had_offset);
  EXPECT_EQ(t->offset_minutes, -240);

  auto utc = parse_timestamp("2019-10-20T19:40:57");
  ASSERT_TRUE(utc.has_value());
  EXPECT_EQ(utc->epoch_ms, 1571600457000);
  EXPECT_FALSE(utc->had_offset);
  EXPECT_EQ(utc->offset_minutes, 0);

  // An explicit zone wins over the default.
  auto z = parse_timestamp("2019-10-20T23:40:57Z", -240);
  ASSERT_TRUE(z.has_value());
  EXPECT_EQ(z->epoch_ms, kTrepStop);
  EXPECT_EQ(z->offset_minutes, 0);
}

TEST(TimestampParse, MinutesOnlyAndDateOnly) {
  auto hm = parse_timestamp("2019-10-20T19:40-04:00");
  ASSERT_TRUE(hm.has_value());
  EXPECT_EQ(hm->epoch_ms, kTrepStop - 57000);

  auto date = parse_timestamp("2019-10-20");
  ASSERT_TRUE(date.has_value());
  EXPECT_EQ(date->epoch_ms, 1571529600000);

  auto date_local = parse_timestamp("2019-10-20", -240);
  ASSERT_TRUE(date_local.has_value());
  EXPECT_EQ(date_local->epoch_ms, 1571529600000 + 4 * 3600 * 1000);
}

TEST(TimestampParse, FractionalSeconds) {
  auto t = parse_timestamp("2019-10-20T23:40:57.125Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->epoch_ms, kTrepStop + 125);

  auto one = parse_timestamp("2019-10-20T19:40:57.1-04:00");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->epoch_ms, kTrepStop + 100);

  auto two = parse_timestamp("2019-10-20T23:40:57.05Z");
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->epoch_ms, kTrepStop + 50);

  auto micro = parse_timestamp("2019-10-20T23:40:57.123456Z");  // truncated to milliseconds
  ASSERT_TRUE(micro.has_value());
  EXPECT_EQ(micro->epoch_ms, kTrepStop + 123);

  auto comma = parse_timestamp("2019-10-20T23:40:57,5Z");
  ASSERT_TRUE(comma.has_value());
  EXPECT_EQ(comma->epoch_ms, kTrepStop + 500);

  auto no_zone = parse_timestamp("2019-10-20 19:40:57.999", -240);
  ASSERT_TRUE(no_zone.has_value());
  EXPECT_EQ(no_zone->epoch_ms, kTrepStop + 999);
}

TEST(TimestampParse, SurroundingSpaces) {
  auto t = parse_timestamp("  2019-10-20T23:40:57Z \t");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->epoch_ms, kTrepStop);
}

TEST(TimestampParse, EpochAndBefore) {
  auto epoch = parse_timestamp("1970-01-01T00:00:00Z");
  ASSERT_TRUE(epoch.has_value());
  EXPECT_EQ(epoch->epoch_ms, 0);
  auto before = parse_timestamp("1969-12-31T23:59:59Z");
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->epoch_ms, -1000);
  auto half = parse_timestamp("1969-12-31T23:59:59.5Z");
  ASSERT_TRUE(half.has_value());
  EXPECT_EQ(half->epoch_ms, -500);
  auto east = parse_timestamp("1970-01-01T01:00:00+01:00");
  ASSERT_TRUE(east.has_value());
  EXPECT_EQ(east->epoch_ms, 0);
}

TEST(TimestampParse, LeapDays) {
  auto leap = parse_timestamp("2016-02-29T12:00:00Z");
  ASSERT_TRUE(leap.has_value());
  EXPECT_EQ(leap->epoch_ms, 1456747200000);
  EXPECT_TRUE(parse_timestamp("2000-02-29").has_value());   // divisible by 400
  EXPECT_FALSE(parse_timestamp("1900-02-29").has_value());  // divisible by 100 only
  EXPECT_FALSE(parse_timestamp("2019-02-29").has_value());
  auto end_of_year = parse_timestamp("2019-12-31T23:59:59Z");
  ASSERT_TRUE(end_of_year.has_value());
  EXPECT_EQ(end_of_year->epoch_ms, 1577836799000);
}

TEST(TimestampParse, InvalidDatesAndTimes) {
  for (const char* s :
       {"2019-02-30", "2019-02-30T10:00:00Z", "2019-04-31", "2019-13-01", "2019-00-10", "2019-10-00", "2019-10-32",
        "2019-10-20T25:00", "2019-10-20T24:00:00Z", "2019-10-20T23:60", "2019-10-20T19:40:61", "2019-10-20T19:40:99"}) {
    SCOPED_TRACE(s);
    EXPECT_FALSE(parse_timestamp(s).has_value());
  }
}

TEST(TimestampParse, MalformedText) {
  for (const char* s :
       {"", "   ", "garbage", "2019", "2019-10", "2019/10/20", "20/10/2019 19:40", "2019-1-20", "2019-10-2",
        "19-10-20", "2019-10-20T", "2019-10-20T1:40", "2019-10-20T19", "2019-10-20T19:4", "2019-10-20T1940",
        "2019-10-20T19:40:5", "2019-10-20T19:40:57.", "2019-10-20T19:40:57.Z", "2019-10-20T19:40:57-04:00x",
        "2019-10-20T19:40:57+25:00", "2019-10-20T19:40:57-04:60", "2019-10-20T19:40:57+", "2019-10-20T19:40:57 PM",
        "2019-10-20X19:40:57", "2019-10-20T19:40:57-4:00", "2019-10-20T19:40:57Zulu", "2O19-10-20"}) {
    SCOPED_TRACE(s);
    EXPECT_FALSE(parse_timestamp(s).has_value());
  }
}

TEST(TimestampOffset, Forms) {
  EXPECT_EQ(parse_utc_offset("Z"), 0);
  EXPECT_EQ(parse_utc_offset("z"), 0);
  EXPECT_EQ(parse_utc_offset("UTC"), 0);
  EXPECT_EQ(parse_utc_offset("GMT"), 0);
  EXPECT_EQ(parse_utc_offset("-04:00"), -240);
  EXPECT_EQ(parse_utc_offset("-0400"), -240);
  EXPECT_EQ(parse_utc_offset("-04"), -240);
  EXPECT_EQ(parse_utc_offset("+05:30"), 330);
  EXPECT_EQ(parse_utc_offset("+0530"), 330);
  EXPECT_EQ(parse_utc_offset("-03:30"), -210);
  EXPECT_EQ(parse_utc_offset("+14:00"), 840);
  EXPECT_EQ(parse_utc_offset("-12:00"), -720);
  EXPECT_EQ(parse_utc_offset(" +01:00 "), 60);
}

TEST(TimestampOffset, Invalid) {
  for (const char* s : {"", "04:00", "+4", "+4:00", "+15:00", "+05:60", "+05:3", "+05:300", "+05:", "+0", "+",
                        "-", "UTC+1", "EST", "+ab:cd", "+05-30"}) {
    SCOPED_TRACE(s);
    EXPECT_EQ(parse_utc_offset(s), std::nullopt);
  }
}

TEST(TimestampFormat, Examples) {
  EXPECT_EQ(format_timestamp(kTrepStop, -240), "2019-10-20T19:40:57-04:00");
  EXPECT_EQ(format_timestamp(kTrepStop, 0), "2019-10-20T23:40:57Z");
  EXPECT_EQ(format_timestamp(kTrepStop, 330), "2019-10-21T05:10:57+05:30");
  EXPECT_EQ(format_timestamp(kTrepStop, -210), "2019-10-20T20:10:57-03:30");
  EXPECT_EQ(format_timestamp(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp(0, -240), "1969-12-31T20:00:00-04:00");
  EXPECT_EQ(format_timestamp(-1000, 0), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_timestamp(1456747200000, 0), "2016-02-29T12:00:00Z");
}

TEST(TimestampFormat, Milliseconds) {
  EXPECT_EQ(format_timestamp(kTrepStop + 125, 0), "2019-10-20T23:40:57.125Z");
  EXPECT_EQ(format_timestamp(kTrepStop + 5, -240), "2019-10-20T19:40:57.005-04:00");
  EXPECT_EQ(format_timestamp(-1, 0), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_timestamp(-500, 0), "1969-12-31T23:59:59.500Z");
}

TEST(TimestampFormat, RoundTrip) {
  for (int64_t ms : {int64_t{0}, kTrepStop, kTrepStop + 1, kTrepStop + 999, int64_t{-1}, int64_t{-86400000},
                     int64_t{-86399999}, int64_t{951782400000} /* 2000-02-29 */, int64_t{4102444799000},
                     int64_t{1456747200000}, int64_t{-2208988800000} /* 1900-01-01 */}) {
    for (int32_t off : {0, -240, 330, 840, -720, 60, -30}) {
      SCOPED_TRACE(std::to_string(ms) + " " + std::to_string(off));
      std::string text = format_timestamp(ms, off);
      auto back = parse_timestamp(text);
      ASSERT_TRUE(back.has_value()) << text;
      EXPECT_EQ(back->epoch_ms, ms) << text;
      EXPECT_TRUE(back->had_offset);
      EXPECT_EQ(back->offset_minutes, off);
      EXPECT_EQ(format_timestamp(back->epoch_ms, back->offset_minutes), text);
    }
  }
}

TEST(TimestampFormat, ParseThenFormat) {
  for (const char* s : {"2019-10-20T19:40:57-04:00", "2019-10-20T23:40:57Z", "2019-10-21T05:10:57+05:30",
                        "2016-02-29T00:00:00Z", "2019-10-20T23:40:57.125Z"}) {
    auto t = parse_timestamp(s);
    ASSERT_TRUE(t.has_value()) << s;
    EXPECT_EQ(format_timestamp(t->epoch_ms, t->offset_minutes), s);
  }
}

TEST(TimestampShared, BoliviaVerificationTimesRoundTrip) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/trep-verification-times.csv.gz");
  auto reader = CsvReader::open(path);
  CsvRecord rec;
  ASSERT_TRUE(reader->next(rec));
  ASSERT_GE(rec.fields.size(), 2u);
  ASSERT_EQ(rec.fields[1], "verified_at");
  int64_t rows = 0, bad = 0, unsorted = 0, before_stop = 0;
  int64_t first = 0, last = 0;
  while (reader->next(rec)) {
    auto t = parse_timestamp(rec.fields[1]);
    if (!t || !t->had_offset || t->offset_minutes != -240 ||
        format_timestamp(t->epoch_ms, t->offset_minutes) != rec.fields[1]) {
      ++bad;
      continue;
    }
    if (rows == 0) first = t->epoch_ms;
    if (rows > 0 && t->epoch_ms < last) ++unsorted;
    last = t->epoch_ms;
    before_stop += t->epoch_ms <= kTrepStop;
    ++rows;
  }
  EXPECT_EQ(rows, 33044);
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(unsorted, 0);
  EXPECT_EQ(first, 1571563288000);  // 2019-10-20T05:21:28-04:00
  EXPECT_EQ(last, 1571750176000);   // 2019-10-22T09:16:16-04:00
  EXPECT_GT(before_stop, 0);
  EXPECT_LT(before_stop, rows);
}

}  // namespace
}  // namespace tallyscope
