#include "model/guess.h"

#include <gtest/gtest.h>

#include "analysis/count/summary.h"
#include "io/error.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

using Rows = std::vector<std::vector<std::string>>;

TEST(Guess, AnUnknownLayout) {
  std::vector<std::string> h = {"code", "province", "town", "Registered voters", "Smith", "Jones", "Blank", "Spoiled"};
  Rows rows = {{"A1", "North", "X", "100", "40", "30", "1", "2"}, {"A2", "North", "Y", "120", "50", "31", "0", "1"}};
  ElectionSpec s = guess_layout(h, rows, "f.csv");
  EXPECT_EQ(s.layout, "guess");
  EXPECT_EQ(s.id[0], "code");
  EXPECT_EQ(s.geography, (std::vector<std::string>{"province", "town"}));
  EXPECT_EQ(*s.registered, "Registered voters");
  EXPECT_EQ(*s.blank, "Blank");
  EXPECT_EQ(*s.invalid, "Spoiled");
  ASSERT_EQ(s.choices.size(), 2u);
  EXPECT_EQ(s.choices[0].column, "Smith");
  EXPECT_FALSE(s.notes.empty());
}

TEST(Guess, FailsWithoutCounts) {
  EXPECT_THROW(guess_layout(std::vector<std::string>{"a", "b"}, Rows{{"x", "y"}}, "f.csv"), InputError);
}

TEST(Guess, CodesAreNeverChoices) {
  // Venezuela's actas: codes of state, municipality, parish, the centre code and the mesa number.
  std::vector<std::string> h = {"COD_EDO", "EDO", "CENTRO", "MESA", "RE", "VOTOS_VALIDOS", "VOTOS_NULOS", "EG", "NM", "URL"};
  Rows rows;
  for (int i = 0; i < 40; ++i)
    rows.push_back({std::to_string(1 + i / 20), "E", std::to_string(10113042 + i / 2), std::to_string(1 + i % 2), "600",
                    "300", "2", std::to_string(200 - i % 7), std::to_string(100 + i % 5), "https://x/" + std::to_string(i)});
  ElectionSpec s = guess_layout(h, rows, "v.csv");
  EXPECT_EQ(s.id, (std::vector<std::string>{"CENTRO", "MESA"}));
  EXPECT_EQ(*s.registered, "RE");
  EXPECT_EQ(*s.valid, "VOTOS_VALIDOS");
  EXPECT_EQ(*s.invalid, "VOTOS_NULOS");
  ASSERT_EQ(s.choices.size(), 2u);
  EXPECT_EQ(s.choices[0].column, "EG");
  EXPECT_EQ(s.choices[1].column, "NM");
  EXPECT_EQ(s.geography, (std::vector<std::string>{"EDO", "CENTRO"}));
}

TEST(Guess, AFileSortedByAChoiceKeepsIt) {
  std::vector<std::string> h = {"id", "A", "B"};
  Rows rows;
  for (int i = 0; i < 100; ++i) rows.push_back({"s" + std::to_string(i), std::to_string(i / 3), std::to_string(i % 7)});
  EXPECT_EQ(guess_layout(h, rows, "s.csv").choices.size(), 2u);
}

TEST(Guess, SubstringNamesKeepTheirRoles) {
  std::vector<std::string> h = {"mesa_id", "Pedro Castillo", "Partido Verde", "Keiko Fujimori"};
  Rows rows = {{"1", "10", "3", "8"}, {"2", "12", "4", "9"}, {"3", "11", "2", "7"}};
  ElectionSpec s = guess_layout(h, rows, "p.csv");
  EXPECT_EQ(s.id, (std::vector<std::string>{"mesa_id"}));
  EXPECT_FALSE(s.ballots);
  EXPECT_EQ(s.choices.size(), 3u);
}

TEST(Guess, AMostlyNumericColumnWithATypoStaysACount) {
  // Few rows and one typo: B stays a count column (the typo is an error at its line and column).
  std::vector<std::string> h = {"id", "A", "B"};
  Rows rows = {{"1", "5", "7"}, {"2", "6", "abc"}, {"3", "4", "8"}};
  ElectionSpec s = guess_layout(h, rows, "t.csv");
  EXPECT_TRUE(s.geography.empty());
  EXPECT_EQ(s.choices.size(), 2u);
  std::string path = testing::temp_file("id,A,B\n1,5,7\n2,6,abc\n3,4,8\n");
  try {
    load_election(path);
    FAIL() << "a typo in a count must stop the load";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(":3:3"), std::string::npos) << e.what();
  }
}

TEST(Guess, AColumnEmptyEarlyIsStillAChoice) {
  std::string csv = "id,A,B,C\n";
  for (int i = 0; i < 700; ++i) csv += std::to_string(i) + ",10,5," + (i < 600 ? "" : "900") + "\n";
  Election e = load_election(testing::temp_file(csv));
  ASSERT_EQ(e.choices().size(), 3u);
  EXPECT_EQ(summarize(e).margin.leader, "C");  // 100 x 900 > 700 x 10
}

TEST(Guess, AHeaderRowThatLooksLikeDataIsAnError) {
  std::string path = testing::temp_file("1,12,30\n2,14,31\n3,10,29\n");
  EXPECT_THROW(load_election(path), InputError);
}

TEST(Guess, ChoicesAboveTheDeclaredTotalsRefuse) {
  // "serie" is a code the vocabulary does not know: the sum check catches it.
  std::string csv = "id,serie,valid,A,B\n";
  for (int i = 0; i < 20; ++i) csv += std::to_string(i) + "," + std::to_string(5000 + (i * 7) % 13) + ",100,60,40\n";
  try {
    load_election(testing::temp_file(csv));
    FAIL() << "the guess must refuse";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("choices = ["), std::string::npos) << e.what();
  }
}

TEST(Guess, AChoiceEqualToADeclaredTotalRefuses) {
  std::string csv = "id,emitidos,A,B,total\n";
  for (int i = 0; i < 20; ++i) csv += std::to_string(i) + ",100,60,40,100\n";
  EXPECT_THROW(load_election(testing::temp_file(csv)), InputError);
}

// Venezuela 2024, the opposition's actas (V1), without a spec: a known layout since issue 14 (it
// was read right by the guess before). The published figures are González 7,156,462 and Maduro
// 3,241,461 on 24,532 actas (data README; resultadosconvzla.com).
TEST(LayoutShared, Venezuela2024V1) {
  TALLYSCOPE_REQUIRE_SHARED(path, "venezuela-2024/RESULTADOS_2024_CSV_V1.csv.gz");
  Election e = load_election(path);
  EXPECT_EQ(e.spec().layout, "venezuela-actas-2024");
  EXPECT_EQ(e.sheets(), 24532u);
  EXPECT_TRUE(e.duplicate_ids().empty());
  EXPECT_EQ(e.choices().size(), 10u);
  EXPECT_EQ(e.geography().levels(), 4u);
  Summary s = summarize(e);
  ASSERT_GE(s.choices.size(), 2u);
  EXPECT_EQ(s.choices[0].name, "Edmundo González");
  EXPECT_EQ(s.choices[0].votes, 7156462);
  EXPECT_EQ(s.choices[1].name, "Nicolás Maduro");
  EXPECT_EQ(s.choices[1].votes, 3241461);
  EXPECT_EQ(s.registered, 17745239);
  EXPECT_EQ(s.valid, 10659128);
}

// V2: Windows-1252 whose first accented byte is on line 2,439 (the encoding is decided on the
// whole file), 25,073 actas; González 7,303,480 and Maduro 3,316,142 (counted from the file with
// Python's csv module); no RE column.
TEST(LayoutShared, Venezuela2024V2) {
  TALLYSCOPE_REQUIRE_SHARED(path, "venezuela-2024/RESULTADOS_2024_CSV_V2.csv.gz");
  Election e = load_election(path);
  EXPECT_EQ(e.spec().layout, "venezuela-actas-2024");
  EXPECT_EQ(e.encoding(), "windows-1252");
  EXPECT_EQ(e.sheets(), 25073u);
  EXPECT_TRUE(e.duplicate_ids().empty());
  Summary s = summarize(e);
  ASSERT_GE(s.choices.size(), 2u);
  EXPECT_EQ(s.choices[0].votes, 7303480);
  EXPECT_EQ(s.choices[1].votes, 3316142);
  EXPECT_FALSE(s.has_registered);
}

}  // namespace
}  // namespace tallyscope
