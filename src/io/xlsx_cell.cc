#include "io/xlsx_cell.h"

#include <cmath>

#include <fmt/format.h>

#include "io/number.h"

namespace tallyscope {

std::optional<CellRef> parse_cell_ref(std::string_view ref) {
  CellRef r;
  size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
    if (i >= 3) return std::nullopt;
    r.column = r.column * 26 + static_cast<uint32_t>(ref[i] - 'A' + 1);
  }
  if (i == 0 || r.column > 16384) return std::nullopt;
  if (i == ref.size()) return r;
  if (ref[i] == '0') return std::nullopt;  // no leading zero, no row 0
  for (; i < ref.size(); ++i) {
    if (ref[i] < '0' || ref[i] > '9' || r.row > 1048576 / 10 + 1) return std::nullopt;
    r.row = r.row * 10 + static_cast<uint32_t>(ref[i] - '0');
  }
  if (r.row > 1048576) return std::nullopt;
  return r;
}

std::string column_letters(uint32_t column) {
  std::string s;
  while (column > 0) {
    --column;
    s.insert(s.begin(), static_cast<char>('A' + column % 26));
    column /= 26;
  }
  return s;
}

// The common case without floating point: a whole number stored as up to 15 digits, perhaps with
// a zero fraction ("220", "1001.0"), is its digits.
std::optional<std::string> plain_whole_number(std::string_view stored) {
  size_t digits = 0;
  while (digits < stored.size() && stored[digits] >= '0' && stored[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15 || (digits > 1 && stored[0] == '0')) return std::nullopt;
  if (digits < stored.size()) {
    if (stored[digits] != '.' || digits + 1 == stored.size()) return std::nullopt;
    for (size_t i = digits + 1; i < stored.size(); ++i)
      if (stored[i] != '0') return std::nullopt;
  }
  return std::string(stored.substr(0, digits));
}

std::optional<std::string> excel_number_text(std::string_view stored) {
  if (auto whole = plain_whole_number(stored)) return whole;
  auto v = parse_double(stored);
  if (!v) return std::nullopt;
  // Excel keeps 17 digits but shows 15: 1000.0000000000001, a sum's rounding error, is 1000.
  double shown = *parse_double(fmt::format("{:.15g}", *v));
  if (shown == std::trunc(shown) && std::abs(shown) < 9.2e18) return fmt::format("{}", static_cast<int64_t>(shown));
  return fmt::format("{}", shown);
}

std::optional<int64_t> excel_serial_to_epoch_ms(std::string_view text, bool date1904, int32_t offset_minutes) {
  auto v = parse_double(text);
  // 61 is 1900-03-01, past Excel's fictitious 1900-02-29; 2958466 is 10000-01-01.
  if (!v) return std::nullopt;
  double days = date1904 ? *v + 1462 : *v;
  if (days < 61 || days >= 2958466) return std::nullopt;
  constexpr double kUnixEpochSerial = 25569;  // 1970-01-01
  double ms = std::round((days - kUnixEpochSerial) * 86400000.0);
  return static_cast<int64_t>(ms) - int64_t{offset_minutes} * 60000;
}

}  // namespace tallyscope
