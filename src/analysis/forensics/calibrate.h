// Calibration of the forensic battery on elections like the user's: simulate clean and
// manipulated versions of a real file (its sheets, geography and registered voters kept; turnout
// and shares drawn from a hierarchical model fitted to it, see simulate_like), run the battery on
// each, and count how often each test fires. On clean versions that is the test's false-alarm
// rate, to compare with its nominal level; on manipulated ones, its detection rate.
// Pure and deterministic: run r of scenario s simulates with its own seed derived from
// (seed, s, r), whatever the thread count.
#pragma once

#include "analysis/common/default_seed.h"
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/simulate/simulate.h"
#include "model/election.h"

namespace tallyscope {

struct CalibrationScenario {
  std::string name;  // e.g. "clean", "incremental 5%"
  double fraud_share = 0;
  FraudKind fraud_kind = FraudKind::kIncremental;
  double fraud_intensity = 0.3;
  double round_share = 0;
  // Injected into a copy of the template itself (inject_into), not into its simulated twin: the
  // detection rate on the real file's own sheets.
  bool into_file = false;
};

// The default scenarios: clean; incremental ballot stuffing in 2%, 5% and 10% of the sheets;
// extreme stuffing in 2%; whole-number percentages fabricated in 2% and 5%; and, injected into the
// file itself, stuffing in 2% of its sheets (most of their non-voters become leader votes:
// intensity 0.75) and whole percentages in 2%.
std::vector<CalibrationScenario> default_scenarios();

struct CalibrationOptions {
  int runs = 100;             // simulated elections per scenario
  uint64_t seed = kDefaultSeed;
  // Monte Carlo replicates of each test's null, per run (the battery's p-values come from the
  // null's moments, or exactly for integer percentages, so they are not bounded by 1/(R+1)).
  int replicates = 200;
  double alpha = 0.05;        // nominal level of one test
  double fdr = 0.05;          // Benjamini-Hochberg level of the battery's flags
  std::vector<std::string> choices;  // empty: the battery's default (the leading two)
  std::vector<CalibrationScenario> scenarios = default_scenarios();  // the first must be clean
  unsigned threads = 0;       // 0: all cores; results do not depend on it
  // Called after each simulated election with (done, total); for progress on stderr.
  std::function<void(size_t, size_t)> progress;
};

struct CalibrationRow {
  std::string test, target;
  // Clean scenario: runs where the test ran, and where its p-value was at most alpha.
  size_t runs = 0, fired = 0;
  double false_alarm = 0, lo = 0, hi = 0;  // rate and its 95% Clopper-Pearson interval
  std::string verdict;                     // "calibrated", "conservative", "anti-conservative", "not run"
  double clean_flag_rate = 0;              // flagged after BH control, clean
  // Per manipulated scenario (in order): the share of runs where the test was flagged after BH.
  std::vector<double> detection;
  std::vector<size_t> detection_runs;
};

struct CalibrationResult {
  std::string source;
  size_t units = 0;
  int runs = 0, replicates = 0;
  uint64_t seed = 0;
  double alpha = 0.05, fdr = 0.05;
  std::vector<std::string> scenarios;     // names, the clean one first
  std::vector<CalibrationRow> rows;       // one per (test, target) of the whole count
  // Per scenario: share of runs where any test was flagged (clean: the battery's family-wise
  // false-alarm rate under BH control).
  std::vector<double> any_flag;
  std::vector<std::string> notes;
};

// Throws UsageError for runs < 1, replicates < 1, levels outside (0, 1), or a first scenario that
// is not clean; InputError when the template cannot be simulated (no registered voters).
CalibrationResult calibrate(const Election& templ, const CalibrationOptions& options = {});

nlohmann::ordered_json to_json(const CalibrationResult& r);
std::string to_text(const CalibrationResult& r);

}  // namespace tallyscope
