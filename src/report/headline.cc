// The report's one-sentence verdict: the answer to the question a reader of a count's report comes
// with (was the late shift what the places counted late would give anyway?), never stronger than
// the analysis it rests on, and "too little to tell" when that analysis stands on too little.
#include <cmath>

#include <fmt/format.h>

#include "report/sections.h"

namespace tallyscope::report {
namespace {

std::string progression_headline(const ProgressionResult& r) {
  const auto* finest = r.finest_composition();
  if (r.composition.empty() || !finest) return "";
  const auto& whole = r.composition.front();
  const std::string toward = whole.gap_points >= 0 ? r.leader : r.runner_up;
  if (!r.order_on_footing())
    return fmt::format("Too little to tell whether the late shift toward {} is what the places counted late would give "
                       "anyway: only {} of the {} sheets have a usable arrival time.",
                       toward, count(static_cast<long long>(r.arrived)), count(static_cast<long long>(r.sheets)));
  if (finest->informative_groups < kMinComparisonPlaces)
    return fmt::format("Too little to tell whether the late shift toward {} is what the places counted late would give "
                       "anyway: only {} {} units hold both early and late sheets.",
                       toward, count(static_cast<long long>(finest->informative_groups)), finest->level);
  // Allowing for a steady trend within places (remote tables are verified later), when estimated.
  const std::string trend =
      r.within.available ? fmt::format("; allowing for a steady trend within places, {} points (SE {})",
                                       num(r.within.gap_points), num(r.within.se))
                         : "";
  const std::string numbers =
      fmt::format("within the same {}, late and early sheets differ by {} points (SE {}), against {} points across the "
                  "whole count{}",
                  finest->level, num(finest->gap_points), num(finest->se), num(whole.gap_points), trend);
  if (std::abs(finest->gap_points) < 1.96 * finest->se)
    return fmt::format("The late shift toward {} is what the places counted late would give anyway: {}.", toward, numbers);
  // A difference within places that is small beside the raw gap: almost all of the shift is where
  // the late sheets come from, and the sentence says how much is left.
  if (whole.gap_points != 0 && finest->explained >= 0.9)
    return fmt::format("The late shift toward {} is almost all ({}) what the places counted late would give anyway: {}.",
                       toward, percent(finest->explained, 0), numbers);
  return fmt::format("Late sheets differ from early ones even within the same places, so where the late sheets come "
                     "from does not explain the whole shift toward {}: {}. A difference within places is a reason to "
                     "look at those sheets, not proof of fraud.",
                     toward, numbers);
}

std::string projection_headline(const ProjectionResult& p, const std::string& basis) {
  if (!p.footing.empty()) return fmt::format("Projection from {}: {}.", basis, p.footing.front());
  const int lvl = static_cast<int>(std::lround(100 * p.level));
  return fmt::format("Projected from {}, {} leads {} by {} points ({}% interval {} to {}){}.", basis, p.leader,
                     p.runner_up, num(p.margin.median), lvl, num(p.margin.lo), num(p.margin.hi),
                     p.drift == "replay" ? "" : "; the interval reflects sampling spread only");
}

}  // namespace

std::string headline(const ReportInput& in) {
  if (in.progression.has()) {
    std::string h = progression_headline(*in.progression.value);
    if (!h.empty()) return h;
  }
  if (in.projection.has()) return projection_headline(*in.projection.value, in.projection_basis);
  return "";
}

}  // namespace tallyscope::report
