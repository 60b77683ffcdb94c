// Totals, shares, margin and outcome of one count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/election.h"
#include "model/rule.h"

namespace tallyscope {

struct ChoiceTotal {
  std::string name;
  int64_t votes = 0;
  double share = 0;  // of valid votes
};

struct Summary {
  size_t units = 0;
  bool has_registered = false;
  int64_t registered = 0;
  int64_t ballots = 0;  // valid + blank + invalid
  int64_t valid = 0;
  int64_t blank = 0;
  int64_t invalid = 0;
  // Ballots / registered over the sheets whose registered voters are known (NaN without any):
  // sheets without that count add nothing to either side.
  double turnout = 0;
  size_t turnout_sheets = 0;
  std::vector<ChoiceTotal> choices;  // sorted by votes, descending
  struct Margin {
    std::string leader, runner_up;
    int64_t votes = 0;
    double points = 0;  // 100 * (leader - runner_up) / valid
  } margin;
  Outcome outcome;
  std::string rule;
  size_t missing_cells = 0;  // counts left empty, read as 0 in the totals
  // How the file was read: the layout's name ("guess" when tallyscope guessed it: the result then
  // rests on that guess, and says so), the encoding, and the mapping of columns to roles.
  std::string layout;
  bool guessed_layout = false;
  std::string encoding;
  size_t files = 1;  // the files read as this one count (a folder or a list)
  nlohmann::ordered_json mapping;
  std::vector<std::string> layout_notes;
};

// The mapping of a spec's columns to roles, as JSON (id, geography, each role, choices).
nlohmann::ordered_json spec_mapping(const ElectionSpec& spec);

Summary summarize(const Election& e);
nlohmann::ordered_json to_json(const Summary& s);
std::string to_text(const Summary& s, const Election& e);

}  // namespace tallyscope
