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

namespace tallyscope {
namespace {

// Issue 15 item 7: spellings that differ only invisibly (NFD, a trailing no-break space, an inner
// U+FEFF) are one place, and which were merged is kept.
TEST(Geography, InvisiblyDifferentSpellingsAreOnePlace) {
  GeographyBuilder b({"municipality", "place"});
  b.add_sheet({"Dolores", "Escuela Jos\u00e9"});
  b.add_sheet({"Dolores", "Escuela Jose\u0301"});
  b.add_sheet({"Dolores\u00a0", "Escuela Jos\u00e9"});
  b.add_sheet({"Dolores", "Escuela\ufeff Jos\u00e9"});
  b.add_sheet({"Dolores", "Escuela Jose\u0301"});
  b.add_sheet({"Florida", "Escuela Jos\u00e9"});
  Geography g = std::move(b).build();
  EXPECT_EQ(g.node_count(0), 2u);
  EXPECT_EQ(g.node_count(1), 2u);
  for (size_t s = 1; s < 5; ++s) EXPECT_EQ(g.node_of(1, s), g.node_of(1, 0)) << s;
  EXPECT_EQ(g.node_name(0, g.node_of(0, 2)), "Dolores");
  EXPECT_EQ(g.node_name(1, g.node_of(1, 1)), "Escuela Jos\u00e9");
  ASSERT_EQ(g.merged_spellings().size(), 2u);
  EXPECT_EQ(g.merged_spellings()[0].level, 0u);
  EXPECT_EQ(g.merged_spellings()[0].spellings, (std::vector<std::string>{"Dolores", "Dolores\u00a0"}));
  EXPECT_EQ(g.merged_spellings()[1].spellings,
            (std::vector<std::string>{"Escuela Jos\u00e9", "Escuela Jose\u0301", "Escuela\ufeff Jos\u00e9"}));
  EXPECT_EQ(g.merged_spellings()[1].more, 0u);
}

}  // namespace
}  // namespace tallyscope
