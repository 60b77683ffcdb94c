#include "model/load.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "io/encoding.h"
#include "io/error.h"
#include "io/number.h"
#include "io/timestamp.h"
#include "io/xlsx_cell.h"
#include "model/layout.h"
#include "model/column_resolver.h"
#include "model/input_files.h"
#include "model/long_format.h"

namespace tallyscope {
namespace {

constexpr size_t kGuessRows = 500;

CsvOptions csv_options(const LoadOptions& o, const std::optional<ElectionSpec>& spec) {
  CsvOptions c;
  std::string enc = o.encoding;
  if (enc == "auto" && spec) enc = spec->encoding;
  c.encoding = parse_encoding(enc);
  c.delimiter = o.delimiter ? o.delimiter : (spec ? spec->delimiter : 0);
  c.max_field_bytes = o.max_field_bytes;
  c.max_columns = o.max_columns;
  c.limits.max_file_bytes = o.max_file_bytes;
  c.limits.max_gzip_ratio = o.max_gzip_ratio;
  c.sheet = o.sheet;
  c.zip.max_entry_bytes = o.max_zip_entry_bytes;
  c.zip.max_ratio = o.max_zip_ratio;
  return c;
}

std::string hex_byte(unsigned char c) { return fmt::format("0x{:02X}", c); }

// Reads the header and, when guessing, buffers the first rows.
struct Opened {
  std::unique_ptr<CsvReader> reader;
  std::vector<std::string> header;
  uint64_t header_line = 1;
  ElectionSpec spec;
  std::deque<std::pair<uint64_t, std::vector<std::string>>> buffered;  // rows read while guessing
  std::map<std::pair<size_t, size_t>, WideTable::CellOrigin> origins;  // a long file's kept text cells
};

void check_text(const std::string& file, uint64_t line, size_t column, const std::string& header,
                std::string_view text, Encoding enc) {
  size_t ok = valid_utf8_prefix(text);
  if (ok != text.size())
    throw InputError({file, line, column, header},
                     fmt::format("invalid UTF-8: byte {} at offset {} of the cell (read as {}; if the file is "
                                 "Windows-1252 or Latin-1, pass --encoding windows-1252)",
                                 hex_byte(static_cast<unsigned char>(text[ok])), ok + 1, encoding_name(enc)));
  if (text.find('\0') != std::string_view::npos)
    throw InputError({file, line, column, header}, "a NUL byte in a text cell (is this a binary file?)");
}

// The guess profiles every row of the file: a second pass over it (the reader returned stays just
// after the header). Standard input cannot be read twice, so there its first rows are profiled
// and kept for the load.
ElectionSpec guess_from_rows(Opened& o, const std::string& path, const LoadOptions& options) {
  LayoutProfiler profile(o.header);
  CsvRecord rec;
  if (path == "-") {
    while (profile.rows() < kGuessRows && o.reader->next(rec)) {
      profile.add(rec.line, rec.fields);
      o.buffered.emplace_back(rec.line, std::vector<std::string>(rec.fields.begin(), rec.fields.end()));
    }
  } else {
    CsvOptions c = csv_options(options, options.spec);
    c.encoding = o.reader->encoding();
    c.delimiter = o.reader->delimiter();
    auto again = CsvReader::open(path, c);
    bool header = true;
    while (again->next(rec)) {
      if (header) header = false;
      else profile.add(rec.line, rec.fields);
    }
  }
  if (profile.rows() == 0) throw InputError({path, o.header_line}, "the file has a header but no rows");
  return guess_layout(o.header, profile, path);
}

// Opens a file and reads its header row, each cell checked as text.
Opened open_with_header(const std::string& path, const CsvOptions& c) {
  Opened o;
  o.reader = CsvReader::open(path, c);
  CsvRecord rec;
  if (!o.reader->next(rec)) throw InputError({path}, "the file is empty: no header row");
  o.header_line = rec.line;
  for (size_t k = 0; k < rec.fields.size(); ++k) {
    check_text(path, rec.line, k + 1, "", rec.fields[k], o.reader->encoding());
    o.header.emplace_back(trim(rec.fields[k]));
  }
  return o;
}

Opened open_and_map(const std::string& path, const LoadOptions& options) {
  Opened o = open_with_header(path, csv_options(options, options.spec));
  if (options.spec) o.spec = *options.spec;
  else if (auto known = known_layout(o.header)) o.spec = *known;
  else o.spec = guess_from_rows(o, path, options);
  return o;
}

}  // namespace

ElectionSpec detect_spec(const std::string& path, const LoadOptions& options) {
  const InputFiles in = resolve_inputs(path);
  Opened o = open_and_map(in.files.front(), options);
  if (!o.spec.delimiter && !o.reader->is_xlsx()) o.spec.delimiter = o.reader->delimiter();
  if (o.spec.encoding == "auto" && o.reader->encoding() != Encoding::kUtf8)
    o.spec.encoding = std::string(encoding_name(o.reader->encoding()));
  if (in.several)
    o.spec.notes.push_back(fmt::format("the layout of {}, the first of the {} files of {}", in.files.front(),
                                       in.files.size(), in.source));
  return o.spec;
}

namespace {

// One file's rows into Election parts, in named steps: map the spec's columns, then per row check
// its width and read its id, geography, counts, coordinates and timestamp.
class SheetLoader {
 public:
  SheetLoader(const std::string& path, const LoadOptions& options, Opened& o)
      : path_(path), options_(options), o_(o), spec_(o.spec), col_(path, o.header, o.header_line),
        geo_(o.spec.geography), enc_(o.reader->encoding()) {
    parts_.source = path;
    parts_.header = o.header;
    parts_.encoding = std::string(encoding_name(enc_));
    parts_.delimiter = o.reader->delimiter();
    if (o.reader->is_xlsx()) {
      xlsx_ = true;
      date1904_ = o.reader->date1904();
    }
    map_columns();
  }

  // A count of several files: `source` names it, and the rows that follow come from files[index].
  void set_files(const std::string& source, const std::vector<std::string>& files) {
    parts_.source = source;
    parts_.files = files;
  }
  void add_note(std::string note) { notes_.push_back(std::move(note)); }
  void set_file(uint32_t index) {
    if (parts_.files.empty()) return;  // one file: path_ stays
    file_index_ = index;
    path_ = parts_.files[index];
  }
  // The columns a row's fields are read from.
  std::vector<size_t> used_columns() const {
    std::vector<size_t> c = id_cols_;
    c.insert(c.end(), geo_cols_.begin(), geo_cols_.end());
    for (const Target& t : targets_) c.push_back(t.index);
    for (const auto& o : {lat_col_, lon_col_, ts_col_, contest_col_, postal_col_})
      if (o) c.push_back(*o);
    return c;
  }

  void row(uint64_t line, const std::vector<std::string_view>& fields) {
    const std::vector<std::string_view>& f = repaired(line, fields);
    check_width(line, f);
    if (contest_col_ && !in_contest(f)) return;
    if (repair_at_ != SIZE_MAX)
      parts_.row_repairs.push_back({sheet_, line, repair_at_ + 1, o_.header[repair_at_], joined_.substr(0, 200)});
    read_id(line, f);
    read_geography(line, f);
    read_counts(line, f);
    if (lat_col_) read_coordinates(line, f);
    if (ts_col_) read_timestamp(line, f);
    if (postal_col_) {
      const std::string_view v = trim(f[*postal_col_]);
      const auto& values = spec_.postal->values;
      parts_.postal.push_back(std::find(values.begin(), values.end(), v) != values.end());
    }
    ++sheet_;
  }

  Election finish() {
    if (sheet_ == 0 && contest_col_)
      throw InputError({path_, o_.header_line, *contest_col_ + 1, o_.header[*contest_col_]},
                       fmt::format("no row of the race '{}' (races in the file: {})", contest_,
                                   fmt::join(races_, ", ")));
    if (sheet_ == 0 && !parts_.files.empty())
      throw InputError({parts_.source}, fmt::format("none of the {} files has a row", parts_.files.size()));
    if (sheet_ == 0) throw InputError({path_, o_.header_line}, "the file has a header but no rows");
    if (contest_col_)
      parts_.spec.notes.push_back(fmt::format("read the race '{}' of column '{}' ({} sheets); races in the file: {}",
                                              contest_, o_.header[*contest_col_], sheet_, fmt::join(races_, ", ")));
    parts_.geography = std::move(geo_).build();
    parts_.spec = spec_;
    for (auto& n : notes_) parts_.spec.notes.push_back(std::move(n));
    if (spec_.postal)
      parts_.spec.notes.push_back(fmt::format("{} sheets are postal-vote districts ('{}' = {}): their registered voters "
                                              "are on other sheets",
                                              std::count(parts_.postal.begin(), parts_.postal.end(), 1),
                                              spec_.postal->column, fmt::join(spec_.postal->values, " or ")));
    if (!parts_.spec.delimiter && !xlsx_) parts_.spec.delimiter = o_.reader->delimiter();
    if (xlsx_) parts_.spec.notes.push_back(fmt::format("read the sheet '{}' of the workbook", o_.reader->sheet_name()));
    if (parts_.spec.layout == "guess")
      check_guess({&parts_.choices, parts_.registered ? &*parts_.registered : nullptr,
                   parts_.declared_ballots ? &*parts_.declared_ballots : nullptr,
                   parts_.declared_valid ? &*parts_.declared_valid : nullptr},
                  parts_.spec, path_);
    return Election(std::move(parts_));
  }

 private:
  struct Target {
    CountColumn* column;
    size_t index;
  };

  CountColumn make(const std::string& name, const std::string& header, const char* role) {
    CountColumn c;
    c.name = name;
    c.header = header;
    c.column = col_(header, role) + 1;
    return c;
  }

  void map_columns() {
    for (const auto& c : spec_.id) id_cols_.push_back(col_(c, "the sheet id"));
    for (const auto& c : spec_.geography) geo_cols_.push_back(col_(c, "a geography level"));
    geo_names_.resize(geo_cols_.size());
    auto opt = [&](std::optional<CountColumn>& dst, const std::optional<std::string>& h, const char* name,
                   const char* role) {
      if (h) dst = make(name, *h, role);
    };
    opt(parts_.registered, spec_.registered, "registered", "registered voters");
    opt(parts_.blank, spec_.blank, "blank", "blank ballots");
    opt(parts_.invalid, spec_.invalid, "invalid", "invalid ballots");
    opt(parts_.declared_ballots, spec_.ballots, "ballots", "declared ballots");
    opt(parts_.declared_valid, spec_.valid, "valid", "declared valid votes");
    if (spec_.choices.empty()) throw InputError({path_}, "the spec names no choices");
    for (const auto& c : spec_.choices) parts_.choices.push_back(make(c.name, c.column, "a choice"));
    for (const auto& e : spec_.extras) parts_.extras.push_back(make(e.name, e.column, "an extra protocol line"));
    for (auto* c : {&parts_.registered, &parts_.blank, &parts_.invalid, &parts_.declared_ballots, &parts_.declared_valid})
      if (*c) targets_.push_back({&**c, (*c)->column - 1});
    for (auto& c : parts_.choices) targets_.push_back({&c, c.column - 1});
    for (auto& c : parts_.extras) targets_.push_back({&c, c.column - 1});
    if (spec_.latitude) lat_col_ = col_(*spec_.latitude, "latitude");
    if (spec_.longitude) lon_col_ = col_(*spec_.longitude, "longitude");
    if (spec_.latitude.has_value() != spec_.longitude.has_value())
      throw InputError({path_}, "the spec maps only one of latitude and longitude; map both or neither");
    if (spec_.timestamp) ts_col_ = col_(*spec_.timestamp, "the timestamp");
    if (spec_.postal) postal_col_ = col_(spec_.postal->column, "the postal-district marker ([postal] column)");
    if (spec_.contest_column) {
      contest_col_ = col_(*spec_.contest_column, "the race (contest)");
      contest_ = options_.contest.empty() ? spec_.contest : options_.contest;
      if (contest_.empty())
        throw UsageError(fmt::format("{}: the file holds several races (column '{}'); choose one with --contest NAME",
                                     path_, *spec_.contest_column));
    }
    if (!spec_.timezone.empty()) {
      auto off = parse_utc_offset(spec_.timezone);
      if (!off)
        throw InputError({path_}, fmt::format("the spec's timezone '{}' is not a UTC offset like -04:00", spec_.timezone));
      default_offset_ = *off;
    }
  }

  bool in_contest(const std::vector<std::string_view>& f) {
    std::string_view race = trim(f[*contest_col_]);
    if (races_.size() < 20 && std::find(races_.begin(), races_.end(), race) == races_.end())
      races_.emplace_back(race);
    return race == contest_;
  }

  // A row with one field more than the header, exactly one of whose unquoted fields holds a quote
  // character, is read with that field joined to the next (the writer left a field holding a stray
  // quote and the delimiter unquoted) when that makes every count column a count; the repair is
  // recorded (Election::row_repairs, a finding of `check`). Any other ragged row stays an error.
  const std::vector<std::string_view>& repaired(uint64_t /*line*/, const std::vector<std::string_view>& f) {
    const size_t width = o_.header.size();
    repair_at_ = SIZE_MAX;
    if (f.size() != width + 1) return f;
    size_t at = SIZE_MAX;
    for (size_t i = 0; i + 1 < f.size(); ++i) {
      if (f[i].find('"') == std::string_view::npos) continue;
      if (at != SIZE_MAX) return f;  // two candidates: no single reading
      at = i;
    }
    if (at == SIZE_MAX) return f;
    joined_.assign(f[at]);
    joined_.push_back(o_.reader->delimiter());
    joined_.append(f[at + 1]);
    fixed_.assign(f.begin(), f.end());
    fixed_[at] = joined_;
    fixed_.erase(fixed_.begin() + static_cast<std::ptrdiff_t>(at) + 1);
    for (const Target& t : targets_) {
      int64_t v = 0;
      const CountParse r = parse_count(fixed_[t.index], v);
      if (r != CountParse::kOk && r != CountParse::kEmpty) return f;
      if (t.index == at) return f;  // a count column cannot be the one that held text
    }
    repair_at_ = at;
    return fixed_;
  }

  void check_width(uint64_t line, const std::vector<std::string_view>& f) const {
    if (f.size() != o_.header.size()) throw ragged_row(path_, line, f.size(), o_.header.size());
  }

  void read_id(uint64_t line, const std::vector<std::string_view>& f) {
    id_.clear();
    for (size_t k = 0; k < id_cols_.size(); ++k) {
      std::string_view v = trim(f[id_cols_[k]]);
      check_text(path_, line, id_cols_[k] + 1, o_.header[id_cols_[k]], v, enc_);
      if (k) id_.push_back('/');
      id_.append(v);
    }
    // An id of several columns is empty only when all of them are: the CEC's electronic-voting
    // pseudo-stations have no uik, and region/oik/tik/ still names them.
    const bool empty = std::all_of(id_cols_.begin(), id_cols_.end(), [&](size_t c) { return trim(f[c]).empty(); });
    if (empty) {
      const size_t c = id_cols_.back();
      if (!options_.lenient) throw InputError({path_, line, c + 1, o_.header[c]}, "empty sheet id");
      parts_.cell_issues.push_back({sheet_, line, c + 1, o_.header[c], "", "empty sheet id"});
    }
    parts_.ids.push_back(id_);
    parts_.lines.push_back(line);
    if (!parts_.files.empty()) parts_.sheet_file.push_back(file_index_);
  }

  void read_geography(uint64_t line, const std::vector<std::string_view>& f) {
    for (size_t k = 0; k < geo_cols_.size(); ++k) {
      std::string_view v = trim(f[geo_cols_[k]]);
      check_text(path_, line, geo_cols_[k] + 1, o_.header[geo_cols_[k]], v, enc_);
      geo_names_[k] = v;
    }
    geo_.add_sheet(geo_names_);
  }

  void read_counts(uint64_t line, const std::vector<std::string_view>& f) {
    for (Target& t : targets_) {
      int64_t v = 0;
      CountParse r = parse_count(f[t.index], v);
      if (r == CountParse::kOk) {
        t.column->values.push_back(v);
        continue;
      }
      t.column->values.push_back(kMissing);
      ++t.column->missing;
      if (r == CountParse::kEmpty) continue;  // reported by `check` as a missing count
      std::string text(f[t.index].substr(0, 200));
      if (!options_.lenient)
        throw InputError({path_, line, t.index + 1, o_.header[t.index]},
                         fmt::format("the count '{}' is {}: a count must be a whole number of zero or more "
                                     "(pass --lenient to keep such cells as missing and report them in `check`)",
                                     text, describe(r)));
      check_text(path_, line, t.index + 1, o_.header[t.index], text, enc_);
      if (auto at = o_.origins.find({sheet_, t.index}); at != o_.origins.end())
        parts_.cell_issues.push_back(
            {sheet_, at->second.line, at->second.column, at->second.header, text, describe(r), t.index + 1});
      else
        parts_.cell_issues.push_back({sheet_, line, t.index + 1, o_.header[t.index], text, describe(r)});
    }
  }

  void read_coordinates(uint64_t line, const std::vector<std::string_view>& f) {
    for (auto [c, dst] : {std::pair{*lat_col_, &parts_.latitude}, std::pair{*lon_col_, &parts_.longitude}}) {
      std::string_view v = trim(f[c]);
      if (v.empty()) {
        dst->push_back(std::nan(""));
        continue;
      }
      auto d = parse_double(v);
      double limit = c == *lat_col_ ? 90 : 180;
      if (!d || std::abs(*d) > limit)
        throw InputError({path_, line, c + 1, o_.header[c]},
                         fmt::format("'{}' is not a coordinate in degrees (within ±{:g})", v.substr(0, 100), limit));
      dst->push_back(*d);
    }
  }

  void read_timestamp(uint64_t line, const std::vector<std::string_view>& f) {
    std::string_view v = trim(f[*ts_col_]);
    if (v.empty()) {
      parts_.timestamps_ms.push_back(kMissing);
      return;
    }
    auto t = parse_timestamp(v, default_offset_);
    if (t) {
      parts_.timestamps_ms.push_back(t->epoch_ms);
      return;
    }
    // A workbook's date cell holds its serial (days since 1899-12-30), read in the spec's zone.
    auto serial = xlsx_ ? excel_serial_to_epoch_ms(v, date1904_, default_offset_) : std::nullopt;
    if (!serial)
      throw InputError({path_, line, *ts_col_ + 1, o_.header[*ts_col_]},
                       fmt::format("'{}' is not an ISO 8601 date-time (e.g. 2019-10-20T19:40:57-04:00){}",
                                   v.substr(0, 100), xlsx_ ? " nor an Excel date" : ""));
    parts_.timestamps_ms.push_back(*serial);
  }

  std::string path_;  // the file being read
  uint32_t file_index_ = 0;
  std::vector<std::string> notes_;
  const LoadOptions& options_;
  Opened& o_;
  const ElectionSpec& spec_;
  ColumnResolver col_;
  Election::Parts parts_;
  GeographyBuilder geo_;
  Encoding enc_;
  std::vector<size_t> id_cols_, geo_cols_;
  std::vector<Target> targets_;
  std::optional<size_t> lat_col_, lon_col_, ts_col_, postal_col_;
  int32_t default_offset_ = 0;
  bool xlsx_ = false, date1904_ = false;
  std::optional<size_t> contest_col_;
  std::string contest_;
  std::vector<std::string> races_;
  std::vector<std::string_view> geo_names_;
  std::string id_;
  std::string joined_;                    // a repaired row's joined field
  size_t repair_at_ = SIZE_MAX;           // the field joined in the current row, if any
  std::vector<std::string_view> fixed_;   // a repaired row's fields
  size_t sheet_ = 0;
};

}  // namespace

namespace {

// The rows read while guessing (or a long file's wide rows), to `add`.
template <class Add>
void replay(std::deque<std::pair<uint64_t, std::vector<std::string>>>& rows, Add add) {
  std::vector<std::string_view> views;
  for (auto& [line, row] : rows) {
    views.assign(row.begin(), row.end());
    add(line, views);
  }
  rows.clear();
}

// Every row of the files after the first, in the first file's column order, to `add` (after
// `begin(k)` for the file files[k]). Each file's encoding and delimiter are detected on its own
// unless given. Returns how many files read in an encoding other than the first's.
template <class Begin, class Add>
size_t feed_later_files(const InputFiles& in, const Opened& first, const std::vector<size_t>& used,
                        const LoadOptions& options, Begin begin, Add add) {
  size_t other_encoding = 0;
  CsvRecord rec;
  for (size_t k = 1; k < in.files.size(); ++k) {
    Opened o = open_with_header(in.files[k], csv_options(options, first.spec));
    if (o.reader->encoding() != first.reader->encoding()) ++other_encoding;
    HeaderMap map(first.header, o.header, used, in.files[k], o.header_line);
    begin(static_cast<uint32_t>(k));
    while (o.reader->next(rec)) add(rec.line, map.apply(rec.line, rec.fields));
  }
  return other_encoding;
}

std::string several_note(const InputFiles& in, size_t other_encoding) {
  std::string n = fmt::format("read {} files of {} as one count, each file's columns found by name in the first's",
                              in.files.size(), in.source);
  if (!in.skipped.empty())
    n += fmt::format("; skipped {} entries that are not tables ({}{})", in.skipped.size(),
                     fmt::join(in.skipped.begin(), in.skipped.begin() + std::min<size_t>(in.skipped.size(), 5), ", "),
                     in.skipped.size() > 5 ? ", ..." : "");
  if (other_encoding) n += fmt::format("; {} files were in another encoding than the first's", other_encoding);
  return n;
}

}  // namespace

// One file, a folder or a list: the first file decides the layout. A long layout gathers every
// file's rows into sheets first (a sheet may span files), and the loader reads that wide table; a
// wide layout is read row by row.
Election load_election(const std::string& path, const LoadOptions& options) {
  const InputFiles in = resolve_inputs(path);
  Opened o = open_and_map(in.files.front(), options);
  CsvRecord rec;
  size_t other_encoding = 0;
  std::vector<uint32_t> row_files;
  const bool long_layout = o.spec.long_format.has_value();
  if (long_layout) {
    LongReshaper reshaper(in.files.front(), o.header, o.header_line, o.spec, options.contest, options.lenient);
    auto add = [&](uint64_t line, const std::vector<std::string_view>& f) { reshaper.add(line, f); };
    replay(o.buffered, add);
    while (o.reader->next(rec)) add(rec.line, rec.fields);
    other_encoding = feed_later_files(in, o, reshaper.used_columns(), options,
                                      [&](uint32_t k) { reshaper.next_file(in.files[k]); }, add);
    WideTable w = reshaper.finish();
    o.header = std::move(w.header);
    o.spec = std::move(w.spec);
    o.buffered = std::move(w.rows);
    o.origins = std::move(w.origins);
    row_files = std::move(w.row_files);
  }
  SheetLoader loader(in.files.front(), options, o);
  if (in.several) loader.set_files(in.source, in.files);
  auto add = [&](uint64_t line, const std::vector<std::string_view>& f) { loader.row(line, f); };
  size_t k = 0;
  replay(o.buffered, [&](uint64_t line, const std::vector<std::string_view>& f) {
    loader.set_file(row_files.empty() ? 0 : row_files[k++]);
    add(line, f);
  });
  if (!long_layout) {
    loader.set_file(0);
    while (o.reader->next(rec)) add(rec.line, rec.fields);
    other_encoding = feed_later_files(in, o, loader.used_columns(), options,
                                      [&](uint32_t f) { loader.set_file(f); }, add);
  }
  if (in.several) loader.add_note(several_note(in, other_encoding));
  return loader.finish();
}

}  // namespace tallyscope
