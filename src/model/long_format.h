// Reading a long tally-sheet file (one row per sheet and choice, optionally per race) as the wide
// table the loader reads: one row per sheet, one column per choice and per protocol line.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/spec.h"

namespace tallyscope {

// The wide reading of a long file: the file's own columns (a sheet's values from its first row, so
// that a column keeps its number in messages), then one column per choice and per role; the spec
// that reads it (no `long_format`, no contest column); one row per sheet at the line of its first
// row. A sheet without a row for a choice has that cell empty: a missing count, reported by `check`.
struct WideTable {
  std::vector<std::string> header;
  ElectionSpec spec;
  std::deque<std::pair<uint64_t, std::vector<std::string>>> rows;
  // When the rows came from several files (see LongReshaper::next_file): each row's file, by its
  // number in the order the files were given. Empty for one file.
  std::vector<uint32_t> row_files;
  // Where an unreadable count kept as text (lenient) stands in the long file: by (row, column) of
  // the wide table.
  struct CellOrigin {
    uint32_t file;
    uint64_t line;
    size_t column;  // 1-based
    std::string header;
  };
  std::map<std::pair<size_t, size_t>, CellOrigin> origins;
};

// Gathers a long file's rows, in file order, into sheets. Throws InputError naming the file, line and
// column of a ragged row, an unreadable count (unless lenient: then the cell is kept as text for
// the loader to report), a label given twice for one sheet, or a sheet-level column (geography,
// a role column, the timestamp) whose value changes between the rows of one sheet.
class LongReshaper {
 public:
  // `contest`: the race to read when the spec has a contest column (the option, else the spec's).
  LongReshaper(std::string file, std::vector<std::string> header, uint64_t header_line, ElectionSpec spec,
               std::string contest, bool lenient);
  void add(uint64_t line, const std::vector<std::string_view>& fields);
  // The rows that follow come from the next file of a count read from several (a folder): errors
  // name it; its fields are in the first file's column order (see HeaderMap).
  void next_file(std::string file);
  // The columns a row's fields are read from (for a later file's header to be checked against).
  std::vector<size_t> used_columns() const;
  WideTable finish();

 private:
  struct Sheet {
    uint32_t file = 0;                // of its first row
    uint64_t line;
    std::vector<std::string> fields;  // the first row's
    std::vector<int64_t> counts;      // per label; -1 absent
    std::vector<uint64_t> lines;      // where each count was read
    std::vector<uint32_t> files;      // and in which file
    std::vector<std::string> raw;     // with lenient, an unreadable count's text
  };
  // The slot of a row's label; SIZE_MAX for a row not read (a choice the spec does not list).
  size_t slot(std::string_view text);
  size_t slot_of_new(std::string_view text);
  Sheet& sheet_of(uint64_t line, const std::vector<std::string_view>& f);
  void store(Sheet& sh, size_t slot, uint64_t line, std::string_view votes);

  // "line N", or "line N of FILE" when the count spans several files.
  std::string at(uint32_t file, uint64_t line) const;

  std::string file_;
  uint32_t file_index_ = 0;
  std::vector<std::string> files_;  // every file given, from the first
  std::vector<std::string> header_;
  uint64_t header_line_;
  ElectionSpec spec_;
  std::string contest_;
  bool lenient_;
  std::vector<size_t> id_cols_, sheet_cols_;
  size_t choice_col_ = 0, votes_col_ = 0, contest_col_ = SIZE_MAX;
  // Labels: choices in first-seen order; a role label maps to its role's slot.
  std::vector<std::string> labels_;           // display name per label slot
  std::unordered_map<std::string, size_t> label_index_;  // normalised label -> slot
  // Exact label text -> slot (SIZE_MAX: not read); transparent, so a row's view is looked up as is.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
  };
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> exact_slot_;
  std::vector<int> label_role_;               // -1 a choice, else index into spec_.long_format->roles
  std::vector<std::string> races_;
  std::vector<Sheet> sheets_;
  std::unordered_map<std::string, size_t> index_;  // sheet key -> sheets_
  // Protocol lines written as races of their own, kept until the end: they join the sheets that
  // have rows of the race read, and make no sheet by themselves (a precinct outside the race).
  struct Pending {
    std::string id;
    size_t slot;
    uint32_t file;
    uint64_t line;
    std::string votes;
  };
  std::vector<Pending> pending_;
  std::string key(const std::vector<std::string_view>& f) const;
  size_t thousands_ = 0, merged_labels_ = 0, rows_ = 0, other_rows_ = 0;
  std::string id_;
};

}  // namespace tallyscope
