// Guessing the layout of a tally-sheet file tallyscope does not know, from its header and a
// profile of every row, so that a guess is right or refused, never confident nonsense: codes and
// ids (CENTRO, MESA, year, serial numbers, monotone or all-distinct columns) are never choices;
// protocol totals named in several languages take their roles; and the guessed choices are checked
// against those totals before any outcome is stated.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "model/election.h"
#include "model/spec.h"

namespace tallyscope {

// What the values of one column look like over the rows profiled.
struct ColumnProfile {
  size_t counts = 0, decimals = 0, texts = 0, empty = 0;  // cells by kind
  int64_t min = INT64_MAX, max = INT64_MIN;                // over the whole-number cells
  bool non_decreasing = true;                              // the whole-number cells, in file order
  uint64_t first_text_line = 0;                            // the first cell that is not a number
  size_t distinct = 0;                                     // distinct values (see LayoutProfiler)
  size_t non_empty() const { return counts + decimals + texts; }
};

// Profiles a file's rows in one pass. Distinct values are counted on every row for the columns
// whose name marks an id or code (and the first column), and pairs of them; on the first
// kDistinctRows rows for the others.
class LayoutProfiler {
 public:
  static constexpr size_t kDistinctRows = 20000;
  explicit LayoutProfiler(const std::vector<std::string>& header);
  void add(uint64_t line, const std::vector<std::string_view>& row);
  void add(uint64_t line, const std::vector<std::string>& row);

  size_t rows() const { return rows_; }
  // The profiles, with `distinct` filled in.
  std::vector<ColumnProfile> columns() const;
  // The candidate id columns (indices into the header) and whether (a, b) identify every row.
  const std::vector<size_t>& id_candidates() const { return candidates_; }
  bool distinct_pair(size_t a, size_t b) const;

 private:
  std::vector<ColumnProfile> cols_;
  std::vector<std::unordered_set<uint64_t>> seen_;
  std::vector<size_t> candidates_;
  std::vector<std::pair<size_t, size_t>> pairs_;
  std::vector<std::unordered_set<uint64_t>> pair_seen_;
  std::vector<uint64_t> row_hash_;
  std::vector<bool> candidate_;
  size_t rows_ = 0;
};

// A best-effort spec from the header and the profile; spec.notes says what was recognised and
// why, column by column. Throws InputError when nothing fits (no count column, a header row that
// looks like data).
ElectionSpec guess_layout(const std::vector<std::string>& header, const LayoutProfiler& profile, const std::string& file);
// The same from rows in memory (tests, fuzzing).
ElectionSpec guess_layout(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                          const std::string& file);

// The self-checks of a guessed layout once its columns are read, before any outcome is stated:
// the guessed choices must not sum far above the declared valid votes, ballots or registered
// voters, and no choice may equal a declared total on every sheet. Throws InputError saying what
// looks wrong and which spec line to write; otherwise adds to spec.notes how well the guess agrees
// with the declared totals.
struct GuessedColumns {
  const std::vector<CountColumn>* choices = nullptr;
  const CountColumn* registered = nullptr;
  const CountColumn* ballots = nullptr;
  const CountColumn* valid = nullptr;
};
void check_guess(const GuessedColumns& columns, ElectionSpec& spec, const std::string& file);

}  // namespace tallyscope
