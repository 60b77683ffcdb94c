// libFuzzer target: the XLSX reader (libzip container, expat SAX parts, cells into rows). An input
// beginning with "PK" is read as a whole zip archive; any other is split at its first "\n--\n"
// into a worksheet's XML and the shared strings' XML, wrapped into a valid workbook, so that the
// fuzzer works on the XML and the cells rather than on deflate. Any input must end in rows or an
// InputError, within the limits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tallyscope;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  XlsxOptions o;
  o.max_field_bytes = 1 << 16;
  o.max_columns = 1000;
  o.zip.max_entry_bytes = 1 << 22;
  try {
    if (bytes.rfind("PK", 0) != 0) {
      size_t cut = bytes.find("\n--\n");
      std::string sheet = bytes.substr(0, cut);
      std::string sst = cut == std::string::npos ? "" : bytes.substr(cut + 4);
      const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
      bytes = write_zip(
          {{"xl/workbook.xml", "<workbook xmlns:r=\"" + rel + "\"><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>"},
           {"xl/_rels/workbook.xml.rels",
            "<Relationships><Relationship Id=\"rId1\" Type=\"" + rel + "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
            "<Relationship Id=\"rId2\" Type=\"" + rel + "/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"},
           {"xl/worksheets/sheet1.xml", sheet},
           {"xl/sharedStrings.xml", sst.empty() ? "<sst/>" : sst}});
    }
    CsvOptions c;
    c.max_field_bytes = o.max_field_bytes;
    c.max_columns = o.max_columns;
    c.zip = o.zip;
    CsvReader reader(open_memory(bytes, "fuzz.xlsx"), c);
    CsvRecord rec;
    size_t width = 0;
    while (reader.next(rec)) {
      if (width == 0) width = rec.fields.size();
      // Every row of a workbook after the first is padded to the first's width (an input that starts
      // with "PK" but is no zip is read as CSV, whose ragged rows are the loader's to refuse).
      if (reader.is_xlsx() && rec.fields.size() < width) __builtin_trap();
      for (auto f : rec.fields)
        if (f.size() > o.max_field_bytes) __builtin_trap();
    }
  } catch (const InputError&) {
  }
  return 0;
}
