// Reads one worksheet of an XLSX workbook as rows of text, the way the CSV reader reads records:
// the container through libzip (io/zip_archive.h), every part with expat's SAX parser, the sheet
// streamed (memory holds the shared strings and the rows not yet taken, never the sheet's XML).
// Cells are placed by their references ("C7"), missing cells are empty, a row's number is its
// line; numbers read as Excel shows them (io/xlsx_cell.h), booleans as TRUE/FALSE, dates as their
// serial. Malformed input raises InputError naming the file, the sheet, the row and the cell.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/zip_archive.h"

namespace tallyscope {

struct XlsxOptions {
  std::string sheet;  // the worksheet: its name, or its number counting from 1; empty = the first
  ZipLimits zip;
  size_t max_field_bytes = 16u << 20;
  size_t max_columns = 100000;
};

// Whether bytes begin like a zip archive (a local file header, or an empty archive's end record).
bool looks_like_zip(std::string_view head);

class XlsxReader {
 public:
  static std::unique_ptr<XlsxReader> open_file(const std::string& path, XlsxOptions options = {});
  static std::unique_ptr<XlsxReader> open_memory(std::string data, std::string name = "<memory>",
                                                 XlsxOptions options = {});
  ~XlsxReader();
  XlsxReader(const XlsxReader&) = delete;
  XlsxReader& operator=(const XlsxReader&) = delete;

  // The next row holding a non-empty cell; false at the end of the sheet. Fields are views valid
  // until the next call; every row after the first is padded with empty cells to its width.
  bool next(std::vector<std::string_view>& fields, uint64_t& row);

  const std::string& name() const;
  const std::string& sheet_name() const;
  std::vector<std::string> sheet_names() const;
  bool date1904() const;

  struct State;

 private:
  explicit XlsxReader(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

}  // namespace tallyscope
