#include "analysis/count/place_map.h"

#include <cmath>

#include <gtest/gtest.h>

#include "io/error.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

LoadOptions spec(bool coords) {
  LoadOptions o;
  o.spec = parse_spec(std::string("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ngeography = [\"town\", \"place\"]\n") +
                          (coords ? "latitude = \"lat\"\nlongitude = \"lon\"\n" : ""),
                      "s");
  return o;
}

TEST(PlaceMap, PlacesMarginsAndArrival) {
  // Two places named alike in different towns are different places; one place has no coordinates.
  std::string csv =
      "id,town,place,lat,lon,A,B\n"
      "1,T1,School,-16.0,-68.0,60,40\n"
      "2,T1,School,-16.2,-68.2,30,10\n"
      "3,T2,School,-17.0,-66.0,10,90\n"
      "4,T2,Hall,,,50,50\n";
  Election e = load_election(testing::temp_file(csv), spec(true));
  Arrival a = read_arrival_times(
      testing::temp_file("id,time\n1,2020-01-01T10:00:00Z\n2,2020-01-01T12:00:00Z\n4,2020-01-01T11:00:00Z\n"), e);
  PlaceMap m = place_map(e, &a);
  EXPECT_EQ(m.level, "place");
  EXPECT_EQ(m.leader, "B");  // B 190 votes, A 150
  EXPECT_EQ(m.runner_up, "A");
  ASSERT_EQ(m.places.size(), 2u);
  EXPECT_EQ(m.places_without_coordinates, 1u);
  EXPECT_EQ(m.sheets_without_coordinates, 1u);
  EXPECT_EQ(m.places_with_spread, 1u);  // T1 / School: 0.2 degrees apart
  const auto& p = m.places[0];
  EXPECT_EQ(p.name, "T1 / School");
  EXPECT_EQ(p.top, "T1");
  EXPECT_DOUBLE_EQ(p.lat, -16.1);
  EXPECT_DOUBLE_EQ(p.lon, -68.1);
  EXPECT_EQ(p.sheets, 2u);
  EXPECT_EQ(p.valid, 140);
  EXPECT_NEAR(p.margin_points, 100.0 * (50 - 90) / 140, 1e-12);
  EXPECT_DOUBLE_EQ(p.arrived_share, 1.0);
  EXPECT_EQ(p.median_arrival, 1577872800000);  // the lower median of 10:00 and 12:00
  EXPECT_EQ(m.places[1].median_arrival, kMissing);
  EXPECT_DOUBLE_EQ(m.places[1].arrived_share, 0.0);
  auto j = to_json(m);
  EXPECT_TRUE(j["places"][1]["median_arrival"].is_null());
}

TEST(PlaceMap, NoCoordinatesIsAUsageError) {
  Election e = load_election(testing::temp_file("id,town,place,A,B\n1,T,P,1,2\n"), spec(false));
  EXPECT_THROW(place_map(e), UsageError);
}

}  // namespace
}  // namespace tallyscope
