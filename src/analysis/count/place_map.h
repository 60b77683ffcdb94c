// Polling places on a map: each place's position (mean of its sheets' coordinates), its margin
// and, with arrival data, when its sheets arrived. Chart-ready data for the report's map.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/arrival.h"
#include "model/election.h"

namespace tallyscope {

struct PlaceMapOptions {
  std::string leader, runner_up;  // the margin shown; default: the count's top two
  std::string level;              // the geography level of a place; default: the finest
};

struct PlaceMap {
  std::string source, level, top_level, leader, runner_up;
  bool has_arrival = false;
  Arrival::Kind arrival_kind = Arrival::Kind::kTimestamps;
  int32_t offset_minutes = 0;
  struct Place {
    std::string name;        // the whole geographic path
    std::string top;         // its unit at the coarsest level (e.g. the country, for votes abroad)
    double lat = 0, lon = 0;
    size_t sheets = 0;
    int64_t valid = 0;
    double margin_points = 0;  // leader minus runner-up, of the place's valid votes (NaN: none)
    // With arrival data: the median arrival of the place's arrived sheets (epoch ms, or snapshot
    // index), kMissing when none arrived; and the share of its sheets that arrived at all.
    int64_t median_arrival = kMissing;
    double arrived_share = 0;
  };
  std::vector<Place> places;  // places with coordinates, in geography order
  size_t places_without_coordinates = 0, sheets_without_coordinates = 0;
  // Sheets of one place whose coordinates disagree by more than ~1 km (0.01 degrees).
  size_t places_with_spread = 0;
};

// Pure. Throws UsageError when the count has no coordinates, a named level or choice is unknown,
// or `arrival` does not belong to this count.
PlaceMap place_map(const Election& e, const Arrival* arrival = nullptr, const PlaceMapOptions& options = {});
nlohmann::ordered_json to_json(const PlaceMap& m);

}  // namespace tallyscope
