// A streaming CSV reader: RFC 4180 quoting (embedded delimiters, quotes and newlines), CRLF, LF
// or CR line ends, the delimiter detected among comma, semicolon, tab and pipe. Memory is bounded
// by the longest record, not the file. An XLSX workbook (detected by the zip signature) is read
// through the same interface: one worksheet's rows as records, the row number as the line
// (io/xlsx_reader.h), so that every reader of tally sheets reads both.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/byte_source.h"
#include "io/encoding.h"
#include "io/error.h"
#include "io/uninit.h"
#include "io/zip_archive.h"

namespace tallyscope {

struct CsvOptions {
  char delimiter = 0;  // 0 = detect
  Encoding encoding = Encoding::kAuto;
  size_t max_field_bytes = 16u << 20;   // a longer field is an input error
  size_t max_columns = 100000;          // a wider record is an input error
  ReadLimits limits;
  std::string sheet;  // XLSX: the worksheet by name or number from 1 (--sheet); empty = the first
  ZipLimits zip;      // XLSX: caps on an entry's uncompressed size and compression ratio
};

class XlsxReader;

// One record. Fields are views into the reader's buffer: valid until the next call to next().
struct CsvRecord {
  std::vector<std::string_view> fields;
  uint64_t line = 0;  // physical line where the record starts (1-based)
};

class CsvReader {
 public:
  // A source beginning with the zip signature is read as an XLSX workbook (held in memory).
  CsvReader(std::unique_ptr<ByteSource> source, CsvOptions options = {});
  ~CsvReader();
  // A file beginning with the zip signature is read as an XLSX workbook in place; one named
  // .xlsx that is not a zip is an InputError.
  static std::unique_ptr<CsvReader> open(const std::string& path, CsvOptions options = {});

  // Reads the next record; false at the end. Empty lines are skipped (they hold no record).
  // Throws InputError for an unterminated quote, a character after a closing quote, or a
  // record beyond the configured limits.
  bool next(CsvRecord& record);

  char delimiter() const { return delimiter_; }
  Encoding encoding() const { return encoding_; }
  bool had_bom() const { return bom_; }
  const std::string& name() const;
  uint64_t bytes_read() const { return source_ ? source_->raw_bytes_read() : 0; }
  // XLSX input: the worksheet read, and whether its dates count from 1904.
  bool is_xlsx() const { return xlsx_ != nullptr; }
  std::string sheet_name() const;
  bool date1904() const;

 private:
  CsvReader(std::unique_ptr<XlsxReader> xlsx, CsvOptions options);
  enum class Scan { kRecord, kNeedMore, kEnd };
  Scan scan_record(CsvRecord& record);
  bool refill();
  char detect_delimiter() const;

  std::unique_ptr<ByteSource> source_;
  CsvOptions options_;
  char delimiter_ = ',';
  Encoding encoding_ = Encoding::kUtf8;
  bool bom_ = false;

  ByteBuffer buf_;  // not zeroed on growth (uninit.h)
  size_t pos_ = 0;   // start of unread data
  size_t end_ = 0;   // end of valid data
  bool eof_ = false;
  uint64_t line_ = 1;
  struct FieldMark {
    size_t begin, end;
    bool quoted_escapes;
  };
  std::vector<FieldMark> marks_;
  std::unique_ptr<XlsxReader> xlsx_;
};

// Splits one line of text as CSV (for tests and small inputs).
std::vector<std::string> split_csv_line(std::string_view line, char delimiter);

// The error for a row whose number of fields differs from its header's: at the row's last field
// when it is short, at the first extra one when it is long.
InputError ragged_row(const std::string& file, uint64_t line, size_t fields, size_t width);

}  // namespace tallyscope
