// Postal-vote districts (spec [postal]): their voters are registered on other sheets.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "analysis/count/integrity.h"
#include "analysis/count/summary.h"
#include "analysis/forensics/forensics.h"
#include "model/load.h"
#include "model/spec.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

const char* kPostalSpec = R"(
choices = ["A", "B"]
[columns]
id = "id"
geography = ["muni"]
registered = "reg"
[postal]
column = "kind"
values = ["B"]
)";

size_t count_code(const IntegrityReport& r, const std::string& code) {
  size_t n = 0;
  for (const Finding& f : r.findings) n += f.code == code;
  return n;
}

// A postal district's registered count is 0 in the German downloads: not an error there; an urn
// district with more ballots than registered voters still is. Turnout counts postal ballots over
// the urn districts' registered voters, as the Bundeswahlleiterin does.
TEST(Postal, DistrictsAreNotComparedWithTheirRegisteredCount) {
  LoadOptions o;
  o.spec = parse_spec(kPostalSpec, "postal.toml");
  const Election e = load_election(
      testing::temp_file("id,muni,kind,reg,A,B\n1,N,U,100,30,20\n2,N,B,0,40,10\n3,N,U,10,30,20\n"), o);
  EXPECT_FALSE(e.postal(0));
  EXPECT_TRUE(e.postal(1));
  EXPECT_EQ(e.postal_sheets(), 1u);
  const IntegrityReport r = check_integrity(e, {});
  EXPECT_EQ(count_code(r, "ballots_above_registered"), 1u);  // sheet 3 only
  EXPECT_EQ(count_code(r, "zero_registered"), 0u);
  const Summary s = summarize(e);
  EXPECT_DOUBLE_EQ(s.turnout, 150.0 / 110);
}

// Sachsen-Anhalt, Bundestag 2025, per Wahlbezirk (486 of 2,637 are postal districts, Wahllokal B,
// registered 0). Figures counted from the file with pandas: registered 1,734,719, voters
// 1,347,837 (turnout 77.70%, the Landeswahlleiterin's), AfD 496,110 of 1,337,349 valid second votes.
TEST(PostalShared, SachsenAnhalt2025WithAPostalSpec) {
  TALLYSCOPE_REQUIRE_SHARED(path, "germany-2025/SachsenAnhalt.csv.gz");
  LoadOptions o;
  o.spec = parse_spec(R"(
choices = [{ name = "SPD", column = "F01 - SPD" }, { name = "CDU", column = "F02 - CDU" },
           { name = "AfD", column = "F03 - AfD" }, { name = "Die Linke", column = "F04 - Die Linke" },
           { name = "FDP", column = "F05 - FDP" }, { name = "GRÜNE", column = "F06 - GRÜNE" },
           { name = "FREIE WÄHLER", column = "F07 - FREIE WÄHLER" }, { name = "Die PARTEI", column = "F08 - Die PARTEI" },
           { name = "Volt", column = "F09 - Volt" }, { name = "MLPD", column = "F10 - MLPD" },
           { name = "BÜNDNIS DEUTSCHLAND", column = "F11 - BÜNDNIS DEUTSCHLAND" }, { name = "BSW", column = "F12 - BSW" }]
[columns]
id = ["Gemeindeschlüssel", "Wahlbezirk", "Wahllokal"]
geography = ["Wahlkreisname", "Kreisfreie Stadt/Landkreis", "Gemeindename"]
registered = "A - Wahlberechtigte"
ballots = "B - Wähler/-innen"
invalid = "E - Ungültige Zweitstimmen"
valid = "F - Gültige Zweitstimmen"
[postal]
column = "Wahllokal"
values = ["B"]
)", "sachsen-anhalt.toml");
  const Election e = load_election(path, o);
  ASSERT_EQ(e.sheets(), 2637u);
  EXPECT_EQ(e.postal_sheets(), 486u);
  EXPECT_TRUE(e.duplicate_ids().empty());
  const Summary s = summarize(e);
  EXPECT_EQ(s.registered, 1734719);
  EXPECT_EQ(s.valid, 1337349);
  EXPECT_NEAR(s.turnout, (1337349.0 + 10488) / 1734719, 1e-12);
  EXPECT_EQ(s.choices[0].name, "AfD");
  EXPECT_EQ(s.choices[0].votes, 496110);
  const IntegrityReport r = check_integrity(e, {});
  EXPECT_EQ(count_code(r, "ballots_above_registered"), 0u);
  EXPECT_EQ(count_code(r, "declared_valid_mismatch"), 0u);
  // An undisputed count: the battery raises no flag; postal districts stay out of its units.
  ForensicsOptions fo;
  fo.replicates = 200;
  const ForensicsResult f = run_forensics(e, fo);
  EXPECT_GT(f.tests_run(), 0u);
  EXPECT_EQ(f.flagged(), 0u);
  // Postal voting leaves the urn districts' turnout without their postal voters: no turnout model.
  for (const auto& m : f.model_fits) {
    EXPECT_FALSE(m.klimek.run) << m.choice;
    EXPECT_NE(m.klimek.why_not.find("postal-vote districts"), std::string::npos) << m.klimek.why_not;
  }
}

// Rheinland-Pfalz 2025: each party's header comes twice (votes, then the percentage), so the spec
// names the first of each ('Z_CDU#1'); the sheet key is the municipality's, shared by its districts,
// hence 325 repeated ids (326 pairs of key and name as written; two of them differ
// only in spacing or Unicode form, which ids are compared without); parties not on a constituency's ballot have empty cells, read as 0 where
// the declared valid votes agree. Totals by an independent pandas sum of the first Z_ columns:
// 5,482 districts (1,478 postal), registered 3,014,482, ballots 2,500,548, valid 2,482,358, invalid
// 18,190, CDU 760,623, AfD 498,695. The battery: 18 tests, none flagged (seeds 1-10 give the same;
// the note records them), model fits not run (postal voting).
TEST(PostalShared, RheinlandPfalz2025RepeatedHeadersChosenByOccurrence) {
  TALLYSCOPE_REQUIRE_SHARED(path, "germany-2025/RheinlandPfalz.csv.gz");
  std::string choices;
  for (const char* p : {"SPD", "CDU", "GRÜNE", "FDP", "AfD", "FREIE WÄHLER", "die Linke", "Tierschutzpartei", "die PARTEI",
                        "Volt", "ÖDP", "MLPD", "BÜNDNIS DEUTSCHLAND", "BSW", "Ideenschmiede"})
    choices += fmt::format("{}{{ name = \"{}\", column = \"Z_{}#1\" }}", choices.empty() ? "" : ", ", p, p);
  LoadOptions o;
  o.spec = parse_spec("choices = [" + choices + "]\n[columns]\nid = [\"Identifikationsschlüssel\", \"Bezeichnung Wahlbezirk\"]\n"
                      "geography = [\"Identifikationsschlüssel\"]\nregistered = \"A (WB insgesamt)\"\n"
                      "ballots = \"B Wähler insgesamt\"\ninvalid = \"ungültige Zweit\"\nvalid = \"gültige Zweit\"\n"
                      "[postal]\ncolumn = \"Urne (U) Briefwahl (W)\"\nvalues = [\"W\"]\n",
                      "rlp.toml");
  const Election e = load_election(path, o);
  ASSERT_EQ(e.sheets(), 5482u);
  EXPECT_EQ(e.postal_sheets(), 1478u);
  EXPECT_EQ(e.duplicate_ids().size(), 325u);
  const Summary s = summarize(e);
  EXPECT_EQ(s.registered, 3014482);
  EXPECT_EQ(s.valid, 2482358);
  EXPECT_EQ(s.choices[0].name, "CDU");
  EXPECT_EQ(s.choices[0].votes, 760623);
  EXPECT_EQ(s.choices[1].votes, 498695);
  ForensicsOptions fo;
  fo.replicates = 200;
  const ForensicsResult f = run_forensics(e, fo);
  EXPECT_EQ(f.tests_run(), 18u);
  EXPECT_EQ(f.flagged(), 0u);
  for (const auto& m : f.model_fits) EXPECT_FALSE(m.klimek.run) << m.choice;
}

}  // namespace
}  // namespace tallyscope
