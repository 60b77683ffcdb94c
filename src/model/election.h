// The Election: one count of one election, as immutable columns over its tally sheets.
// Several counts of the same election (quick-count snapshots, the official count) are separate
// Elections joined by sheet id.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/geography.h"
#include "model/spec.h"

namespace tallyscope {

// A count that the file left empty (or, with --lenient, could not be read).
inline constexpr int64_t kMissing = std::numeric_limits<int64_t>::min();

struct CountColumn {
  std::string name;     // role or display name ("registered", a choice's name, an extra's symbol)
  std::string header;   // the file's column header
  size_t column = 0;    // 1-based position in the file
  std::vector<int64_t> values;  // kMissing where missing
  size_t missing = 0;

  int64_t operator[](size_t sheet) const { return values[sheet]; }
  // The value with missing read as 0 (for totals; missing cells are reported by `check`).
  int64_t or_zero(size_t sheet) const { return values[sheet] == kMissing ? 0 : values[sheet]; }
};

// A cell kept as missing because its text was not a usable count (only with --lenient), or
// a text cell that needed attention. Nothing is dropped silently: each is reported by `check`.
// A row read with one field fewer than it had: an unquoted field held a stray quote and the
// delimiter (Bolivia 2020's 01:38 export: `U. E. Elizardo Perez", Villa Victoria`), and joining it
// with the next field was the only reading in which every count column held a count.
struct RowRepair {
  size_t sheet;
  uint64_t line;
  size_t column;       // 1-based: the field that absorbed the next one
  std::string header;
  std::string text;    // the joined field, as read
};

struct CellIssue {
  size_t sheet;
  uint64_t line;
  size_t column;        // 1-based
  std::string header;
  std::string text;     // as in the file
  std::string problem;  // e.g. "negative", "not a number"
  // The count column it was read into (1-based), when that is not `column`: a long file's cell
  // is reported where the file holds it, and counted in the column of its choice.
  size_t read_into = 0;
};

class Election {
 public:
  struct Parts {
    std::string source;  // the file as the user named it
    ElectionSpec spec;
    std::vector<std::string> header;
    std::vector<std::string> ids;
    std::vector<uint64_t> lines;
    // A count read from several files (a folder, or a list of files): the files in reading order and
    // each sheet's file, whose line `lines` gives. Both empty when the count is the one file `source`.
    std::vector<std::string> files;
    std::vector<uint32_t> sheet_file;
    Geography geography;
    std::optional<CountColumn> registered, blank, invalid, declared_ballots, declared_valid;
    std::vector<CountColumn> choices;
    std::vector<CountColumn> extras;
    std::vector<double> latitude, longitude;  // empty when not mapped; NaN where missing
    std::vector<int64_t> timestamps_ms;       // empty when not mapped; kMissing where missing
    std::vector<uint8_t> postal;              // empty without a [postal] rule; 1 for a postal-vote district
    std::vector<CellIssue> cell_issues;
    std::vector<RowRepair> row_repairs;
    std::string encoding;
    char delimiter = ',';
  };

  explicit Election(Parts parts);
  Election(const Election&) = delete;  // the id index holds views into the columns
  Election& operator=(const Election&) = delete;
  Election(Election&&) = default;
  Election& operator=(Election&&) = default;

  const std::string& source() const { return p_.source; }
  const ElectionSpec& spec() const { return p_.spec; }
  const std::vector<std::string>& header() const { return p_.header; }
  const std::string& encoding() const { return p_.encoding; }
  char delimiter() const { return p_.delimiter; }

  size_t sheets() const { return p_.ids.size(); }
  const std::vector<std::string>& ids() const { return p_.ids; }
  const std::string& id(size_t sheet) const { return p_.ids[sheet]; }
  uint64_t line(size_t sheet) const { return p_.lines[sheet]; }
  // The file a sheet was read from: `source` unless the count was read from several files.
  bool multi_file() const { return !p_.files.empty(); }
  const std::vector<std::string>& files() const { return p_.files; }
  const std::string& file_of(size_t sheet) const { return p_.files.empty() ? p_.source : p_.files[p_.sheet_file[sheet]]; }
  // "line 12", or "line 12 of FILE" when the count spans several files: for messages.
  std::string line_text(size_t sheet) const;
  const Geography& geography() const { return p_.geography; }

  const CountColumn* registered() const { return p_.registered ? &*p_.registered : nullptr; }
  const CountColumn* blank() const { return p_.blank ? &*p_.blank : nullptr; }
  const CountColumn* invalid() const { return p_.invalid ? &*p_.invalid : nullptr; }
  const CountColumn* declared_ballots() const { return p_.declared_ballots ? &*p_.declared_ballots : nullptr; }
  const CountColumn* declared_valid() const { return p_.declared_valid ? &*p_.declared_valid : nullptr; }
  const std::vector<CountColumn>& choices() const { return p_.choices; }
  const std::vector<CountColumn>& extras() const { return p_.extras; }
  int find_choice(std::string_view name) const;

  bool has_coordinates() const { return !p_.latitude.empty(); }
  const std::vector<double>& latitude() const { return p_.latitude; }
  const std::vector<double>& longitude() const { return p_.longitude; }
  bool has_timestamps() const { return !p_.timestamps_ms.empty(); }
  // A postal-vote district (spec [postal]): its voters are registered on other sheets.
  bool postal(size_t sheet) const { return !p_.postal.empty() && p_.postal[sheet]; }
  size_t postal_sheets() const;
  const std::vector<int64_t>& timestamps_ms() const { return p_.timestamps_ms; }

  const std::vector<CellIssue>& cell_issues() const { return p_.cell_issues; }
  const std::vector<RowRepair>& row_repairs() const { return p_.row_repairs; }

  // Derived per sheet, missing cells read as 0: valid = sum of the choices;
  // ballots = valid + blank + invalid.
  const std::vector<int64_t>& valid() const { return valid_; }
  const std::vector<int64_t>& ballots() const { return ballots_; }

  // The value of a relation symbol (an extra, or a role) on a sheet; nullopt when missing or unmapped.
  std::optional<int64_t> symbol_value(std::string_view symbol, size_t sheet) const;

  // Sheet index by id (the first, when an id repeats); nullopt when absent.
  std::optional<size_t> find(std::string_view id) const;
  // Ids that occur more than once, with every sheet index that carries them (file order).
  const std::vector<std::vector<size_t>>& duplicate_ids() const { return duplicates_; }
  // Throws InputError naming the first repeated id and its lines when an id repeats; `purpose`
  // says why ids must be unique (e.g. "the two counts are joined by sheet id").
  void require_unique_ids(std::string_view purpose) const;

 private:
  Parts p_;
  std::vector<int64_t> valid_, ballots_;
  std::unordered_map<std::string_view, size_t> index_;
  std::vector<std::vector<size_t>> duplicates_;
};

}  // namespace tallyscope
