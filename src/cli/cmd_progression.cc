// `tallyscope progression`: was a late shift in the count suspicious, or explained by who came in late?
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "analysis/analysis.h"
#include "cli/command.h"
#include "io/io.h"

namespace tallyscope::cli {

Command add_progression(CLI::App& app) {
  struct State {
    std::string file, arrival_file, baseline_file, baseline_spec, baseline_level, baseline_pair, baseline_levels;
    std::vector<std::string> early_files;
    std::string cutoff_text, arrival_id, arrival_time, leader, runner_up;
    double cutoff_share = -1, last_share = 0.05;
    size_t cutoff_snapshot = 1;
    int placebos = 200;
    unsigned threads = 0;
    bool json = false, rd_cluster = false;
    InputOptions in;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand("progression",
                                 "Was a late shift in the count suspicious, or explained by which sheets came in late?");
  cmd->add_option("FINAL", s->file, "The final count (votes and geography per sheet)")->required();
  auto* arr_opt = cmd->add_option("--arrival", s->arrival_file, "Per-sheet arrival times (id and ISO 8601 time columns)")
                      ->check(CLI::ExistingFile);
  cmd->add_option("--early", s->early_files,
                  "Snapshot(s) of the count in time order, each holding the sheets in by then")
      ->check(count_input())
      ->excludes(arr_opt);
  cmd->add_option("--arrival-id", s->arrival_id, "Id column of the arrival file (default: the final count's id column)");
  cmd->add_option("--arrival-time", s->arrival_time, "Time column of the arrival file (default: detected by name)");
  cmd->add_option("--cutoff", s->cutoff_text, "Cutoff time, ISO 8601 (default: the longest pause in arrivals)");
  cmd->add_option("--cutoff-share", s->cutoff_share, "Cutoff once this fraction of the final valid votes had arrived");
  cmd->add_option("--cutoff-snapshot", s->cutoff_snapshot,
                  "With --early: the snapshot whose sheets are early (1 = first)")
      ->capture_default_str();
  cmd->add_option("--leader", s->leader, "Choice whose lead is studied (default: the final count's first)");
  cmd->add_option("--runner-up", s->runner_up, "The other choice (default: the final count's second)");
  cmd->add_option("--baseline", s->baseline_file, "A previous election of the same places")->check(count_input());
  cmd->add_option("--baseline-spec", s->baseline_spec, "Spec for the baseline file")->check(CLI::ExistingFile);
  cmd->add_option("--baseline-level", s->baseline_level, "Geography level (of FINAL) at which to join the baseline");
  cmd->add_option("--baseline-levels", s->baseline_levels,
                  "Level pairs FINAL=BASELINE,... (default: matched by name)");
  cmd->add_option("--baseline-pair", s->baseline_pair, "Baseline choices standing for the leader and runner-up, A:B");
  cmd->add_option("--last-share", s->last_share, "The naive check's last share of the count")->capture_default_str();
  cmd->add_option("--placebos", s->placebos, "Placebo cutoffs for the discontinuity, spread evenly over the count; those within the bandwidth (at least 200 "
                  "sheets) of an end or of the real cutoff are skipped, so fewer are estimated (176 of 200 on Bolivia "
                  "2019); the output gives the number estimated")->capture_default_str();
  cmd->add_flag("--cluster", s->rd_cluster, "Cluster the discontinuity's variance by polling place");
  cmd->add_option("--threads", s->threads, "Threads (0 = all cores; results do not depend on it)");
  cmd->add_flag("--json", s->json, "Machine-readable output on stdout");
  s->in.add(cmd);
  return {cmd, [s, cmd] {
            if (s->arrival_file.empty() && s->early_files.empty())
              throw UsageError("progression needs --arrival FILE or --early FILE...");
            LoadOptions lo = s->in.load_options();
            ProgressionOptions po;
            po.leader = s->leader;
            po.runner_up = s->runner_up;
            po.naive_last_share = s->last_share;
            if (!(s->last_share > 0 && s->last_share < 1)) throw UsageError("--last-share must be between 0 and 1");
            if (s->placebos < 0) throw UsageError("--placebos must be zero or more");
            po.placebos = s->placebos;
            po.rd_cluster = s->rd_cluster;
            po.threads = s->threads;
            const bool share_given = cmd->get_option("--cutoff-share")->count() > 0;
            if (share_given && !s->cutoff_text.empty()) throw UsageError("give --cutoff or --cutoff-share, not both");
            if (share_given) po.cutoff_share = s->cutoff_share;
            if (cmd->get_option("--cutoff-snapshot")->count() > 0 && !s->arrival_file.empty())
              throw UsageError("--cutoff-snapshot goes with --early snapshots, not with --arrival");
            if (s->cutoff_snapshot < 1) throw UsageError("--cutoff-snapshot counts from 1");
            po.cutoff_snapshot = s->cutoff_snapshot - 1;
            if (!s->baseline_pair.empty()) {
              auto colon = s->baseline_pair.find(':');
              if (colon == std::string::npos) throw UsageError("--baseline-pair takes A:B");
              po.baseline_leader = s->baseline_pair.substr(0, colon);
              po.baseline_runner_up = s->baseline_pair.substr(colon + 1);
            }
            if (!s->baseline_levels.empty()) {
              std::stringstream ss(s->baseline_levels);
              std::string item;
              while (std::getline(ss, item, ',')) {
                auto eq = item.find('=');
                if (eq == std::string::npos)
                  throw UsageError("--baseline-levels takes FINAL=BASELINE pairs, comma-separated");
                po.baseline_levels.push_back({item.substr(0, eq), item.substr(eq + 1)});
              }
            }
            po.baseline_level = s->baseline_level;

            std::cerr << "tallyscope: reading " << s->file << "\n";
            Election fc = load_election(s->file, lo);
            print_guess_notes(fc);
            if (!s->cutoff_text.empty()) {
              int32_t off = 0;
              if (!fc.spec().timezone.empty()) off = parse_utc_offset(fc.spec().timezone).value_or(0);
              auto t = parse_timestamp(s->cutoff_text, off);
              if (!t) throw UsageError(fmt::format("--cutoff '{}' is not an ISO 8601 date-time", s->cutoff_text));
              po.cutoff_ms = t->epoch_ms;
            }
            Arrival arrival;
            std::vector<Election> snapshots;
            if (!s->arrival_file.empty()) {
              ArrivalReadOptions ao;
              ao.id_column = s->arrival_id;
              ao.time_column = s->arrival_time;
              arrival = read_arrival_times(s->arrival_file, fc, ao);
              print_arrival_notes(arrival);
            } else {
              for (const auto& f : s->early_files) snapshots.push_back(load_election(f, lo));
              std::vector<const Election*> ptrs;
              for (const auto& e : snapshots) ptrs.push_back(&e);
              arrival = arrival_from_snapshots(ptrs, fc);
            }
            std::optional<Election> base;
            if (!s->baseline_file.empty()) {
              LoadOptions bo = lo;  // the same reading options, but its own layout
              bo.spec.reset();
              if (!s->baseline_spec.empty()) bo.spec = load_spec(s->baseline_spec);
              base.emplace(load_election(s->baseline_file, bo));
              print_guess_notes(*base);
            }
            std::cerr << "tallyscope: analysing the progression (" << s->placebos << " placebo cutoffs)\n";
            ProgressionResult r = analyze_progression(fc, arrival, po, base ? &*base : nullptr);
            std::vector<nlohmann::ordered_json> inputs = {input_json(fc)};
            std::string banner = guess_banner(fc);
            for (const auto& e : snapshots) inputs.push_back(input_json(e)), banner += guess_banner(e);
            if (base) inputs.push_back(input_json(*base)), banner += guess_banner(*base);
            if (s->json) emit(with_inputs(to_json(r), inputs));
            else print_text(banner + to_text(r));
            return 0;
          }};
}

}  // namespace tallyscope::cli
