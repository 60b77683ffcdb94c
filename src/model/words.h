// The header vocabulary of tally-sheet files in the languages tallyscope meets (English, Spanish,
// Portuguese, French, German, Russian): which role a column's name announces. Matching is by whole
// words of the normalised name, never by substring ("Pedro Castillo" is not "cast", "Partido
// Verde" holds no "id").
#pragma once

#include <string>
#include <vector>

namespace tallyscope {

enum class WordRole {
  kNone,        // nothing recognised: a choice if its values are counts
  kRegistered,  // registered voters
  kBallots,     // ballots cast, voters
  kValid,       // valid votes (a declared total)
  kBlank,
  kInvalid,
  kTimestamp,
  kLatitude,
  kLongitude,
  kCode,    // an id, a code, a number of a sheet or place, a date part: never a choice
  kIgnore,  // a link, a comment: neither geography nor a count
};

const char* word_role_name(WordRole r);

// The name's words: normalise_name's form split at every ASCII character that is not a letter or
// a digit (bytes >= 0x80, e.g. Cyrillic, stay inside words).
std::vector<std::string> name_words(const std::string& header);

// The role a header names by its words, kNone when it names none.
WordRole role_by_words(const std::string& header);

}  // namespace tallyscope
