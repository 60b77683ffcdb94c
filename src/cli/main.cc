// tallyscope: audits an election's vote count from its tally sheets.
// Exit codes: 0 ok, 1 findings failed a gate, 2 usage or input error.
#include <clocale>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "analysis/analysis.h"
#include "io/io.h"
#include "model/model.h"

namespace tallyscope {
namespace {

struct InputOptions {
  std::string spec_path;
  std::string encoding = "auto";
  std::string delimiter;
  bool lenient = false;
  size_t max_field_bytes = 16u << 20;
  size_t max_columns = 100000;
  uint64_t max_file_bytes = 0;

  void add(CLI::App* cmd) {
    cmd->add_option("--spec", spec_path, "Election spec (TOML) mapping columns to roles; see `inspect`")
        ->check(CLI::ExistingFile);
    cmd->add_option("--encoding", encoding, "Input encoding: auto, utf-8, windows-1252, latin1")->capture_default_str();
    cmd->add_option("--delimiter", delimiter, "Field delimiter (default: detected among , ; tab |)");
    cmd->add_flag("--lenient", lenient,
                  "Keep unreadable counts as missing cells reported by `check` instead of stopping");
    cmd->add_option("--max-field-bytes", max_field_bytes, "Longest field accepted")->capture_default_str();
    cmd->add_option("--max-columns", max_columns, "Most columns accepted")->capture_default_str();
    cmd->add_option("--max-file-bytes", max_file_bytes, "Largest (decompressed) input accepted; 0 = no limit")
        ->capture_default_str();
  }

  LoadOptions load_options() const {
    LoadOptions o;
    if (!spec_path.empty()) o.spec = load_spec(spec_path);
    o.encoding = encoding;
    parse_encoding(encoding);  // reject a bad name before reading
    if (!delimiter.empty()) {
      std::string d = delimiter == "\\t" || delimiter == "tab" ? "\t" : delimiter;
      if (d.size() != 1) throw UsageError("--delimiter must be one character (or 'tab')");
      o.delimiter = d[0];
    }
    o.lenient = lenient;
    o.max_field_bytes = max_field_bytes;
    o.max_columns = max_columns;
    o.max_file_bytes = max_file_bytes;
    return o;
  }
};

void print_guess_notes(const Election& e) {
  if (e.spec().layout != "guess") return;
  std::cerr << fmt::format("tallyscope: {}: no spec given and the layout is not one tallyscope knows; it guessed:\n",
                           e.source());
  for (const auto& n : e.spec().notes) std::cerr << "  - " << n << "\n";
  std::cerr << "  Check with `tallyscope inspect " << e.source() << " > spec.toml`, edit, and pass --spec spec.toml.\n";
}

void emit(const nlohmann::ordered_json& j) { std::cout << j.dump(2) << "\n"; }

int run(int argc, char** argv) {
  CLI::App app{"tallyscope: audits an election's vote count from its tally sheets.\n"
               "Exit codes: 0 ok, 1 findings failed a gate, 2 usage or input error."};
  app.set_version_flag("--version", std::string("tallyscope ") + TALLYSCOPE_VERSION);
  app.require_subcommand(1);

  // summary
  auto* summary = app.add_subcommand("summary", "Totals, shares, margin and outcome of a count");
  std::string summary_file;
  bool summary_json = false;
  InputOptions summary_in;
  summary->add_option("FILE", summary_file, "Tally-sheet file (CSV, optionally gzip-compressed)")->required();
  summary->add_flag("--json", summary_json, "Machine-readable output on stdout");
  summary_in.add(summary);

  // check
  auto* check = app.add_subcommand("check", "Integrity findings: arithmetic, control relations, duplicates, outliers");
  std::string check_file;
  bool check_json = false;
  std::string fail_on = "error";
  size_t check_max = 50;
  double outlier_z = 5.0;
  bool no_outliers = false;
  InputOptions check_in;
  check->add_option("FILE", check_file, "Tally-sheet file")->required();
  check->add_flag("--json", check_json, "Machine-readable output on stdout");
  check->add_option("--fail-on", fail_on, "Exit 1 when a finding of this severity or worse exists: error, warning, never")
      ->check(CLI::IsMember({"error", "warning", "never"}))
      ->capture_default_str();
  check->add_option("--max-findings", check_max, "Findings listed (all are counted)")->capture_default_str();
  check->add_option("--outlier-z", outlier_z, "z-score beyond which a sheet is an outlier among its peers")
      ->capture_default_str();
  check->add_flag("--no-outliers", no_outliers, "Skip the statistical outlier screen");
  check_in.add(check);

  // compare
  auto* cmp = app.add_subcommand("compare", "Two counts of one election joined by sheet id");
  std::string cmp_a, cmp_b, cmp_spec_b;
  bool cmp_json = false;
  size_t cmp_max = 50;
  InputOptions cmp_in;
  cmp->add_option("A", cmp_a, "First count (e.g. a quick-count snapshot)")->required();
  cmp->add_option("B", cmp_b, "Second count (e.g. the official count)")->required();
  cmp->add_flag("--json", cmp_json, "Machine-readable output on stdout");
  cmp->add_option("--max-sheets", cmp_max, "Sheets listed per category (all are counted)")->capture_default_str();
  cmp->add_option("--spec-b", cmp_spec_b, "Spec for B when it differs from A's (--spec)")->check(CLI::ExistingFile);
  cmp_in.add(cmp);

  // inspect
  auto* inspect = app.add_subcommand("inspect", "Detect a file's layout and print a spec to save and edit");
  std::string inspect_file;
  bool inspect_json = false;
  InputOptions inspect_in;
  inspect->add_option("FILE", inspect_file, "Tally-sheet file")->required();
  inspect->add_flag("--json", inspect_json, "Print the detection as JSON instead of TOML");
  inspect_in.add(inspect);

  // progression
  auto* prog = app.add_subcommand("progression",
                                  "Was a late shift in the count suspicious, or explained by which sheets came in late?");
  std::string prog_file, arrival_file, baseline_file, baseline_spec, baseline_level, baseline_pair, baseline_levels;
  std::vector<std::string> early_files;
  std::string cutoff_text, arrival_id, arrival_time, leader, runner_up;
  double cutoff_share = -1, last_share = 0.05;
  size_t cutoff_snapshot = 1;
  int placebos = 200;
  unsigned prog_threads = 0;
  bool prog_json = false, rd_cluster = false;
  InputOptions prog_in;
  prog->add_option("FINAL", prog_file, "The final count (votes and geography per sheet)")->required();
  auto* arr_opt = prog->add_option("--arrival", arrival_file, "Per-sheet arrival times (id and ISO 8601 time columns)")
                      ->check(CLI::ExistingFile);
  prog->add_option("--early", early_files, "Snapshot(s) of the count in time order, each holding the sheets in by then")
      ->check(CLI::ExistingFile)
      ->excludes(arr_opt);
  prog->add_option("--arrival-id", arrival_id, "Id column of the arrival file (default: the final count's id column)");
  prog->add_option("--arrival-time", arrival_time, "Time column of the arrival file (default: detected by name)");
  prog->add_option("--cutoff", cutoff_text, "Cutoff time, ISO 8601 (default: the longest pause in arrivals)");
  prog->add_option("--cutoff-share", cutoff_share, "Cutoff once this fraction of the final valid votes had arrived");
  prog->add_option("--cutoff-snapshot", cutoff_snapshot, "With --early: the snapshot whose sheets are early (1 = first)")
      ->capture_default_str();
  prog->add_option("--leader", leader, "Choice whose lead is studied (default: the final count's first)");
  prog->add_option("--runner-up", runner_up, "The other choice (default: the final count's second)");
  prog->add_option("--baseline", baseline_file, "A previous election of the same places")->check(CLI::ExistingFile);
  prog->add_option("--baseline-spec", baseline_spec, "Spec for the baseline file")->check(CLI::ExistingFile);
  prog->add_option("--baseline-level", baseline_level, "Geography level (of FINAL) at which to join the baseline");
  prog->add_option("--baseline-levels", baseline_levels, "Level pairs FINAL=BASELINE,... (default: matched by name)");
  prog->add_option("--baseline-pair", baseline_pair, "Baseline choices standing for the leader and runner-up, A:B");
  prog->add_option("--last-share", last_share, "The naive check's last share of the count")->capture_default_str();
  prog->add_option("--placebos", placebos, "Placebo cutoffs for the discontinuity")->capture_default_str();
  prog->add_flag("--cluster", rd_cluster, "Cluster the discontinuity's variance by polling place");
  prog->add_option("--threads", prog_threads, "Threads (0 = all cores; results do not depend on it)");
  prog->add_flag("--json", prog_json, "Machine-readable output on stdout");
  prog_in.add(prog);

  // project
  auto* proj = app.add_subcommand("project", "Project the uncounted sheets: intervals and outcome probabilities");
  std::string proj_partial, proj_universe, proj_backtest, proj_arrival, proj_method = "donor", proj_universe_spec;
  uint64_t proj_seed = 20191020;
  int proj_draws = 2000;
  double proj_level = 0.9;
  unsigned proj_threads = 0;
  std::vector<double> proj_thresholds, proj_points;
  std::string proj_strata;
  bool proj_json = false;
  InputOptions proj_in;
  proj->add_option("PARTIAL", proj_partial, "The sheets counted so far, with their votes");
  proj->add_option("--universe", proj_universe, "Every expected sheet: ids, geography, registered voters (votes, if "
                                                "any, are never read)")
      ->check(CLI::ExistingFile);
  proj->add_option("--universe-spec", proj_universe_spec, "Spec for the universe file")->check(CLI::ExistingFile);
  proj->add_option("--backtest", proj_backtest, "Replay this final count in arrival order instead (needs --arrival)")
      ->check(CLI::ExistingFile);
  proj->add_option("--arrival", proj_arrival, "Per-sheet arrival times, for --backtest")->check(CLI::ExistingFile);
  proj->add_option("--points", proj_points, "Backtest points as shares of sheets (default 0.20, 0.25, ..., 0.95)");
  proj->add_option("--method", proj_method, "donor (hierarchical donor imputation) or ratio (stratified ratio estimator)")
      ->check(CLI::IsMember({"donor", "ratio"}))
      ->capture_default_str();
  proj->add_option("--strata", proj_strata, "Geography level of the ratio estimator's strata (default: the second)");
  proj->add_option("--seed", proj_seed, "Random seed")->capture_default_str();
  proj->add_option("--draws", proj_draws, "Monte Carlo draws")->capture_default_str();
  proj->add_option("--level", proj_level, "Interval level")->capture_default_str();
  proj->add_option("--threshold", proj_thresholds, "Report P(margin > T points) (default: the rule's lead)");
  proj->add_option("--threads", proj_threads, "Threads (0 = all cores; results do not depend on it)");
  proj->add_flag("--json", proj_json, "Machine-readable output on stdout");
  proj_in.add(proj);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  if (summary->parsed()) {
    Election e = load_election(summary_file, summary_in.load_options());
    print_guess_notes(e);
    Summary s = summarize(e);
    if (summary_json) emit(to_json(s));
    else std::cout << to_text(s, e);
    return 0;
  }
  if (check->parsed()) {
    Election e = load_election(check_file, check_in.load_options());
    print_guess_notes(e);
    IntegrityOptions opt;
    opt.outlier_z = outlier_z;
    opt.outliers = !no_outliers;
    IntegrityReport r = check_integrity(e, opt);
    if (check_json) emit(to_json(r, check_max));
    else std::cout << to_text(r, e, check_max);
    if (fail_on == "error" && r.errors > 0) return 1;
    if (fail_on == "warning" && (r.errors > 0 || r.warnings > 0)) return 1;
    return 0;
  }
  if (cmp->parsed()) {
    LoadOptions oa = cmp_in.load_options();
    LoadOptions ob = oa;
    if (!cmp_spec_b.empty()) ob.spec = load_spec(cmp_spec_b);
    Election a = load_election(cmp_a, oa);
    Election b = load_election(cmp_b, ob);
    print_guess_notes(a);
    print_guess_notes(b);
    Comparison c = compare(a, b);
    if (cmp_json) emit(to_json(c, cmp_max));
    else std::cout << to_text(c, cmp_max);
    return 0;
  }
  if (prog->parsed()) {
    if (arrival_file.empty() && early_files.empty()) throw UsageError("progression needs --arrival FILE or --early FILE...");
    LoadOptions lo = prog_in.load_options();
    std::cerr << "tallyscope: reading " << prog_file << "\n";
    Election fc = load_election(prog_file, lo);
    print_guess_notes(fc);
    ProgressionOptions po;
    po.leader = leader;
    po.runner_up = runner_up;
    po.naive_last_share = last_share;
    if (!(last_share > 0 && last_share < 1)) throw UsageError("--last-share must be between 0 and 1");
    if (placebos < 0) throw UsageError("--placebos must be zero or more");
    po.placebos = placebos;
    po.rd_cluster = rd_cluster;
    po.threads = prog_threads;
    if (!cutoff_text.empty()) {
      int32_t off = 0;
      if (!fc.spec().timezone.empty()) off = parse_utc_offset(fc.spec().timezone).value_or(0);
      auto t = parse_timestamp(cutoff_text, off);
      if (!t) throw UsageError(fmt::format("--cutoff '{}' is not an ISO 8601 date-time", cutoff_text));
      po.cutoff_ms = t->epoch_ms;
    }
    const bool share_given = prog->get_option("--cutoff-share")->count() > 0;
    if (share_given && !cutoff_text.empty()) throw UsageError("give --cutoff or --cutoff-share, not both");
    if (share_given) po.cutoff_share = cutoff_share;
    if (prog->get_option("--cutoff-snapshot")->count() > 0 && !arrival_file.empty())
      throw UsageError("--cutoff-snapshot goes with --early snapshots, not with --arrival");
    if (cutoff_snapshot < 1) throw UsageError("--cutoff-snapshot counts from 1");
    po.cutoff_snapshot = cutoff_snapshot - 1;
    Arrival arrival;
    std::vector<Election> snapshots;
    if (!arrival_file.empty()) {
      ArrivalReadOptions ao;
      ao.id_column = arrival_id;
      ao.time_column = arrival_time;
      arrival = read_arrival_times(arrival_file, fc, ao);
    } else {
      for (const auto& f : early_files) snapshots.push_back(load_election(f, lo));
      std::vector<const Election*> ptrs;
      for (const auto& e : snapshots) ptrs.push_back(&e);
      arrival = arrival_from_snapshots(ptrs, fc);
    }
    std::optional<Election> base;
    if (!baseline_file.empty()) {
      LoadOptions bo = lo;  // the same reading options, but its own layout
      bo.spec.reset();
      if (!baseline_spec.empty()) bo.spec = load_spec(baseline_spec);
      base.emplace(load_election(baseline_file, bo));
      print_guess_notes(*base);
      po.baseline_level = baseline_level;
      if (!baseline_pair.empty()) {
        auto colon = baseline_pair.find(':');
        if (colon == std::string::npos) throw UsageError("--baseline-pair takes A:B");
        po.baseline_leader = baseline_pair.substr(0, colon);
        po.baseline_runner_up = baseline_pair.substr(colon + 1);
      }
      if (!baseline_levels.empty()) {
        std::stringstream ss(baseline_levels);
        std::string item;
        while (std::getline(ss, item, ',')) {
          auto eq = item.find('=');
          if (eq == std::string::npos) throw UsageError("--baseline-levels takes FINAL=BASELINE pairs, comma-separated");
          po.baseline_levels.push_back({item.substr(0, eq), item.substr(eq + 1)});
        }
      }
    }
    std::cerr << "tallyscope: analysing the progression (" << placebos << " placebo cutoffs)\n";
    ProgressionResult r = analyze_progression(fc, arrival, po, base ? &*base : nullptr);
    if (prog_json) emit(to_json(r));
    else std::cout << to_text(r);
    return 0;
  }
  if (proj->parsed()) {
    LoadOptions lo = proj_in.load_options();
    ProjectionOptions po;
    po.method = proj_method == "ratio" ? ProjectionMethod::kRatio : ProjectionMethod::kDonor;
    po.seed = proj_seed;
    po.draws = proj_draws;
    po.level = proj_level;
    po.threads = proj_threads;
    po.margin_thresholds = proj_thresholds;
    if (proj_draws < 1 || proj_draws > 10000000) throw UsageError("--draws must be between 1 and 10,000,000");
    if (!(proj_level > 0 && proj_level < 1)) throw UsageError("--level must be between 0 and 1");
    auto strata_of = [&](const Election& e) {
      if (proj_strata.empty()) return;
      int l = e.geography().find_level(proj_strata);
      if (l < 0) throw UsageError(fmt::format("--strata: '{}' is not a geography level of {}", proj_strata, e.source()));
      po.strata_level = l;
    };
    if (!proj_backtest.empty()) {
      if (proj_arrival.empty()) throw UsageError("--backtest needs --arrival FILE (per-sheet arrival times)");
      Election fc = load_election(proj_backtest, lo);
      print_guess_notes(fc);
      strata_of(fc);
      Arrival a = read_arrival_times(proj_arrival, fc);
      std::vector<double> points = proj_points;
      if (points.empty())
        for (int k = 20; k <= 95; k += 5) points.push_back(k / 100.0);
      std::cerr << "tallyscope: backtesting at " << points.size() << " points, " << proj_draws << " draws each\n";
      BacktestResult b = backtest(fc, a, points, po);
      if (proj_json) emit(to_json(b));
      else std::cout << to_text(b);
      return 0;
    }
    if (proj_partial.empty() || proj_universe.empty())
      throw UsageError("project needs PARTIAL and --universe FILE (or --backtest FINAL --arrival TIMES)");
    Election partial = load_election(proj_partial, lo);
    print_guess_notes(partial);
    LoadOptions uo = lo;
    uo.spec.reset();
    if (!proj_universe_spec.empty()) uo.spec = load_spec(proj_universe_spec);
    Universe universe;
    {
      Election u = load_election(proj_universe, uo);  // only ids, geography and registered are kept
      print_guess_notes(u);
      strata_of(u);
      universe = universe_of(u);
    }
    std::cerr << "tallyscope: projecting " << proj_draws << " draws\n";
    ProjectionResult r = project(partial, universe, partial.spec().rule, po);
    if (proj_json) emit(to_json(r));
    else std::cout << to_text(r);
    return 0;
  }
  if (inspect->parsed()) {
    LoadOptions o = inspect_in.load_options();
    ElectionSpec spec = detect_spec(inspect_file, o);
    if (inspect_json) {
      nlohmann::ordered_json j;
      j["file"] = inspect_file;
      j["layout"] = spec.layout.empty() ? "spec" : spec.layout;
      j["notes"] = spec.notes;
      j["spec_toml"] = write_spec(spec);
      emit(j);
    } else {
      if (spec.layout == "guess")
        std::cerr << "tallyscope: the layout is not one tallyscope knows; this spec is a guess (see the notes)\n";
      else if (!spec.layout.empty())
        std::cerr << fmt::format("tallyscope: recognised the '{}' layout\n", spec.layout);
      std::cout << write_spec(spec);
    }
    return 0;
  }
  return 2;
}

}  // namespace
}  // namespace tallyscope

int main(int argc, char** argv) {
  try {
    return tallyscope::run(argc, argv);
  } catch (const tallyscope::InputError& e) {
    std::cerr << "tallyscope: error: " << e.what() << "\n";
    return 2;
  } catch (const tallyscope::UsageError& e) {
    std::cerr << "tallyscope: usage error: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "tallyscope: error: out of memory (is the input far larger than expected? see --max-file-bytes)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tallyscope: internal error: " << e.what() << "\n";
    return 2;
  }
}
