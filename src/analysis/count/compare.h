// Two counts of one election (e.g. a quick-count snapshot and the official count), joined by
// sheet id: sheets only in one, sheets whose numbers differ and what that does to the result.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/count/summary.h"
#include "model/election.h"

namespace tallyscope {

struct SheetDifference {
  std::string id;
  uint64_t line_a = 0, line_b = 0;
  std::string file_a, file_b;  // the file of each line when that count was read from several files ("" otherwise)
  struct Cell {
    std::string name;  // "registered", "blank", "invalid", or a choice's name
    int64_t a = 0, b = 0;  // kMissing when missing
  };
  std::vector<Cell> cells;        // the counts that differ
  std::vector<std::string> places;  // geography levels whose names differ, "level: A -> B"
};

struct Comparison {
  std::string source_a, source_b;
  Summary total_a, total_b;
  size_t common = 0;
  std::vector<std::string> only_in_a, only_in_b;  // ids, in file order
  std::vector<SheetDifference> differing;          // counts differ (file order of A)
  size_t renamed_places = 0;                        // common sheets whose geography names differ
  std::vector<std::string> choices_only_in_a, choices_only_in_b;
  struct Net {
    std::string name;
    int64_t delta = 0;  // B - A over the differing sheets
  };
  std::vector<Net> net;  // per compared count (registered, choices, blank, invalid)
  // On the common sheets: margin (points) of the leader of A over its runner-up, in A and in B.
  std::string margin_leader, margin_runner_up;
  double margin_common_a = 0, margin_common_b = 0;
};

// Throws InputError when either count repeats a sheet id (the join would be ambiguous).
Comparison compare(const Election& a, const Election& b);
nlohmann::ordered_json to_json(const Comparison& c, size_t max_sheets);
std::string to_text(const Comparison& c, size_t max_sheets);

}  // namespace tallyscope
