// The small pieces of a worksheet cell: its reference ("C7"), a number as Excel stores it turned
// into the text a CSV export would hold, and an Excel date serial as a point in time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tallyscope {

struct CellRef {
  uint32_t column = 0;  // 1-based: A = 1, XFD = 16384
  uint32_t row = 0;     // 1-based; 0 when the reference names a column only
};

// "C7" -> {3, 7}; "AB" -> {28, 0}. nullopt for anything else, or beyond Excel's XFD1048576.
std::optional<CellRef> parse_cell_ref(std::string_view ref);
// 1 -> "A", 28 -> "AB".
std::string column_letters(uint32_t column);

// The text of a numeric cell's stored value (e.g. "1001.0", "1.0E3", "0.30000000000000004"), as
// Excel shows it with 15 significant digits: an integer-valued number without a decimal point or
// exponent ("1001", "1000"), others in plain decimal notation ("0.3", "2.5"). nullopt when the
// stored text is not a number.
std::optional<std::string> excel_number_text(std::string_view stored);

// An Excel date serial (days since 1899-12-30, the fraction the time of day; with date1904 the
// days count from 1904-01-01) as milliseconds since the Unix epoch, read in the zone
// `offset_minutes` east of UTC. nullopt for a text that is not a number or a serial outside
// 1900-03-01 .. 9999-12-31.
std::optional<int64_t> excel_serial_to_epoch_ms(std::string_view text, bool date1904, int32_t offset_minutes);

}  // namespace tallyscope
