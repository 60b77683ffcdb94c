#include "io/number.h"

#include <charconv>
#include <cmath>

#include <fast_float/fast_float.h>

namespace tallyscope {

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

CountParse parse_count(std::string_view text, int64_t& value) {
  // Fast path: plain digits, the overwhelmingly common case (12 digits stay below kMaxCount).
  if (!text.empty() && text.size() <= 12) {
    int64_t v = 0;
    size_t i = 0;
    for (; i < text.size(); ++i) {
      unsigned d = static_cast<unsigned char>(text[i]) - '0';
      if (d > 9) break;
      v = v * 10 + d;
    }
    if (i == text.size()) {
      value = v;
      return CountParse::kOk;
    }
  }
  std::string_view t = trim(text);
  if (t.empty()) return CountParse::kEmpty;
  bool negative = false;
  if (t[0] == '-' || t[0] == '+') {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  if (t.empty() || static_cast<unsigned>(t[0] - '0') > 9) return CountParse::kNotANumber;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc::result_out_of_range) return CountParse::kOverflow;
  std::string_view rest(ptr, static_cast<size_t>(t.data() + t.size() - ptr));
  if (!rest.empty()) {
    if (rest[0] != '.') return CountParse::kNotANumber;
    rest.remove_prefix(1);
    // All of the fraction must be digits ("1.5x" is not a number) before it can be a fraction.
    bool nonzero = false;
    for (char c : rest) {
      if (c < '0' || c > '9') return CountParse::kNotANumber;
      nonzero |= c != '0';
    }
    if (nonzero) return CountParse::kFraction;
  }
  if (negative && v != 0) return CountParse::kNegative;
  if (v > kMaxCount) return CountParse::kOverflow;
  value = v;
  return CountParse::kOk;
}

const char* describe(CountParse p) {
  switch (p) {
    case CountParse::kOk: return "ok";
    case CountParse::kEmpty: return "empty";
    case CountParse::kNotANumber: return "not a number";
    case CountParse::kNegative: return "negative";
    case CountParse::kFraction: return "not a whole number";
    case CountParse::kOverflow: return "too large";
  }
  return "?";
}

std::optional<double> parse_double(std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty()) return std::nullopt;
  if (t[0] == '+') {
    t.remove_prefix(1);
    if (t.empty() || t[0] == '-' || t[0] == '+') return std::nullopt;  // "+-5" is not a number
  }
  double v = 0;
  auto r = fast_float::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace tallyscope
