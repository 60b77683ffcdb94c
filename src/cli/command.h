// The command line's shared pieces: every command registers itself on the CLI11 app and hands back
// the function that runs it once the arguments are parsed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "io/io.h"
#include "model/model.h"

namespace tallyscope::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  // exit code: 0 ok, 1 a gate failed, 2 usage or input error
};

// Checks an argument naming a count: a file, a folder of files, `@LIST` (a file listing them) or
// "-" (standard input).
CLI::Validator count_input();

// Options every command that reads a tally-sheet file takes.
struct InputOptions {
  std::string spec_path;
  std::string encoding = "auto";
  std::string delimiter;
  std::string contest;
  bool lenient = false;
  size_t max_field_bytes = 16u << 20;
  size_t max_columns = 100000;
  uint64_t max_file_bytes = 0;
  uint64_t max_gzip_ratio = ReadLimits{}.max_gzip_ratio;
  std::string sheet;  // XLSX
  uint64_t max_zip_entry_bytes = ZipLimits{}.max_entry_bytes;
  double max_zip_ratio = ZipLimits{}.max_ratio;

  void add(CLI::App* cmd);
  LoadOptions load_options() const;
};

// Tells the user on stderr when a file's layout was guessed, and how to pin it down.
void print_guess_notes(const Election& e);
// Writes a command's text output to stdout, with the controls and bidi controls that names or ids
// may carry shown visibly (printable_lines): no input can move the cursor, set the terminal's
// title or turn a line around.
void print_text(const std::string& text);
// UsageError when a list option names the same value twice (`--choices A A A` would run the same
// tests three times and change the multiple-testing family).
void refuse_repeats(const std::vector<std::string>& values, const std::string& option);
// Tells the user on stderr when arrival times without a zone were read as UTC.
void print_arrival_notes(const Arrival& a);
// Writes JSON to stdout, indented.
void emit(const nlohmann::ordered_json& j);
// How a command's inputs were read, for its output (issue 14: a result resting on a guessed
// layout says so on stdout and in JSON, not only on stderr). input_json: source, layout,
// guessed_layout, encoding, the column mapping and, when guessed, the guess's notes.
// with_inputs adds "guessed_layout" (any input guessed) and "inputs" to a command's JSON.
// guess_banner: the line a text output starts with when the input's layout was guessed, else "".
nlohmann::ordered_json input_json(const Election& e);
nlohmann::ordered_json with_inputs(nlohmann::ordered_json j, const std::vector<nlohmann::ordered_json>& inputs);
std::string guess_banner(const Election& e);

Command add_summary(CLI::App& app);
Command add_check(CLI::App& app);
Command add_compare(CLI::App& app);
Command add_inspect(CLI::App& app);
Command add_progression(CLI::App& app);
Command add_project(CLI::App& app);
Command add_simulate(CLI::App& app);
Command add_report(CLI::App& app);
Command add_calibrate(CLI::App& app);
Command add_forensics(CLI::App& app);

}  // namespace tallyscope::cli
