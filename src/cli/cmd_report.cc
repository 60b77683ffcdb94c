// `tallyscope report`: every analysis the inputs allow, as one self-contained HTML file (and,
// with --json-out, every result as one JSON bundle). This file does the I/O: it checks the
// options, hashes and reads the inputs, runs the analyses with progress on stderr, and writes the
// files; src/report turns the result objects into HTML.
#include "analysis/common/default_seed.h"
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "analysis/analysis.h"
#include "cli/command.h"
#include "io/sha256.h"
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

}  // namespace

Command add_report(CLI::App& app) {
  struct State {
    std::string file, arrival_file, baseline_file, baseline_spec, partial_file, output, json_out, cutoff_text, title;
    std::vector<std::string> early_files;
    uint64_t seed = kDefaultSeed;  // the same as `forensics` and `project`
    // The backtest's defaults are smaller than `project --backtest`'s (16 points x 2,000 draws, ~10 s
    // on Bolivia) to keep a report to a few seconds; the report states them.
    int draws = 2000, backtest_draws = 200, placebos = 200;
    std::vector<double> backtest_points = {0.3, 0.5, 0.7, 0.9};
    size_t max_findings = 500;
    int forensic_replicates = 1000;
    std::string forensic_by;
    unsigned threads = 0;
    InputOptions in;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand(
      "report", "Every analysis the inputs allow, as one self-contained HTML report (charts, tables, findings, provenance)");
  cmd->add_option("FILE", s->file, "The count to audit (the final count, when there are several)")->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", s->output, "The HTML file to write")->required();
  cmd->add_option("--json-out", s->json_out, "Also write every result as one JSON bundle to this file");
  auto* arr = cmd->add_option("--arrival", s->arrival_file, "Per-sheet arrival times (progression, backtest, map)")
                  ->check(CLI::ExistingFile);
  cmd->add_option("--early", s->early_files,
                  "Snapshot(s) of the count in time order (progression without --arrival; the first is the "
                  "projection's partial count without --partial)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--baseline", s->baseline_file, "A previous election of the same places (progression)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--baseline-spec", s->baseline_spec, "Spec for the baseline file")->check(CLI::ExistingFile);
  cmd->add_option("--partial", s->partial_file, "A partial count to project (FILE is then the universe of sheets)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--cutoff", s->cutoff_text, "Progression cutoff, ISO 8601 (default: the longest pause in arrivals)")
      ->needs(arr);
  cmd->add_option("--seed", s->seed, "Seed of the projection and backtest draws")->capture_default_str();
  cmd->add_option("--draws", s->draws, "Monte Carlo draws of the projection")->capture_default_str();
  cmd->add_option("--backtest-draws", s->backtest_draws, "Draws at each backtest point (0: no backtest)")
      ->capture_default_str();
  cmd->add_option("--backtest-points", s->backtest_points, "Backtest points, as shares of sheets counted")
      ->capture_default_str();
  cmd->add_option("--placebos", s->placebos, "Placebo cutoffs of the progression's discontinuity")->capture_default_str();
  cmd->add_option("--max-findings", s->max_findings, "Integrity findings listed in the HTML (all are in the JSON)")
      ->capture_default_str();
  cmd->add_option("--forensics-replicates", s->forensic_replicates,
                  "Monte Carlo replicates of the forensic battery's null (0: leave the battery out)")
      ->capture_default_str();
  cmd->add_option("--forensics-by", s->forensic_by, "Also run the forensic battery per region at this geography level");
  cmd->add_option("--title", s->title, "The report's title (default: the spec's title, or the file's name)");
  cmd->add_option("--threads", s->threads, "Threads (0 = all cores; results do not depend on it)");
  s->in.add(cmd);
  return {cmd, [s, cmd] {
            namespace fs = std::filesystem;
            // 1. Everything that can be checked without reading the data.
            if (s->draws < 1 || s->draws > 10000000) throw UsageError("--draws must be between 1 and 10,000,000");
            if (s->backtest_draws < 0 || s->backtest_draws > 10000000)
              throw UsageError("--backtest-draws must be between 0 and 10,000,000");
            if (s->placebos < 0) throw UsageError("--placebos must be zero or more");
            if (s->forensic_replicates < 0 || s->forensic_replicates > 1000000)
              throw UsageError("--forensics-replicates must be between 0 and 1,000,000");
            for (double p : s->backtest_points)
              if (!(p > 0 && p < 1)) throw UsageError("--backtest-points must be shares between 0 and 1");
            if (!s->baseline_spec.empty() && s->baseline_file.empty()) throw UsageError("--baseline-spec needs --baseline");
            for (const std::string* out : {&s->output, &s->json_out}) {
              if (out->empty()) continue;
              fs::path dir = fs::path(*out).parent_path();
              if (!dir.empty() && !fs::is_directory(dir))
                throw UsageError(fmt::format("cannot write {}: the folder {} does not exist", *out, dir.string()));
              if (fs::is_directory(*out)) throw UsageError(fmt::format("cannot write {}: it is a folder", *out));
            }
            LoadOptions lo = s->in.load_options();

            report::ReportInput in;
            report::Provenance& prov = in.provenance;
            prov.tool_version = TALLYSCOPE_VERSION;
            prov.started_utc = utc_now();
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
            prov.command_line = cl;

            const bool has_arrival = !s->arrival_file.empty(), has_early = !s->early_files.empty();
            const bool has_partial = !s->partial_file.empty();
            const bool do_backtest = has_arrival && s->backtest_draws > 0;
            Progress progress(5 + (s->forensic_replicates > 0) + has_arrival + static_cast<int>(s->early_files.size()) + !s->baseline_file.empty() +
                              has_partial + (has_arrival || has_early) + do_backtest);

            // 2. Hash and read every input before any analysis: a bad file stops the run here.
            progress.step("hashing the inputs (SHA-256)");
            auto add_input = [&](const std::string& role, const std::string& path) {
              FileDigest d = sha256_file(path);
              prov.inputs.push_back({role, path, d.sha256, d.bytes});
            };
            add_input("count", s->file);
            if (!s->in.spec_path.empty()) add_input("spec", s->in.spec_path);
            if (has_arrival) add_input("arrival", s->arrival_file);
            for (const auto& f : s->early_files) add_input("early", f);
            if (!s->baseline_file.empty()) add_input("baseline", s->baseline_file);
            if (!s->baseline_spec.empty()) add_input("baseline spec", s->baseline_spec);
            if (has_partial) add_input("partial", s->partial_file);

            progress.step("reading " + s->file);
            Election fc = load_election(s->file, lo);
            progress.finish(fmt::format("{} sheets", fc.sheets()));
            print_guess_notes(fc);
            std::optional<int64_t> cutoff_ms;
            if (!s->cutoff_text.empty()) {
              int32_t off = 0;
              if (!fc.spec().timezone.empty()) off = parse_utc_offset(fc.spec().timezone).value_or(0);
              auto t = parse_timestamp(s->cutoff_text, off);
              if (!t) throw UsageError(fmt::format("--cutoff '{}' is not an ISO 8601 date-time", s->cutoff_text));
              cutoff_ms = t->epoch_ms;
            }
            std::optional<Arrival> arrival;
            std::vector<Election> snapshots;
            if (has_arrival) {
              progress.step("reading arrival times " + s->arrival_file);
              arrival = read_arrival_times(s->arrival_file, fc);
            }
            for (const auto& f : s->early_files) {
              progress.step("reading snapshot " + f);
              snapshots.push_back(load_election(f, lo));
              print_guess_notes(snapshots.back());
            }
            std::optional<Arrival> snapshot_arrival;
            if (has_early) {
              std::vector<const Election*> ptrs;
              for (const auto& e : snapshots) ptrs.push_back(&e);
              snapshot_arrival = arrival_from_snapshots(ptrs, fc);
            }
            std::optional<Election> base;
            if (!s->baseline_file.empty()) {
              progress.step("reading baseline " + s->baseline_file);
              LoadOptions bo = lo;
              bo.spec.reset();
              if (!s->baseline_spec.empty()) bo.spec = load_spec(s->baseline_spec);
              base.emplace(load_election(s->baseline_file, bo));
              print_guess_notes(*base);
            }
            std::optional<Election> partial;
            if (has_partial) {
              progress.step("reading partial count " + s->partial_file);
              partial.emplace(load_election(s->partial_file, lo));
              print_guess_notes(*partial);
            }
            const Arrival* order = arrival ? &*arrival : snapshot_arrival ? &*snapshot_arrival : nullptr;

            // 3. The analyses. One that the data do not allow is reported with its reason.
            in.title = !s->title.empty() ? s->title : !fc.spec().title.empty() ? fc.spec().title : fs::path(s->file).filename().string();
            in.count_source = s->file;
            in.max_findings = s->max_findings;
            progress.step("summary and integrity checks");
            in.summary = summarize(fc);
            in.integrity = check_integrity(fc);
            progress.finish(fmt::format("{} errors, {} warnings", in.integrity.errors, in.integrity.warnings));

            ProgressionOptions po;
            po.placebos = s->placebos;
            po.threads = s->threads;
            po.cutoff_ms = cutoff_ms;
            if (order) {
              progress.step(fmt::format("count progression ({} placebo cutoffs)", s->placebos));
              try {
                in.progression.value = analyze_progression(fc, *order, po, base ? &*base : nullptr);
              } catch (const UsageError& e) {
                in.progression.reason = e.what();
              } catch (const InputError& e) {
                in.progression.reason = e.what();
              }
            } else {
              in.progression.reason =
                  "the progression needs the order in which sheets arrived: per-sheet times (--arrival) or snapshots "
                  "of the count (--early).";
            }

            ProjectionOptions pj;
            pj.seed = s->seed;
            pj.draws = s->draws;
            pj.threads = s->threads;
            progress.step(fmt::format("projection ({} draws, seed {})", s->draws, s->seed));
            std::optional<Universe> universe;
            try {
              universe = universe_of(fc);
              if (base) {
                try {
                  attach_baseline(*universe, fc, *base);
                } catch (const UsageError& e) {
                  std::cerr << "\ntallyscope report: the projection goes without the baseline covariate: " << e.what() << "\n";
                }
              }
              const Arrival* times = arrival ? &*arrival : nullptr;
              if (partial) {
                in.projection_basis = "the partial count " + s->partial_file;
                in.projection.value = project(*partial, *universe, partial->spec().rule, pj, times);
              } else if (has_early) {
                in.projection_basis = "the early snapshot " + s->early_files.front();
                in.projection.value = project(snapshots.front(), *universe, fc.spec().rule, pj, times);
              } else if (arrival && in.progression.has() && in.progression.value->kind == Arrival::Kind::kTimestamps) {
                in.projection_basis = "the sheets arrived by the progression's cutoff";
                in.projection.value = project_arrived(fc, *arrival, in.progression.value->cutoff_ms, pj);
              } else {
                in.projection.reason =
                    "a projection needs a partial count: --partial FILE, an early snapshot (--early), or arrival times "
                    "(--arrival) to take the sheets in by the cutoff.";
              }
            } catch (const UsageError& e) {
              in.projection.reason = e.what();
            } catch (const InputError& e) {
              in.projection.reason = e.what();
            }
            progress.finish(in.projection.has() ? "" : "not computed");
            if (do_backtest) {
              progress.step(fmt::format("backtest ({} points, {} draws each)", s->backtest_points.size(), s->backtest_draws));
              ProjectionOptions bo = pj;
              bo.draws = s->backtest_draws;
              try {
                in.backtest.value = backtest(fc, *arrival, s->backtest_points, bo, universe ? &*universe : nullptr);
              } catch (const UsageError& e) {
                in.backtest.reason = e.what();
              } catch (const InputError& e) {
                in.backtest.reason = e.what();
              }
            } else {
              in.backtest.reason = has_arrival ? "--backtest-draws 0 was given."
                                               : "the backtest replays the count in its order of arrival, which needs "
                                                 "per-sheet times (--arrival).";
            }
            if (fc.has_coordinates()) {
              try {
                in.map.value = place_map(fc, order);
              } catch (const UsageError& e) {
                in.map.reason = e.what();
              }
            } else {
              in.map.reason = fc.source() + " has no latitude/longitude columns (map them in the spec to draw the map).";
            }

            ForensicsOptions fo;
            fo.replicates = std::max(1, s->forensic_replicates);
            fo.seed = s->seed;
            fo.by = s->forensic_by;
            fo.threads = s->threads;
            if (s->forensic_replicates > 0) {
              progress.step(fmt::format("forensic battery ({} replicates{})", fo.replicates,
                                        fo.by.empty() ? "" : ", per " + fo.by));
              try {
                in.forensics.value = run_forensics(fc, fo);
              } catch (const UsageError& e) {
                in.forensics.reason = e.what();
              } catch (const InputError& e) {
                in.forensics.reason = e.what();
              }
              progress.finish(in.forensics.has() ? fmt::format("{} of {} tests flagged", in.forensics.value->flagged(),
                                                               in.forensics.value->tests_run())
                                                 : "not computed");
            } else {
              in.forensics.reason = "--forensics-replicates 0 was given.";
            }

            nlohmann::ordered_json& o = prov.options;
            o["count"] = s->file;
            o["spec"] = s->in.spec_path;
            o["arrival"] = s->arrival_file;
            o["early"] = s->early_files;
            o["baseline"] = s->baseline_file;
            o["baseline_spec"] = s->baseline_spec;
            o["partial"] = s->partial_file;
            o["cutoff"] = s->cutoff_text.empty() ? "the longest pause in arrivals (default)" : s->cutoff_text;
            o["progression"] = {{"placebos", po.placebos}, {"naive_last_share", po.naive_last_share},
                                {"rd_polynomial_order", po.rd_p}, {"rd_cluster", po.rd_cluster}};
            o["projection"] = {{"method", to_string(pj.method)}, {"draws", pj.draws}, {"seed", pj.seed}, {"level", pj.level}};
            o["backtest"] = {{"points", s->backtest_points}, {"draws", s->backtest_draws}, {"seed", pj.seed},
                             {"method", to_string(pj.method)}};
            o["integrity"] = {{"outlier_z", in.integrity.options.outlier_z},
                              {"outlier_min_diff", in.integrity.options.outlier_min_diff}};
            o["encoding"] = s->in.encoding;
            o["lenient"] = s->in.lenient;
            o["threads"] = s->threads;
            o["max_findings"] = s->max_findings;
            o["forensics"] = {{"replicates", s->forensic_replicates}, {"seed", fo.seed}, {"fdr", fo.fdr},
                              {"by", fo.by}, {"leading_choices", fo.leading}};
            prov.seconds = progress.total();

            // 4. Write the files.
            progress.step("writing " + s->output);
            std::string html = report::render_report(in);
            auto write = [](const std::string& path, const std::string& text) {
              std::ofstream f(path, std::ios::binary | std::ios::trunc);
              if (!f) throw UsageError(fmt::format("cannot write {}", path));
              f << text;
              f.close();
              if (!f) throw UsageError(fmt::format("writing {} failed", path));
            };
            write(s->output, html);
            progress.finish(fmt::format("{:.1f} MB", static_cast<double>(html.size()) / 1e6));
            if (!s->json_out.empty())
              write(s->json_out, report::report_json(in).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
            std::cerr << fmt::format("tallyscope report: wrote {}{} in {:.1f} s\n", s->output,
                                     s->json_out.empty() ? "" : " and " + s->json_out, progress.total());
            for (const auto& [name, reason] : {std::pair{"progression", in.progression.reason},
                                               std::pair{"projection", in.projection.reason},
                                               std::pair{"backtest", in.backtest.reason}, std::pair{"map", in.map.reason}})
              if (!reason.empty()) std::cerr << "tallyscope report: " << name << " not computed: " << reason << "\n";
            return 0;
          }};
}

}  // namespace tallyscope::cli
