// An election spec: which column of a tally-sheet file plays which role, the protocol's control
// relations and the contest rule. Read from and written to TOML.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/relation.h"
#include "model/rule.h"

namespace tallyscope {

struct NamedColumn {
  std::string name;    // how tallyscope calls it (a choice's display name, an extra's symbol)
  std::string column;  // the header in the file
};

// A long file: one row per sheet and choice (optionally per race), as OpenElections' precinct files
// and the Honduran CNE's per-mesa files are written. The sheet is named by the spec's id columns; a
// row's choice by the `choice` column and its votes by `votes`. Protocol lines written as rows are
// roles: a role's labels are values of the choice column (Honduras: "Votos NULOS" is invalid) or,
// on rows outside the race read, of the contest column (Pennsylvania: office "Registered Voters").
// Labels that normalise equal (case, accents) are one choice.
struct LongFormat {
  std::string choice;  // the column naming each row's choice
  std::string votes;   // the column holding its votes
  std::vector<std::pair<std::string, std::vector<std::string>>> roles;  // role ("registered", ...) -> labels
};

// Postal-vote districts (Germany's Briefwahlbezirke): sheets whose voters are registered on other
// sheets, so that they have no registered voters of their own. Named by a column's values.
struct PostalRule {
  std::string column;               // e.g. "Wahllokal"
  std::vector<std::string> values;  // e.g. {"B"}: the rows that are postal districts
};

struct ElectionSpec {
  std::string title;        // e.g. "Bolivia 2019, presidential"
  std::string layout;       // the known layout it came from, "guess", or "" when written by hand
  std::vector<std::string> id;  // one column, or several whose values joined with '/' identify a sheet
  std::vector<std::string> geography;  // coarse to fine
  std::optional<std::string> registered, blank, invalid, ballots, valid;
  std::optional<std::string> latitude, longitude, timestamp;
  // Files with several races in one (one row per sheet and race): the column naming the race, and
  // the race to read; the other rows are skipped (Bolivia 2020: CANDIDATURA = PRESIDENTE).
  std::optional<std::string> contest_column;
  std::string contest;
  std::string timezone;  // default UTC offset for timestamps without one, e.g. "-04:00"
  std::vector<NamedColumn> choices;  // for a long file: labels to read (empty: every label not a role)
  std::optional<LongFormat> long_format;
  std::optional<PostalRule> postal;  // postal-vote districts, when the file has them
  std::vector<NamedColumn> extras;   // further protocol lines, by symbol
  std::vector<Relation> relations;   // over extras' symbols and the roles below
  ContestRule rule;
  char delimiter = 0;        // 0: detect
  std::string encoding = "auto";
  std::vector<std::string> notes;  // what was guessed, for the user

  // Every header this spec maps, in role order.
  std::vector<std::string> mapped_columns() const;
};

// Names a relation may use besides the extras' symbols.
// The roles a long file's rows may carry.
inline constexpr const char* kLongRoles[] = {"registered", "ballots", "valid", "blank", "invalid"};

inline constexpr const char* kRoleSymbols[] = {"registered", "ballots", "valid", "blank", "invalid", "choices"};

// Parses a spec from TOML text; `origin` names it in messages. Throws InputError. A spec over 1 MB,
// or with a key or table header of more than 64 dotted components (or values nested deeper), is
// refused before the TOML parser sees it: such keys overflow its stack.
ElectionSpec parse_spec(const std::string& toml_text, const std::string& origin);
ElectionSpec load_spec(const std::string& path);
// Writes a spec as commented TOML that parse_spec reads back to the same spec.
std::string write_spec(const ElectionSpec& spec);

}  // namespace tallyscope
