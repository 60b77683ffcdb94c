// How a p-value is shown. The battery's p-values come from the simulated null's moments (normal,
// or a moment-matched scaled chi-square: stats/null_tail.h), so they go below the Monte Carlo
// resolution 1 / (replicates + 1). Below that resolution the number rests on the normal (or
// chi-square) approximation of the tail, not on any replicate, so it is shown as "< resolution"
// with the method, never as 0 or as a tiny figure; the numeric p is kept for Benjamini-Hochberg
// and the JSON.
#pragma once

#include <string>

namespace tallyscope {

// 1 / (replicates + 1); 0 when replicates < 1 (a closed-form p-value: no Monte Carlo resolution).
double p_resolution(int replicates);

// "0.0123", or "< 0.001" when p is below the resolution (rounded up to a readable bound, never
// below the resolution), or "" when p is not finite.
std::string p_display(double p, int replicates);

// True when p is finite and below the resolution (the display is a bound).
bool p_below_resolution(double p, int replicates);

// The method behind a p-value below the resolution, for text and JSON.
std::string p_method(int replicates);

}  // namespace tallyscope
