// ISO 8601 timestamps as they appear in count logs: "2019-10-20T19:40:57-04:00",
// "2019-10-20 19:40:57", "2019-10-20T23:40:57.125Z", "20/10/2019 19:40" is not accepted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tallyscope {

struct Timestamp {
  int64_t epoch_ms = 0;          // milliseconds since 1970-01-01T00:00:00Z
  bool had_offset = false;       // whether the text carried a zone (Z or ±hh:mm)
  int32_t offset_minutes = 0;    // the zone used (from the text, or the default)
};

// Parses text; a time without a zone is taken to be in default_offset_minutes (east of UTC).
// Returns nullopt for anything that is not a valid date-time (month 13, 25:00, Feb 30, ...).
std::optional<Timestamp> parse_timestamp(std::string_view text, int32_t default_offset_minutes = 0);

// Parses a zone like "-04:00", "+0530", "Z", "UTC"; nullopt if invalid.
std::optional<int32_t> parse_utc_offset(std::string_view text);

// Formats epoch milliseconds as ISO 8601 in the given zone, e.g. "2019-10-20T19:40:57-04:00".
std::string format_timestamp(int64_t epoch_ms, int32_t offset_minutes);

}  // namespace tallyscope
