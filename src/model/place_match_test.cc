#include "model/place_match.h"

#include <gtest/gtest.h>

#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

TEST(PlaceMatch, BestMatchRules) {
  std::vector<PlaceCandidate> c = {{"santa ana (de yacuma)", 1}, {"esteban arce", 2}, {"puerto guayaramerin", 3},
                                   {"san javier", 4}, {"san javier norte", 5}};
  EXPECT_EQ(best_match("santa ana (de yacuma)", c).first, 1);
  EXPECT_EQ(best_match("santa ana (de yacuma)", c).second, 0);
  EXPECT_EQ(best_match("santa ana", c).first, 1);          // without the parenthesis
  EXPECT_EQ(best_match("guayaramerin", c).first, 3);       // words contained
  EXPECT_EQ(best_match("esteban arze", c).first, 2);       // one letter in twelve
  EXPECT_EQ(best_match("san javier", c).first, 4);         // exact beats containment
  EXPECT_EQ(best_match("javier", c).first, -1);            // ambiguous: two contain it
  EXPECT_EQ(best_match("cobija", c).first, -1);
  // Numbers must agree: "escuela 1" is not "escuela 12", nor "unidad educativa 3" "... 8".
  std::vector<PlaceCandidate> schools = {{"escuela 12", 1}, {"unidad educativa 8", 2}};
  EXPECT_EQ(best_match("escuela 1", schools).first, -1);
  EXPECT_EQ(best_match("unidad educativa 3", schools).first, -1);
  EXPECT_EQ(best_match("esc 12", schools).first, 1);
}

TEST(PlaceMatch, MatchesWithinTheParentOnly) {
  LoadOptions a_opt, b_opt;
  a_opt.spec = parse_spec("choices = [\"A\"]\n[columns]\nid = \"id\"\ngeography = [\"Municipio\", \"Recinto\"]\n", "a");
  b_opt.spec = parse_spec(
      "choices = [\"A\"]\n[columns]\nid = \"id\"\ngeography = [\"Nombre MUNICIPIO\", \"Nombre RECINTO\"]\n", "b");
  Election a = load_election(testing::temp_file("id,Municipio,Recinto,A\n1,Sucre,Escuela 1,5\n2,Potosí,Escuela 1,5\n"
                                                "3,Potosí,Colegio Bolívar,1\n4,Oruro,Escuela 1,1\n"),
                             a_opt);
  Election b = load_election(testing::temp_file("id,Nombre MUNICIPIO,Nombre RECINTO,A\n9,POTOSI,ESCUELA 1,1\n"
                                                "8,SUCRE,ESC 2,1\n7,POTOSÍ,COL. BOLIVAR,1\n"),
                             b_opt);
  PlaceMatch m = match_places(a, b, "");
  ASSERT_EQ(m.levels.size(), 2u);
  EXPECT_EQ(m.b_node[0], -1);  // Sucre has no "Escuela 1" in b: never matched to Potosí's
  ASSERT_GE(m.b_node[1], 0);
  ASSERT_GE(m.b_node[2], 0);  // "POTOSI" and "POTOSÍ" are one municipality of b
  EXPECT_EQ(b.geography().node_name(1, static_cast<uint32_t>(m.b_node[1])), "ESCUELA 1");
  EXPECT_EQ(b.geography().node_name(1, static_cast<uint32_t>(m.b_node[2])), "COL. BOLIVAR");
  EXPECT_EQ(m.b_canonical.size(), 3u);
  EXPECT_EQ(m.b_node[3], -1);  // no Oruro in b
  EXPECT_EQ(m.places_a, 4u);
  EXPECT_EQ(m.places_matched, 2u);
  PlaceMatch muni = match_places(a, b, "Municipio");
  EXPECT_EQ(muni.sheets_matched, 3u);
}

// Bolivia 2019 against the 2016 referendum: the 2016 file has no voting abroad (1,507 actas of
// 2019), and names are spelled differently; most municipalities still match.
TEST(PlaceMatchShared, Bolivia2019To2016) {
  TALLYSCOPE_REQUIRE_SHARED(a_path, "bolivia-2019/computo-final.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(b_path, "bolivia-2016/referendum-2016-02-21.csv.gz");
  Election a = load_election(a_path), b = load_election(b_path);
  PlaceMatch muni = match_places(a, b, "Municipio");
  EXPECT_EQ(muni.levels.size(), 4u);
  EXPECT_GT(muni.sheets_matched, 32000u);  // of 33,048 actas in Bolivia
  PlaceMatch place = match_places(a, b, "Recinto");
  EXPECT_GT(place.places_matched, 4000u);  // of 5,296 polling places
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

// Issue 15 item 7: places are matched across files whatever their Unicode composition or
// invisible characters.
TEST(PlaceMatch, InvisibleDifferencesMatchExactly) {
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\"]\n[columns]\nid = \"id\"\ngeography = [\"Municipio\", \"Recinto\"]\n", "s");
  Election a = load_election(testing::temp_file("id,Municipio,Recinto,A\n1,Potos\u00ed,Escuela Jos\u00e9 Mar\u00eda,5\n"
                                                "2,Potos\u00ed,Colegio \u00d1anduti,5\n"),
                             o);
  Election b = load_election(testing::temp_file("id,Municipio,Recinto,A\n9,Potosi\u0301\u00a0,Escuela Jose\u0301 Mari\u0301a,1\n"
                                                "8,\ufeffPotos\u00ed,Colegio N\u0303anduti\u200b,1\n"),
                             o);
  PlaceMatch m = match_places(a, b, "");
  EXPECT_EQ(m.places_matched, 2u);
  EXPECT_EQ(m.fuzzy_places, 0u);  // equal names once normalised, not a loose match
}

}  // namespace
}  // namespace tallyscope
