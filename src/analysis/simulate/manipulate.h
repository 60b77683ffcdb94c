// The manipulations tallyscope simulates, one tally sheet at a time: the same definitions serve
// synthetic elections (simulate, simulate_like) and fraud injected into a copy of a real file
// (inject.h), so that a detection rate measured on one means the same thing on the other.
//
//   ballot stuffing (Klimek, Yegorov, Hanel & Thurner 2012, "Statistical detection of systematic
//     election irregularities", PNAS 109:16469, "incremental" and "extreme" fraud): a fraction x of
//     the sheet's non-voters become votes for the favoured choice, and a fraction steal * x of
//     every other choice's votes is moved to it. Incremental: x ~ |N(intensity, intensity / 2)|;
//     extreme: x ~ 1 - |N(0, 0.05)|; x is clipped to [0, 1].
//   rewriting: turnout is left alone and a fraction x ~ |N(intensity, intensity / 2)| of every
//     other choice's votes is moved to the favoured one (the protocol rewritten, not stuffed).
//   whole-number percentages (Kobak, Shpilkin & Pshenichnikov 2016, "Integer percentages as
//     electoral falsification fingerprints", Ann. Appl. Stat. 10:54): the favoured choice's share
//     of all ballots is set to a whole percentage near its own (round_leader_share).
// Pure: no I/O, no randomness of its own (the caller passes its draws).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tallyscope {

enum class FraudKind { kIncremental, kExtreme, kRewrite };
std::string to_string(FraudKind k);

// The fraction x of a manipulated sheet, from one standard normal draw z.
double manipulation_fraction(FraudKind kind, double intensity, double z);

// Applies stuffing or rewriting with fraction x to the choices' votes `v` of a sheet with
// `abstainers` non-voters (ignored when rewriting), in favour of v[leader]. Returns the ballots
// added (0 when rewriting).
int64_t manipulate_sheet(std::vector<int64_t>& v, size_t leader, int64_t abstainers, FraudKind kind, double x,
                         double steal);

// The value a manipulated sheet gets in the sim_stuffed column: 1 incremental, 2 extreme, 3 rewrite.
int64_t manipulation_code(FraudKind kind);

// Moves the leader's share of the total of `v` to a whole percentage k%: the total V' must then be
// a multiple of d = 100/gcd(k, 100). Among the percentages within two points of the natural share,
// the one that needs the fewest surplus votes (V mod d) is taken, nearer first on a tie; the
// others are scaled to the rest by largest remainder, and the surplus is added to `surplus` (the
// caller decides what it becomes). Returns false (and leaves v alone) when V is 0 or no
// percentage fits.
bool round_leader_share(std::vector<int64_t>& v, size_t leader, int64_t& surplus);

// Rounds a sheet as a fabricated protocol would: the leader's share of all ballots (choices,
// blank and invalid, as Kobak et al. measure it), blank and invalid scaled with the other choices,
// the surplus ballots dropped (those voters become non-voters). Returns whether it was rounded.
bool round_sheet(std::vector<int64_t>& v, int64_t& blank, int64_t& invalid, size_t leader);

}  // namespace tallyscope
