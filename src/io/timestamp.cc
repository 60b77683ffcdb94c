#include "io/timestamp.h"

#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

#include "io/number.h"

namespace tallyscope {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + static_cast<int>(d);
  }
  out = v;
  return true;
}

}  // namespace

std::optional<int32_t> parse_utc_offset(std::string_view t) {
  t = trim(t);
  if (t == "Z" || t == "z" || t == "UTC" || t == "GMT") return 0;
  if (t.size() < 3 || (t[0] != '+' && t[0] != '-')) return std::nullopt;
  int sign = t[0] == '-' ? -1 : 1;
  int hh = 0, mm = 0;
  if (!digits(t, 1, 2, hh)) return std::nullopt;
  size_t p = 3;
  if (p < t.size()) {
    if (t[p] == ':') ++p;
    if (!digits(t, p, 2, mm) || p + 2 != t.size()) return std::nullopt;
  }
  if (hh > 14 || mm > 59) return std::nullopt;
  return sign * (hh * 60 + mm);
}

std::optional<Timestamp> parse_timestamp(std::string_view text, int32_t default_offset_minutes) {
  std::string_view t = trim(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(t, 0, 4, y) || t.size() < 10 || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' ||
      !digits(t, 8, 2, d))
    return std::nullopt;
  size_t p = 10;
  int ms = 0;
  if (p < t.size() && (t[p] == 'T' || t[p] == 't' || t[p] == ' ')) {
    ++p;
    if (!digits(t, p, 2, h) || p + 2 >= t.size() || t[p + 2] != ':' || !digits(t, p + 3, 2, mi)) return std::nullopt;
    p += 5;
    if (p < t.size() && t[p] == ':') {
      if (!digits(t, p + 1, 2, s)) return std::nullopt;
      p += 3;
      if (p < t.size() && (t[p] == '.' || t[p] == ',')) {
        ++p;
        size_t start = p;
        int scale = 100;
        while (p < t.size() && t[p] >= '0' && t[p] <= '9') {
          ms += (t[p] - '0') * scale;
          scale /= 10;
          ++p;
        }
        if (p == start) return std::nullopt;
      }
    }
  }
  Timestamp out;
  out.offset_minutes = default_offset_minutes;
  if (p < t.size()) {
    auto off = parse_utc_offset(t.substr(p));
    if (!off) return std::nullopt;
    out.offset_minutes = *off;
    out.had_offset = true;
  }
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  int64_t days = sys_days(ymd).time_since_epoch().count();
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - static_cast<int64_t>(out.offset_minutes) * 60;
  out.epoch_ms = secs * 1000 + ms;
  return out;
}

std::string format_timestamp(int64_t epoch_ms, int32_t offset_minutes) {
  using namespace std::chrono;
  int64_t local_ms = epoch_ms + static_cast<int64_t>(offset_minutes) * 60000;
  int64_t secs = local_ms >= 0 ? local_ms / 1000 : -((-local_ms + 999) / 1000);
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  int64_t ms = local_ms - secs * 1000;  // 0..999
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  std::string zone;
  if (offset_minutes == 0) {
    zone = "Z";
  } else {
    int a = std::abs(offset_minutes);
    zone = fmt::format("{}{:02}:{:02}", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  }
  // Milliseconds only when there are any, so that whole seconds print as before and any value
  // parses back to itself.
  std::string fraction = ms ? fmt::format(".{:03}", ms) : std::string();
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), rem / 3600,
                     (rem / 60) % 60, rem % 60, fraction, zone);
}

}  // namespace tallyscope
