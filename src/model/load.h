// Reading a tally-sheet file into a validated Election.
#pragma once

#include <optional>
#include <string>

#include "io/csv_reader.h"
#include "model/election.h"
#include "model/spec.h"

namespace tallyscope {

struct LoadOptions {
  std::optional<ElectionSpec> spec;  // none: a known layout, else a guess (see spec().notes)
  std::string encoding = "auto";     // overrides the spec's when not "auto"
  char delimiter = 0;                // overrides the spec's when set
  std::string contest;               // the race to read in a file of several; overrides the spec's
  // Keep unusable counts (non-numeric, negative, fractional) as missing cells reported by
  // `check`, instead of stopping with an input error.
  bool lenient = false;
  size_t max_field_bytes = 16u << 20;
  size_t max_columns = 100000;
  uint64_t max_file_bytes = 0;
  uint64_t max_gzip_ratio = ReadLimits{}.max_gzip_ratio;  // see ReadLimits
  // XLSX input: the worksheet (name, or number from 1; empty = the first) and the zip caps.
  std::string sheet;
  uint64_t max_zip_entry_bytes = ZipLimits{}.max_entry_bytes;
  double max_zip_ratio = ZipLimits{}.max_ratio;
};

// Reads, maps and validates. An XLSX workbook (by its zip signature) is read as the same table in
// CSV would be: its rows through CsvReader, a row's number as the line, the sheet's column as the
// column; a mapped timestamp column may hold Excel date serials. Throws InputError naming the file, line and column of the first
// problem: a missing mapped column, a ragged row, a count that is not a non-negative whole number
// (unless lenient), invalid UTF-8 in a text cell, a bad coordinate or timestamp, an empty id.
Election load_election(const std::string& path, const LoadOptions& options = {});

// The spec a file would be read with: the given one, a known layout, or a guess. Reads only the
// header and the first rows.
ElectionSpec detect_spec(const std::string& path, const LoadOptions& options = {});

}  // namespace tallyscope
