// Synthetic elections: tally sheets drawn from a hierarchical model (region and polling-place
// effects on turnout and on the choices' shares, binomial noise on each sheet), with optional
// ballot stuffing (Klimek et al. 2012, "Statistical detection of systematic election
// irregularities", PNAS 109:16469: incremental and extreme fraud), fabricated whole-number
// percentages (Kobak, Shpilkin & Pshenichnikov 2016, "Integer percentages as electoral
// falsification fingerprints", Ann. Appl. Stat. 10:54), and a count order in which some regions
// arrive late with a different lean. The truth (which sheets were manipulated) is kept as extras.
// Pure: no I/O. Deterministic: each region, place and sheet draws from its own stream of the
// seed, so the result does not depend on the number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/simulate/manipulate.h"
#include "model/election.h"

namespace tallyscope {


struct SimulationOptions {
  size_t units = 10000;  // tally sheets (simulate only; simulate_like keeps the template's)
  uint64_t seed = 1;
  // Geography (simulate only); 0 = chosen from units: min(20, 1 + units/500) regions, about
  // 8 municipalities a region, units/4 polling places.
  size_t regions = 0, municipalities = 0, places = 0;
  // Choices and their expected national shares of valid votes (simulate only; the first is the
  // leader). Shares default to 0.45, 0.30, 0.15, 0.10 for four; equal otherwise.
  std::vector<std::string> choices = {"Party A", "Party B", "Party C", "Party D"};
  std::vector<double> shares;
  double turnout = 0.65;          // national mean turnout (simulate only)
  double mean_registered = 350;   // median registered voters per sheet (simulate only)
  // Spreads on the logit scale (simulate only; simulate_like fits them to the template).
  double turnout_region_sd = 0.25, turnout_place_sd = 0.25, turnout_sheet_sd = 0.10;
  double share_region_sd = 0.30, share_place_sd = 0.20, share_sheet_sd = 0.08;
  // Correlation across polling places between a place's turnout effect and the leader's (simulate
  // only): rural places that vote differently and turn out differently. 0 = independent.
  double place_association = 0;

  // Manipulation of a share of the sheets, for the leader (manipulate.h): ballot stuffing
  // (incremental or extreme, Klimek et al.) or rewriting (votes moved, turnout unchanged).
  double fraud_share = 0;
  FraudKind fraud_kind = FraudKind::kIncremental;
  double fraud_intensity = 0.3;
  double steal = 0.5;
  // Share of the sheets whose leader share of valid votes is set to a whole percentage (the
  // nearest one that the sheet's valid votes allow; surplus valid votes become invalid ones).
  double round_share = 0;
  // A share of the regions (at least one when there are two or more) is counted late; late_bias
  // shifts the leader's expected share there by this many share points (0.1 = +10 points).
  double late_regions = 0.25;
  double late_bias = 0;
  // Leader: index of the choice that stuffing and rounding favour; -1 = the first (simulate) or
  // the template's largest (simulate_like).
  int leader = -1;
  std::string close_time = "2026-06-07T20:00:00-04:00";  // polls close; arrivals follow
  unsigned threads = 0;  // 0 = all cores; the result does not depend on it
};

// A synthetic election in the "tallyscope-simulated" layout. Throws UsageError for options out
// of range.
Election simulate(const SimulationOptions& options);

// The template's clean twin. Keeps the template's sheets (ids), geography, coordinates and
// registered voters (so its sheet sizes and their ties); draws turnout and shares from a
// hierarchical model fitted to the template, on the logit scale for turnout and centred log-ratios
// for the choices:
//   regions (the coarsest geography level with two or more places): the mean of their sheets;
//     blank and invalid rates; choices with no vote in a region get none there;
//   places (the finest level): each place of two or more sheets keeps its own deviation from its
//     region, shrunk to the estimated true spread, so the joint distribution of turnout and shares
//     across places, their association included, is the template's; other places draw from the
//     between-place covariance (method of moments, binomial noise and sheet spread subtracted);
//   sheets: joint normal effects with the within-place covariance less its binomial part, then
//     binomial (multinomial) counts;
//   tied values: per region, the template's share of sheets where every registered voter voted
//     and where nobody did.
// Clean unless fraud options are set (then as simulate: manipulate.h). What stays unlike the
// template: any departure from that model within places (the sheets of a twin's place are
// exchangeable by construction). Throws InputError when the template has no registered voters.
Election simulate_like(const Election& templ, const SimulationOptions& options);

// Fraud injected into a copy of a real file, in the "tallyscope-simulated" layout: its sheets (ids),
// geography, coordinates, registered voters, counts and arrival times are kept, and each sheet is
// manipulated with the options' probabilities (fraud_share: stuffing or rewriting, as fraud_kind
// says; round_share: a whole-percentage leader share), each sheet drawing from its own stream of
// the seed, so the copy does not depend on the thread count. The leader is the options' or the
// file's largest choice. Sheets with a missing or negative count, and (for stuffing) without
// registered voters, are left as they are. The truth is in the extras (stuffed: 1 incremental,
// 2 extreme, 3 rewritten; rounded). Throws InputError when stuffing is asked of a file without
// registered voters.
Election inject_into(const Election& real, const SimulationOptions& options);

// Writes an Election in the "tallyscope-simulated" layout, in chunks of about 1 MiB (the caller
// owns the file: see io/output.h). Missing values are written as empty cells; extras named
// stuffed/rounded/late fill the sim_* columns (0 when absent).
void write_simulated_csv(const Election& e, const std::function<void(std::string_view)>& sink);

// What a simulated election holds: for the command's report.
struct SimulationSummary {
  uint64_t seed = 0;
  size_t units = 0, regions = 0, places = 0;
  std::vector<std::string> choices;
  std::string leader;
  size_t stuffed = 0, stuffed_extreme = 0, rewritten = 0, rounded = 0, late_units = 0;
  double turnout = 0, leader_share = 0;     // national
  double turnout_sd = 0, leader_share_sd = 0;  // across sheets with voters
  double late_leader_share = 0, early_leader_share = 0;
  std::string injected_into;  // the real file a manipulation was injected into; "" when simulated
};
// `leader`: the choice that manipulation favoured (the options' leader, or 0 for simulate and
// largest_choice(template) for simulate_like).
SimulationSummary summarize_simulation(const Election& e, size_t leader, uint64_t seed);
// The choice with the most votes (the first on a tie).
size_t largest_choice(const Election& e);
nlohmann::ordered_json to_json(const SimulationSummary& s);
std::string to_text(const SimulationSummary& s);

}  // namespace tallyscope
