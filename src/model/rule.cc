#include "model/rule.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace tallyscope {
namespace {
__extension__ typedef __int128 Wide;  // exact products of vote counts and scaled fractions
}  // namespace

std::string to_string(ContestRule::Kind k) {
  switch (k) {
    case ContestRule::Kind::kPlurality: return "plurality";
    case ContestRule::Kind::kMajority: return "majority";
    case ContestRule::Kind::kThreshold: return "threshold";
  }
  return "?";
}

std::string to_string(ContestRule::Base b) { return b == ContestRule::Base::kValid ? "valid" : "ballots"; }

ContestRule ContestRule::bolivia() {
  ContestRule r;
  r.kind = Kind::kThreshold;
  r.base = Base::kValid;
  r.majority = 0.5;
  r.min_share = 0.4;
  r.min_lead = 0.1;
  return r;
}

std::string ContestRule::describe() const {
  std::string of = base == Base::kValid ? "valid votes" : "ballots cast";
  switch (kind) {
    case Kind::kPlurality: return "plurality: the most votes wins";
    case Kind::kMajority:
      return fmt::format("absolute majority: more than {:g}% of {} wins outright, otherwise a runoff of the top two",
                         majority * 100, of);
    case Kind::kThreshold:
      return fmt::format("more than {:g}% of {}, or at least {:g}% with a lead of at least {:g} points, wins "
                         "outright; otherwise a runoff of the top two",
                         majority * 100, of, min_share * 100, min_lead * 100);
  }
  return "";
}

Outcome decide(const ContestRule& rule, std::vector<ChoiceVotes> votes, int64_t base_total) {
  Outcome out;
  std::stable_sort(votes.begin(), votes.end(), [](const auto& a, const auto& b) { return a.votes > b.votes; });
  if (votes.empty() || base_total <= 0 || votes[0].votes == 0) {
    out.text = "no votes: no outcome";
    return out;
  }
  const auto& lead = votes[0];
  const int64_t second = votes.size() > 1 ? votes[1].votes : 0;
  size_t tied = 1;
  while (tied < votes.size() && votes[tied].votes == lead.votes) ++tied;
  const long double total = static_cast<long double>(base_total);
  const long double share = lead.votes / total;
  const long double lead_pts = (lead.votes - second) / total;
  // Thresholds are compared exactly: a fraction t is read as round(t * 1e9) / 1e9, so "at least
  // 40%" holds for 4,000 of 10,000 whatever the binary rounding of 0.4.
  auto compare = [&](int64_t votes, double t) {  // sign of votes/base_total - t
    Wide lhs = static_cast<Wide>(votes) * 1000000000;
    Wide rhs = static_cast<Wide>(std::llround(t * 1e9)) * base_total;
    return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
  };
  auto at_least = [&](int64_t votes, double t) { return compare(votes, t) >= 0; };
  auto more_than = [&](int64_t votes, double t) { return compare(votes, t) > 0; };
  auto pct = [](long double x) { return fmt::format("{:.2f}%", static_cast<double>(x * 100)); };
  if (tied > 1) {
    std::vector<std::string> names;
    for (size_t i = 0; i < tied; ++i) names.push_back(votes[i].name);
    out.runoff = names;
    out.text = fmt::format("tie for first place between {} ({} votes each): not decided", fmt::join(names, ", "),
                           lead.votes);
    return out;
  }
  auto runoff = [&](const std::string& why) {
    out.decided = false;
    if (votes.size() < 2) {  // a single choice that misses the threshold (e.g. of all ballots)
      out.runoff = {lead.name};
      out.text = fmt::format("{} is the only choice but not elected in this round ({})", lead.name, why);
      return;
    }
    out.runoff = {lead.name, votes[1].name};
    out.text = fmt::format("runoff between {} and {} ({})", lead.name, votes[1].name, why);
  };
  switch (rule.kind) {
    case ContestRule::Kind::kPlurality:
      out.decided = true;
      out.winner = lead.name;
      out.text = fmt::format("{} wins by plurality ({})", lead.name, pct(share));
      break;
    case ContestRule::Kind::kMajority:
      if (more_than(lead.votes, rule.majority)) {
        out.decided = true;
        out.winner = lead.name;
        out.text = fmt::format("{} wins outright with an absolute majority ({})", lead.name, pct(share));
      } else {
        runoff(fmt::format("{} has {}, not more than {:g}%", lead.name, pct(share), rule.majority * 100));
      }
      break;
    case ContestRule::Kind::kThreshold:
      if (more_than(lead.votes, rule.majority)) {
        out.decided = true;
        out.winner = lead.name;
        out.text = fmt::format("{} wins outright with {} (more than {:g}%)", lead.name, pct(share), rule.majority * 100);
      } else if (at_least(lead.votes, rule.min_share) && at_least(lead.votes - second, rule.min_lead)) {
        out.decided = true;
        out.winner = lead.name;
        out.text = fmt::format("{} wins outright ({} with a {:.2f}-point lead: at least {:g}% and {:g} points)",
                               lead.name, pct(share), static_cast<double>(lead_pts * 100), rule.min_share * 100,
                               rule.min_lead * 100);
      } else {
        runoff(fmt::format("{} has {} with a {:.2f}-point lead; outright needs more than {:g}%, or {:g}% and a "
                           "{:g}-point lead",
                           lead.name, pct(share), static_cast<double>(lead_pts * 100), rule.majority * 100,
                           rule.min_share * 100, rule.min_lead * 100));
      }
      break;
  }
  return out;
}

}  // namespace tallyscope
