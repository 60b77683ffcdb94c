#include "analysis/count/place_map.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "io/error.h"

namespace tallyscope {

PlaceMap place_map(const Election& e, const Arrival* arrival, const PlaceMapOptions& opt) {
  if (!e.has_coordinates())
    throw UsageError(fmt::format("{} has no latitude/longitude columns (map them in the spec to draw the map)", e.source()));
  if (arrival && arrival->sheets() != e.sheets()) throw UsageError("the arrival data belongs to another count");
  const Geography& g = e.geography();
  if (g.levels() == 0) throw UsageError(fmt::format("{} has no geography to group sheets into places", e.source()));
  size_t level = g.levels() - 1;
  if (!opt.level.empty()) {
    int l = g.find_level(opt.level);
    if (l < 0) throw UsageError(fmt::format("'{}' is not a geography level of {}", opt.level, e.source()));
    level = static_cast<size_t>(l);
  }
  // The margin's two choices: given, or the count's top two.
  std::vector<std::pair<int64_t, size_t>> totals;
  for (size_t c = 0; c < e.choices().size(); ++c) {
    int64_t t = 0;
    for (size_t s = 0; s < e.sheets(); ++s) t += e.choices()[c].or_zero(s);
    totals.push_back({-t, c});
  }
  std::sort(totals.begin(), totals.end());
  if (totals.size() < 2) throw UsageError("the map's margin needs at least two choices");
  auto choice = [&](const std::string& name, size_t fallback) {
    if (name.empty()) return totals[fallback].second;
    int k = e.find_choice(name);
    if (k < 0) throw UsageError(fmt::format("'{}' is not a choice of {}", name, e.source()));
    return static_cast<size_t>(k);
  };
  const size_t li = choice(opt.leader, 0), ri = choice(opt.runner_up, 1);
  const CountColumn& L = e.choices()[li];
  const CountColumn& R = e.choices()[ri];

  PlaceMap m;
  m.source = e.source();
  m.level = g.level_name(level);
  m.top_level = g.level_name(0);
  m.leader = L.name;
  m.runner_up = R.name;
  if (arrival) {
    m.has_arrival = true;
    m.arrival_kind = arrival->kind;
    m.offset_minutes = arrival->offset_minutes;
  }
  const size_t n_places = g.node_count(level);
  struct Acc {
    double lat = 0, lon = 0, lat_min = INFINITY, lat_max = -INFINITY, lon_min = INFINITY, lon_max = -INFINITY;
    size_t with_coords = 0, sheets = 0, arrived = 0;
    int64_t valid = 0, lead = 0, run = 0;
    std::vector<int64_t> times;
  };
  std::vector<Acc> acc(n_places);
  const auto& nodes = g.nodes_of(level);
  for (size_t s = 0; s < e.sheets(); ++s) {
    Acc& a = acc[nodes[s]];
    ++a.sheets;
    a.valid += e.valid()[s];
    a.lead += L.or_zero(s);
    a.run += R.or_zero(s);
    double la = e.latitude()[s], lo = e.longitude()[s];
    if (std::isnan(la) || std::isnan(lo)) {
      ++m.sheets_without_coordinates;
    } else {
      a.lat += la;
      a.lon += lo;
      a.lat_min = std::min(a.lat_min, la);
      a.lat_max = std::max(a.lat_max, la);
      a.lon_min = std::min(a.lon_min, lo);
      a.lon_max = std::max(a.lon_max, lo);
      ++a.with_coords;
    }
    if (arrival && arrival->has_arrived(s)) {
      ++a.arrived;
      a.times.push_back(arrival->order[s]);
    }
  }
  for (uint32_t p = 0; p < n_places; ++p) {
    Acc& a = acc[p];
    if (a.sheets == 0) continue;
    if (a.with_coords == 0) {
      ++m.places_without_coordinates;
      continue;
    }
    PlaceMap::Place pl;
    pl.name = g.path(level, p);
    uint32_t up = p;
    for (size_t l = level; l > 0; --l) up = g.parent(l, up);
    pl.top = g.node_name(0, up);
    pl.lat = a.lat / static_cast<double>(a.with_coords);
    pl.lon = a.lon / static_cast<double>(a.with_coords);
    m.places_with_spread += (a.lat_max - a.lat_min > 0.01 || a.lon_max - a.lon_min > 0.01);
    pl.sheets = a.sheets;
    pl.valid = a.valid;
    pl.margin_points = a.valid > 0 ? 100.0 * static_cast<double>(a.lead - a.run) / static_cast<double>(a.valid) : NAN;
    if (arrival) {
      pl.arrived_share = static_cast<double>(a.arrived) / static_cast<double>(a.sheets);
      if (!a.times.empty()) {
        auto mid = a.times.begin() + static_cast<long>((a.times.size() - 1) / 2);  // lower median: an actual arrival
        std::nth_element(a.times.begin(), mid, a.times.end());
        pl.median_arrival = *mid;
      }
    }
    m.places.push_back(std::move(pl));
  }
  return m;
}

nlohmann::ordered_json to_json(const PlaceMap& m) {
  nlohmann::ordered_json j;
  j["source"] = m.source;
  j["level"] = m.level;
  j["leader"] = m.leader;
  j["runner_up"] = m.runner_up;
  j["has_arrival"] = m.has_arrival;
  if (m.has_arrival) j["arrival_kind"] = m.arrival_kind == Arrival::Kind::kTimestamps ? "timestamps" : "snapshots";
  j["places_without_coordinates"] = m.places_without_coordinates;
  j["sheets_without_coordinates"] = m.sheets_without_coordinates;
  j["places_with_spread"] = m.places_with_spread;
  auto& arr = j["places"] = nlohmann::ordered_json::array();
  for (const auto& p : m.places) {
    nlohmann::ordered_json o = {{"name", p.name}, {"top", p.top}, {"lat", p.lat}, {"lon", p.lon}, {"sheets", p.sheets},
                                {"valid", p.valid}};
    o["margin_points"] = std::isnan(p.margin_points) ? nlohmann::ordered_json() : nlohmann::ordered_json(p.margin_points);
    if (m.has_arrival) {
      o["median_arrival"] = p.median_arrival == kMissing ? nlohmann::ordered_json() : nlohmann::ordered_json(p.median_arrival);
      o["arrived_share"] = p.arrived_share;
    }
    arr.push_back(std::move(o));
  }
  return j;
}

}  // namespace tallyscope
