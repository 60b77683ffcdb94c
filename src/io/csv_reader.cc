#include "io/csv_reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <optional>
#include <filesystem>
#include <limits>

#include <fmt/format.h>

#include "io/error.h"
#include "io/xlsx_reader.h"

namespace tallyscope {
namespace {

constexpr size_t kChunk = 1 << 20;

// Physical line breaks in [b, e): LF, CRLF or a lone CR, as the record scanner counts them.
uint64_t count_line_breaks(const char* b, const char* e) {
  uint64_t n = 0;
  for (const char* c = b; c < e; ++c)
    if (*c == '\n' || (*c == '\r' && (c + 1 == e || c[1] != '\n'))) ++n;
  return n;
}

XlsxOptions xlsx_options(const CsvOptions& o) {
  XlsxOptions x;
  x.sheet = o.sheet;
  x.zip = o.zip;
  x.max_field_bytes = o.max_field_bytes;
  x.max_columns = o.max_columns;
  return x;
}

// The first bytes of a file ("" when it cannot be opened: open_input then says why).
std::string file_head(const std::string& path, size_t n) {
  std::string head(n, '\0');
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return {};
  head.resize(std::fread(head.data(), 1, n, f));
  std::fclose(f);
  return head;
}

bool named_xlsx(const std::string& path) {
  auto ends = [&](std::string_view suffix) {
    if (path.size() < suffix.size()) return false;
    for (size_t i = 0; i < suffix.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(path[path.size() - suffix.size() + i])) != suffix[i]) return false;
    return true;
  };
  return ends(".xlsx") || ends(".xlsm");
}

}  // namespace

CsvReader::CsvReader(std::unique_ptr<XlsxReader> xlsx, CsvOptions options)
    : options_(std::move(options)), xlsx_(std::move(xlsx)) {}

CsvReader::~CsvReader() = default;

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, CsvOptions options) : options_(options) {
  if (source->is_zip()) {
    // Standard input or memory: libzip needs to seek, so the archive is held in memory.
    std::string data;
    std::vector<char> chunk(1 << 16);
    while (size_t got = source->read(chunk.data(), chunk.size())) data.append(chunk.data(), got);
    xlsx_ = XlsxReader::open_memory(std::move(data), source->name(), xlsx_options(options_));
    return;
  }
  auto decoded = std::make_unique<DecodedSource>(std::move(source), options.encoding);
  encoding_ = decoded->detected();
  bom_ = decoded->had_bom();
  source_ = std::move(decoded);
  buf_.resize(kChunk);
  refill();
  delimiter_ = options_.delimiter ? options_.delimiter : detect_delimiter();
}

// A small plain file is read once, whole: its encoding scan and its reading then cost one open
// instead of three (a folder of 873 one-mesa files spent a third of its time opening them).
constexpr uint64_t kWholeFile = 1u << 20;

std::optional<std::string> small_plain_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec || size > kWholeFile) return std::nullopt;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return std::nullopt;
  std::string data(size, '\0');
  data.resize(std::fread(data.data(), 1, size, f));
  const bool more = std::fgetc(f) != EOF;  // grew since the stat: read it as a stream instead
  std::fclose(f);
  if (more || data.size() != size) return std::nullopt;
  if (data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1F && static_cast<unsigned char>(data[1]) == 0x8B)
    return std::nullopt;  // gzip: streamed, with its ratio limits
  return data;
}

std::unique_ptr<CsvReader> CsvReader::open(const std::string& path, CsvOptions options) {
  std::optional<std::string> whole = path != "-" ? small_plain_file(path) : std::nullopt;
  if (whole && !looks_like_zip(whole->substr(0, 8)) && !named_xlsx(path) &&
      whole->substr(0, 8) != std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
    if (options.encoding == Encoding::kAuto) {
      auto scan_source = open_memory(*whole, path, options.limits);
      options.encoding = scan_encoding(*scan_source).encoding;
    }
    return std::make_unique<CsvReader>(open_memory(std::move(*whole), path, options.limits), options);
  }
  if (path != "-") {
    std::string head = file_head(path, 8);
    if (looks_like_zip(head))
      return std::unique_ptr<CsvReader>(new CsvReader(XlsxReader::open_file(path, xlsx_options(options)), options));
    if (head.size() == 8 && head == std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
      throw InputError({path}, "an Excel 97-2003 workbook (.xls) or another OLE2 file, which tallyscope does not "
                               "read: save it as XLSX or CSV");
    if (named_xlsx(path) && !head.empty())
      throw InputError({path}, "named like an XLSX workbook but not a zip archive (an XLSX file begins with the "
                               "bytes PK): a damaged download, or another format renamed?");
  }
  // The encoding is decided on the whole file (a pass of its own) unless its first 64 KiB settle
  // it (head_settles_utf8); standard input, which cannot be read twice, is decided on its first
  // 64 KiB by DecodedSource.
  if (options.encoding == Encoding::kAuto && path != "-") {
    auto head_source = open_input(path, options.limits);
    if (head_settles_utf8(*head_source)) {
      options.encoding = Encoding::kUtf8;
    } else {
      auto scan_source = open_input(path, options.limits);
      options.encoding = scan_encoding(*scan_source).encoding;
    }
  }
  return std::make_unique<CsvReader>(open_input(path, options.limits), options);
}

// Moves unread data to the front and reads more; grows the buffer when a record fills it.
bool CsvReader::refill() {
  if (eof_) return false;
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == buf_.size()) {
    // Saturating: a huge --max-field-bytes (meaning "no limit") must not wrap around to a tiny one.
    constexpr size_t kMax = std::numeric_limits<size_t>::max();
    size_t limit = options_.max_field_bytes > (kMax - kChunk) / 2 ? kMax : options_.max_field_bytes * 2 + kChunk;
    if (buf_.size() >= limit)
      throw InputError({name(), line_},
                       fmt::format("a record longer than {} bytes (the limit on a field is {} bytes; "
                                   "raise it with --max-field-bytes)", buf_.size(), options_.max_field_bytes));
    buf_.resize(std::min(buf_.size() * 2, limit));
  }
  bool any = false;
  while (end_ < buf_.size()) {
    size_t got = source_->read(buf_.data() + end_, buf_.size() - end_);
    if (got == 0) {
      eof_ = true;
      break;
    }
    end_ += got;
    any = true;
    if (end_ - pos_ >= kChunk / 2) break;
  }
  return any;
}

char CsvReader::detect_delimiter() const {
  // Count each candidate outside quotes on the first lines; pick the one whose count is the same
  // non-zero number on most lines (ties go to the larger count, then to the order below).
  constexpr std::array<char, 4> kCandidates = {',', ';', '\t', '|'};
  std::string_view text(buf_.data() + pos_, end_ - pos_);
  std::array<std::vector<int>, 4> counts;
  std::array<int, 4> current{};
  bool quoted = false;
  bool content = false;  // whether the current line has any character (empty lines hold no record)
  int lines = 0;
  for (size_t i = 0; i < text.size() && lines < 50; ++i) {
    char c = text[i];
    if (c == '"') {
      quoted = !quoted;
      content = true;
    } else if (!quoted && (c == '\n' || c == '\r')) {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (!content) continue;  // an empty line: the reader skips it, so must the detection
      for (size_t k = 0; k < 4; ++k) counts[k].push_back(current[k]);
      current.fill(0);
      content = false;
      ++lines;
    } else {
      content = true;
      if (!quoted) {
        switch (c) {  // kCandidates, in order
          case ',': ++current[0]; break;
          case ';': ++current[1]; break;
          case '\t': ++current[2]; break;
          case '|': ++current[3]; break;
          default: break;
        }
      }
    }
  }
  if (lines < 50 && std::any_of(current.begin(), current.end(), [](int v) { return v > 0; }))
    for (size_t k = 0; k < 4; ++k) counts[k].push_back(current[k]);
  char best = ',';
  double best_score = -1;
  for (size_t k = 0; k < 4; ++k) {
    if (counts[k].empty() || counts[k][0] == 0) continue;  // the header must contain it
    int header = counts[k][0];
    int agree = 0;
    for (int v : counts[k]) agree += v == header;
    double score = static_cast<double>(agree) / counts[k].size() * 1e6 + header;
    if (score > best_score) {
      best_score = score;
      best = kCandidates[k];
    }
  }
  return best;
}

CsvReader::Scan CsvReader::scan_record(CsvRecord& record) {
  const char d = delimiter_;
  const char* data = buf_.data();
  size_t p = pos_;
  uint64_t newlines = 0;
  marks_.clear();
  // Skip empty lines (they hold no record); this progress is kept even if the record that
  // follows needs more data.
  while (p < end_ && (data[p] == '\n' || data[p] == '\r')) {
    if (data[p] == '\r') {
      if (p + 1 >= end_ && !eof_) return Scan::kNeedMore;
      if (p + 1 < end_ && data[p + 1] == '\n') ++p;
    }
    ++p;
    ++line_;
    pos_ = p;
  }
  if (p >= end_) return eof_ ? Scan::kEnd : Scan::kNeedMore;
  const uint64_t start_line = line_;
  for (;;) {
    if (marks_.size() >= options_.max_columns)
      throw InputError({name(), start_line},
                       fmt::format("a record with more than {} columns (raise the limit with --max-columns)",
                                   options_.max_columns));
    if (p < end_ && data[p] == '"') {
      size_t field_begin = p + 1;
      size_t q = field_begin;
      bool escapes = false;
      for (;;) {
        const void* hit = std::memchr(data + q, '"', end_ - q);
        if (!hit) {
          if (!eof_) return Scan::kNeedMore;
          throw InputError({name(), start_line, marks_.size() + 1},
                           "unterminated quoted field: the file ends before its closing quote");
        }
        size_t at = static_cast<const char*>(hit) - data;
        if (at + 1 < end_ && data[at + 1] == '"') {
          escapes = true;
          q = at + 2;
          continue;
        }
        if (at + 1 >= end_ && !eof_) return Scan::kNeedMore;
        newlines += count_line_breaks(data + field_begin, data + at);
        // The limit is on the field's value: each doubled quote counts once.
        size_t length = at - field_begin;
        if (escapes) length -= static_cast<size_t>(std::count(data + field_begin, data + at, '"')) / 2;
        if (length > options_.max_field_bytes)
          throw InputError({name(), start_line, marks_.size() + 1},
                           fmt::format("a field longer than {} bytes (raise the limit with --max-field-bytes)",
                                       options_.max_field_bytes));
        marks_.push_back({(field_begin), (at), escapes});
        p = at + 1;
        break;
      }
      if (p < end_ && data[p] != d && data[p] != '\n' && data[p] != '\r')
        throw InputError({name(), start_line + newlines, marks_.size()},
                         fmt::format("unexpected character '{}' after a closing quote (a quote inside a quoted "
                                     "field must be doubled)", data[p]));
    } else {
      size_t field_begin = p;
      while (p < end_) {
        char c = data[p];
        if (c == d || c == '\n' || c == '\r') break;
        ++p;
      }
      if (p >= end_ && !eof_) return Scan::kNeedMore;
      if (p - field_begin > options_.max_field_bytes)
        throw InputError({name(), start_line, marks_.size() + 1},
                         fmt::format("a field longer than {} bytes (raise the limit with --max-field-bytes)",
                                     options_.max_field_bytes));
      marks_.push_back({(field_begin), (p), false});
    }
    // Now at a delimiter, a line end, or the end of the data.
    if (p >= end_) break;  // eof_ here
    if (data[p] == d) {
      ++p;
      if (p >= end_) {
        if (!eof_) return Scan::kNeedMore;
        // The empty field after a final delimiter counts towards the column limit too.
        if (marks_.size() >= options_.max_columns)
          throw InputError({name(), start_line},
                           fmt::format("a record with more than {} columns (raise the limit with --max-columns)",
                                       options_.max_columns));
        marks_.push_back({(p), (p), false});
        break;
      }
      continue;
    }
    if (data[p] == '\r') {
      if (p + 1 >= end_ && !eof_) return Scan::kNeedMore;
      if (p + 1 < end_ && data[p + 1] == '\n') ++p;
    }
    ++p;
    ++newlines;
    break;
  }
  // The record is complete: unescape doubled quotes in place and publish views.
  record.fields.clear();
  record.fields.reserve(marks_.size());
  for (const FieldMark& m : marks_) {
    char* b = buf_.data() + m.begin;
    size_t len = m.end - m.begin;
    if (m.quoted_escapes) {
      size_t w = 0;
      for (size_t r = 0; r < len; ++r) {
        b[w++] = b[r];
        if (b[r] == '"') ++r;  // skip the second quote of a pair
      }
      len = w;
    }
    record.fields.emplace_back(b, len);
  }
  record.line = start_line;
  line_ = start_line + newlines;
  pos_ = p;
  return Scan::kRecord;
}

const std::string& CsvReader::name() const { return xlsx_ ? xlsx_->name() : source_->name(); }
std::string CsvReader::sheet_name() const { return xlsx_ ? xlsx_->sheet_name() : std::string(); }
bool CsvReader::date1904() const { return xlsx_ && xlsx_->date1904(); }

bool CsvReader::next(CsvRecord& record) {
  if (xlsx_) return xlsx_->next(record.fields, record.line);
  for (;;) {
    Scan s = scan_record(record);
    if (s == Scan::kRecord) return true;
    if (s == Scan::kEnd) return false;
    // Need more data: the partial record (from pos_) moves to the front.
    if (!refill() && !eof_) return false;
  }
}

InputError ragged_row(const std::string& file, uint64_t line, size_t fields, size_t width) {
  return InputError({file, line, std::min(fields, width) + (fields > width ? 1 : 0)},
                    fmt::format("this row has {} fields where the header has {} (a ragged row: check the delimiter, "
                                "quoting, or a missing or extra field)", fields, width));
}

std::vector<std::string> split_csv_line(std::string_view line, char delimiter) {
  CsvOptions o;
  o.delimiter = delimiter;
  CsvReader reader(open_memory(std::string(line)), o);
  CsvRecord rec;
  std::vector<std::string> out;
  if (reader.next(rec))
    for (auto f : rec.fields) out.emplace_back(f);
  return out;
}

}  // namespace tallyscope
