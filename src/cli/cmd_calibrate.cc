// `tallyscope calibrate`: how often each forensic test cries wolf, and how often it catches
// manipulation, on simulated elections like the user's.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "analysis/analysis.h"
#include "cli/command.h"

namespace tallyscope::cli {

Command add_calibrate(CLI::App& app) {
  struct State {
    std::string file;
    CalibrationOptions o;
    bool json = false;
    InputOptions in;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand(
      "calibrate",
      "False-alarm and detection rates of every forensic test on simulated clean and manipulated versions of FILE");
  cmd->add_option("FILE", s->file, "Tally-sheet file whose sheets, geography and registered voters are kept")
      ->required();
  cmd->add_option("--runs", s->o.runs, "Simulated elections per scenario")->capture_default_str();
  cmd->add_option("--replicates", s->o.replicates, "Monte Carlo replicates of each test's null, per run")
      ->capture_default_str();
  cmd->add_option("--seed", s->o.seed, "Random seed")->capture_default_str();
  cmd->add_option("--alpha", s->o.alpha, "Nominal level of one test")->capture_default_str();
  cmd->add_option("--fdr", s->o.fdr, "Benjamini-Hochberg level of the battery's flags")->capture_default_str();
  cmd->add_option("--choices", s->o.choices, "Choices to test (default: the leading two)");
  cmd->add_option("--threads", s->o.threads, "Threads (0 = all cores; results do not depend on it)");
  cmd->add_flag("--json", s->json, "Machine-readable output on stdout");
  s->in.add(cmd);
  return {cmd, [s] {
            if (s->o.runs < 1 || s->o.runs > 100000) throw UsageError("--runs must be between 1 and 100,000");
            if (s->o.replicates < 1 || s->o.replicates > 100000)
              throw UsageError("--replicates must be between 1 and 100,000");
            refuse_repeats(s->o.choices, "--choices");
            Election e = load_election(s->file, s->in.load_options());
            print_guess_notes(e);
            const size_t total = s->o.scenarios.size() * static_cast<size_t>(s->o.runs);
            std::cerr << fmt::format("tallyscope: calibrating on {} simulated elections ({} scenarios x {} runs)\n",
                                     total, s->o.scenarios.size(), s->o.runs);
            size_t step = std::max<size_t>(1, total / 20);
            s->o.progress = [step](size_t done, size_t all) {
              if (done % step == 0 || done == all) std::cerr << fmt::format("tallyscope: {}/{} simulations\n", done, all);
            };
            CalibrationResult r = calibrate(e, s->o);
            if (s->json) emit(with_inputs(to_json(r), {input_json(e)}));
            else print_text(guess_banner(e) + to_text(r));
            return 0;
          }};
}

}  // namespace tallyscope::cli
