// `tallyscope inspect`: the detected layout as a spec to save and edit.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/command.h"

namespace tallyscope::cli {

Command add_inspect(CLI::App& app) {
  struct State {
    std::string file;
    bool json = false;
    InputOptions in;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand("inspect", "Detect a file's layout and print a spec to save and edit");
  cmd->add_option("FILE", s->file, "Tally-sheet file")->required();
  cmd->add_flag("--json", s->json, "Print the detection as JSON instead of TOML");
  s->in.add(cmd);
  return {cmd, [s] {
            LoadOptions o = s->in.load_options();
            ElectionSpec spec = detect_spec(s->file, o);
            if (s->json) {
              nlohmann::ordered_json j;
              j["file"] = s->file;
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
          }};
}

}  // namespace tallyscope::cli
