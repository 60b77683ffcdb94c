#include "model/load.h"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "io/error.h"
#include "model/layout.h"
#include "model/spec.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

using testing::temp_file;

const char* kLoadSpec = R"(
choices = ["A", "B"]
[columns]
id = "id"
geography = ["muni", "place"]
registered = "reg"
blank = "blank"
invalid = "null"
[rule]
kind = "majority"
)";

LoadOptions with_spec(const char* spec = kLoadSpec) {
  LoadOptions o;
  o.spec = parse_spec(spec, "spec.toml");
  return o;
}

// Expects load_election to fail with a message naming file:line:column and containing needle.
void expect_input_error(const std::string& csv, const std::string& where, const std::string& needle,
                        LoadOptions options = with_spec()) {
  std::string path = temp_file(csv);
  try {
    load_election(path, options);
    FAIL() << "no error; wanted " << needle;
  } catch (const InputError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(path + where), std::string::npos) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
  }
}

TEST(Load, ReadsColumnsAndDerivesTotals) {
  std::string path = temp_file(
      "id,muni,place,reg,A,B,blank,null\n"
      "1,M1,P1,100,40,30,2,3\n"
      "2,M1,P1,100,10,60,0,1\n"
      "3,M2,P1,50,20,,1,0\n");
  Election e = load_election(path, with_spec());
  ASSERT_EQ(e.sheets(), 3u);
  EXPECT_EQ(e.id(2), "3");
  EXPECT_EQ(e.line(2), 4u);
  EXPECT_EQ(e.valid()[0], 70);
  EXPECT_EQ(e.ballots()[0], 75);
  EXPECT_EQ(e.choices()[1][2], kMissing);
  EXPECT_EQ(e.choices()[1].missing, 1u);
  EXPECT_EQ(e.valid()[2], 20);  // missing read as 0
  EXPECT_EQ(e.geography().node_count(1), 2u);  // P1 in M1 and P1 in M2 are two places
  EXPECT_EQ(*e.find("2"), 1u);
  EXPECT_FALSE(e.find("9").has_value());
  EXPECT_EQ(e.delimiter(), ',');
}

// A field holding a stray quote and the delimiter, unquoted (Bolivia 2020's 01:38 export): the row
// has one field too many, and joining the field that holds the quote with the next is the only
// reading in which every count column holds a count. It is read so, and recorded. Two fields with
// quotes, or a join that would put text in a count column, stay ragged-row errors.
TEST(Load, StrayQuoteRowIsRepairedAndRecorded) {
  const std::string head = "id,muni,place,reg,A,B,blank,null\n1,M,P,10,1,2,0,0\n";
  Election e = load_election(temp_file(head + "2,M,U. E. Perez\", Villa,10,3,4,0,1\n"), with_spec());
  ASSERT_EQ(e.sheets(), 2u);
  EXPECT_EQ(e.geography().node_name(1, e.geography().node_of(1, 1)), "U. E. Perez\", Villa");
  EXPECT_EQ(e.choices()[0][1], 3);
  ASSERT_EQ(e.row_repairs().size(), 1u);
  EXPECT_EQ(e.row_repairs()[0].line, 3u);
  EXPECT_EQ(e.row_repairs()[0].header, "place");
  expect_input_error(head + "2,M\",P\", Villa,10,3,4,0,1\n", ":3:", "ragged row");
  expect_input_error(head + "2,M,P,10,3\",4,0,1,5\n", ":3:", "ragged row");
}

TEST(Load, SemicolonCrlfBomAndQuotedNames) {
  std::string path = temp_file(
      "\xEF\xBB\xBFid;muni;place;reg;A;B;blank;null\r\n"
      "1;\"San José; Norte\";\"Escuela \"\"Uno\"\"\";100;40;30;2;3\r\n");
  Election e = load_election(path, with_spec());
  EXPECT_EQ(e.header()[0], "id");
  EXPECT_EQ(e.geography().node_name(0, 0), "San José; Norte");
  EXPECT_EQ(e.geography().node_name(1, 0), "Escuela \"Uno\"");
}

TEST(Load, Windows1252IsConverted) {
  std::string path = temp_file("id,muni,place,reg,A,B,blank,null\n1,Potos\xED,Ca\xF1" "ada \x80,10,1,2,0,0\n");
  Election e = load_election(path, with_spec());
  EXPECT_EQ(e.encoding(), "windows-1252");
  EXPECT_EQ(e.geography().node_name(0, 0), "Potosí");
  EXPECT_EQ(e.geography().node_name(1, 0), "Cañada €");
}

TEST(Load, GzipByMagicBytesWhateverTheName) {
  std::string csv = "id,muni,place,reg,A,B,blank,null\n1,M,P,10,1,2,0,0\n";
  std::string path = temp_file(testing::gzip_bytes(csv), ".csv");
  Election e = load_election(path, with_spec());
  EXPECT_EQ(e.sheets(), 1u);
  EXPECT_EQ(e.valid()[0], 3);
}

TEST(Load, MalformedInputNamesFileLineAndColumn) {
  const std::string h = "id,muni,place,reg,A,B,blank,null\n";
  expect_input_error(h + "1,M,P,10,1,2,0,0\n2,M,P,10,x,2,0,0\n", ":3:5", "not a number");
  expect_input_error(h + "1,M,P,10,1,-2,0,0\n", ":2:6", "negative");
  expect_input_error(h + "1,M,P,10,1.5,2,0,0\n", ":2:5", "not a whole number");
  expect_input_error(h + "1,M,P,10,99999999999999999999,2,0,0\n", ":2:5", "too large");
  expect_input_error(h + "1,M,P,10,1,2,0\n", ":2:", "7 fields where the header has 8");
  expect_input_error(h + "1,M,P,10,1,2,0,0,9\n", ":2:", "9 fields where the header has 8");
  LoadOptions utf8 = with_spec();
  utf8.encoding = "utf-8";
  expect_input_error(h + "1,M\xC3(,P,10,1,2,0,0\n", ":2:2", "invalid UTF-8", utf8);
  expect_input_error(h + ",M,P,10,1,2,0,0\n", ":2:1", "empty sheet id");
  expect_input_error("id,muni,place,A,B,blank,null\n1,M,P,1,2,0,0\n", ":1", "'reg', which is not in the file");
  expect_input_error(h, ":1", "header but no rows");
  expect_input_error("", "", "empty");
  expect_input_error(h + "1,M,\"P,10,1,2,0,0\n", ":2:3", "unterminated quoted field");
}

TEST(Load, MixedEncodingIsAnErrorNotAGuess) {
  // 70 KB of UTF-8 (so detection settles on UTF-8), then a Windows-1252 byte.
  std::string csv = "id,muni,place,reg,A,B,blank,null\n";
  for (int i = 0; csv.size() < 70000; ++i) csv += std::to_string(i) + ",Potosí,P,10,1,2,0,0\n";
  csv += "x,Potos\xED,P,10,1,2,0,0\n";
  size_t lines = static_cast<size_t>(std::count(csv.begin(), csv.end(), '\n'));
  expect_input_error(csv, ":" + std::to_string(lines) + ":2", "invalid UTF-8");
}

TEST(Load, LenientKeepsUnreadableCountsAsIssues) {
  LoadOptions o = with_spec();
  o.lenient = true;
  std::string path = temp_file("id,muni,place,reg,A,B,blank,null\n1,M,P,10,x,-2,0,0\n2,M,P,10,1,2,0,0\n");
  Election e = load_election(path, o);
  ASSERT_EQ(e.sheets(), 2u);
  ASSERT_EQ(e.cell_issues().size(), 2u);
  EXPECT_EQ(e.cell_issues()[0].line, 2u);
  EXPECT_EQ(e.cell_issues()[0].column, 5u);
  EXPECT_EQ(e.cell_issues()[0].text, "x");
  EXPECT_EQ(e.cell_issues()[1].problem, "negative");
  EXPECT_EQ(e.choices()[0][0], kMissing);
}

TEST(Load, CoordinatesAndTimestamps) {
  const char* spec = R"(
choices = ["A"]
[columns]
id = "id"
latitude = "lat"
longitude = "lon"
timestamp = "t"
timezone = "-04:00"
)";
  std::string path = temp_file("id,lat,lon,t,A\n1,-16.5,-68.1,2019-10-20T19:40:57-04:00,3\n2,,,2019-10-20 19:40:57,4\n");
  Election e = load_election(path, with_spec(spec));
  EXPECT_DOUBLE_EQ(e.latitude()[0], -16.5);
  EXPECT_TRUE(std::isnan(e.latitude()[1]));
  EXPECT_EQ(e.timestamps_ms()[0], 1571614857000);
  EXPECT_EQ(e.timestamps_ms()[1], 1571614857000);  // no zone: the spec's -04:00
  expect_input_error("id,lat,lon,t,A\n1,95,0,2019-10-20T19:40:57Z,3\n", ":2:2", "coordinate", with_spec(spec));
  expect_input_error("id,lat,lon,t,A\n1,0,0,2019-13-20T19:40:57Z,3\n", ":2:4", "ISO 8601", with_spec(spec));
}

TEST(Load, DuplicateIdsAreKeptAndListed) {
  std::string path = temp_file("id,muni,place,reg,A,B,blank,null\n1,M,P,10,1,2,0,0\n1,M,P,10,1,2,0,0\n2,M,P,1,0,0,0,0\n");
  Election e = load_election(path, with_spec());
  EXPECT_EQ(e.sheets(), 3u);
  ASSERT_EQ(e.duplicate_ids().size(), 1u);
  EXPECT_EQ(e.duplicate_ids()[0], (std::vector<size_t>{0, 1}));
}

TEST(Load, GuessesWithoutSpec) {
  std::string path = temp_file("station|district|registered|Red|Blue|blank|invalid\nS1|D1|100|40|30|1|2\nS2|D1|90|20|50|0|0\n");
  Election e = load_election(path);
  EXPECT_EQ(e.spec().layout, "guess");
  EXPECT_EQ(e.delimiter(), '|');
  EXPECT_EQ(e.sheets(), 2u);
  EXPECT_EQ(e.choices().size(), 2u);
  EXPECT_EQ(e.registered()->values[1], 90);
}

// ---- The real files in ../shared/data (facts from its README) ----

TEST(LoadShared, Bolivia2019FinalCount) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/computo-final.csv.gz");
  Election e = load_election(path);
  EXPECT_EQ(e.spec().layout, "bolivia-oep-2019");
  EXPECT_EQ(e.sheets(), 34555u);
  EXPECT_EQ(e.choices().size(), 9u);
  EXPECT_TRUE(e.has_coordinates());
  EXPECT_EQ(e.geography().levels(), 8u);
  // Polling places keyed by their whole path: 5,296 places, though only 4,814 distinct names.
  int recinto = e.geography().find_level("Recinto");
  ASSERT_GE(recinto, 0);
  EXPECT_EQ(e.geography().node_count(static_cast<size_t>(recinto)), 5296u);
  EXPECT_EQ(e.header()[0], "Número Mesa");  // the byte-order mark is not part of the name
}

TEST(LoadShared, Bolivia2016ReferendumPipeDelimitedWithoutSpec) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2016/referendum-2016-02-21.csv.gz");
  Election e = load_election(path);
  EXPECT_EQ(e.spec().layout, "bolivia-oep-2016-referendum");
  EXPECT_EQ(e.delimiter(), '|');
  EXPECT_EQ(e.sheets(), 29224u);
}

// The CEC protocol family by meaning, without a spec. Registered voters and stations as listed in
// ../shared/data/README.md (russia-other): 2016 110,061,200 on 96,871; 2020 107,999,611 on
// 96,765; 2021 109,204,662 on 96,325.
void expect_russian(const std::string& path, size_t stations, int64_t registered, size_t choices, size_t relations) {
  Election e = load_election(path);
  EXPECT_EQ(e.spec().layout, "russia-cec");
  EXPECT_EQ(e.sheets(), stations);
  ASSERT_TRUE(e.registered());
  int64_t total = 0;
  for (size_t i = 0; i < e.sheets(); ++i) total += e.registered()->or_zero(i);
  EXPECT_EQ(total, registered);
  EXPECT_EQ(e.choices().size(), choices);
  EXPECT_EQ(e.spec().relations.size(), relations);
  EXPECT_TRUE(e.duplicate_ids().empty());
  for (const auto& x : e.extras()) EXPECT_NE(x.name, "registered");
}

TEST(LoadShared, RussiaDuma2016) {
  TALLYSCOPE_REQUIRE_SHARED(path, "russia-other/2016.csv.gz");
  expect_russian(path, 96871, 110061200, 14, 2);
  Election e = load_election(path);
  // United Russia's list: 28,527,828 votes (the CEC's official result).
  int er = e.find_choice("4. Всероссийская политическая партия \"ЕДИНАЯ РОССИЯ\"");
  ASSERT_GE(er, 0);
  int64_t votes = 0;
  for (size_t i = 0; i < e.sheets(); ++i) votes += e.choices()[static_cast<size_t>(er)].or_zero(i);
  EXPECT_EQ(votes, 28527828);
  // Lost absentee certificates are not lost ballots.
  int lost = -1;
  for (size_t k = 0; k < e.extras().size(); ++k)
    if (e.extras()[k].name == "lost") lost = static_cast<int>(k);
  ASSERT_GE(lost, 0);
  EXPECT_EQ(e.extras()[static_cast<size_t>(lost)].header, "Число утраченных избирательных бюллетеней");
}

TEST(LoadShared, RussiaReferendum2020) {
  TALLYSCOPE_REQUIRE_SHARED(path, "russia-other/2020.csv.gz");
  expect_russian(path, 96765, 107999611, 2, 1);
}

TEST(LoadShared, RussiaDuma2021) {
  TALLYSCOPE_REQUIRE_SHARED(path, "russia-other/2021.csv.gz");
  expect_russian(path, 96325, 109204662, 14, 2);
  // United Russia's list: 28,064,200 votes (the CEC's official result), electronic votes included.
  Election e = load_election(path);
  int er = e.find_choice("5. Всероссийская политическая партия \"ЕДИНАЯ РОССИЯ\"");
  ASSERT_GE(er, 0);
  int64_t votes = 0;
  for (size_t i = 0; i < e.sheets(); ++i) votes += e.choices()[static_cast<size_t>(er)].or_zero(i);
  EXPECT_EQ(votes, 28064200);
}

// One extra byte-order mark, or "Numero Mesa" without its accent, must not drop the Bolivian
// layout and its threshold rule (the 19:40 TREP would go from "runoff" to "MAS wins").
TEST(Layout, BolivianHeadersMatchedByTheirNormalisedForm) {
  std::string csv = "\xEF\xBB\xBF\xEF\xBB\xBFNumero Mesa,Pais,Departamento,Recinto,INSCRITOS,CC,MAS - IPSP,Blancos,Nulos\n"
                    "1,Bolivia,La Paz,R1,200,45,55,2,3\n2,Bolivia,La Paz,R1,200,44,40,1,1\n";
  Election e = load_election(temp_file(csv));
  EXPECT_EQ(e.spec().layout, "bolivia-oep-2019");
  EXPECT_EQ(e.spec().rule.kind, ContestRule::Kind::kThreshold);
  EXPECT_EQ(e.sheets(), 2u);
  EXPECT_EQ(e.choices().size(), 2u);
}

TEST(Load, ASpecSelectsOneRaceOfSeveral) {
  std::string spec_text = "contest = \"P\"\nchoices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ncontest = \"race\"\n";
  ElectionSpec spec = parse_spec(spec_text, "s.toml");
  ElectionSpec again = parse_spec(write_spec(spec), "again.toml");
  EXPECT_EQ(*again.contest_column, "race");
  EXPECT_EQ(again.contest, "P");
  std::string path = temp_file("id,race,A,B\n1,P,3,4\n1,D,9,9\n2,P,5,1\n2,D,8,8\n");
  LoadOptions o;
  o.spec = spec;
  Election e = load_election(path, o);
  EXPECT_EQ(e.sheets(), 2u);
  EXPECT_TRUE(e.duplicate_ids().empty());
  o.contest = "D";
  EXPECT_EQ(load_election(path, o).choices()[0].or_zero(0), 9);
  o.contest = "X";
  try {
    load_election(path, o);
    FAIL() << "an unknown race must be an error";
  } catch (const InputError& err) {
    EXPECT_NE(std::string(err.what()).find("races in the file: P, D"), std::string::npos) << err.what();
  }
}

// Bolivia 2020, the TSE's cómputo export of 19 Oct 00:18 (Latin-1 CSV, presidential and deputies'
// rows in one file): 1,616 presidential mesas; MAS-IPSP 91,424, CC 145,095, CREEMOS 38,935; valid
// 280,867 of 337,923 registered (counted with Python's csv module on the presidential rows).
TEST(LoadShared, Bolivia2020ComputoSnapshotPresidentialRows) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2020/computo-snapshots/exportacion_EG2020_20201019_001833_4321603663817708923.csv.gz");
  Election e = load_election(path);
  EXPECT_EQ(e.spec().layout, "bolivia-tse-2020");
  EXPECT_EQ(e.encoding(), "windows-1252");
  EXPECT_EQ(e.sheets(), 1616u);
  EXPECT_TRUE(e.duplicate_ids().empty());
  auto total = [&](const char* name) {
    int64_t t = 0;
    const CountColumn& c = e.choices()[static_cast<size_t>(e.find_choice(name))];
    for (size_t i = 0; i < e.sheets(); ++i) t += c.or_zero(i);
    return t;
  };
  EXPECT_EQ(total("MAS_IPSP"), 91424);
  EXPECT_EQ(total("CC"), 145095);
  EXPECT_EQ(total("CREEMOS"), 38935);
  int64_t reg = 0, valid = 0;
  for (size_t i = 0; i < e.sheets(); ++i) {
    reg += e.registered()->or_zero(i);
    valid += e.valid()[i];
  }
  EXPECT_EQ(reg, 337923);
  EXPECT_EQ(valid, 280867);
  EXPECT_EQ(e.spec().rule.kind, ContestRule::Kind::kThreshold);
}

TEST(Layout, RussianWordingVariantsAreOneLayout) {
  std::vector<std::string> h = {"region", "tik", "uik", "Число избирателей, внесенных в список избирателей",
                                "Число недействительных избирательных бюллетеней",
                                "Число действительных избирательных бюллетеней", "Иванов Иван", "Петров Пётр", "url"};
  auto s = known_layout(h);
  ASSERT_TRUE(s);
  EXPECT_EQ(*s->registered, h[3]);
  EXPECT_EQ(*s->invalid, h[4]);
  EXPECT_EQ(*s->valid, h[5]);
  EXPECT_EQ(s->choices.size(), 2u);
  EXPECT_EQ(s->rule.kind, ContestRule::Kind::kMajority);
}

TEST(LoadShared, Russia2018Protocols) {
  TALLYSCOPE_REQUIRE_SHARED(path, "russia-2018/2018.csv.gz");
  Election e = load_election(path);
  EXPECT_EQ(e.spec().layout, "russia-cec");
  EXPECT_EQ(e.sheets(), 97699u);
  EXPECT_EQ(e.choices().size(), 8u);
  EXPECT_EQ(e.extras().size(), 9u);
  EXPECT_EQ(e.spec().relations.size(), 2u);
  EXPECT_TRUE(e.duplicate_ids().empty());
}

// Bolivia 2020, the TSE's 01:38 cómputo export: eight rows of one recinto carry its name with a
// stray quote and a comma, unquoted ("U. E. Elizardo Perez\", Villa Victoria (Temporal)"), so each
// has 41 fields for 40 columns; the file used to stop there. Read with the repair: 2,609
// presidential mesas, CC 219,910 votes (regression pins; the repairs are check's findings).
TEST(LoadShared, Bolivia2020StrayQuoteExport) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2020/computo-snapshots/exportacion_EG2020_20201019_013833_2114423399361584190.csv.gz");
  Election e = load_election(path);
  EXPECT_EQ(e.sheets(), 2609u);
  ASSERT_EQ(e.row_repairs().size(), 8u);
  EXPECT_EQ(e.row_repairs()[0].line, 1283u);
  EXPECT_EQ(e.row_repairs()[0].header, "RECINTO");
  int64_t cc = 0;
  for (const auto& c : e.choices())
    if (c.name == "CC")
      for (size_t s = 0; s < e.sheets(); ++s) cc += c.or_zero(s);
  EXPECT_EQ(cc, 219910);
}

// A header that repeats a name (Germany's Wahlbezirk downloads: each party's votes, then a column of
// the same name with its percentage): mapping the bare name is an error that lists where it
// appears and says how to choose; 'name#k' chooses the k-th; past the last is an error.
TEST(Load, RepeatedHeaderNamesAreChosenByOccurrence) {
  const std::string csv = testing::temp_file("id;reg;Z_A;Z_B;Z_A;Z_B\n1;100;30;20;60,0;40,0\n2;100;10;40;20,0;80,0\n");
  LoadOptions o;
  o.spec = parse_spec("choices = [{ name = \"A\", column = \"Z_A\" }, { name = \"B\", column = \"Z_B#1\" }]\n"
                      "[columns]\nid = \"id\"\nregistered = \"reg\"\n", "s");
  try {
    load_election(csv, o);
    ADD_FAILURE() << "a repeated name was resolved without saying which";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("appears more than once in the header (1 at column 3, 2 at column 5)"), std::string::npos) << m;
    EXPECT_NE(m.find("'Z_A#1', 'Z_A#2'"), std::string::npos) << m;
  }
  o.spec = parse_spec("choices = [{ name = \"A\", column = \"Z_A#1\" }, { name = \"B\", column = \"Z_B#1\" }]\n"
                      "[columns]\nid = \"id\"\nregistered = \"reg\"\n", "s");
  const Election e = load_election(csv, o);
  EXPECT_EQ(e.choices()[0][0], 30);
  EXPECT_EQ(e.choices()[1][1], 40);
  o.spec = parse_spec("choices = [{ name = \"A\", column = \"Z_A#3\" }, \"Z_B#1\"]\n[columns]\nid = \"id\"\n", "s");
  try {
    load_election(csv, o);
    ADD_FAILURE() << "a third occurrence was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'Z_A' appears 2 times in the header"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tallyscope
