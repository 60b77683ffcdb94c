// Count progression: did the margin shift late in the count, and how much of the shift is
// explained by which sheets came in late? Reproduces the naive checks as published (labelled as
// such), estimates the discontinuity at the cutoff properly (rdrobust's local polynomial with
// robust bias-corrected inference, plus placebo cutoffs), and decomposes the late-minus-early gap
// by geography (fixed effects at each level), within polling places with a trend, and against a
// previous election's lean of the same places.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/arrival.h"
#include "model/election.h"
#include "stats/rd.h"

namespace tallyscope {

// Footing: below these, the verdict that rests on them is "too little to tell" (README, "Footing").
inline constexpr size_t kMinSheetsPerSide = 100;      // sheets with arrival times each side of the cutoff (RD)
inline constexpr size_t kMinComparisonPlaces = 30;    // places holding both early and late sheets
inline constexpr double kMinBaselineMatched = 0.5;    // share of places matched to the baseline
inline constexpr double kMinTimedShare = 0.5;         // share of the count's sheets with a usable arrival time

struct ProgressionOptions {
  std::string leader, runner_up;        // the margin studied; default: the final count's top two
  std::optional<int64_t> cutoff_ms;     // early = arrived at or before this time
  std::string cutoff_label;             // how cutoff_ms was chosen (for the text); empty: "the given time"
  std::optional<double> cutoff_share;   // or: once this fraction of the final valid votes was in
  size_t cutoff_snapshot = 0;           // snapshots: early = in this snapshot (0 = the first)
  double naive_last_share = 0.05;       // the naive "last X% against the rest" check
  int placebos = 200;                   // placebo cutoffs for the discontinuity
  bool rd_cluster = false;              // cluster the RD's variance by polling place
  int rd_p = 1;                         // local polynomial order
  size_t trajectory_points = 400;
  size_t smoother_bins = 100;
  unsigned threads = 0;                 // 0: all cores (results do not depend on it)
  std::string baseline_level;           // join level (a level of the final count); empty: finest paired
  std::vector<std::pair<std::string, std::string>> baseline_levels;  // explicit level pairs final=baseline
  std::string baseline_leader, baseline_runner_up;  // the baseline's choices aligned with leader / runner-up
};

struct ProgressionResult {
  std::string source, arrival_source, leader, runner_up;
  Arrival::Kind kind = Arrival::Kind::kTimestamps;
  size_t sheets = 0, with_votes = 0, arrived = 0, never_arrived = 0, early = 0, late = 0;
  std::string cutoff_rule;
  int64_t cutoff_ms = 0;  // timestamps only
  int32_t offset_minutes = 0;
  double cutoff_sheet_share = 0, cutoff_vote_share = 0;  // of the final count's sheets / valid votes
  // Pooled margins (points): early sheets, late sheets, arrived by the cutoff, the final count.
  double margin_early = 0, margin_late = 0, margin_final = 0;

  struct TrajectoryPoint {
    double sheet_share, vote_share, margin_points, leader_share, runner_up_share;
    int64_t time_ms;  // or the snapshot index
  };
  std::vector<TrajectoryPoint> trajectory;
  struct Bin {
    double rank_share;  // middle of the bin, as a share of arrived sheets
    double mean_margin, se;
    size_t n;
    bool late;
  };
  std::vector<Bin> smoother;  // per-sheet margin in arrival order, equal-count bins on each side of the cutoff

  struct Naive {
    bool available = false;
    std::string reason;
    double last_share = 0.05;
    double margin_first = 0, margin_last = 0, difference = 0;  // pooled, points
    double line_left_at_cutoff = 0, line_right_at_cutoff = 0, line_jump = 0, line_jump_se = 0;
    double extrapolated_final = 0, actual_final = 0;  // cumulative margin: pre-cutoff trend to 100% vs actual
    size_t text_sort_moved = 0;  // sheets whose place in the order changes if times are sorted as text
    bool text_sort_checked = false;
  } naive;

  struct Rd {
    bool available = false;
    std::string reason;
    stats::RdResult result;
    bool clustered = false;
    struct Placebo {
      double position_share;  // where in the arrived sheets
      double estimate, ci_low, ci_high;
    };
    std::vector<Placebo> placebos;
    // The local polynomial fitted on each side within the bandwidth (triangular kernel), i.e.
    // the conventional estimate, for charts: its two ends at the cutoff differ by `estimate`.
    struct FitPoint {
      double rank_share;  // position in the arrived sheets, as the smoother's
      double margin_points;
      bool late;
    };
    std::vector<FitPoint> fit;
    size_t placebos_attempted = 0;
    double placebo_share_as_large = 0;      // |placebo estimate| >= |estimate|
    double placebo_share_significant = 0;   // robust CI excludes 0
  } rd;

  struct Composition {
    std::string level;  // "none" or a geography level
    double gap_points = 0, se = 0;
    size_t n = 0, groups = 0;
    size_t informative_groups = 0;  // groups holding both early and late sheets: those the comparison uses
    double explained = 0;  // 1 - gap / gap without fixed effects
  };
  std::vector<Composition> composition;
  std::string cluster_level;

  struct Within {
    bool available = false;
    std::string reason, level;
    double gap_points = 0, se = 0, trend_points = 0, trend_se = 0;  // trend: points across the whole count
    size_t n = 0;
  } within;

  struct Baseline {
    bool available = false;
    std::string reason, source, level, leader, runner_up;
    size_t sheets_matched = 0, places = 0, places_matched = 0, fuzzy = 0;
    double prior_gap_points = 0, prior_gap_se = 0;      // late minus early in the baseline's margin
    double gap_points = 0, gap_se = 0;                  // this election, same sheets
    double gap_controlled_points = 0, gap_controlled_se = 0, baseline_coef = 0, baseline_coef_se = 0;
    size_t n = 0;
  } baseline;

  std::vector<std::string> verdict;
  std::vector<std::string> caveats;
  // Why a verdict could not be given ("too little to tell"), one sentence each; empty when every
  // part of the analysis stands on enough sheets and places.
  std::vector<std::string> footing;

  // Sheets that arrived after the cutoff (the late ones that have an arrival).
  size_t arrived_late() const { return arrived > early ? arrived - early : 0; }
  // Whether the discontinuity stands on kMinSheetsPerSide timed sheets on each side.
  bool rd_on_footing() const { return early >= kMinSheetsPerSide && arrived_late() >= kMinSheetsPerSide; }
  // Whether the count's order is known for enough of its sheets (kMinTimedShare of them with a
  // usable arrival time; snapshots place every sheet). Otherwise early and late describe the timed
  // sheets only, and the untimed rest, counted late, may be anything.
  bool order_on_footing() const {
    return kind != Arrival::Kind::kTimestamps || sheets == 0 ||
           static_cast<double>(arrived) >= kMinTimedShare * static_cast<double>(sheets);
  }
  // The comparison within the finest geography level; nullptr without geography.
  const Composition* finest_composition() const {
    const Composition* finest = nullptr;
    for (const auto& c : composition)
      if (c.level != "none") finest = &c;
    return finest;
  }
};

// The arrival time that best separates the sheets of a published snapshot from the others: the
// time t that maximises the number of sheets on the right side (in the snapshot and arrived by t,
// or not in it and arrived after t). A snapshot publishes the count as it stood at one moment; a
// cutoff taken from it studies the stop the public saw, not the longest pause in the log.
struct SnapshotCutoff {
  int64_t cutoff_ms = 0;
  size_t sheets = 0;      // sheets with an arrival time
  double agreement = 0;   // share of them on the right side of the cutoff
};
// `times`: per-sheet timestamps; `snapshots`: arrival_from_snapshots of the same final count;
// `snapshot`: which one (0 = the first). Empty when no sheet has both a time and a snapshot.
std::optional<SnapshotCutoff> cutoff_matching_snapshot(const Arrival& times, const Arrival& snapshots,
                                                       size_t snapshot = 0);

// Pure: no I/O. Throws UsageError for a cutoff outside the data, unknown choices, or a baseline
// that cannot be aligned.
ProgressionResult analyze_progression(const Election& final_count, const Arrival& arrival,
                                      const ProgressionOptions& options = {}, const Election* baseline = nullptr);
nlohmann::ordered_json to_json(const ProgressionResult& r);
std::string to_text(const ProgressionResult& r);

}  // namespace tallyscope
