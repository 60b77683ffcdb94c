// Within-place forensics (issue 13): tests that compare each sheet only with the other sheets of
// its own polling place, so that differences between places (town and country, regions that vote
// and turn out differently) cannot be mistaken for fraud.
//
// Why. In most countries the sheets (mesas, tables) of one polling place are near-random
// partitions of one electorate: voters are assigned to tables by surname or list number. Clean
// sheets of one place then differ by little more than binomial noise, and whatever makes places
// differ is held fixed. Stuffing or rewriting particular sheets breaks that.
//
// Level. The finest geography level at which most units (at least half) hold two or more sheets
// (Bolivia: Recinto). When that level's median unit holds more than kPlaceLikeSheets sheets
// (Russia: no level groups the stations of one building; the finest is the territorial
// commission, a region of dozens of stations), the tests run within that region instead and the
// result says so: its sheets are not partitions of one electorate, so the exchangeability the
// tests rely on is weaker there.
//
// Statistics, per target (turnout: ballots of registered; each tested choice: votes of ballots),
// over the places with two or more qualifying sheets:
//   within_place_dispersion (descriptive): phi = sum over places of Pearson's X^2 of the sheets'
//     counts against the place's pooled rate, divided by its degrees of freedom sum (k - 1): the
//     dispersion statistic of Tarone (1979) and the binomial-dispersion index of Haldane (1937).
//     Under the binomial within-place null sum X^2 ~ chi-square(df), so phi has mean 1 and sd
//     sqrt(2 / df) (closed form; the reference of the test). On real clean files phi is above 1
//     (Bolivia 2019 and 2020 within recintos: 1.4 to 4.2 by target; far more within regions):
//     tables are not perfectly random partitions (assignment by surname clusters families, and
//     sheet sizes differ), so the binomial null is rejected by clean counts and this statistic is
//     descriptive: shown with the binomial mean and sd, never a flag.
//   within_place_association (choices; descriptive): Pearson's r between the sheets' turnout and
//     the choice's share, each centred on its place's mean (the within-place, fixed-effects
//     correlation). Null: the shares permuted at random among the sheets of each place
//     (replicates, seeded), which keeps every place's turnouts and shares. Clean files show small
//     but real within-place associations (sheets of older or younger voters), which the permutation
//     null rejects with tens of thousands of sheets, so it is descriptive too.
//   within_place_tail_symmetry (the leading choice, choices[0], only: stuffing is for the winner;
//     the test, in the Benjamini-Hochberg family, when the level is a polling place; descriptive
//     within regions): in places of
//     kTailMinSheets sheets or more, for each sheet its turnout and share excess over the median
//     of the other sheets of its place (leave-one-out; a median, so that one stuffed sheet does
//     not push its neighbours into the lower tail), the turnout excess standardised by its
//     binomial sd. Among the sheets whose
//     turnout excess is beyond +kTailZ sd (upper tail, n_u) count those whose share excess is
//     positive (a); among those beyond -kTailZ (lower tail, n_l) count those whose share excess is
//     negative (b). If the place's sheets are exchangeable up to any association symmetric about
//     the place's centre, (turnout, share) excesses are centrally symmetric and a / n_u and b / n_l
//     estimate the same proportion; ballot stuffing for the choice (abstainers turned into its
//     votes on some sheets) puts those sheets in the upper tail with higher shares and leaves the
//     lower tail alone. Statistic a / n_u - b / n_l, one-sided (greater), reference: the
//     two-proportion normal test with pooled proportion (closed form, no replicates).
//
// Qualifying sheets: every count present, registered voters > 0, 0 < ballots <= registered.
// Pure: no I/O. Deterministic for a seed whatever the thread count (it runs on one thread).
#pragma once

#include "analysis/common/default_seed.h"
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/forensics/forensics.h"
#include "model/election.h"

namespace tallyscope {

inline constexpr size_t kPlaceLikeSheets = 15;  // median sheets per unit above this: a region, not a place
inline constexpr double kTailZ = 2.0;           // tail of the standardised turnout excess
inline constexpr size_t kTailMinSheets = 4;     // places the tail-symmetry test uses

struct WithinPlaceOptions {
  uint64_t seed = kDefaultSeed;
  int replicates = 1000;   // permutations of the association null: min(replicates, max_replicates)
  int max_replicates = 200;
  size_t min_places = 20;  // places with two or more sheets needed
  size_t min_tail = 20;    // sheets needed in each tail of the tail-symmetry test
};

// TailSheet (forensics.h): a sheet on the stuffing side of the tail-symmetry test.
struct WithinPlaceResult {
  bool run = false;
  std::string why_not;
  std::string level;          // the geography level used as "place"
  bool places = true;         // false: the level is a region (median above kPlaceLikeSheets)
  size_t units = 0;           // places with two or more qualifying sheets
  size_t sheets = 0;          // qualifying sheets in them
  double median_sheets = 0;   // per unit of that level
  std::string note;           // what the level is, in words
  std::vector<ForensicTest> tests;  // turnout dispersion, then per choice: dispersion, association (and for the first, tail symmetry)
  std::vector<TailSheet> tail_sheets;  // the leading choice's (choices[0]), in sheet order
};

// The level the tests would use: its index, or -1 when no level has two or more sheets in most of
// its units.
int within_place_level(const Election& e);

// `choices`: indices into e.choices(). Tests carry level "within-place:<level>"; q_value and flag
// are left for the battery's Benjamini-Hochberg step.
WithinPlaceResult within_place_tests(const Election& e, const std::vector<int>& choices,
                                     const WithinPlaceOptions& options = {});

}  // namespace tallyscope
