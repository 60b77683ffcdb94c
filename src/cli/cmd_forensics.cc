// `tallyscope forensics`: the forensic battery (digit tests, integer percentages, fingerprint,
// distribution tests).
#include <algorithm>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "analysis/analysis.h"
#include "cli/command.h"

namespace tallyscope::cli {

Command add_forensics(CLI::App& app) {
  struct State {
    std::string file;
    ForensicsOptions fo;
    bool json = false, no_fingerprint = false, no_distribution = false, fail_on_flag = false;
    std::vector<std::string> tests;
    InputOptions in;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand(
      "forensics",
      "Forensic battery: digit tests, integer percentages, turnout x share fingerprint, distribution tests "
      "(skewness, kurtosis, dip, turnout-share slope and correlation), with simulated nulls that keep each "
      "unit's size and Benjamini-Hochberg control across all tests");
  cmd->footer(
      "The digit and whole-percentage nulls sum each unit's binomial probabilities value by value; for a "
      "count whose binomial sd passes ~3,300 (over 65,536 values, tens of millions of votes in one unit) "
      "they use the normal approximation instead (error under 1e-4), so the cost does not grow with the count.");
  cmd->add_option("FILE", s->file, "Tally-sheet file (CSV, optionally gzip-compressed)")->required();
  cmd->add_option("--by", s->fo.by, "Also run per region at this geography level (e.g. region, Departamento)");
  cmd->add_option("--choices", s->fo.choices, "Choices to test (default: the two with most votes)");
  cmd->add_option("--leading", s->fo.leading, "Without --choices: test this many leading choices")->capture_default_str();
  cmd->add_option("--seed", s->fo.seed, "Random seed")->capture_default_str();
  cmd->add_option("--replicates", s->fo.replicates, "Monte Carlo replicates of every null")->capture_default_str();
  cmd->add_option("--fdr", s->fo.fdr, "Benjamini-Hochberg false discovery rate for `flag`")->capture_default_str();
  cmd->add_option("--min-units", s->fo.min_units, "Units a test needs at least")->capture_default_str();
  cmd->add_option("--bins", s->fo.fingerprint_bins, "Fingerprint bins per axis")->capture_default_str();
  cmd->add_option("--threads", s->fo.threads, "Threads (0 = all cores; results do not depend on it)");
  cmd->add_option("--tests", s->tests,
                  "Run only these parts (default: all): integer_percent, digits (last digit, pairs, second digit), "
                  "distribution (descriptive statistics), within_place, fingerprint (histograms and percentage "
                  "charts), fits (Klimek's model and Shpilkin's estimate)")
      ->delimiter(',')
      ->check(CLI::IsMember({"integer_percent", "digits", "distribution", "within_place", "fingerprint", "fits"}));
  cmd->add_flag("--no-distribution", s->no_distribution,
                "Skip the distribution tests (skewness, kurtosis, dip, turnout-share slope and correlation)");
  cmd->add_flag("--no-fingerprint", s->no_fingerprint,
                "Skip the fingerprint histograms and percentage charts (the Klimek and Shpilkin fits stay: "
                "--tests without fits drops them)");
  cmd->add_flag("--fail-on-flag", s->fail_on_flag, "Exit 1 when any test is flagged after FDR control");
  cmd->add_flag("--json", s->json, "Machine-readable output on stdout");
  s->in.add(cmd);
  return {cmd, [s] {
            if (s->fo.replicates < 1 || s->fo.replicates > 1000000)
              throw UsageError("--replicates must be between 1 and 1,000,000");
            if (!(s->fo.fdr > 0 && s->fo.fdr < 1)) throw UsageError("--fdr must be between 0 and 1");
            if (s->fo.fingerprint_bins < 1 || s->fo.fingerprint_bins > 1000)
              throw UsageError("--bins must be between 1 and 1000");
            refuse_repeats(s->fo.choices, "--choices");
            refuse_repeats(s->tests, "--tests");
            Election e = load_election(s->file, s->in.load_options());
            print_guess_notes(e);
            auto wanted = [&](const char* part) {
              return s->tests.empty() || std::find(s->tests.begin(), s->tests.end(), part) != s->tests.end();
            };
            s->fo.integer_percent = wanted("integer_percent");
            s->fo.digit_tests = wanted("digits");
            s->fo.within_place = wanted("within_place");
            s->fo.model_fits = wanted("fits");
            s->fo.fits = wanted("fingerprint") && !s->no_fingerprint;
            s->fo.distribution_tests = wanted("distribution") && !s->no_distribution;
            std::cerr << fmt::format("tallyscope: forensic battery on {} sheets, {} replicates\n", e.sheets(),
                                     s->fo.replicates);
            ForensicsResult r = run_forensics(e, s->fo);
            if (s->json) emit(with_inputs(to_json(r), {input_json(e)}));
            else print_text(guess_banner(e) + to_text(r));
            return s->fail_on_flag && r.flagged() > 0 ? 1 : 0;
          }};
}

}  // namespace tallyscope::cli
