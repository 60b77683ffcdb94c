#include "analysis/forensics/calibrate.h"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <map>
#include <tuple>

#include <boost/math/special_functions/beta.hpp>
#include <fmt/format.h>

#include "analysis/forensics/forensics.h"
#include "io/error.h"
#include "stats/parallel.h"

namespace tallyscope {

std::vector<CalibrationScenario> default_scenarios() {
  std::vector<CalibrationScenario> s;
  s.push_back({"clean"});
  for (double f : {0.02, 0.05, 0.10}) {
    CalibrationScenario c;
    c.name = fmt::format("incremental stuffing, {:g}% of sheets", 100 * f);
    c.fraud_share = f;
    s.push_back(c);
  }
  CalibrationScenario extreme;
  extreme.name = "extreme stuffing, 2% of sheets";
  extreme.fraud_share = 0.02;
  extreme.fraud_kind = FraudKind::kExtreme;
  s.push_back(extreme);
  for (double f : {0.02, 0.05}) {
    CalibrationScenario c;
    c.name = fmt::format("whole-number percentages, {:g}% of sheets", 100 * f);
    c.round_share = f;
    s.push_back(c);
  }
  CalibrationScenario stuffed_file;
  stuffed_file.name = "stuffing injected into the file, 2% of its sheets";
  stuffed_file.fraud_share = 0.02;
  stuffed_file.fraud_intensity = 0.75;
  stuffed_file.into_file = true;
  s.push_back(stuffed_file);
  CalibrationScenario rounded_file;
  rounded_file.name = "whole percentages injected into the file, 2% of its sheets";
  rounded_file.round_share = 0.02;
  rounded_file.into_file = true;
  s.push_back(rounded_file);
  return s;
}

namespace {

// Clopper-Pearson interval for k successes in n trials (exact, from the beta quantiles).
std::pair<double, double> clopper_pearson(size_t k, size_t n, double level = 0.95) {
  if (n == 0) return {0, 1};
  const double a = (1 - level) / 2, kd = static_cast<double>(k), nd = static_cast<double>(n);
  double lo = k == 0 ? 0 : boost::math::ibeta_inv(kd, nd - kd + 1, a);
  double hi = k == n ? 1 : boost::math::ibeta_inv(kd + 1, nd - kd, 1 - a);
  return {lo, hi};
}

uint64_t mix(uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t z = seed ^ (0x9E3779B97F4A7C15ULL * (a + 1)) ^ (0xD1B54A32D192ED03ULL * (b + 1));
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// What one run keeps of the battery: per (test, target) of the whole count, ran / p <= alpha / flagged.
struct RunOutcome {
  bool ran = false, fired = false, flagged = false;
};

}  // namespace

CalibrationResult calibrate(const Election& templ, const CalibrationOptions& opt) {
  if (opt.runs < 1) throw UsageError("calibrate needs at least one run");
  if (opt.replicates < 1) throw UsageError("calibrate needs at least one Monte Carlo replicate");
  if (!(opt.alpha > 0 && opt.alpha < 1) || !(opt.fdr > 0 && opt.fdr < 1))
    throw UsageError("the levels must be between 0 and 1");
  if (opt.scenarios.empty() || opt.scenarios[0].fraud_share != 0 || opt.scenarios[0].round_share != 0 ||
      opt.scenarios[0].into_file)
    throw UsageError("the first calibration scenario must be the clean one");
  if (!templ.registered())
    throw InputError({templ.source()}, "calibrate simulates from registered voters per sheet; map 'registered'");
  CalibrationResult r;
  r.source = templ.source();
  r.units = templ.sheets();
  r.runs = opt.runs;
  r.replicates = opt.replicates;
  r.seed = opt.seed;
  r.alpha = opt.alpha;
  r.fdr = opt.fdr;
  for (const auto& s : opt.scenarios) r.scenarios.push_back(s.name);

  const size_t S = opt.scenarios.size(), R = static_cast<size_t>(opt.runs), tasks = S * R;
  // Per task: the battery's tests keyed by (id, target).
  std::vector<std::map<std::pair<std::string, std::string>, RunOutcome>> out(tasks);
  std::vector<uint8_t> any(tasks, 0);
  std::atomic<size_t> done{0};
  stats::parallel_for(tasks, opt.threads, [&](size_t t) {
    const size_t s = t / R, run = t % R;
    const CalibrationScenario& sc = opt.scenarios[s];
    SimulationOptions so;
    so.seed = mix(opt.seed, s, run);
    so.fraud_share = sc.fraud_share;
    so.fraud_kind = sc.fraud_kind;
    so.fraud_intensity = sc.fraud_intensity;
    so.round_share = sc.round_share;
    so.late_bias = 0;
    so.threads = 1;
    Election e = sc.into_file ? inject_into(templ, so) : simulate_like(templ, so);
    ForensicsOptions fo;
    fo.replicates = opt.replicates;
    fo.seed = mix(opt.seed ^ 0x5851F42D4C957F2DULL, s, run);
    fo.fdr = opt.fdr;
    fo.choices = opt.choices;
    fo.threads = 1;
    fo.fits = false;
    fo.model_fits = false;
    ForensicsResult f = run_forensics(e, fo);
    for (const auto& test : f.tests) {
      // The whole count's tests and the within-place family (which runs on the whole count only).
      const bool within_place = test.level.rfind("within-place", 0) == 0;
      if ((test.level != "all" && !within_place) || !test.region.empty()) continue;
      RunOutcome& o = out[t][{test.id, test.target}];
      o.ran = test.run;
      o.fired = test.run && test.p_value <= opt.alpha;
      o.flagged = test.run && test.flag;
      any[t] |= o.flagged;
    }
    if (opt.progress) opt.progress(++done, tasks);
  });

  // Rows in the battery's order of the first run that has them.
  std::vector<std::pair<std::string, std::string>> keys;
  for (size_t t = 0; t < tasks; ++t)
    for (const auto& [k, o] : out[t])
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    CalibrationRow row;
    row.test = key.first;
    row.target = key.second;
    size_t clean_flags = 0;
    for (size_t run = 0; run < R; ++run) {
      auto it = out[run].find(key);
      if (it == out[run].end() || !it->second.ran) continue;
      ++row.runs;
      row.fired += it->second.fired;
      clean_flags += it->second.flagged;
    }
    if (row.runs > 0) {
      row.false_alarm = static_cast<double>(row.fired) / static_cast<double>(row.runs);
      std::tie(row.lo, row.hi) = clopper_pearson(row.fired, row.runs);
      row.clean_flag_rate = static_cast<double>(clean_flags) / static_cast<double>(row.runs);
      row.verdict = opt.alpha < row.lo ? "anti-conservative" : opt.alpha > row.hi ? "conservative" : "calibrated";
    } else {
      row.verdict = "not run";
    }
    for (size_t s = 1; s < S; ++s) {
      size_t n = 0, k = 0;
      for (size_t run = 0; run < R; ++run) {
        auto it = out[s * R + run].find(key);
        if (it == out[s * R + run].end() || !it->second.ran) continue;
        ++n;
        k += it->second.flagged;
      }
      row.detection.push_back(n ? static_cast<double>(k) / static_cast<double>(n) : 0);
      row.detection_runs.push_back(n);
    }
    r.rows.push_back(row);
  }
  for (size_t s = 0; s < S; ++s) {
    size_t k = 0;
    for (size_t run = 0; run < R; ++run) k += any[s * R + run];
    r.any_flag.push_back(static_cast<double>(k) / static_cast<double>(R));
  }
  r.notes.push_back(fmt::format(
      "false alarms: share of {} clean simulations with p <= {:g} (before multiple-testing control), with a 95% "
      "Clopper-Pearson interval; detection: share of manipulated simulations flagged after Benjamini-Hochberg at {:g}",
      R, opt.alpha, opt.fdr));
  r.notes.push_back("the simulations keep the file's sheets, geography and registered voters and fit turnout and "
                    "shares to it, each polling place keeping its own turnout and shares (simulate --like); a test's "
                    "error rates hold for elections that resemble that model");
  if (std::any_of(opt.scenarios.begin(), opt.scenarios.end(), [](const auto& s) { return s.into_file; }))
    r.notes.push_back("scenarios injected into the file manipulate copies of its own sheets: their detection rate "
                      "includes whatever the file itself already shows");
  return r;
}

nlohmann::ordered_json to_json(const CalibrationResult& r) {
  using J = nlohmann::ordered_json;
  J rows = J::array();
  for (const auto& row : r.rows) {
    J det = J::array();
    for (size_t s = 0; s < row.detection.size(); ++s)
      det.push_back({{"scenario", r.scenarios[s + 1]}, {"rate", row.detection[s]}, {"runs", row.detection_runs[s]}});
    rows.push_back({{"test", row.test},
                    {"target", row.target},
                    {"runs", row.runs},
                    {"false_alarm", row.false_alarm},
                    {"false_alarm_lo", row.lo},
                    {"false_alarm_hi", row.hi},
                    {"verdict", row.verdict},
                    {"clean_flag_rate", row.clean_flag_rate},
                    {"detection", det}});
  }
  J any = J::array();
  for (size_t s = 0; s < r.scenarios.size(); ++s) any.push_back({{"scenario", r.scenarios[s]}, {"any_flag", r.any_flag[s]}});
  return {{"source", r.source}, {"units", r.units},   {"runs", r.runs},   {"replicates", r.replicates},
          {"seed", r.seed},     {"alpha", r.alpha},   {"fdr", r.fdr},     {"scenarios", r.scenarios},
          {"tests", rows},      {"battery", any},     {"notes", r.notes}};
}

std::string to_text(const CalibrationResult& r) {
  std::string o = fmt::format("Calibration of the forensic battery on simulations of {} ({} sheets)\n", r.source, r.units);
  o += fmt::format("  {} runs per scenario, {} Monte Carlo replicates per test, seed {}\n\n", r.runs, r.replicates, r.seed);
  o += fmt::format("  {:<28} {:<16} {:>12} {:>17}  {:<18}", "test", "target", "false alarm", "95% interval", "verdict");
  for (size_t s = 1; s < r.scenarios.size(); ++s) o += fmt::format(" {:>6}", fmt::format("S{}", s));
  o += "\n";
  for (const auto& row : r.rows) {
    std::string target = row.target.size() > 16 ? row.target.substr(0, 15) + "~" : row.target;
    o += fmt::format("  {:<28} {:<16} {:>11.1f}% [{:5.1f}%, {:5.1f}%]  {:<18}", row.test, target, 100 * row.false_alarm,
                     100 * row.lo, 100 * row.hi, row.verdict);
    for (double d : row.detection) o += fmt::format(" {:>5.0f}%", 100 * d);
    o += "\n";
  }
  o += fmt::format("\n  nominal level {:g}; detection = flagged after Benjamini-Hochberg at {:g}. Scenarios:\n", r.alpha,
                   r.fdr);
  for (size_t s = 0; s < r.scenarios.size(); ++s)
    o += fmt::format("    {}{}: any test flagged in {:.0f}% of runs\n", s == 0 ? "clean" : fmt::format("S{}", s),
                     s == 0 ? "" : " (" + r.scenarios[s] + ")", 100 * r.any_flag[s]);
  for (const auto& n : r.notes) o += "  note: " + n + "\n";
  return o;
}

}  // namespace tallyscope
