#include "io/printable.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <fmt/format.h>

namespace tallyscope {


// ICU's character properties decide what is shown visibly (no hand-written table): general
// category Cc (C0, DEL, C1), Zl and Zp (U+2028, U+2029), and the Bidi_Control property (U+061C,
// U+200E, U+200F, U+202A-U+202E, U+2066-U+2069).
bool shown_as_code(char32_t c) {
  const auto u = static_cast<UChar32>(c);
  const int8_t type = u_charType(u);
  return type == U_CONTROL_CHAR || type == U_LINE_SEPARATOR || type == U_PARAGRAPH_SEPARATOR ||
         u_hasBinaryProperty(u, UCHAR_BIDI_CONTROL);
}

bool is_bidi_control(char32_t c) { return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_BIDI_CONTROL); }

namespace {

std::string escape(std::string_view s, bool keep_lines) {
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) {  // not UTF-8: each byte of the bad sequence by its value
      for (int32_t k = start; k < i; ++k) out += fmt::format("\\x{:02X}", p[k]);
      continue;
    }
    if (!shown_as_code(c)) {
      out.append(s.substr(start, i - start));
      continue;
    }
    if ((c == '\n' || c == '\t') && keep_lines) out.push_back(static_cast<char>(c));
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x80) out += fmt::format("\\x{:02X}", c);
    else out += fmt::format("<U+{:04X}>", c);
  }
  return out;
}

}  // namespace

std::string printable(std::string_view s) { return escape(s, false); }
std::string printable_lines(std::string_view s) { return escape(s, true); }

}  // namespace tallyscope
