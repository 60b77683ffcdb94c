// `tallyscope compare`: two counts of one election joined by sheet id.
#include <iostream>
#include <memory>

#include "analysis/analysis.h"
#include "cli/command.h"

namespace tallyscope::cli {

Command add_compare(CLI::App& app) {
  struct State {
    std::string a, b, spec_b, encoding_b;
    bool json = false;
    size_t max = 50;
    InputOptions in;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand("compare", "Two counts of one election joined by sheet id");
  cmd->add_option("A", s->a, "First count (e.g. a quick-count snapshot)")->required();
  cmd->add_option("B", s->b, "Second count (e.g. the official count)")->required();
  cmd->add_flag("--json", s->json, "Machine-readable output on stdout");
  cmd->add_option("--max-sheets", s->max, "Sheets listed per category (all are counted)")->capture_default_str();
  cmd->add_option("--spec-b", s->spec_b, "Spec for B when it differs from A's (--spec)")->check(CLI::ExistingFile);
  cmd->add_option("--encoding-b", s->encoding_b, "Encoding of B when it differs from A's (--encoding)");
  s->in.add(cmd);
  return {cmd, [s] {
            LoadOptions oa = s->in.load_options();
            LoadOptions ob = oa;
            if (!s->spec_b.empty()) ob.spec = load_spec(s->spec_b);
            if (!s->encoding_b.empty()) {
              parse_encoding(s->encoding_b);  // reject a bad name before reading
              ob.encoding = s->encoding_b;
            }
            Election a = load_election(s->a, oa);
            Election b = load_election(s->b, ob);
            print_guess_notes(a);
            print_guess_notes(b);
            Comparison c = compare(a, b);
            if (s->json) emit(with_inputs(to_json(c, s->max), {input_json(a), input_json(b)}));
            else print_text(guess_banner(a) + guess_banner(b) + to_text(c, s->max));
            return 0;
          }};
}

}  // namespace tallyscope::cli
