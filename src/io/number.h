// Parsing the numbers found in tally sheets.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tallyscope {

// The largest count accepted on one sheet: far above any real tally, and low enough that totals
// over millions of sheets cannot overflow 64-bit integers.
inline constexpr int64_t kMaxCount = 1000000000000;  // 10^12

enum class CountParse { kOk, kEmpty, kNotANumber, kNegative, kFraction, kOverflow };

// Parses a vote count: optional surrounding spaces, decimal digits, and an optional fraction of
// zeros ("12", " 12 ", "12.0"); "" or spaces only is kEmpty; above kMaxCount is kOverflow.
// Writes the value on kOk.
CountParse parse_count(std::string_view text, int64_t& value);
const char* describe(CountParse p);

// Parses a decimal number (coordinates); nullopt when not a finite number. Empty is nullopt too.
std::optional<double> parse_double(std::string_view text);

std::string_view trim(std::string_view s);

}  // namespace tallyscope
