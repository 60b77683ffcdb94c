#include "model/words.h"

#include <gtest/gtest.h>

namespace tallyscope {
namespace {

TEST(Words, SplitsTheNormalisedName) {
  EXPECT_EQ(name_words("VOTOS_VALIDOS"), (std::vector<std::string>{"votos", "validos"}));
  EXPECT_EQ(name_words(" Número Mesa "), (std::vector<std::string>{"numero", "mesa"}));
}

TEST(Words, RolesByWholeWordsInSeveralLanguages) {
  EXPECT_EQ(role_by_words("VOTOS_VALIDOS"), WordRole::kValid);
  EXPECT_EQ(role_by_words("VOTOS_NULOS"), WordRole::kInvalid);
  EXPECT_EQ(role_by_words("Invalid votes"), WordRole::kInvalid);  // not "valid"
  EXPECT_EQ(role_by_words("RE"), WordRole::kRegistered);
  EXPECT_EQ(role_by_words("INSCRITOS_HABILITADOS"), WordRole::kRegistered);
  EXPECT_EQ(role_by_words("Wahlberechtigte"), WordRole::kRegistered);
  EXPECT_EQ(role_by_words("Registered Voters"), WordRole::kRegistered);
  EXPECT_EQ(role_by_words("B Wähler insgesamt"), WordRole::kBallots);
  EXPECT_EQ(role_by_words("Ballots Cast"), WordRole::kBallots);
  EXPECT_EQ(role_by_words("emitidos"), WordRole::kBallots);
  EXPECT_EQ(role_by_words("Blancos"), WordRole::kBlank);
  EXPECT_EQ(role_by_words("URL"), WordRole::kIgnore);
  EXPECT_EQ(role_by_words("verified_at"), WordRole::kTimestamp);
  EXPECT_EQ(role_by_words("lat"), WordRole::kLatitude);
}

TEST(Words, CodesAreNeverChoices) {
  for (const char* c : {"COD_EDO", "CENTRO", "MESA", "Numero Mesa", "id", "year", "Codigo MESA", "sheet_id", "uik"})
    EXPECT_EQ(role_by_words(c), WordRole::kCode) << c;
}

TEST(Words, NoSubstringMatches) {
  // Candidates and parties whose names contain role words as substrings.
  for (const char* c : {"Pedro Castillo", "Partido Verde", "Centro Democrático", "Movimiento Validez", "Idalia",
                        "Latorre", "Blanca Ruiz", "EG", "NM", "MAS - IPSP", "NO", "SÍ", "Voto No"})
    EXPECT_EQ(role_by_words(c), WordRole::kNone) << c;
}

}  // namespace
}  // namespace tallyscope
