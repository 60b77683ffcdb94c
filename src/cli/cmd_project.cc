// `tallyscope project`: what will the uncounted sheets say?
#include "analysis/common/default_seed.h"
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "analysis/analysis.h"
#include "cli/command.h"

namespace tallyscope::cli {

Command add_project(CLI::App& app) {
  struct State {
    std::string partial, universe, backtest, arrival, method = "donor", universe_spec, strata, drift = "auto";
    std::string baseline, baseline_spec, baseline_level, baseline_levels;
    uint64_t seed = kDefaultSeed;
    int draws = 2000;
    double level = 0.9;
    unsigned threads = 0;
    std::vector<double> thresholds, points;
    bool json = false;
    InputOptions in;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand("project", "Project the uncounted sheets: intervals and outcome probabilities");
  cmd->add_option("PARTIAL", s->partial, "The sheets counted so far, with their votes");
  cmd->add_option("--universe", s->universe,
                  "Every expected sheet: ids, geography, registered voters (votes, if any, are never read)")
      ->check(count_input());
  cmd->add_option("--universe-spec", s->universe_spec, "Spec for the universe file")->check(CLI::ExistingFile);
  cmd->add_option("--backtest", s->backtest, "Replay this final count in arrival order instead (needs --arrival)")
      ->check(count_input());
  cmd->add_option("--arrival", s->arrival,
                  "Per-sheet arrival times (id and time columns): the order to replay for --backtest, or the "
                  "counted sheets' order for the drift term")
      ->check(CLI::ExistingFile);
  cmd->add_option("--drift", s->drift,
                  "Drift term from replays of the counted sheets in arrival order: auto (when the order is known), "
                  "replay (required), none")
      ->check(CLI::IsMember({"auto", "replay", "none"}))
      ->capture_default_str();
  cmd->add_option("--points", s->points, "Backtest points as shares of sheets (default 0.20, 0.25, ..., 0.95)");
  cmd->add_option("--method", s->method, "donor (hierarchical donor imputation) or ratio (stratified ratio estimator)")
      ->check(CLI::IsMember({"donor", "ratio"}))
      ->capture_default_str();
  cmd->add_option("--baseline", s->baseline,
                  "A previous election of the same places: its result is a covariate of the donor method")
      ->check(count_input());
  cmd->add_option("--baseline-spec", s->baseline_spec, "Spec for the baseline file")->check(CLI::ExistingFile);
  cmd->add_option("--baseline-level", s->baseline_level, "Geography level (of the universe) to join the baseline at");
  cmd->add_option("--baseline-levels", s->baseline_levels, "Level pairs UNIVERSE=BASELINE,... (default: by name)");
  cmd->add_option("--strata", s->strata, "Geography level of the ratio estimator's strata (default: the second)");
  cmd->add_option("--seed", s->seed, "Random seed")->capture_default_str();
  cmd->add_option("--draws", s->draws, "Monte Carlo draws")->capture_default_str();
  cmd->add_option("--level", s->level, "Interval level")->capture_default_str();
  cmd->add_option("--threshold", s->thresholds, "Report P(margin > T points) (default: the rule's lead)");
  cmd->add_option("--threads", s->threads, "Threads (0 = all cores; results do not depend on it)");
  cmd->add_flag("--json", s->json, "Machine-readable output on stdout");
  s->in.add(cmd);
  return {cmd, [s] {
            LoadOptions lo = s->in.load_options();
            ProjectionOptions po;
            po.method = s->method == "ratio" ? ProjectionMethod::kRatio : ProjectionMethod::kDonor;
            po.seed = s->seed;
            po.draws = s->draws;
            po.level = s->level;
            po.threads = s->threads;
            po.margin_thresholds = s->thresholds;
            po.drift = s->drift == "none" ? DriftMode::kNone : s->drift == "replay" ? DriftMode::kReplay : DriftMode::kAuto;
            if (s->draws < 1 || s->draws > 10000000) throw UsageError("--draws must be between 1 and 10,000,000");
            if (!(s->level > 0 && s->level < 1)) throw UsageError("--level must be between 0 and 1");
            auto strata_of = [&](const Election& e) {
              if (s->strata.empty()) return;
              int l = e.geography().find_level(s->strata);
              if (l < 0)
                throw UsageError(fmt::format("--strata: '{}' is not a geography level of {}", s->strata, e.source()));
              po.strata_level = l;
            };
            std::optional<Election> base;
            std::vector<std::pair<std::string, std::string>> level_map;
            if (!s->baseline.empty()) {
              LoadOptions bo = lo;  // the same reading options, but its own layout
              bo.spec.reset();
              if (!s->baseline_spec.empty()) bo.spec = load_spec(s->baseline_spec);
              base.emplace(load_election(s->baseline, bo));
              print_guess_notes(*base);
              std::stringstream ss(s->baseline_levels);
              std::string item;
              while (std::getline(ss, item, ',')) {
                auto eq = item.find('=');
                if (eq == std::string::npos)
                  throw UsageError("--baseline-levels takes UNIVERSE=BASELINE pairs, comma-separated");
                level_map.push_back({item.substr(0, eq), item.substr(eq + 1)});
              }
            }
            if (!s->backtest.empty()) {
              if (s->arrival.empty()) throw UsageError("--backtest needs --arrival FILE (per-sheet arrival times)");
              Election fc = load_election(s->backtest, lo);
              print_guess_notes(fc);
              strata_of(fc);
              Arrival a = read_arrival_times(s->arrival, fc);
              print_arrival_notes(a);
              const std::vector<double> points = s->points.empty() ? default_backtest_points() : s->points;
              std::cerr << "tallyscope: backtesting at " << points.size() << " points, " << s->draws << " draws each\n";
              Universe fu = universe_of(fc);
              if (base) attach_baseline(fu, fc, *base, s->baseline_level, level_map);
              BacktestResult b = backtest(fc, a, points, po, &fu);
              std::vector<nlohmann::ordered_json> inputs = {input_json(fc)};
              std::string banner = guess_banner(fc);
              if (base) inputs.push_back(input_json(*base)), banner += guess_banner(*base);
              if (s->json) emit(with_inputs(to_json(b), inputs));
              else print_text(banner + to_text(b));
              return 0;
            }
            if (s->partial.empty() || s->universe.empty())
              throw UsageError("project needs PARTIAL and --universe FILE (or --backtest FINAL --arrival TIMES)");
            Election partial = load_election(s->partial, lo);
            print_guess_notes(partial);
            LoadOptions uo = lo;
            uo.spec.reset();
            if (!s->universe_spec.empty()) uo.spec = load_spec(s->universe_spec);
            Universe universe;
            std::optional<Arrival> arrival;
            std::vector<nlohmann::ordered_json> inputs = {input_json(partial)};
            std::string banner = guess_banner(partial);
            {
              Election u = load_election(s->universe, uo);  // only ids, geography and registered are kept
              print_guess_notes(u);
              inputs.push_back(input_json(u));
              banner += guess_banner(u);
              strata_of(u);
              universe = universe_of(u);
              if (base) attach_baseline(universe, u, *base, s->baseline_level, level_map);
              if (!s->arrival.empty()) {
                arrival = read_arrival_times(s->arrival, u);
                print_arrival_notes(*arrival);
              }
            }
            std::cerr << "tallyscope: projecting " << s->draws << " draws\n";
            ProjectionResult r = project(partial, universe, partial.spec().rule, po, arrival ? &*arrival : nullptr);
            if (base) inputs.push_back(input_json(*base)), banner += guess_banner(*base);
            if (s->json) emit(with_inputs(to_json(r), inputs));
            else print_text(banner + to_text(r));
            return 0;
          }};
}

}  // namespace tallyscope::cli
