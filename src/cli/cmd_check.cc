// `tallyscope check`: the integrity report.
#include <cmath>
#include <iostream>
#include <memory>

#include "analysis/analysis.h"
#include "cli/command.h"

namespace tallyscope::cli {

Command add_check(CLI::App& app) {
  struct State {
    std::string file;
    bool json = false;
    std::string fail_on = "error";
    size_t max = 50;
    double outlier_z = 5.0;
    bool no_outliers = false;
    InputOptions in;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand("check", "Integrity findings: arithmetic, control relations, duplicates, outliers");
  cmd->add_option("FILE", s->file, "Tally-sheet file")->required();
  cmd->add_flag("--json", s->json, "Machine-readable output on stdout");
  cmd->add_option("--fail-on", s->fail_on,
                  "Exit 1 when a finding of this severity or worse exists: error, warning, never")
      ->check(CLI::IsMember({"error", "warning", "never"}))
      ->capture_default_str();
  cmd->add_option("--max-findings", s->max, "Findings listed (all are counted)")->capture_default_str();
  cmd->add_option("--outlier-z", s->outlier_z, "z-score beyond which a sheet is an outlier among its peers")
      ->capture_default_str();
  cmd->add_flag("--no-outliers", s->no_outliers, "Skip the statistical outlier screen");
  s->in.add(cmd);
  return {cmd, [s] {
            if (!(s->outlier_z > 0) || !std::isfinite(s->outlier_z))  // nan would switch the screen off
              throw UsageError("--outlier-z must be a positive number (use --no-outliers to skip the screen)");
            Election e = load_election(s->file, s->in.load_options());
            print_guess_notes(e);
            IntegrityOptions opt;
            opt.outlier_z = s->outlier_z;
            opt.outliers = !s->no_outliers;
            IntegrityReport r = check_integrity(e, opt);
            if (s->json) emit(with_inputs(to_json(r, s->max), {input_json(e)}));
            else print_text(guess_banner(e) + to_text(r, e, s->max));
            if (s->fail_on == "error" && r.errors > 0) return 1;
            if (s->fail_on == "warning" && (r.errors > 0 || r.warnings > 0)) return 1;
            return 0;
          }};
}

}  // namespace tallyscope::cli
