#include "io/xlsx_cell.h"

#include <gtest/gtest.h>

namespace tallyscope {
namespace {

TEST(XlsxCell, CellReferences) {
  auto c7 = parse_cell_ref("C7");
  ASSERT_TRUE(c7);
  EXPECT_EQ(c7->column, 3u);
  EXPECT_EQ(c7->row, 7u);
  auto ab = parse_cell_ref("AB");
  ASSERT_TRUE(ab);
  EXPECT_EQ(ab->column, 28u);
  EXPECT_EQ(ab->row, 0u);
  auto last = parse_cell_ref("XFD1048576");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->column, 16384u);
  for (const char* bad : {"", "7", "c7", "A0", "A01", "XFE1", "A1048577", "AAAA1", "A1B", "A99999999999999999999"})
    EXPECT_FALSE(parse_cell_ref(bad)) << bad;
  EXPECT_EQ(column_letters(1), "A");
  EXPECT_EQ(column_letters(26), "Z");
  EXPECT_EQ(column_letters(27), "AA");
  EXPECT_EQ(column_letters(16384), "XFD");
}

TEST(XlsxCell, NumbersAsExcelShowsThem) {
  EXPECT_EQ(excel_number_text("1001.0"), "1001");
  EXPECT_EQ(excel_number_text("1.0E3"), "1000");
  EXPECT_EQ(excel_number_text("1E+3"), "1000");
  EXPECT_EQ(excel_number_text("1000.0000000000001"), "1000");  // a sum's rounding error, shown as 1000
  EXPECT_EQ(excel_number_text("999.99999999999989"), "1000");
  EXPECT_EQ(excel_number_text("0.30000000000000004"), "0.3");
  EXPECT_EQ(excel_number_text("2.5"), "2.5");
  EXPECT_EQ(excel_number_text("-0"), "0");
  EXPECT_EQ(excel_number_text("-12"), "-12");
  EXPECT_EQ(excel_number_text("1000.0000001"), "1000.0000001");  // a real fraction stays one
  EXPECT_EQ(excel_number_text("45591.541666666664"), "45591.5416666667");
  EXPECT_FALSE(excel_number_text("abc"));
  EXPECT_FALSE(excel_number_text(""));
  EXPECT_FALSE(excel_number_text("1,5"));
}

TEST(XlsxCell, DateSerials) {
  // 45591.5 is 2024-10-26 12:00; 25569 is the Unix epoch.
  EXPECT_EQ(excel_serial_to_epoch_ms("25569", false, 0), 0);
  EXPECT_EQ(excel_serial_to_epoch_ms("45591.5", false, 0), int64_t{1729944000000});
  // Read as local time four hours behind UTC: the instant is four hours later.
  EXPECT_EQ(excel_serial_to_epoch_ms("45591.5", false, -240), int64_t{1729944000000} + 4 * 3600000);
  EXPECT_EQ(excel_serial_to_epoch_ms("24107", true, 0), 0);  // the 1904 system: 1462 days fewer
  EXPECT_FALSE(excel_serial_to_epoch_ms("60", false, 0));     // before 1900-03-01 (Excel's fictitious leap day)
  EXPECT_FALSE(excel_serial_to_epoch_ms("3000000", false, 0));
  EXPECT_FALSE(excel_serial_to_epoch_ms("2024-10-26", false, 0));
}

}  // namespace
}  // namespace tallyscope
