#include "report/html.h"

#include <cmath>

#include <unicode/utf8.h>

#include <fmt/format.h>

#include "io/printable.h"

#include "report/assets.h"

namespace tallyscope::report {

std::string join_asset(const char* const* chunks) {
  std::string out;
  for (; *chunks; ++chunks) out += *chunks;
  return out;
}

std::string esc(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < n;) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      // A bidi control in a user's string (U+202E) would reorder the sentence it stands in
      // ("leads by 33.21" shown as "12.33"): shown as its code instead.
      const int32_t start = i;
      UChar32 u;
      U8_NEXT(p, i, n, u);
      if (u >= 0 && is_bidi_control(static_cast<char32_t>(u))) out += fmt::format("&lt;U+{:04X}&gt;", u);
      else out.append(text.substr(start, i - start));
      continue;
    }
    ++i;
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_for_script(const nlohmann::ordered_json& j) {
  // error_handler::replace: invalid UTF-8 in a user string becomes U+FFFD instead of throwing.
  std::string s = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::string out;
  out.reserve(s.size() + 64);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else if (c == '\xE2' && i + 2 < s.size() && s[i + 1] == '\x80' && (s[i + 2] == '\xA8' || s[i + 2] == '\xA9')) {
      out += s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else out += c;
  }
  return out;
}

std::string num(double v, int decimals) {
  if (std::isnan(v)) return "n/a";
  return fmt::format("{:.{}f}", v, decimals);
}

std::string count(long long v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  int n = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (n && n % 3 == 0) out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++n;
  }
  return v < 0 ? "-" + out : out;
}

std::string signed_points(double v, int decimals) {
  if (std::isnan(v)) return "n/a";
  return fmt::format("{:+.{}f}", v, decimals);
}

std::string percent(double share, int decimals) {
  if (std::isnan(share)) return "n/a";
  return fmt::format("{:.{}f}%", 100 * share, decimals);
}

std::string probability(double p) {
  if (std::isnan(p)) return "n/a";
  if (p > 0.999) return p >= 1 ? "above 99.9% (every draw)" : "above 99.9%";
  if (p < 0.001) return p <= 0 ? "below 0.1% (no draw)" : "below 0.1%";
  return percent(p, 1);
}

std::string chart_div(const Chart& c) {
  return fmt::format("<figure><div class=\"chart\" id=\"{}\" data-chart=\"pending\"></div><figcaption>{}</figcaption></figure>\n",
                     esc(c.id), esc(c.caption));
}

void add_chart(Section& sec, Chart c) {
  sec.html += chart_div(c);
  sec.charts.push_back(std::move(c));
}

std::string para(std::string_view text) { return "<p>" + esc(text) + "</p>\n"; }

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& numeric, std::string_view css_class) {
  std::string o = fmt::format("<table class=\"sortable {}\"><thead><tr>", esc(css_class));
  for (size_t i = 0; i < header.size(); ++i)
    o += fmt::format("<th data-type=\"{}\" tabindex=\"0\">{}</th>", i < numeric.size() && numeric[i] ? "num" : "text",
                     esc(header[i]));
  o += "</tr></thead><tbody>\n";
  for (const auto& r : rows) {
    o += "<tr>";
    for (size_t i = 0; i < r.size(); ++i)
      o += (i < numeric.size() && numeric[i] ? "<td class=\"num\">" : "<td>") + esc(r[i]) + "</td>";
    o += "</tr>\n";
  }
  return o + "</tbody></table>\n";
}

}  // namespace tallyscope::report
