// Assertions and assorters: the linear inequalities over the tally sheets whose truth implies the
// reported outcome under the contest's rule (SHANGRLA: Stark 2020, "Sets of half-average nulls
// generate risk-limiting audits: SHANGRLA", FC 2020 Workshops, LNCS 12063).
//
// Every assertion here is "sum over all ballots of g(ballot) > 0" for a score g that depends only
// on the ballot's category: a vote for choice k scores coef[k], a blank or invalid ballot scores
// `other`, an empty slot (a card bound above the ballots cast) scores 0. With l = -min g > 0 the
// assorter A = (g + l) / (2 l) lies in [0, u], u = (max g + l) / (2 l), and the assertion holds
// exactly when the mean of A over the ballots exceeds 1/2. Its margin is v = 2 mean(A) - 1.
// Non-strict conditions of a rule ("at least 40%") are tested as strict ones, which is sound
// (the strict inequality implies the non-strict one).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/rule.h"

namespace tallyscope::audit {

struct Assertion {
  std::string name;          // e.g. "MAS - IPSP leads CC by at least 10 points of valid votes"
  std::string why;           // the part of the rule it stands for
  std::vector<double> coef;  // score of a vote for each choice (the election's order)
  double other = 0;          // score of a blank or invalid ballot
  double l = 1;              // -min score (> 0): the assorter is (g + l) / (2 l)
  double u = 1;              // the assorter's upper bound
  double reported_score = 0; // sum of g over the reported ballots, in votes (e.g. 34,671.9)
  double reported_mean = 0;  // mean of the assorter over the cards (N below)
  double margin = 0;         // 2 * reported_mean - 1; positive when the reported totals satisfy it

  // The assorter's total over a sheet: `votes` per choice, `other` blank + invalid ballots,
  // `cards` the sheet's card bound (>= the ballots on it; the surplus scores g = 0).
  double sheet_total(const std::vector<int64_t>& votes, int64_t other_ballots, int64_t cards) const;
  double score(const std::vector<int64_t>& votes, int64_t other_ballots) const;  // sum of g
};

// The reported totals an assertion set is built from.
struct ReportedTotals {
  std::vector<std::string> choices;
  std::vector<int64_t> votes;  // per choice
  int64_t other = 0;           // blank + invalid ballots
  int64_t cards = 0;           // the card bound N over all sheets (>= valid + other)
};

struct AssertionSet {
  Outcome outcome;              // the reported outcome under the rule (model/rule.h's decide)
  std::vector<Assertion> assertions;
  std::vector<std::string> notes;  // which disjunct of the rule is tested, and why
  double min_margin() const;
};

// Builds the assertions for the reported outcome. Plurality: the winner beats each other choice.
// Majority (or threshold) with a winner: the disjunct that the reported results make easiest
// (largest smallest margin) among "more than `majority` of the base" and (threshold only) "at
// least `min_share` and at least `min_lead` ahead of every other choice". Reported runoff: for
// each choice "no outright win", i.e. not more than `majority` and (threshold only) below
// `min_share` or less than `min_lead` ahead of some other choice, one disjunct chosen per choice
// from the reported totals (the one with the largest margin), plus each runoff candidate beating
// every choice outside the runoff. Ties for the lead get no assertions (a full count decides).
AssertionSet make_assertions(const ContestRule& rule, const ReportedTotals& totals);

}  // namespace tallyscope::audit
