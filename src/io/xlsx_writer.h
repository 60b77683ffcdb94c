// Writes a small XLSX workbook in memory (libzip): tests, benchmarks and the fuzz target build
// the workbooks they read with it.
#pragma once

#include <string>
#include <vector>

namespace tallyscope {

struct XlsxSheetData {
  std::string name;
  std::vector<std::vector<std::string>> rows;  // an empty cell is left out of the sheet's XML
};

// Each cell is written as a number when Excel would show it as the same text (e.g. "12", "2.5";
// not "0001" or "1e3"), else as a shared string (shared_strings) or an inline string.
std::string write_xlsx(const std::vector<XlsxSheetData>& sheets, bool shared_strings = true);

// The XML-escaped text (&, <, >, ", and control characters dropped), for writing parts by hand.
std::string xml_escape(const std::string& text);

}  // namespace tallyscope
