#include "io/xlsx_reader.h"

#include <expat.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <deque>
#include <exception>
#include <unordered_map>

#include <fmt/format.h>

#include "io/error.h"
#include "io/number.h"
#include "io/xlsx_cell.h"

namespace tallyscope {
// Not an anonymous namespace: XlsxReader::State holds these types.
namespace xlsx_internal {

constexpr size_t kXlsxChunk = 1 << 16;

// Element and attribute names without their namespace prefix ("x:row" is "row", "r:id" is "id").
std::string_view xlsx_local(const char* name) {
  const char* colon = std::strrchr(name, ':');
  return colon ? colon + 1 : name;
}

const char* xlsx_attr(const char** atts, std::string_view local) {
  for (; *atts; atts += 2)
    if (xlsx_local(atts[0]) == local) return atts[1];
  return nullptr;
}

// A SAX handler over one part of the workbook. Expat calls back through C frames, so an error
// raised in a callback is kept, the parser stopped, and the error rethrown once XML_Parse returns.
class XlsxSax {
 public:
  XlsxSax(std::string file, std::string part) : file_(std::move(file)), part_(std::move(part)) {
    parser_ = XML_ParserCreate("UTF-8");
    if (!parser_) throw InputError({file_}, "cannot create an XML parser");
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &XlsxSax::on_start, &XlsxSax::on_end);
    XML_SetCharacterDataHandler(parser_, &XlsxSax::on_text);
    // No part of a workbook has a document type; refusing it rules out entity expansion.
    XML_SetStartDoctypeDeclHandler(parser_, &XlsxSax::on_doctype);
  }
  virtual ~XlsxSax() { XML_ParserFree(parser_); }
  XlsxSax(const XlsxSax&) = delete;
  XlsxSax& operator=(const XlsxSax&) = delete;

  void feed(const char* data, size_t n, bool final) {
    if (XML_Parse(parser_, data, static_cast<int>(n), final) != XML_STATUS_ERROR) return;
    if (error_) std::rethrow_exception(error_);
    throw InputError(where(), fmt::format("malformed XML in the workbook part '{}' (its line {}, column {}): {}",
                                          part_, XML_GetCurrentLineNumber(parser_),
                                          XML_GetCurrentColumnNumber(parser_),
                                          XML_ErrorString(XML_GetErrorCode(parser_))));
  }

  // Parses a whole part.
  void parse(const ZipArchive& zip) {
    auto r = zip.open_entry(part_);
    std::vector<char> buf(kXlsxChunk);
    for (;;) {
      size_t got = r->read(buf.data(), buf.size());
      feed(buf.data(), got, got == 0);
      if (got == 0) break;
    }
  }

 protected:
  virtual void start(std::string_view name, const char** atts) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(std::string_view) {}
  virtual SourceLocation where() const { return {file_}; }

  std::string file_, part_;

 private:
  template <typename F>
  static void guarded(void* user, F&& f) {
    auto* self = static_cast<XlsxSax*>(user);
    if (self->error_) return;
    try {
      f(*self);
    } catch (...) {
      self->error_ = std::current_exception();
      XML_StopParser(self->parser_, XML_FALSE);
    }
  }
  static void XMLCALL on_start(void* u, const XML_Char* name, const XML_Char** atts) {
    guarded(u, [&](XlsxSax& s) { s.start(xlsx_local(name), atts); });
  }
  static void XMLCALL on_end(void* u, const XML_Char* name) {
    guarded(u, [&](XlsxSax& s) { s.end(xlsx_local(name)); });
  }
  static void XMLCALL on_text(void* u, const XML_Char* s, int len) {
    guarded(u, [&](XlsxSax& x) { x.text(std::string_view(s, static_cast<size_t>(len))); });
  }
  static void XMLCALL on_doctype(void* u, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    guarded(u, [](XlsxSax& s) {
      throw InputError(s.where(), fmt::format("the workbook part '{}' declares a document type, which no XLSX "
                                              "part has (refused: entity expansion)", s.part_));
    });
  }

  XML_Parser parser_ = nullptr;
  std::exception_ptr error_;
};

// A package's relationships (_rels/*.rels): id -> (type, target).
struct XlsxRel {
  std::string type, target;
};

class XlsxRelsSax final : public XlsxSax {
 public:
  using XlsxSax::XlsxSax;
  std::unordered_map<std::string, XlsxRel> rels;

 protected:
  void start(std::string_view name, const char** atts) override {
    if (name != "Relationship") return;
    const char* id = xlsx_attr(atts, "Id");
    const char* target = xlsx_attr(atts, "Target");
    const char* type = xlsx_attr(atts, "Type");
    if (id && target) rels[id] = {type ? type : "", target};
  }
  void end(std::string_view) override {}
};

struct XlsxSheetEntry {
  std::string name, rel_id;
};

class XlsxWorkbookSax final : public XlsxSax {
 public:
  using XlsxSax::XlsxSax;
  std::vector<XlsxSheetEntry> sheets;
  bool date1904 = false;

 protected:
  void start(std::string_view name, const char** atts) override {
    if (name == "sheet") {
      const char* n = xlsx_attr(atts, "name");
      const char* id = xlsx_attr(atts, "id");
      sheets.push_back({n ? n : "", id ? id : ""});
    } else if (name == "workbookPr") {
      const char* d = xlsx_attr(atts, "date1904");
      date1904 = d && (std::strcmp(d, "1") == 0 || std::strcmp(d, "true") == 0);
    }
  }
  void end(std::string_view) override {}
};

// The shared strings table: each <si>'s text runs joined, phonetic runs (<rPh>) left out.
class XlsxSharedStringsSax final : public XlsxSax {
 public:
  XlsxSharedStringsSax(std::string file, std::string part, size_t max_field)
      : XlsxSax(std::move(file), std::move(part)), max_field_(max_field) {}
  std::vector<std::string> strings;

 protected:
  void start(std::string_view name, const char**) override {
    if (name == "si") {
      in_si_ = true;
      current_.clear();
    } else if (name == "rPh") {
      ++phonetic_;
    } else if (name == "t" && in_si_ && phonetic_ == 0) {
      in_t_ = true;
    }
  }
  void end(std::string_view name) override {
    if (name == "t") in_t_ = false;
    else if (name == "rPh" && phonetic_ > 0) --phonetic_;
    else if (name == "si" && in_si_) {
      strings.push_back(std::move(current_));
      current_.clear();
      in_si_ = false;
    }
  }
  void text(std::string_view s) override {
    if (!in_t_) return;
    current_.append(s);
    if (current_.size() > max_field_)
      throw InputError({file_}, fmt::format("shared string {} is longer than {} bytes (raise the limit with "
                                            "--max-field-bytes)", strings.size(), max_field_));
  }

 private:
  size_t max_field_;
  std::string current_;
  bool in_si_ = false, in_t_ = false;
  int phonetic_ = 0;
};

struct XlsxRow {
  uint64_t number = 0;
  std::vector<std::string> cells;
};

// The worksheet: <row> and <c> elements into rows of text, queued until next() takes them.
class XlsxSheetSax final : public XlsxSax {
 public:
  XlsxSheetSax(std::string file, std::string part, std::string sheet, const std::vector<std::string>& strings,
               const XlsxOptions& options)
      : XlsxSax(std::move(file), std::move(part)), sheet_(std::move(sheet)), strings_(strings),
        options_(options) {}
  std::deque<XlsxRow> rows;

 protected:
  void start(std::string_view name, const char** atts) override {
    if (name == "row") start_row(atts);
    else if (name == "c") start_cell(atts);
    else if (!in_cell_) return;
    else if (name == "v") in_v_ = true;
    else if (name == "is") in_is_ = true;
    else if (name == "rPh") ++phonetic_;
    else if (name == "t" && in_is_ && phonetic_ == 0) in_t_ = true;
  }
  void end(std::string_view name) override {
    if (name == "row") end_row();
    else if (name == "c") end_cell();
    else if (name == "v") in_v_ = false;
    else if (name == "is") in_is_ = false;
    else if (name == "t") in_t_ = false;
    else if (name == "rPh" && phonetic_ > 0) --phonetic_;
  }
  void text(std::string_view s) override {
    if (!in_v_ && !in_t_) return;
    text_.append(s);
    if (text_.size() > options_.max_field_bytes)
      fail(fmt::format("a cell longer than {} bytes (raise the limit with --max-field-bytes)",
                       options_.max_field_bytes));
  }
  SourceLocation where() const override { return {file_, in_row_ ? row_ : 0, in_cell_ ? column_ : 0}; }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    std::string cell = in_cell_ ? fmt::format(", cell {}{}", column_letters(column_), row_) : "";
    throw InputError(where(), fmt::format("sheet '{}'{}: {}", sheet_, in_row_ && !in_cell_ ? fmt::format(", row {}", row_) : cell, what));
  }

  void start_row(const char** atts) {
    if (in_row_) fail("a row inside a row");
    const char* r = xlsx_attr(atts, "r");
    uint64_t number = last_row_ + 1;
    if (r) {
      auto ref = parse_cell_ref(std::string("A") + r);
      if (!ref || ref->row == 0) fail(fmt::format("the row number '{}' is not one from 1 to 1048576", r));
      number = ref->row;
    }
    if (number <= last_row_)
      throw InputError({file_, number}, fmt::format("sheet '{}': row {} comes after row {} (rows out of order)",
                                                    sheet_, number, last_row_));
    row_ = last_row_ = number;
    in_row_ = true;
    cells_.clear();
    next_column_ = 1;
  }

  void start_cell(const char** atts) {
    if (!in_row_) fail("a cell outside a row");
    const char* r = xlsx_attr(atts, "r");
    uint32_t column = next_column_;
    if (r) {
      auto ref = parse_cell_ref(r);
      if (!ref || (ref->row != 0 && ref->row != row_))
        fail(fmt::format("the cell reference '{}' is not a cell of row {}", r, row_));
      column = ref->column;
    }
    if (column < next_column_) {
      column_ = column;
      in_cell_ = true;
      fail("the cell comes after a cell to its right, or twice (cells out of order)");
    }
    column_ = column;
    in_cell_ = true;
    if (column > options_.max_columns)
      fail(fmt::format("a row with more than {} columns (raise the limit with --max-columns)", options_.max_columns));
    const char* t = xlsx_attr(atts, "t");
    type_ = t ? t : "n";
    text_.clear();
  }

  std::string cell_value() const {
    if (type_ == "s") {
      auto index = parse_double(text_);
      if (!index || *index < 0 || *index >= static_cast<double>(strings_.size()) || *index != std::floor(*index))
        fail(fmt::format("the shared string index '{}' is not one of the workbook's {} shared strings",
                         text_.substr(0, 40), strings_.size()));
      return strings_[static_cast<size_t>(*index)];
    }
    if (type_ == "n") {
      if (text_.empty()) return {};
      auto n = excel_number_text(text_);
      if (!n) fail(fmt::format("the numeric cell holds '{}', which is not a number", text_.substr(0, 40)));
      return *n;
    }
    if (type_ == "b") return text_ == "1" ? "TRUE" : text_ == "0" ? "FALSE" : text_;
    return text_;  // inlineStr, str (a formula's text), e (an error such as #N/A), d (an ISO 8601 date)
  }

  void end_cell() {
    if (!in_cell_) return;
    std::string v = cell_value();
    if (!v.empty()) {
      if (cells_.size() < column_) cells_.resize(column_);
      cells_[column_ - 1] = std::move(v);
    }
    next_column_ = column_ + 1;
    in_cell_ = in_v_ = in_is_ = in_t_ = false;
    phonetic_ = 0;
  }

  void end_row() {
    if (!in_row_) return;
    in_row_ = false;
    if (cells_.empty()) return;  // an empty row holds no record, like an empty line
    if (width_ == 0) width_ = cells_.size();
    if (cells_.size() < width_) cells_.resize(width_);
    rows.push_back({row_, std::move(cells_)});
    cells_.clear();
  }

  std::string sheet_;
  const std::vector<std::string>& strings_;
  const XlsxOptions& options_;
  std::vector<std::string> cells_;
  std::string type_, text_;
  uint64_t row_ = 0, last_row_ = 0;
  uint32_t column_ = 0, next_column_ = 1;
  size_t width_ = 0;
  bool in_row_ = false, in_cell_ = false, in_v_ = false, in_is_ = false, in_t_ = false;
  int phonetic_ = 0;
};

// A relationship's target as a path in the zip: relative to the part's folder, or absolute.
std::string xlsx_resolve(const std::string& folder, const std::string& target) {
  std::string joined = !target.empty() && target[0] == '/' ? target.substr(1) : folder + target;
  std::vector<std::string> parts;
  size_t b = 0;
  while (b <= joined.size()) {
    size_t e = joined.find('/', b);
    if (e == std::string::npos) e = joined.size();
    std::string seg = joined.substr(b, e - b);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    b = e + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

bool xlsx_type_is(const XlsxRel& rel, std::string_view kind) {
  return rel.type.size() >= kind.size() && rel.type.compare(rel.type.size() - kind.size(), kind.size(), kind) == 0;
}

}  // namespace xlsx_internal

using namespace xlsx_internal;

bool looks_like_zip(std::string_view head) {
  return head.size() >= 4 && head[0] == 'P' && head[1] == 'K' &&
         ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
}

struct XlsxReader::State {
  std::unique_ptr<ZipArchive> zip;
  XlsxOptions options;
  std::vector<XlsxSheetEntry> sheets;
  size_t chosen = 0;
  bool date1904 = false;
  std::vector<std::string> strings;
  std::unique_ptr<ZipEntryReader> entry;
  std::unique_ptr<XlsxSheetSax> sax;
  std::vector<char> buf;
  XlsxRow current;
  bool eof = false;

  void open();
  size_t choose_sheet() const;
  std::unordered_map<std::string, XlsxRel> read_rels(const std::string& part) const;
  bool pump();
};

std::unordered_map<std::string, XlsxRel> XlsxReader::State::read_rels(const std::string& part) const {
  size_t slash = part.rfind('/');
  std::string folder = slash == std::string::npos ? "" : part.substr(0, slash + 1);
  std::string rels_part = folder + "_rels/" + part.substr(folder.size()) + ".rels";
  if (!zip->contains(rels_part)) return {};
  XlsxRelsSax sax(zip->name(), rels_part);
  sax.parse(*zip);
  for (auto& [id, rel] : sax.rels) rel.target = xlsx_resolve(folder, rel.target);
  return std::move(sax.rels);
}

size_t XlsxReader::State::choose_sheet() const {
  const std::string& want = options.sheet;
  if (want.empty()) return 0;
  for (size_t i = 0; i < sheets.size(); ++i)
    if (sheets[i].name == want) return i;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (size_t i = 0; i < sheets.size(); ++i)
    if (lower(sheets[i].name) == lower(want)) return i;
  if (!want.empty() && want.size() < 6 && std::all_of(want.begin(), want.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    size_t n = std::stoul(want);
    if (n >= 1 && n <= sheets.size()) return n - 1;
  }
  std::string names;
  for (size_t i = 0; i < sheets.size() && i < 30; ++i) names += fmt::format("{}{} '{}'", i ? ", " : "", i + 1, sheets[i].name);
  throw InputError({zip->name()}, fmt::format("the workbook has no sheet '{}' (its sheets: {}); choose one with "
                                              "--sheet NAME or --sheet N", want, names));
}

void XlsxReader::State::open() {
  const std::string& file = zip->name();
  std::string workbook = "xl/workbook.xml";
  for (const auto& [id, rel] : read_rels(""))
    if (xlsx_type_is(rel, "/officeDocument")) workbook = rel.target;
  if (!zip->contains(workbook))
    throw InputError({file}, fmt::format("a zip archive but not an XLSX workbook: it has no '{}' (an OpenDocument "
                                         "or other zip file? save it as XLSX or CSV)", workbook));
  XlsxWorkbookSax wb(file, workbook);
  wb.parse(*zip);
  sheets = std::move(wb.sheets);
  date1904 = wb.date1904;
  if (sheets.empty()) throw InputError({file}, "the workbook lists no sheet");
  chosen = choose_sheet();
  auto rels = read_rels(workbook);
  const XlsxSheetEntry& sheet = sheets[chosen];
  auto it = rels.find(sheet.rel_id);
  if (it == rels.end())
    throw InputError({file}, fmt::format("the sheet '{}' has no part in the workbook's relationships", sheet.name));
  if (xlsx_type_is(it->second, "/chartsheet"))
    throw InputError({file}, fmt::format("the sheet '{}' is a chart, not a worksheet; choose another with --sheet", sheet.name));
  if (!zip->contains(it->second.target))
    throw InputError({file}, fmt::format("the sheet '{}' is missing: the workbook has no part '{}'", sheet.name,
                                         it->second.target));
  for (const auto& [id, rel] : rels)
    if (xlsx_type_is(rel, "/sharedStrings") && zip->contains(rel.target)) {
      XlsxSharedStringsSax ss(file, rel.target, options.max_field_bytes);
      ss.parse(*zip);
      strings = std::move(ss.strings);
    }
  entry = zip->open_entry(it->second.target);
  sax = std::make_unique<XlsxSheetSax>(file, it->second.target, sheet.name, strings, options);
  buf.resize(kXlsxChunk);
}

bool XlsxReader::State::pump() {
  if (eof) return false;
  size_t got = entry->read(buf.data(), buf.size());
  sax->feed(buf.data(), got, got == 0);
  if (got == 0) eof = true;
  return true;
}

XlsxReader::XlsxReader(std::unique_ptr<State> s) : s_(std::move(s)) {}
XlsxReader::~XlsxReader() = default;

std::unique_ptr<XlsxReader> XlsxReader::open_file(const std::string& path, XlsxOptions options) {
  auto s = std::make_unique<State>();
  s->options = std::move(options);
  s->zip = ZipArchive::open_file(path, s->options.zip);
  s->open();
  return std::unique_ptr<XlsxReader>(new XlsxReader(std::move(s)));
}

std::unique_ptr<XlsxReader> XlsxReader::open_memory(std::string data, std::string name, XlsxOptions options) {
  auto s = std::make_unique<State>();
  s->options = std::move(options);
  s->zip = ZipArchive::open_memory(std::move(data), std::move(name), s->options.zip);
  s->open();
  return std::unique_ptr<XlsxReader>(new XlsxReader(std::move(s)));
}

bool XlsxReader::next(std::vector<std::string_view>& fields, uint64_t& row) {
  State& s = *s_;
  while (s.sax->rows.empty() && s.pump()) {
  }
  if (s.sax->rows.empty()) return false;
  s.current = std::move(s.sax->rows.front());
  s.sax->rows.pop_front();
  fields.assign(s.current.cells.begin(), s.current.cells.end());
  row = s.current.number;
  return true;
}

const std::string& XlsxReader::name() const { return s_->zip->name(); }
const std::string& XlsxReader::sheet_name() const { return s_->sheets[s_->chosen].name; }
bool XlsxReader::date1904() const { return s_->date1904; }
std::vector<std::string> XlsxReader::sheet_names() const {
  std::vector<std::string> out;
  for (const auto& s : s_->sheets) out.push_back(s.name);
  return out;
}

}  // namespace tallyscope
