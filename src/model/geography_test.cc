#include "model/geography.h"

#include <gtest/gtest.h>

namespace tallyscope {
namespace {

TEST(Geography, SameNameUnderDifferentParentsIsTwoPlaces) {
  GeographyBuilder b({"municipality", "place"});
  b.add_sheet({"Dolores", "Escuela 1"});
  b.add_sheet({"Florida", "Escuela 1"});
  b.add_sheet({"Dolores", "Escuela 1"});
  b.add_sheet({"Dolores", "Escuela 2"});
  Geography g = std::move(b).build();
  EXPECT_EQ(g.levels(), 2u);
  EXPECT_EQ(g.node_count(0), 2u);
  EXPECT_EQ(g.node_count(1), 3u);
  EXPECT_EQ(g.node_of(1, 0), g.node_of(1, 2));
  EXPECT_NE(g.node_of(1, 0), g.node_of(1, 1));
  EXPECT_EQ(g.node_name(1, g.node_of(1, 1)), "Escuela 1");
  EXPECT_EQ(g.path(1, g.node_of(1, 1)), "Florida / Escuela 1");
  EXPECT_EQ(g.parent(1, g.node_of(1, 3)), g.node_of(0, 0));
  EXPECT_EQ(g.find_level("place"), 1);
  EXPECT_EQ(g.find_level("zone"), -1);
}

TEST(Geography, NoLevels) {
  GeographyBuilder b({});
  b.add_sheet({});
  Geography g = std::move(b).build();
  EXPECT_EQ(g.levels(), 0u);
}

}  // namespace
}  // namespace tallyscope
