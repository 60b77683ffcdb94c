// Matching the places of one election to those of another (e.g. this election's polling places
// to the previous election's), by normalised names within the matched parent, level by level.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/election.h"
#include "model/place_index.h"

namespace tallyscope {

struct PlaceMatch {
  std::vector<std::pair<size_t, size_t>> levels;  // (level in a, level in b), coarse to fine, up to the join level
  size_t join_level_a = 0, join_level_b = 0;
  std::vector<int64_t> b_node;  // per sheet of a: the matched (canonical) node of b at the join level, or -1
  // Per node of b at the join level: its canonical node (nodes whose names normalise alike under
  // the same parent are one place). Aggregate b's sheets by b_canonical[node_of(level, sheet)].
  std::vector<int64_t> b_canonical;
  size_t sheets_matched = 0;
  size_t places_a = 0, places_matched = 0;  // at the join level
  size_t fuzzy_places = 0;                    // matched by a looser rule than equal names
};

// The candidate that a normalised name stands for (see place_match.cc), with the rule used
// (0 = equal names); node -1 when none or ambiguous.
std::pair<int64_t, int> best_match(const std::string& name, const std::vector<PlaceCandidate>& candidates);

// Pairs a's geography levels with b's by normalised name, ignoring the words "nombre", "name",
// "codigo", "code" (so "Recinto" pairs with "Nombre RECINTO"); `level_map` ("a=b" pairs) overrides.
std::vector<std::pair<size_t, size_t>> pair_levels(const Election& a, const Election& b,
                                                   const std::vector<std::pair<std::string, std::string>>& level_map = {});

// Matches a's places at `join_level` (a level name of a; empty: the finest paired level) to b's.
// Throws UsageError when the level is unknown or unpaired.
PlaceMatch match_places(const Election& a, const Election& b, const std::string& join_level,
                        const std::vector<std::pair<std::string, std::string>>& level_map = {});

}  // namespace tallyscope
