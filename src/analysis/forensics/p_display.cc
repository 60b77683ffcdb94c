#include "analysis/forensics/p_display.h"

#include "stats/null_tail.h"

#include <cmath>

#include <fmt/format.h>

namespace tallyscope {

double p_resolution(int replicates) { return replicates < 1 ? 0.0 : 1.0 / (static_cast<double>(replicates) + 1); }

bool p_below_resolution(double p, int replicates) { return std::isfinite(p) && p < p_resolution(replicates); }

std::string p_display(double p, int replicates) {
  if (!std::isfinite(p)) return "";
  if (p_below_resolution(p, replicates)) {
    // The smallest bound of the form 10^-k or 5 * 10^-k at or above the resolution.
    const double res = p_resolution(replicates);
    double bound = 1;
    for (int k = 0; k < 12; ++k) {
      const double ten = std::pow(10.0, -k);
      if (ten >= res * (1 - 1e-9)) bound = ten;
      if (5 * ten / 10 >= res * (1 - 1e-9)) bound = std::min(bound, 5 * ten / 10);
    }
    return fmt::format("< {:g}", bound);
  }
  if (p < 1e-4) return fmt::format("{:.1e}", p);
  return fmt::format("{:.4f}", p);
}

std::string p_method(int replicates) {
  return fmt::format("below the Monte Carlo resolution 1/{} of {} replicates: the tail of a normal law with the "
                     "null's exact mean and sd (whole percentages), or of a Student t (or scaled chi-square) law "
                     "matched to the simulated null's mean and sd, widened for their estimation from the replicates "
                     "(with fewer than {}, the rank p-value alone)",
                     replicates + 1, replicates, stats::kMinReplicatesForTails);
}

}  // namespace tallyscope
