// Projection of a partial count: what will the uncounted sheets say? Monte Carlo over the
// uncounted sheets, seeded and identical for a seed whatever the thread count, with intervals for
// each choice's final share and the margin, and the probability of each outcome under the rule.
#pragma once

#include "analysis/common/default_seed.h"
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/arrival.h"
#include "model/election.h"

namespace tallyscope {

// What the projection may know of every expected sheet: id, geography and registered voters.
// Built from a universe file, it carries no votes at all, so a projection cannot peek at the
// uncounted sheets' results even when the universe is a final count.
struct Universe {
  std::string source;
  std::vector<std::string> ids;
  std::vector<std::string> level_names;
  std::vector<std::vector<uint32_t>> nodes;  // [level][sheet], unique per full path
  std::vector<uint32_t> node_counts;         // per level
  std::vector<int64_t> registered;           // kMissing where missing
  // Optional covariate (see attach_baseline): per sheet, a previous election's share for its
  // leading choice at the sheet's matched place; NaN where unmatched, empty when none.
  std::vector<double> baseline;
  std::string baseline_source, baseline_choice, baseline_level;
  size_t baseline_sheets_matched = 0;
  size_t sheets() const { return ids.size(); }
};
// Throws InputError when the election has no registered-voters column, repeats an id, or misses
// registered voters on a sheet.
Universe universe_of(const Election& e);

// Joins a previous election of the same places (matched by name level by level, as in
// `progression --baseline`; `level` a level name of the universe, empty: the finest paired) and
// records, per universe sheet, the previous election's share of valid votes for its overall
// leading choice at the matched place. The donor method then regresses each count's rate per
// registered voter on it across counted polling places (fixed effects for their parent) and
// shifts the rates an uncounted place draws from another place by the slope times the two places'
// difference in the baseline. Throws UsageError when no level pairs.
void attach_baseline(Universe& u, const Election& universe_election, const Election& baseline,
                     const std::string& level = "",
                     const std::vector<std::pair<std::string, std::string>>& level_map = {});

enum class ProjectionMethod { kDonor, kRatio };
const char* to_string(ProjectionMethod m);

// The drift term (see projection.cc): kAuto adds it when the counted sheets' arrival order is
// known, kReplay requires it, kNone leaves the intervals to the method's sampling spread.
enum class DriftMode { kAuto, kReplay, kNone };

// Footing (README, "Footing"): a projection from fewer counted sheets is "too little to tell".
inline constexpr size_t kMinCountedSheets = 100;

struct ProjectionOptions {
  ProjectionMethod method = ProjectionMethod::kDonor;
  int draws = 2000;
  uint64_t seed = kDefaultSeed;
  double level = 0.9;          // of the intervals
  unsigned threads = 0;        // 0: all cores; results do not depend on it
  size_t min_donors = 1;       // donor pools need at least this many counted sheets
  int strata_level = -1;       // ratio estimator strata (-1: the second level, else the first)
  std::vector<double> margin_thresholds;  // P(margin > t points); default: the rule's lead, if any
  DriftMode drift = DriftMode::kAuto;
  // The margin's two choices, by name; empty: the counted leader and runner-up. The backtest sets
  // the final count's, so that every point is in one sign convention.
  std::string margin_leader, margin_runner_up;
};

struct ProjectionResult {
  std::string method, partial_source, universe_source;
  int draws = 0;
  uint64_t seed = 0;
  double level = 0.9;
  size_t counted_units = 0, uncounted_units = 0;
  double counted_registered_share = 0;
  std::string leader, runner_up;  // the margin's two choices: the counted leader and runner-up, or the options'
  struct Interval {
    double median = 0, lo = 0, hi = 0, mean = 0;
  };
  struct Choice {
    std::string name;
    double counted_share = 0;  // among counted sheets
    Interval share;            // projected final share of valid votes
    double p_first = 0;        // probability of finishing first
  };
  std::vector<Choice> choices;  // by projected median share
  Interval margin;               // points, leader minus runner-up
  Interval turnout;              // ballots / registered, when blank/invalid are known
  double p_decided = 1;          // decided in this round under the rule
  std::vector<std::pair<double, double>> p_margin_above;  // (threshold points, probability)
  std::string rule;
  std::vector<double> margin_draws_histogram_edges;  // chart-ready: 40 bins
  std::vector<size_t> margin_draws_histogram;
  // Donor pools: how many uncounted sheets took donors at each level ("all": the whole count).
  std::vector<std::pair<std::string, size_t>> pool_levels;
  // The drift term: "replay" or "none"; per replay (fraction of the counted sheets it started
  // from, its error on the margin of the sheets after it, in points).
  std::string drift = "none";
  size_t drift_replays = 0;
  std::vector<std::pair<double, double>> drift_margin_errors;
  struct Baseline {
    bool used = false;
    std::string source, choice, level;
    size_t sheets_matched = 0;     // universe sheets with a baseline value
    size_t places_fitted = 0;      // counted places in the regression
    size_t sheets_adjusted = 0;    // uncounted sheets whose donor rates were shifted
    std::vector<std::pair<std::string, double>> slopes;  // per count: rate per registered voter per unit of share
  } baseline;
  std::vector<std::string> notes;
  // What the interval's spread contains and what it cannot (plain sentences; text, JSON, report).
  std::vector<std::string> uncertainty_included, uncertainty_excluded;
  // Why the projection is "too little to tell" (fewer than kMinCountedSheets counted); empty when
  // it stands on enough sheets. The numbers are still computed, but no verdict rests on them.
  std::vector<std::string> footing;
};

// Pure. `partial` holds the counted sheets with their votes; `universe` every expected sheet.
// `arrival`, when given, orders the universe's sheets (e.g. read_arrival_times against the
// universe's election) and enables the drift term; only the counted sheets' order is used. Without
// it, the partial count's own timestamp column is used when it has one.
// Throws InputError for partial sheets missing from the universe or repeated ids, and UsageError
// for an empty partial count.
ProjectionResult project(const Election& partial, const Universe& universe, const ContestRule& rule,
                         const ProjectionOptions& options = {}, const Arrival* arrival = nullptr);

// Projects the count as it stood at one point of its arrival: the sheets of `final_count` that had
// arrived at or before `up_to` (an arrival time, or a snapshot index) are counted, with their votes;
// every other sheet of the final count is uncounted (its votes are never read). Pure.
ProjectionResult project_arrived(const Election& final_count, const Arrival& arrival, int64_t up_to,
                                 const ProjectionOptions& options = {});

struct BacktestResult {
  std::string method;
  std::string leader, runner_up;  // of the final count: the margin's two choices at every point
  double actual_margin = 0;
  std::vector<std::string> choice_names;
  std::vector<double> actual_shares;
  struct Point {
    double sheet_share;   // of the universe counted at this point
    size_t counted;
    // Every margin of a point is the final count's leader minus its runner-up (the sign convention
    // of actual_margin), whoever leads at that point.
    double counted_margin;  // the margin of the counted sheets alone
    ProjectionResult::Interval margin;
    double error;           // median - actual
    bool covered;
    double p_decided;
    size_t choices_covered;
  };
  std::vector<Point> points;
  double mean_abs_error = 0, coverage = 0, choice_coverage = 0;
  double level = 0.9;
};

// The backtest's default points: 0.20, 0.25, ..., 0.95 of the sheets (the same for `project
// --backtest` and `report`, so that both give the same coverage).
std::vector<double> default_backtest_points();

// Replays a count in arrival order and projects from each point (shares of the universe's sheets,
// e.g. 0.20, 0.25, ..., 0.95), scoring against the final count. `universe`, when given, is
// universe_of(final_count) with a baseline attached.
BacktestResult backtest(const Election& final_count, const Arrival& arrival, const std::vector<double>& points,
                        const ProjectionOptions& options = {}, const Universe* universe = nullptr);

nlohmann::ordered_json to_json(const ProjectionResult& r);
std::string to_text(const ProjectionResult& r);
nlohmann::ordered_json to_json(const BacktestResult& r);
std::string to_text(const BacktestResult& r);

}  // namespace tallyscope
