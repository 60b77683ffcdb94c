// The contest rule: who wins in this round, or who goes to a runoff.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tallyscope {

struct ContestRule {
  enum class Kind { kPlurality, kMajority, kThreshold };
  enum class Base { kValid, kBallots };
  Kind kind = Kind::kPlurality;
  // Shares are of valid votes (kValid) or of all ballots cast, blank and invalid included.
  Base base = Base::kValid;
  double majority = 0.5;  // kMajority and kThreshold: a share strictly above this wins outright
  double min_share = 0.4; // kThreshold: or at least this share ...
  double min_lead = 0.1;  // ... with a lead of at least this over the runner-up

  std::string describe() const;
  static ContestRule bolivia();  // over 50%, or at least 40% with a 10-point lead
};

struct ChoiceVotes {
  std::string name;
  int64_t votes = 0;
};

struct Outcome {
  bool decided = false;             // decided in this round
  std::string winner;               // when decided
  std::vector<std::string> runoff;  // when not decided: the two who go to a runoff (or the tied)
  std::string text;                 // e.g. "MAS - IPSP wins outright (47.08% with a 10.56-point lead)"
};

// Applies the rule to totals. `base_total` is the denominator the rule names (valid votes or
// ballots). Ties for the lead are reported, never broken silently.
Outcome decide(const ContestRule& rule, std::vector<ChoiceVotes> votes, int64_t base_total);

std::string to_string(ContestRule::Kind k);
std::string to_string(ContestRule::Base b);

}  // namespace tallyscope
