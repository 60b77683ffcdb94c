#include "model/load.h"

#include <cmath>
#include <deque>
#include <unordered_map>

#include <fmt/format.h>

#include "io/encoding.h"
#include "io/error.h"
#include "io/number.h"
#include "io/timestamp.h"
#include "model/layout.h"

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

Opened open_and_map(const std::string& path, const LoadOptions& options) {
  Opened o;
  o.reader = CsvReader::open(path, csv_options(options, options.spec));
  CsvRecord rec;
  if (!o.reader->next(rec)) throw InputError({path}, "the file is empty: no header row");
  o.header_line = rec.line;
  for (size_t c = 0; c < rec.fields.size(); ++c) {
    check_text(path, rec.line, c + 1, "", rec.fields[c], o.reader->encoding());
    o.header.emplace_back(trim(rec.fields[c]));
  }
  if (options.spec) {
    o.spec = *options.spec;
  } else if (auto known = known_layout(o.header)) {
    o.spec = *known;
  } else {
    std::vector<std::vector<std::string>> sample;
    while (sample.size() < kGuessRows && o.reader->next(rec)) {
      std::vector<std::string> row(rec.fields.begin(), rec.fields.end());
      sample.push_back(row);
      o.buffered.emplace_back(rec.line, std::move(row));
    }
    if (sample.empty()) throw InputError({path, o.header_line}, "the file has a header but no rows");
    o.spec = guess_layout(o.header, sample, path);
  }
  return o;
}

struct Resolver {
  const std::string& file;
  const std::vector<std::string>& header;
  uint64_t header_line;
  std::unordered_map<std::string, size_t> index;
  Resolver(const std::string& f, const std::vector<std::string>& h, uint64_t line) : file(f), header(h), header_line(line) {
    for (size_t i = 0; i < h.size(); ++i) {
      auto [it, fresh] = index.emplace(h[i], i);
      if (!fresh) it->second = SIZE_MAX;  // ambiguous
    }
  }
  size_t operator()(const std::string& name, const char* role) const {
    auto it = index.find(name);
    if (it == index.end()) {
      std::string avail;
      for (size_t i = 0; i < header.size() && i < 40; ++i) avail += (i ? ", '" : "'") + header[i] + "'";
      if (header.size() > 40) avail += ", ...";
      throw InputError({file, header_line, 0, name},
                       fmt::format("the spec maps {} to column '{}', which is not in the file (its columns: {})", role,
                                   name, avail));
    }
    if (it->second == SIZE_MAX)
      throw InputError({file, header_line, 0, name},
                       fmt::format("the spec maps {} to column '{}', which appears more than once in the header", role,
                                   name));
    return it->second;
  }
};

}  // namespace

ElectionSpec detect_spec(const std::string& path, const LoadOptions& options) {
  Opened o = open_and_map(path, options);
  if (!o.spec.delimiter) o.spec.delimiter = o.reader->delimiter();
  if (o.spec.encoding == "auto" && o.reader->encoding() != Encoding::kUtf8)
    o.spec.encoding = std::string(encoding_name(o.reader->encoding()));
  return o.spec;
}

Election load_election(const std::string& path, const LoadOptions& options) {
  Opened o = open_and_map(path, options);
  const ElectionSpec& spec = o.spec;
  Resolver col(path, o.header, o.header_line);

  Election::Parts parts;
  parts.source = path;
  parts.header = o.header;
  parts.encoding = std::string(encoding_name(o.reader->encoding()));
  parts.delimiter = o.reader->delimiter();

  std::vector<size_t> id_cols;
  for (const auto& c : spec.id) id_cols.push_back(col(c, "the sheet id"));
  std::vector<size_t> geo_cols;
  for (const auto& c : spec.geography) geo_cols.push_back(col(c, "a geography level"));
  GeographyBuilder geo(spec.geography);

  // Count columns, in one list so the row loop is uniform.
  struct Target {
    CountColumn* column;
    size_t index;
  };
  auto make = [&](const std::string& name, const std::string& header, const char* role) {
    CountColumn c;
    c.name = name;
    c.header = header;
    c.column = col(header, role) + 1;
    return c;
  };
  auto opt = [&](std::optional<CountColumn>& dst, const std::optional<std::string>& h, const char* name,
                 const char* role) {
    if (h) dst = make(name, *h, role);
  };
  opt(parts.registered, spec.registered, "registered", "registered voters");
  opt(parts.blank, spec.blank, "blank", "blank ballots");
  opt(parts.invalid, spec.invalid, "invalid", "invalid ballots");
  opt(parts.declared_ballots, spec.ballots, "ballots", "declared ballots");
  opt(parts.declared_valid, spec.valid, "valid", "declared valid votes");
  if (spec.choices.empty()) throw InputError({path}, "the spec names no choices");
  for (const auto& c : spec.choices) parts.choices.push_back(make(c.name, c.column, "a choice"));
  for (const auto& e : spec.extras) parts.extras.push_back(make(e.name, e.column, "an extra protocol line"));
  std::vector<Target> targets;
  for (auto* c : {&parts.registered, &parts.blank, &parts.invalid, &parts.declared_ballots, &parts.declared_valid})
    if (*c) targets.push_back({&**c, (*c)->column - 1});
  for (auto& c : parts.choices) targets.push_back({&c, c.column - 1});
  for (auto& c : parts.extras) targets.push_back({&c, c.column - 1});

  std::optional<size_t> lat_col, lon_col, ts_col;
  if (spec.latitude) lat_col = col(*spec.latitude, "latitude");
  if (spec.longitude) lon_col = col(*spec.longitude, "longitude");
  if (spec.latitude.has_value() != spec.longitude.has_value())
    throw InputError({path}, "the spec maps only one of latitude and longitude; map both or neither");
  if (spec.timestamp) ts_col = col(*spec.timestamp, "the timestamp");
  int32_t default_offset = 0;
  if (!spec.timezone.empty()) {
    auto off = parse_utc_offset(spec.timezone);
    if (!off) throw InputError({path}, fmt::format("the spec's timezone '{}' is not a UTC offset like -04:00", spec.timezone));
    default_offset = *off;
  }

  const size_t width = o.header.size();
  const Encoding enc = o.reader->encoding();
  std::vector<std::string_view> geo_names(geo_cols.size());
  std::string id;
  size_t sheet = 0;

  auto process = [&](uint64_t line, const std::vector<std::string_view>& f) {
    if (f.size() != width)
      throw InputError({path, line, std::min(f.size(), width) + (f.size() > width ? 1 : 0)},
                       fmt::format("this row has {} fields where the header has {} (a ragged row: check the "
                                   "delimiter, quoting, or a missing or extra field)", f.size(), width));
    id.clear();
    for (size_t k = 0; k < id_cols.size(); ++k) {
      std::string_view v = trim(f[id_cols[k]]);
      check_text(path, line, id_cols[k] + 1, o.header[id_cols[k]], v, enc);
      if (k) id.push_back('/');
      id.append(v);
    }
    for (size_t c : id_cols) {
      if (!trim(f[c]).empty()) continue;
      if (!options.lenient) throw InputError({path, line, c + 1, o.header[c]}, "empty sheet id");
      parts.cell_issues.push_back({sheet, line, c + 1, o.header[c], "", "empty sheet id"});
      break;
    }
    parts.ids.push_back(id);
    parts.lines.push_back(line);
    for (size_t k = 0; k < geo_cols.size(); ++k) {
      std::string_view v = trim(f[geo_cols[k]]);
      check_text(path, line, geo_cols[k] + 1, o.header[geo_cols[k]], v, enc);
      geo_names[k] = v;
    }
    geo.add_sheet(geo_names);
    for (Target& t : targets) {
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
      if (!options.lenient)
        throw InputError({path, line, t.index + 1, o.header[t.index]},
                         fmt::format("the count '{}' is {}: a count must be a whole number of zero or more "
                                     "(pass --lenient to keep such cells as missing and report them in `check`)",
                                     text, describe(r)));
      check_text(path, line, t.index + 1, o.header[t.index], text, enc);
      parts.cell_issues.push_back({sheet, line, t.index + 1, o.header[t.index], text, describe(r)});
    }
    if (lat_col) {
      for (auto [c, dst] : {std::pair{*lat_col, &parts.latitude}, std::pair{*lon_col, &parts.longitude}}) {
        std::string_view v = trim(f[c]);
        if (v.empty()) {
          dst->push_back(std::nan(""));
          continue;
        }
        auto d = parse_double(v);
        double limit = c == *lat_col ? 90 : 180;
        if (!d || std::abs(*d) > limit)
          throw InputError({path, line, c + 1, o.header[c]},
                           fmt::format("'{}' is not a coordinate in degrees (within ±{:g})", v.substr(0, 100), limit));
        dst->push_back(*d);
      }
    }
    if (ts_col) {
      std::string_view v = trim(f[*ts_col]);
      if (v.empty()) {
        parts.timestamps_ms.push_back(kMissing);
      } else {
        auto t = parse_timestamp(v, default_offset);
        if (!t)
          throw InputError({path, line, *ts_col + 1, o.header[*ts_col]},
                           fmt::format("'{}' is not an ISO 8601 date-time (e.g. 2019-10-20T19:40:57-04:00)",
                                       v.substr(0, 100)));
        parts.timestamps_ms.push_back(t->epoch_ms);
      }
    }
    ++sheet;
  };

  std::vector<std::string_view> views;
  for (auto& [line, row] : o.buffered) {
    views.assign(row.begin(), row.end());
    process(line, views);
  }
  o.buffered.clear();
  CsvRecord rec;
  while (o.reader->next(rec)) process(rec.line, rec.fields);
  if (sheet == 0) throw InputError({path, o.header_line}, "the file has a header but no rows");

  parts.geography = std::move(geo).build();
  parts.spec = spec;
  if (!parts.spec.delimiter) parts.spec.delimiter = o.reader->delimiter();
  return Election(std::move(parts));
}

}  // namespace tallyscope
