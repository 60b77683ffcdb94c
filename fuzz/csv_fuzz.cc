// libFuzzer target: the byte source (gzip by magic bytes), encoding detection and the CSV reader,
// then the layout guess on what was read. Any input must end in records or an InputError.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/io.h"
#include "model/guess.h"
#include "model/layout.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tallyscope;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    CsvOptions o;
    o.max_field_bytes = 1 << 16;
    o.max_columns = 1000;
    o.limits.max_file_bytes = 1 << 22;
    CsvReader reader(open_memory(bytes, "fuzz.csv", o.limits), o);
    CsvRecord rec;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    while (reader.next(rec)) {
      if (header.empty()) {
        for (auto f : rec.fields) header.emplace_back(f);
      } else if (rows.size() < 50) {
        rows.emplace_back(rec.fields.begin(), rec.fields.end());
      }
    }
    if (!header.empty() && !rows.empty()) {
      if (!known_layout(header)) guess_layout(header, rows, "fuzz.csv");
    }
  } catch (const InputError&) {
  } catch (const UsageError&) {
  }
  return 0;
}
