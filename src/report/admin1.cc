#include "report/admin1.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "report/assets.h"

namespace tallyscope::report {
namespace {

// The embedded asset as one string, joined once (7.6 MB: only pages with a map ask for it).
const std::string& admin1_text() {
  static const std::string text = join_asset(kAsset_admin1);
  return text;
}

double to_double(std::string_view s) {
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

size_t to_size(std::string_view s) {
  size_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::vector<Admin1Country> parse_index() {
  std::vector<Admin1Country> out;
  const std::string text = join_asset(kAsset_admin1_index);
  std::string_view rest(text);
  while (!rest.empty()) {
    const size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    std::vector<std::string_view> f;
    for (size_t start = 0;;) {
      const size_t tab = line.find('\t', start);
      f.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (f.size() != 5) continue;  // the trailing empty line
    Admin1Country c;
    c.iso = std::string(f[0]);
    c.object = std::string(f[1]);
    c.offset = to_size(f[2]), c.length = to_size(f[3]);
    for (std::string_view boxes = f[4]; !boxes.empty();) {  // "w,s,e,n;w,s,e,n;..."
      const size_t semi = boxes.find(';');
      std::string_view b = boxes.substr(0, semi);
      boxes = semi == std::string_view::npos ? std::string_view() : boxes.substr(semi + 1);
      double v[4] = {0, 0, 0, 0};
      for (int k = 0; k < 4; ++k) {
        const size_t comma = b.find(',');
        v[k] = to_double(b.substr(0, comma));
        b = comma == std::string_view::npos ? std::string_view() : b.substr(comma + 1);
      }
      c.boxes.push_back({v[0], v[1], v[2], v[3]});
    }
    out.push_back(std::move(c));
  }
  return out;
}

// The summed area of a country's unit boxes (square degrees): the tie-break, smaller first.
double box_area(const Admin1Country& c) {
  double a = 0;
  for (const auto& b : c.boxes) a += (b.west <= b.east ? b.east - b.west : 360 - (b.west - b.east)) * (b.north - b.south);
  return a;
}

}  // namespace

bool Admin1Country::Box::holds(double lon, double lat) const {
  if (lat < south || lat > north) return false;
  return west <= east ? lon >= west && lon <= east : lon >= west || lon <= east;
}

bool Admin1Country::holds(double lon, double lat) const {
  for (const auto& b : boxes)
    if (b.holds(lon, lat)) return true;
  return false;
}

const std::vector<Admin1Country>& admin1_index() {
  static const std::vector<Admin1Country> index = parse_index();
  return index;
}

std::vector<Admin1Country> admin1_covering(const std::vector<std::pair<double, double>>& lon_lat, size_t max,
                                           double min_share) {
  // Counted on at most ~2,000 of the points (every k-th: deterministic), so that a map of a hundred
  // thousand stations does not test each against every unit's box of 255 countries.
  const size_t stride = std::max<size_t>(1, (lon_lat.size() + 1999) / 2000);
  size_t counted = 0;
  for (size_t i = 0; i < lon_lat.size(); i += stride) ++counted;
  std::vector<std::pair<size_t, const Admin1Country*>> hits;
  for (const auto& c : admin1_index()) {
    size_t n = 0;
    for (size_t i = 0; i < lon_lat.size(); i += stride) n += c.holds(lon_lat[i].first, lon_lat[i].second);
    if (n > 0 && static_cast<double>(n) >= min_share * static_cast<double>(counted)) hits.emplace_back(n, &c);
  }
  std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : box_area(*a.second) < box_area(*b.second);
  });
  std::vector<Admin1Country> out;
  for (size_t i = 0; i < hits.size() && i < max; ++i) out.push_back(*hits[i].second);
  return out;
}

const Admin1Country* admin1_by_dataset(const std::string& name) {
  for (const auto& c : admin1_index())
    if (c.dataset() == name) return &c;
  return nullptr;
}

std::string admin1_topology(const Admin1Country& c) {
  const std::string& text = admin1_text();
  if (c.offset >= text.size()) return {};
  return text.substr(c.offset, c.length);
}

}  // namespace tallyscope::report
