// tallyscope: audits an election's vote count from its tally sheets.
// Exit codes: 0 ok, 1 findings failed a gate, 2 usage or input error.
// Error messages name the user's files, headers and ids: printed with printable(), on one line.
// Each command lives in its own cmd_*.cc; this file only wires them up and maps errors to exit codes.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "io/io.h"

namespace tallyscope::cli {
namespace {

int run(int argc, char** argv) {
  CLI::App app{"tallyscope: audits an election's vote count from its tally sheets.\n"
               "Exit codes: 0 ok, 1 findings failed a gate, 2 usage or input error."};
  app.set_version_flag("--version", std::string("tallyscope ") + TALLYSCOPE_VERSION);
  app.require_subcommand(1);
  std::vector<Command> commands = {
      add_summary(app), add_check(app),       add_compare(app),
      add_inspect(app), add_progression(app), add_project(app),
      add_simulate(app),
      add_report(app),
      add_forensics(app),
      add_calibrate(app),
  };
  if (argc <= 1) {  // no command: the command list, as --help prints it
    std::cout << app.help();
    return 0;
  }
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
  for (const auto& c : commands)
    if (c.app->parsed()) return c.run();
  return 2;
}

}  // namespace
}  // namespace tallyscope::cli

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write fails with EFBIG and is reported, instead of the
  // signal ending the process with a partial file.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    return tallyscope::cli::run(argc, argv);
  } catch (const tallyscope::InputError& e) {
    std::cerr << "tallyscope: error: " << tallyscope::printable(e.what()) << "\n";
    return 2;
  } catch (const tallyscope::UsageError& e) {
    std::cerr << "tallyscope: usage error: " << tallyscope::printable(e.what()) << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "tallyscope: error: out of memory (is the input far larger than expected? see --max-file-bytes)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tallyscope: internal error: " << tallyscope::printable(e.what()) << "\n";
    return 2;
  }
}
