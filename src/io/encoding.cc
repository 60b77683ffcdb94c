#include "io/encoding.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "io/uninit.h"

#include "io/error.h"

namespace tallyscope {
namespace {

// Windows-1252 code points for bytes 0x80..0x9F; the five undefined bytes map to the C1 control
// of the same value, as the WHATWG encoding standard does.
constexpr std::array<char32_t, 32> kCp1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid/incomplete.
size_t utf8_seq(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = s.size() - i;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && (b(i + 1) & 0xC0) == 0x80) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3) return 0;
    unsigned char c1 = b(i + 1);
    if ((c1 & 0xC0) != 0x80 || (b(i + 2) & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
    if (c == 0xED && c1 > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4) return 0;
    unsigned char c1 = b(i + 1);
    if ((c1 & 0xC0) != 0x80 || (b(i + 2) & 0xC0) != 0x80 || (b(i + 3) & 0xC0) != 0x80) return 0;
    if (c == 0xF0 && c1 < 0x90) return 0;
    if (c == 0xF4 && c1 > 0x8F) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

Encoding parse_encoding(std::string_view name) {
  std::string n;
  for (char c : name) n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (n == "auto") return Encoding::kAuto;
  if (n == "utf-8" || n == "utf8") return Encoding::kUtf8;
  if (n == "windows-1252" || n == "cp1252" || n == "win1252") return Encoding::kWindows1252;
  if (n == "latin1" || n == "latin-1" || n == "iso-8859-1" || n == "iso8859-1") return Encoding::kLatin1;
  throw UsageError(fmt::format("unknown encoding '{}' (use auto, utf-8, windows-1252 or latin1)", name));
}

std::string_view encoding_name(Encoding e) {
  switch (e) {
    case Encoding::kAuto: return "auto";
    case Encoding::kUtf8: return "utf-8";
    case Encoding::kWindows1252: return "windows-1252";
    case Encoding::kLatin1: return "latin1";
  }
  return "?";
}

size_t valid_utf8_prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Fast path over ASCII, eight bytes at a time.
    while (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= s.size()) break;
    size_t len = utf8_seq(s, i);
    if (len == 0) return i;
    i += len;
  }
  return s.size();
}

bool ends_in_partial_utf8(std::string_view s) {
  // Look back at most 3 bytes for a lead byte whose sequence would run past the end.
  for (size_t back = 1; back <= 3 && back <= s.size(); ++back) {
    unsigned char c = static_cast<unsigned char>(s[s.size() - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep looking
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return need > back;
  }
  return false;
}

void append_single_byte_as_utf8(std::string_view in, Encoding from, std::string& out) {
  out.reserve(out.size() + in.size() + in.size() / 8);
  for (char ch : in) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else if (c < 0xA0 && from == Encoding::kWindows1252) {
      append_utf8(kCp1252High[c - 0x80], out);
    } else {
      append_utf8(c, out);
    }
  }
}

EncodingScan scan_encoding(ByteSource& source) {
  EncodingScan scan;
  ByteBuffer buf(1 << 20);  // not zeroed: read into at once (uninit.h)
  size_t keep = 0;  // bytes of an incomplete sequence carried from the previous chunk
  bool first = true;
  for (;;) {
    size_t got = source.read(buf.data() + keep, buf.size() - keep);
    const bool end = got == 0;
    size_t n = keep + got;
    size_t i = 0;
    if (first && n >= 3 && std::memcmp(buf.data(), "\xEF\xBB\xBF", 3) == 0) {
      scan.bom = true;
      i = 3;
    }
    if (n >= 3 || end) first = false;
    std::string_view v(buf.data(), n);
    // Judge every byte except an incomplete sequence at the chunk's end (unless the data ended).
    size_t stop = n;
    if (!end) {
      // A lead byte among the last three may begin a sequence the next chunk completes.
      for (size_t back = 1; back <= 3 && back <= n; ++back) {
        unsigned char c = static_cast<unsigned char>(v[n - back]);
        if ((c & 0xC0) == 0x80) continue;
        if (c >= 0xC0) stop = n - back;
        break;
      }
    }
    while (i < stop) {
      unsigned char c = static_cast<unsigned char>(v[i]);
      if (c < 0x80) {
        ++i;
        continue;
      }
      size_t len = utf8_seq(v.substr(0, end ? n : stop), i);
      if (len == 0) {
        ++scan.invalid;
        ++i;
      } else {
        ++scan.valid_multibyte;
        i += len;
      }
    }
    if (end) break;
    keep = n - stop;
    std::memmove(buf.data(), buf.data() + stop, keep);
  }
  scan.encoding = scan.bom || scan.invalid == 0 || scan.valid_multibyte >= scan.invalid ? Encoding::kUtf8
                                                                                       : Encoding::kWindows1252;
  return scan;
}

bool head_settles_utf8(ByteSource& source) {
  constexpr size_t kHead = 64 * 1024;
  ByteBuffer head(kHead);  // not zeroed: read into at once (uninit.h)
  size_t got = 0;
  while (got < kHead) {
    const size_t r = source.read(head.data() + got, kHead - got);
    if (r == 0) break;
    got += r;
  }
  std::string_view v(head.data(), got);
  if (v.substr(0, 3) == "\xEF\xBB\xBF") return true;
  // A sequence cut by the window's end is not judged (the whole-file scan would complete it).
  size_t stop = v.size();
  for (size_t back = 1; back <= 3 && back <= v.size() && got == kHead; ++back) {
    const unsigned char c = static_cast<unsigned char>(v[v.size() - back]);
    if ((c & 0xC0) == 0x80) continue;
    if (c >= 0xC0) stop = v.size() - back;
    break;
  }
  uint64_t multibyte = 0;
  for (size_t i = 0; i < stop;) {
    if (static_cast<unsigned char>(v[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t len = utf8_seq(v.substr(0, stop), i);
    if (len == 0) return false;
    ++multibyte;
    i += len;
  }
  return multibyte >= kSettlingSequences;
}

DecodedSource::DecodedSource(std::unique_ptr<ByteSource> inner, Encoding requested) : inner_(std::move(inner)) {
  // Sniff up to 64 KiB.
  constexpr size_t kSniff = 64 * 1024;
  ByteBuffer head(kSniff);  // not zeroed: read into at once (uninit.h)
  size_t got = 0;
  while (got < kSniff) {
    size_t r = inner_->read(head.data() + got, kSniff - got);
    if (r == 0) break;
    got += r;
  }
  head.resize(got);
  if (got == kSniff) {
    // A character cut by the end of the window: read on until it is complete (or shown not to be
    // UTF-8), so that a lead byte at the very end is judged with the bytes that follow it.
    char c;
    for (int extra = 0; extra < 3 && ends_in_partial_utf8(std::string_view(head.data(), head.size())); ++extra) {
      if (inner_->read(&c, 1) == 0) break;
      head.push_back(c);
    }
  }
  size_t skip = 0;
  auto starts = [&](std::string_view p) { return head.size() >= p.size() && std::memcmp(head.data(), p.data(), p.size()) == 0; };
  if (starts("\xEF\xBB\xBF")) {
    bom_ = true;
    skip = 3;
  } else if (starts(std::string_view("\xFF\xFE\x00\x00", 4)) || starts(std::string_view("\x00\x00\xFE\xFF", 4))) {
    throw InputError({inner_->name(), 1, 1}, "the file is UTF-32 encoded; convert it to UTF-8 (e.g. with iconv)");
  } else if (starts("\xFF\xFE") || starts("\xFE\xFF")) {
    throw InputError({inner_->name(), 1, 1}, "the file is UTF-16 encoded; convert it to UTF-8 (e.g. with iconv)");
  }
  std::string_view body(head.data() + skip, head.size() - skip);
  Encoding enc = requested;
  if (enc == Encoding::kAuto) {
    bool valid = valid_utf8_prefix(body) == body.size();
    enc = (bom_ || valid) ? Encoding::kUtf8 : Encoding::kWindows1252;
  }
  detected_ = enc;
  if (enc == Encoding::kUtf8) {
    pending_.assign(body);
  } else {
    append_single_byte_as_utf8(body, enc, pending_);
  }
}

size_t DecodedSource::read(char* out, size_t n) {
  if (pending_pos_ >= pending_.size()) {
    pending_.clear();
    pending_pos_ = 0;
    if (detected_ == Encoding::kUtf8) return inner_->read(out, n);
    raw_.resize(std::max<size_t>(n / 2, 1));
    size_t got = inner_->read(raw_.data(), raw_.size());
    if (got == 0) return 0;
    append_single_byte_as_utf8(std::string_view(raw_.data(), got), detected_, pending_);
  }
  size_t take = std::min(n, pending_.size() - pending_pos_);
  std::memcpy(out, pending_.data() + pending_pos_, take);
  pending_pos_ += take;
  return take;
}

}  // namespace tallyscope
