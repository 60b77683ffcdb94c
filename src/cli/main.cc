// tallyscope: audits an election's vote count from its tally sheets.
// Exit codes: 0 ok, 1 findings failed a gate, 2 usage or input error.
#include <clocale>
#include <cstdio>
#include <iostream>
#include <string>

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
