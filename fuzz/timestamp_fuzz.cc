// libFuzzer target: the ISO 8601 timestamp and UTC-offset parsers; a parsed time formats back
// to a text that parses to the same instant.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "io/timestamp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tallyscope;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  parse_utc_offset(text);
  auto t = parse_timestamp(text, -240);
  if (t) {
    auto again = parse_timestamp(format_timestamp(t->epoch_ms, t->offset_minutes));
    if (!again || again->epoch_ms != t->epoch_ms) std::abort();
  }
  return 0;
}
