// libFuzzer target: the long-format reader (LongReshaper) over a CSV whose first three columns are
// read as the sheet id, the choice and the votes, with protocol lines as roles and the row's
// fourth column, when there is one, as a sheet-level geography column. A form feed starts the next
// "file" of a count read from several (its header is that file's first record, mapped by name
// onto the first's), as a folder is read. Any input must end in a wide table or an InputError.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/io.h"
#include "model/input_files.h"
#include "model/long_format.h"

namespace {

std::vector<std::string> header_of(tallyscope::CsvReader& r, tallyscope::CsvRecord& rec) {
  std::vector<std::string> h;
  if (r.next(rec))
    for (auto f : rec.fields) h.emplace_back(tallyscope::trim(f));
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tallyscope;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  for (size_t from = 0;;) {
    const size_t ff = bytes.find('\f', from);
    parts.push_back(bytes.substr(from, ff == std::string::npos ? std::string::npos : ff - from));
    if (ff == std::string::npos || parts.size() == 8) break;
    from = ff + 1;
  }
  try {
    CsvOptions o;
    o.max_field_bytes = 1 << 16;
    o.max_columns = 1000;
    o.limits.max_file_bytes = 1 << 22;
    CsvReader first(open_memory(parts[0], "f0.csv", o.limits), o);
    CsvRecord rec;
    const std::vector<std::string> header = header_of(first, rec);
    if (header.size() < 3) return 0;
    ElectionSpec spec;
    spec.id = {header[0]};
    if (header.size() > 3) spec.geography = {header[3]};
    spec.long_format = LongFormat{header[1], header[2],
                                  {{"registered", {"Registered"}}, {"invalid", {"Null", "Spoilt"}}}};
    LongReshaper reshaper("f0.csv", header, rec.line, spec, "", (size % 2) == 1);
    while (first.next(rec)) reshaper.add(rec.line, rec.fields);
    const std::vector<size_t> used = reshaper.used_columns();
    for (size_t k = 1; k < parts.size(); ++k) {
      const std::string name = "f" + std::to_string(k) + ".csv";
      CsvReader later(open_memory(parts[k], name, o.limits), o);
      const std::vector<std::string> h = header_of(later, rec);
      HeaderMap map(header, h, used, name, rec.line);
      reshaper.next_file(name);
      while (later.next(rec)) reshaper.add(rec.line, map.apply(rec.line, rec.fields));
    }
    const WideTable w = reshaper.finish();
    for (const auto& [line, row] : w.rows)
      if (row.size() != w.header.size()) __builtin_trap();  // every wide row has the header's width
  } catch (const InputError&) {
  } catch (const UsageError&) {
  }
  return 0;
}
