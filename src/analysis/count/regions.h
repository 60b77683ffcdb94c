// The count per region at one geography level: sheets, registered voters, ballots, each choice's
// votes and share, the whole count's leader-minus-runner-up margin and turnout in the region, and
// the sheets with integrity findings there. What an observer reads first to see where the result
// comes from and where the problems are. Pure.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/count/integrity.h"
#include "model/election.h"

namespace tallyscope {

struct RegionRow {
  std::string name;           // the region's path, coarse to fine ("La Paz / Murillo")
  size_t sheets = 0;
  int64_t registered = 0;     // over the sheets that give it
  size_t sheets_with_registered = 0;
  int64_t ballots = 0, valid = 0;
  std::vector<int64_t> votes;  // per choice, in the count's order
  double margin_points = 0;    // the whole count's leader minus its runner-up, points of the region's valid votes
  double turnout = 0;          // ballots / registered over the sheets with registered voters; NaN without
  size_t sheets_with_errors = 0, sheets_with_warnings = 0;
  // The mean position of its sheets with coordinates (NaN without any): where the map puts it.
  double lat = 0, lon = 0;
  size_t sheets_with_coordinates = 0;
};

struct RegionTable {
  std::string level;
  std::vector<std::string> choices;
  std::string leader, runner_up;  // of the whole count
  size_t leader_index = 0, runner_up_index = 0;  // in `choices` (valid when choices is not empty)
  std::vector<RegionRow> rows;    // in the geography's order
};

// `level` is a geography level's index; `integrity` (optional) adds the sheets with findings.
// Throws UsageError when the count has no geography or the level is out of range.
RegionTable region_table(const Election& e, size_t level, const IntegrityReport* integrity = nullptr);
// The level by name ("" = the first); throws UsageError naming the levels when unknown.
RegionTable region_table(const Election& e, const std::string& level, const IntegrityReport* integrity = nullptr);

nlohmann::ordered_json to_json(const RegionTable& t);

}  // namespace tallyscope
