// Parsing the numbers found in tally sheets.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tallyscope {

enum class CountParse { kOk, kEmpty, kNotANumber, kNegative, kFraction, kOverflow };

// Parses a vote count: optional surrounding spaces, decimal digits, and an optional fraction of
// zeros ("12", " 12 ", "12.0"); "" or spaces only is kEmpty. Writes the value on kOk.
CountParse parse_count(std::string_view text, int64_t& value);
const char* describe(CountParse p);

// Parses a decimal number (coordinates); nullopt when not a finite number. Empty is nullopt too.
std::optional<double> parse_double(std::string_view text);

std::string_view trim(std::string_view s);

}  // namespace tallyscope
