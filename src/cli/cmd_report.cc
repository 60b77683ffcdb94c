// `tallyscope report`: every analysis the inputs allow, as one self-contained HTML file (and,
// with --json-out, every result as one JSON bundle). This file does the I/O: it checks the
// options, hashes and reads the inputs, runs the analyses with progress on stderr, and writes the
// files; src/report turns the result objects into HTML.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "analysis/analysis.h"
#include "analysis/common/default_seed.h"
#include "analysis/common/text.h"
#include "cli/command.h"
#include "io/csv_reader.h"
#include "io/encoding.h"
#include "io/output.h"
#include "io/sha256.h"
#include "model/input_files.h"
#include "report/report.h"

namespace tallyscope::cli {
namespace {

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") ==
                        std::string::npos)
    return s;
  std::string o = "'";
  for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return o + "'";
}

std::string utc_now() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Progress on stderr: one line per step, with the time it took.
class Progress {
 public:
  explicit Progress(int steps) : steps_(steps), start_(std::chrono::steady_clock::now()) {}
  void step(const std::string& what) {
    finish();
    ++at_;
    std::cerr << fmt::format("tallyscope report: [{}/{}] {} ...", at_, steps_, what) << std::flush;
    t_ = std::chrono::steady_clock::now();
    open_ = true;
  }
  void finish(const std::string& note = "") {
    if (!open_) return;
    std::cerr << fmt::format(" {:.1f} s{}\n", seconds_since(t_), note.empty() ? "" : " (" + note + ")");
    open_ = false;
  }
  double total() const { return seconds_since(start_); }

 private:
  static double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  }
  int steps_, at_ = 0;
  bool open_ = false;
  std::chrono::steady_clock::time_point start_, t_;
};

// Everything `report` is given on its command line.
struct ReportState {
  std::string file, arrival_file, baseline_file, baseline_spec, partial_file, output, json_out, cutoff_text, title;
  std::string compare_with;
  std::string regions_level;  // "" = the first geography level
  std::string flagged_csv, link_column;
  std::vector<std::string> early_files;
  uint64_t seed = kDefaultSeed;  // the same as `forensics` and `project`
  // The backtest's defaults are `project --backtest`'s (16 points x 2,000 draws), so that the report
  // and the command give the same coverage for the same count.
  int draws = 2000, backtest_draws = 2000, placebos = 200;
  std::vector<double> backtest_points = default_backtest_points();
  size_t max_findings = 500;
  int forensic_replicates = 1000;
  std::string forensic_by;
  std::vector<std::string> forensic_choices;  // empty: the leading ones
  size_t forensic_leading = ForensicsOptions{}.leading;
  unsigned threads = 0;
  InputOptions in;

  bool has_arrival() const { return !arrival_file.empty(); }
  bool has_early() const { return !early_files.empty(); }
  bool has_partial() const { return !partial_file.empty(); }
  bool has_compare() const { return !compare_with.empty(); }
  bool do_backtest() const { return has_arrival() && backtest_draws > 0; }
};

void add_report_options(CLI::App* cmd, ReportState& s) {
  cmd->add_option("FILE", s.file, "The count to audit (the final count, when there are several)")->required()
      ->check(count_input());
  cmd->add_option("-o,--output", s.output, "The HTML file to write")->required();
  cmd->add_option("--json-out", s.json_out, "Also write every result as one JSON bundle to this file");
  auto* arr = cmd->add_option("--arrival", s.arrival_file, "Per-sheet arrival times (progression, backtest, map)")
                  ->check(CLI::ExistingFile);
  cmd->add_option("--early", s.early_files,
                  "Snapshot(s) of the count in time order (progression without --arrival; the first is the "
                  "projection's partial count without --partial)")
      ->check(count_input());
  cmd->add_option("--baseline", s.baseline_file, "A previous election of the same places (progression)")
      ->check(count_input());
  cmd->add_option("--baseline-spec", s.baseline_spec, "Spec for the baseline file")->check(CLI::ExistingFile);
  cmd->add_option("--partial", s.partial_file, "A partial count to project (FILE is then the universe of sheets)")
      ->check(count_input());
  cmd->add_option("--compare-with", s.compare_with,
                  "Another count of the same election (a quick count, an earlier snapshot): sheets only in one, "
                  "sheets whose numbers changed, and the net effect on each choice and on the margin")
      ->check(count_input());
  cmd->add_option("--regions", s.regions_level,
                  "Geography level of the table by region (default: the first level; with --forensics-by at the "
                  "same level, the table shows each region's forensic flags)");
  cmd->add_option("--flagged-csv", s.flagged_csv,
                  "Also write every sheet with an integrity finding (id, line, place, severity, finding) to this CSV, with the "
                  "link of each sheet when the count has one (see --link-column), to look at the paper");
  cmd->add_option("--link-column", s.link_column,
                  "The count's column holding each sheet's link or image (default: a column named url, link, enlace, "
                  "imagen, image, foto or photo)");
  cmd->add_option("--cutoff", s.cutoff_text,
                  "Progression cutoff, ISO 8601 (default: with --early, the time that best separates the first "
                  "snapshot's sheets from the rest; else the longest pause in arrivals)")
      ->needs(arr);
  cmd->add_option("--seed", s.seed, "Seed of the projection and backtest draws")->capture_default_str();
  cmd->add_option("--draws", s.draws, "Monte Carlo draws of the projection")->capture_default_str();
  cmd->add_option("--backtest-draws", s.backtest_draws, "Draws at each backtest point (0: no backtest)")
      ->capture_default_str();
  cmd->add_option("--backtest-points", s.backtest_points, "Backtest points, as shares of sheets counted")
      ->capture_default_str();
  cmd->add_option("--placebos", s.placebos, "Placebo cutoffs of the progression's discontinuity (those within the bandwidth of an end or of the "
                  "real cutoff are skipped: fewer are estimated, and the section says how many)")->capture_default_str();
  cmd->add_option("--max-findings", s.max_findings, "Integrity findings listed in the HTML (all are in the JSON)")
      ->capture_default_str();
  cmd->add_option("--forensics-replicates", s.forensic_replicates,
                  "Monte Carlo replicates of the forensic battery's null (0: leave the battery out)")
      ->capture_default_str();
  cmd->add_option("--forensics-by", s.forensic_by, "Also run the forensic battery per region at this geography level");
  cmd->add_option("--forensics-choices", s.forensic_choices,
                  "Choices the forensic battery tests, fingerprints and fits (default: the leading ones), as "
                  "`forensics --choices`");
  cmd->add_option("--forensics-leading", s.forensic_leading,
                  "Without --forensics-choices: test this many leading choices, as `forensics --leading`")
      ->capture_default_str();
  cmd->add_option("--title", s.title, "The report's title (default: the spec's title, or the file's name)");
  cmd->add_option("--threads", s.threads, "Threads (0 = all cores; results do not depend on it)");
  s.in.add(cmd);
}

// Step 1: everything that can be checked without reading the data.
void check_report_options(const ReportState& s) {
  namespace fs = std::filesystem;
  if (s.draws < 1 || s.draws > 10000000) throw UsageError("--draws must be between 1 and 10,000,000");
  if (s.backtest_draws < 0 || s.backtest_draws > 10000000)
    throw UsageError("--backtest-draws must be between 0 and 10,000,000");
  if (s.placebos < 0) throw UsageError("--placebos must be zero or more");
  if (s.forensic_replicates < 0 || s.forensic_replicates > 1000000)
    throw UsageError("--forensics-replicates must be between 0 and 1,000,000");
  refuse_repeats(s.forensic_choices, "--forensics-choices");
  if (s.forensic_leading < 1) throw UsageError("--forensics-leading must be 1 or more");
  for (double p : s.backtest_points)
    if (!(p > 0 && p < 1)) throw UsageError("--backtest-points must be shares between 0 and 1");
  if (!s.baseline_spec.empty() && s.baseline_file.empty()) throw UsageError("--baseline-spec needs --baseline");
  if (!s.link_column.empty() && s.flagged_csv.empty()) throw UsageError("--link-column goes with --flagged-csv");
  for (const std::string* out : {&s.output, &s.json_out, &s.flagged_csv}) {
    if (out->empty()) continue;
    fs::path dir = fs::path(*out).parent_path();
    if (!dir.empty() && !fs::is_directory(dir))
      throw UsageError(fmt::format("cannot write {}: the folder {} does not exist", *out, dir.string()));
    if (fs::is_directory(*out)) throw UsageError(fmt::format("cannot write {}: it is a folder", *out));
  }
  std::vector<NamedPath> inputs = {{"FILE", s.file},           {"--spec", s.in.spec_path},
                                   {"--arrival", s.arrival_file}, {"--baseline", s.baseline_file},
                                   {"--baseline-spec", s.baseline_spec}, {"--partial", s.partial_file},
                                   {"--compare-with", s.compare_with}};
  for (const auto& f : s.early_files) inputs.push_back({"--early", f});
  refuse_overwriting(inputs, {{"-o", s.output}, {"--json-out", s.json_out}, {"--flagged-csv", s.flagged_csv}});
}

// The command line as given, quoted for a shell, for the provenance.
std::string command_line_of(const CLI::App* cmd) {
  std::string cl = "tallyscope report";
  for (const auto* opt : cmd->get_options()) {
    if (opt->count() == 0) continue;
    const bool positional = opt->get_name() == "FILE";
    for (const auto& v : opt->results()) {
      if (!positional)
        cl += !opt->get_lnames().empty() ? " --" + opt->get_lnames().front() : " -" + opt->get_snames().front();
      if (opt->get_expected_max() != 0) cl += " " + shell_quote(v);
    }
  }
  return cl;
}

// Step 2's product: every input, read and validated.
struct ReportData {
  std::optional<Election> count;
  std::optional<int64_t> cutoff_ms;
  std::string cutoff_label;  // how the cutoff was chosen, when not given
  std::optional<Arrival> arrival, snapshot_arrival;
  std::vector<Election> snapshots;
  std::optional<Election> base, partial, other;

  // The order the sheets arrived in: per-sheet times, else the snapshots'; none without either.
  const Arrival* order() const { return arrival ? &*arrival : snapshot_arrival ? &*snapshot_arrival : nullptr; }
};

void hash_report_inputs(const ReportState& s, report::Provenance& prov) {
  // A count of several files (a folder, @LIST) is recorded as one input: the SHA-256 of the
  // `sha256sum` listing of its files in reading order (recompute it with `sha256sum FILES |
  // sha256sum`), and their bytes in all.
  auto add_input = [&](const std::string& role, const std::string& path) {
    const InputFiles in = resolve_inputs(path);
    if (!in.several) {
      FileDigest d = sha256_file(path);
      prov.inputs.push_back({role, path, d.sha256, d.bytes});
      return;
    }
    std::string listing;
    uint64_t bytes = 0;
    for (const auto& f : in.files) {
      FileDigest d = sha256_file(f);
      listing += d.sha256 + "  " + f + "\n";
      bytes += d.bytes;
    }
    prov.inputs.push_back({fmt::format("{} ({} files)", role, in.files.size()), path, sha256_hex(listing), bytes});
  };
  add_input("count", s.file);
  if (!s.in.spec_path.empty()) add_input("spec", s.in.spec_path);
  if (s.has_arrival()) add_input("arrival", s.arrival_file);
  for (const auto& f : s.early_files) add_input("early", f);
  if (!s.baseline_file.empty()) add_input("baseline", s.baseline_file);
  if (!s.baseline_spec.empty()) add_input("baseline spec", s.baseline_spec);
  if (s.has_partial()) add_input("partial", s.partial_file);
  if (s.has_compare()) add_input("compare", s.compare_with);
}

// Step 2: read every input before any analysis, so that a bad file stops the run here.
ReportData read_report_inputs(const ReportState& s, const LoadOptions& lo, Progress& progress) {
  ReportData d;
  progress.step("reading " + s.file);
  const Election& fc = d.count.emplace(load_election(s.file, lo));
  progress.finish(fmt::format("{} sheets", fc.sheets()));
  print_guess_notes(fc);
  if (!s.cutoff_text.empty()) {
    int32_t off = 0;
    if (!fc.spec().timezone.empty()) off = parse_utc_offset(fc.spec().timezone).value_or(0);
    auto t = parse_timestamp(s.cutoff_text, off);
    if (!t) throw UsageError(fmt::format("--cutoff '{}' is not an ISO 8601 date-time", s.cutoff_text));
    d.cutoff_ms = t->epoch_ms;
  }
  if (s.has_arrival()) {
    progress.step("reading arrival times " + s.arrival_file);
    d.arrival = read_arrival_times(s.arrival_file, fc);
    progress.finish();
    print_arrival_notes(*d.arrival);
  }
  for (const auto& f : s.early_files) {
    progress.step("reading snapshot " + f);
    d.snapshots.push_back(load_election(f, lo));
    print_guess_notes(d.snapshots.back());
  }
  if (s.has_early()) {
    std::vector<const Election*> ptrs;
    for (const auto& e : d.snapshots) ptrs.push_back(&e);
    d.snapshot_arrival = arrival_from_snapshots(ptrs, fc);
  }
  // With times and a snapshot but no --cutoff, the progression studies the stop the snapshot
  // published (the time that best separates its sheets from the rest), not the longest pause.
  if (!d.cutoff_ms && d.arrival && d.snapshot_arrival && d.arrival->kind == Arrival::Kind::kTimestamps) {
    if (auto c = cutoff_matching_snapshot(*d.arrival, *d.snapshot_arrival, 0)) {
      d.cutoff_ms = c->cutoff_ms;
      d.cutoff_label = fmt::format("the stop of the early snapshot {} (the time that best separates its sheets from "
                                   "the others; {:.1f}% of {} timed sheets fall on their side), at",
                                   std::filesystem::path(s.early_files.front()).filename().string(),
                                   100 * c->agreement, thousands(static_cast<int64_t>(c->sheets)));
    }
  }
  if (!s.baseline_file.empty()) {
    progress.step("reading baseline " + s.baseline_file);
    LoadOptions bo = lo;
    bo.spec.reset();
    if (!s.baseline_spec.empty()) bo.spec = load_spec(s.baseline_spec);
    d.base.emplace(load_election(s.baseline_file, bo));
    print_guess_notes(*d.base);
  }
  if (s.has_partial()) {
    progress.step("reading partial count " + s.partial_file);
    d.partial.emplace(load_election(s.partial_file, lo));
    print_guess_notes(*d.partial);
  }
  if (s.has_compare()) {
    progress.step("reading the other count " + s.compare_with);
    d.other.emplace(load_election(s.compare_with, lo));
    print_guess_notes(*d.other);
  }
  return d;
}

// Runs one analysis into a report slot: one that the data do not allow keeps its reason.
template <class Slot, class Fn>
void attempt(Slot& slot, Fn&& fn) {
  try {
    fn();
  } catch (const UsageError& e) {
    slot.reason = e.what();
  } catch (const InputError& e) {
    slot.reason = e.what();
  }
}

ProgressionOptions progression_options(const ReportState& s, const ReportData& d) {
  ProgressionOptions po;
  po.placebos = s.placebos;
  po.threads = s.threads;
  po.cutoff_ms = d.cutoff_ms;
  po.cutoff_label = d.cutoff_label;
  return po;
}

ProjectionOptions projection_options(const ReportState& s) {
  ProjectionOptions pj;
  pj.seed = s.seed;
  pj.draws = s.draws;
  pj.threads = s.threads;
  return pj;
}

ForensicsOptions forensics_options(const ReportState& s) {
  ForensicsOptions fo;
  fo.replicates = std::max(1, s.forensic_replicates);
  fo.seed = s.seed;
  fo.by = s.forensic_by;
  fo.choices = s.forensic_choices;
  fo.leading = s.forensic_leading;
  fo.threads = s.threads;
  return fo;
}

void report_progression(const ReportState& s, const ReportData& d, report::ReportInput& in, Progress& progress) {
  if (!d.order()) {
    in.progression.reason =
        "the progression needs the order in which sheets arrived: per-sheet times (--arrival) or snapshots "
        "of the count (--early).";
    return;
  }
  progress.step(fmt::format("count progression ({} placebo cutoffs)", s.placebos));
  attempt(in.progression, [&] {
    in.progression.value = analyze_progression(*d.count, *d.order(), progression_options(s, d), d.base ? &*d.base : nullptr);
  });
}

// The projection, from the partial count, else the first snapshot, else the sheets arrived by the
// progression's cutoff. Returns the universe of sheets (for the backtest), when it could be built.
std::optional<Universe> report_projection(const ReportState& s, const ReportData& d, report::ReportInput& in,
                                          Progress& progress) {
  const Election& fc = *d.count;
  const ProjectionOptions pj = projection_options(s);
  progress.step(fmt::format("projection ({} draws, seed {})", s.draws, s.seed));
  std::optional<Universe> universe;
  attempt(in.projection, [&] {
    universe = universe_of(fc);
    if (d.base) {
      try {
        attach_baseline(*universe, fc, *d.base);
      } catch (const UsageError& e) {
        std::cerr << "\ntallyscope report: the projection goes without the baseline covariate: " << e.what() << "\n";
      }
    }
    const Arrival* times = d.arrival ? &*d.arrival : nullptr;
    if (d.partial) {
      in.projection_basis = "the partial count " + s.partial_file;
      in.projection.value = project(*d.partial, *universe, d.partial->spec().rule, pj, times);
    } else if (s.has_early()) {
      in.projection_basis = "the early snapshot " + s.early_files.front();
      in.projection.value = project(d.snapshots.front(), *universe, fc.spec().rule, pj, times);
    } else if (d.arrival && in.progression.has() && in.progression.value->kind == Arrival::Kind::kTimestamps) {
      in.projection_basis = "the sheets arrived by the progression's cutoff";
      in.projection.value = project_arrived(fc, *d.arrival, in.progression.value->cutoff_ms, pj);
    } else {
      in.projection.reason =
          "a projection needs a partial count: --partial FILE, an early snapshot (--early), or arrival times "
          "(--arrival) to take the sheets in by the cutoff.";
    }
  });
  progress.finish(in.projection.has() ? "" : "not computed");
  return universe;
}

void report_backtest(const ReportState& s, const ReportData& d, const std::optional<Universe>& universe,
                     report::ReportInput& in, Progress& progress) {
  if (!s.do_backtest()) {
    in.backtest.reason = s.has_arrival() ? "--backtest-draws 0 was given."
                                         : "the backtest replays the count in its order of arrival, which needs "
                                           "per-sheet times (--arrival).";
    return;
  }
  progress.step(fmt::format("backtest ({} points, {} draws each)", s.backtest_points.size(), s.backtest_draws));
  ProjectionOptions bo = projection_options(s);
  bo.draws = s.backtest_draws;
  attempt(in.backtest, [&] {
    in.backtest.value = backtest(*d.count, *d.arrival, s.backtest_points, bo, universe ? &*universe : nullptr);
  });
}

void report_map(const ReportData& d, report::ReportInput& in) {
  const Election& fc = *d.count;
  if (!fc.has_coordinates()) {
    in.map.reason = fc.source() + " has no latitude/longitude columns (map them in the spec to draw the map).";
    return;
  }
  try {
    in.map.value = place_map(fc, d.order());
  } catch (const UsageError& e) {
    in.map.reason = e.what();
  }
}

void report_forensics(const ReportState& s, const ReportData& d, report::ReportInput& in, Progress& progress) {
  if (s.forensic_replicates <= 0) {
    in.forensics.reason = "--forensics-replicates 0 was given.";
    return;
  }
  const ForensicsOptions fo = forensics_options(s);
  // A choice named on the command line that the count does not have is the user's error, not a
  // section the page leaves out.
  for (const auto& name : fo.choices)
    if (d.count->find_choice(name) < 0)
      throw UsageError(fmt::format("--forensics-choices: no choice named '{}' in {}", name, d.count->source()));
  progress.step(fmt::format("forensic battery ({} replicates{})", fo.replicates, fo.by.empty() ? "" : ", per " + fo.by));
  attempt(in.forensics, [&] { in.forensics.value = run_forensics(*d.count, fo); });
  progress.finish(in.forensics.has() ? fmt::format("{} of {} tests flagged", in.forensics.value->flagged(),
                                                   in.forensics.value->tests_run())
                                     : "not computed");
}

void report_comparison(const ReportData& d, report::ReportInput& in) {
  if (!d.other) return;
  report::Maybe<Comparison> m;
  attempt(m, [&] { m.value = compare(*d.other, *d.count); });
  in.comparison = std::move(m);
}

// Step 3: the analyses. One that the data do not allow is reported with its reason.
void run_report_analyses(const ReportState& s, const ReportData& d, report::ReportInput& in, Progress& progress) {
  const Election& fc = *d.count;
  in.title = !s.title.empty() ? s.title : !fc.spec().title.empty() ? fc.spec().title : std::filesystem::path(s.file).filename().string();
  in.count_source = s.file;
  in.count_spec = fc.spec();
  in.max_findings = s.max_findings;
  progress.step("summary and integrity checks");
  in.summary = summarize(fc);
  in.integrity = check_integrity(fc);
  progress.finish(fmt::format("{} errors, {} warnings", in.integrity.errors, in.integrity.warnings));
  report_comparison(d, in);
  attempt(in.regions, [&] { in.regions.value = region_table(fc, s.regions_level, &in.integrity); });
  report_progression(s, d, in, progress);
  const std::optional<Universe> universe = report_projection(s, d, in, progress);
  report_backtest(s, d, universe, in, progress);
  report_map(d, in);
  report_forensics(s, d, in, progress);
}

// The options every analysis ran with, for the provenance.
void record_options(const ReportState& s, const ReportData& d, const report::ReportInput& in,
                    nlohmann::ordered_json& o) {
  const ProgressionOptions po = progression_options(s, d);
  const ProjectionOptions pj = projection_options(s);
  const ForensicsOptions fo = forensics_options(s);
  o["count"] = s.file;
  o["spec"] = s.in.spec_path;
  o["arrival"] = s.arrival_file;
  o["early"] = s.early_files;
  o["baseline"] = s.baseline_file;
  o["baseline_spec"] = s.baseline_spec;
  o["partial"] = s.partial_file;
  o["compare_with"] = s.compare_with;
  o["flagged_csv"] = s.flagged_csv;
  o["regions"] = s.regions_level.empty() ? "the first geography level (default)" : s.regions_level;
  o["cutoff"] = !s.cutoff_text.empty() ? s.cutoff_text
                : !d.cutoff_label.empty() ? "matched to the early snapshot (default with --early and --arrival)"
                                          : "the longest pause in arrivals (default)";
  o["progression"] = {{"placebos", po.placebos}, {"naive_last_share", po.naive_last_share},
                      {"rd_polynomial_order", po.rd_p}, {"rd_cluster", po.rd_cluster}};
  o["projection"] = {{"method", to_string(pj.method)}, {"draws", pj.draws}, {"seed", pj.seed}, {"level", pj.level}};
  o["backtest"] = {{"points", s.backtest_points}, {"draws", s.backtest_draws}, {"seed", pj.seed},
                   {"method", to_string(pj.method)}};
  o["integrity"] = {{"outlier_z", in.integrity.options.outlier_z},
                    {"outlier_min_diff", in.integrity.options.outlier_min_diff}};
  o["encoding"] = s.in.encoding;
  o["lenient"] = s.in.lenient;
  o["threads"] = s.threads;
  o["max_findings"] = s.max_findings;
  o["forensics"] = {{"replicates", s.forensic_replicates}, {"seed", fo.seed}, {"fdr", fo.fdr},
                    {"by", fo.by}, {"choices", fo.choices}, {"leading_choices", fo.leading}};
}

// The link column of the count (by name, or the first named like a link), per line of the file;
// empty when it has none. Read here because the count's model keeps numbers, not text.
std::unordered_map<uint64_t, std::string> read_links(const ReportState& s, const Election& count) {
  std::unordered_map<uint64_t, std::string> links;
  // The count's own reading (its detected encoding and delimiter, the same limits), so that the
  // lines match the sheets'.
  CsvOptions co;
  co.encoding = parse_encoding(count.encoding());
  co.delimiter = count.delimiter();
  co.max_field_bytes = s.in.max_field_bytes;
  co.max_columns = s.in.max_columns;
  co.limits.max_file_bytes = s.in.max_file_bytes;
  co.limits.max_gzip_ratio = s.in.max_gzip_ratio;
  co.sheet = s.in.sheet;
  co.zip.max_entry_bytes = s.in.max_zip_entry_bytes;
  co.zip.max_ratio = s.in.max_zip_ratio;
  auto reader = CsvReader::open(s.file, co);
  CsvRecord rec;
  if (!reader->next(rec)) return links;
  auto lower = [](std::string_view v) {
    std::string o(v);
    for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
  };
  size_t col = rec.fields.size();
  for (size_t i = 0; i < rec.fields.size() && col == rec.fields.size(); ++i) {
    const std::string h = lower(rec.fields[i]);
    if (!s.link_column.empty() ? rec.fields[i] == s.link_column
                               : (h == "url" || h == "link" || h == "enlace" || h == "imagen" || h == "image" ||
                                  h == "foto" || h == "photo"))
      col = i;
  }
  if (col == rec.fields.size()) {
    if (!s.link_column.empty())
      throw UsageError(fmt::format("--link-column '{}' is not a column of {}", s.link_column, s.file));
    return links;
  }
  while (reader->next(rec))
    if (col < rec.fields.size()) links[rec.line] = std::string(rec.fields[col]);
  return links;
}

void write_flagged_csv(const ReportState& s, const ReportData& d, const report::ReportInput& in) {
  const std::vector<FlaggedSheet> rows =
      flagged_sheets(*d.count, in.integrity, in.forensics.has() ? &*in.forensics.value : nullptr);
  const auto by_line = read_links(s, *d.count);
  std::vector<std::string> links;
  for (const auto& r : rows) {
    auto it = by_line.find(r.line);
    links.push_back(it == by_line.end() ? "" : it->second);
  }
  write_output_file(s.flagged_csv, flagged_csv(rows, by_line.empty() ? nullptr : &links));
  std::cerr << fmt::format("tallyscope report: wrote {} ({} rows{})\n", s.flagged_csv, rows.size(),
                           by_line.empty() ? ", no link column" : ", with links");
}

// Step 4: write the files, then say which analyses were left out and why.
void write_report_files(const ReportState& s, const report::ReportInput& in, Progress& progress) {
  progress.step("writing " + s.output);
  std::string html = report::render_report(in);
  write_output_file(s.output, html);
  progress.finish(fmt::format("{:.1f} MB", static_cast<double>(html.size()) / 1e6));
  if (!s.json_out.empty())
    write_output_file(s.json_out,
                    report::report_json(in).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  std::cerr << fmt::format("tallyscope report: wrote {}{} in {:.1f} s\n", s.output,
                           s.json_out.empty() ? "" : " and " + s.json_out, progress.total());
  for (const auto& [name, reason] : {std::pair{"progression", in.progression.reason},
                                     std::pair{"projection", in.projection.reason},
                                     std::pair{"backtest", in.backtest.reason}, std::pair{"map", in.map.reason}})
    if (!reason.empty()) std::cerr << "tallyscope report: " << name << " not computed: " << reason << "\n";
}

}  // namespace

Command add_report(CLI::App& app) {
  auto s = std::make_shared<ReportState>();
  auto* cmd = app.add_subcommand(
      "report", "Every analysis the inputs allow, as one self-contained HTML report (charts, tables, findings, provenance)");
  add_report_options(cmd, *s);
  return {cmd, [s, cmd] {
            check_report_options(*s);
            const LoadOptions lo = s->in.load_options();
            report::ReportInput in;
            report::Provenance& prov = in.provenance;
            prov.tool_version = TALLYSCOPE_VERSION;
            prov.started_utc = utc_now();
            prov.command_line = command_line_of(cmd);
            Progress progress(5 + (s->forensic_replicates > 0) + s->has_arrival() + static_cast<int>(s->early_files.size()) +
                              !s->baseline_file.empty() + s->has_partial() + s->has_compare() +
                              (s->has_arrival() || s->has_early()) +
                              s->do_backtest());
            progress.step("hashing the inputs (SHA-256)");
            hash_report_inputs(*s, prov);
            const ReportData d = read_report_inputs(*s, lo, progress);
            run_report_analyses(*s, d, in, progress);
            record_options(*s, d, in, prov.options);
            prov.seconds = progress.total();
            write_report_files(*s, in, progress);
            if (!s->flagged_csv.empty()) write_flagged_csv(*s, d, in);
            return 0;
          }};
}

}  // namespace tallyscope::cli
