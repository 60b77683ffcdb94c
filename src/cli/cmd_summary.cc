// `tallyscope summary`: totals, shares, margin and outcome.
#include <iostream>
#include <memory>

#include "analysis/analysis.h"
#include "cli/command.h"

namespace tallyscope::cli {

Command add_summary(CLI::App& app) {
  struct State {
    std::string file;
    bool json = false;
    InputOptions in;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand("summary", "Totals, shares, margin and outcome of a count");
  cmd->add_option("FILE", s->file, "Tally-sheet file (CSV, optionally gzip-compressed)")->required();
  cmd->add_flag("--json", s->json, "Machine-readable output on stdout");
  s->in.add(cmd);
  return {cmd, [s] {
            Election e = load_election(s->file, s->in.load_options());
            print_guess_notes(e);
            Summary r = summarize(e);
            if (s->json) emit(to_json(r));
            else print_text(to_text(r, e));
            return 0;
          }};
}

}  // namespace tallyscope::cli
