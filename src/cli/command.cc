#include "cli/command.h"

#include <iostream>
#include <set>

#include <fmt/format.h>

#include "analysis/analysis.h"
#include "io/io.h"

namespace tallyscope::cli {

CLI::Validator count_input() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        if (v == "-") return {};
        if (v.size() > 1 && v[0] == '@') {
          std::string list = v.substr(1);
          const std::string why = CLI::ExistingFile(list);
          return why.empty() ? why : fmt::format("the list of files: {}", why);
        }
        return CLI::ExistingPath(v);
      },
      "PATH|@LIST", "a count");
}

void InputOptions::add(CLI::App* cmd) {
  cmd->add_option("--spec", spec_path, "Election spec (TOML) mapping columns to roles; see `inspect`")
      ->check(CLI::ExistingFile);
  cmd->add_option("--encoding", encoding, "Input encoding: auto, utf-8, windows-1252, latin1")->capture_default_str();
  cmd->add_option("--delimiter", delimiter, "Field delimiter (default: detected among , ; tab |)");
  cmd->add_option("--contest", contest, "The race to read in a file of several (e.g. PRESIDENTE)");
  cmd->add_flag("--lenient", lenient, "Keep unreadable counts as missing cells reported by `check` instead of stopping");
  cmd->add_option("--max-field-bytes", max_field_bytes, "Longest field accepted")->capture_default_str();
  cmd->add_option("--max-columns", max_columns, "Most columns accepted")->capture_default_str();
  cmd->add_option("--max-file-bytes", max_file_bytes, "Largest (decompressed) input accepted; 0 = no limit")
      ->capture_default_str();
  cmd->add_option("--max-gzip-ratio", max_gzip_ratio,
                  "Most bytes a gzip input may give per compressed byte, checked past its first 16 MB (CSV gives "
                  "5 to 20, a decompression bomb about 1,000); 0 = no limit")
      ->capture_default_str();
  cmd->add_option("--sheet", sheet, "XLSX input: the worksheet to read, by name or number from 1 (default: the first)");
  cmd->add_option("--max-zip-entry-bytes", max_zip_entry_bytes,
                  "XLSX input: largest uncompressed part of the workbook accepted")->capture_default_str();
  cmd->add_option("--max-zip-ratio", max_zip_ratio,
                  "XLSX input: highest compression ratio accepted for a part past 1 MiB (zip bombs)")
      ->capture_default_str();
}

LoadOptions InputOptions::load_options() const {
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
  o.contest = contest;
  o.max_field_bytes = max_field_bytes;
  o.max_columns = max_columns;
  o.max_file_bytes = max_file_bytes;
  o.max_gzip_ratio = max_gzip_ratio;
  o.sheet = sheet;
  o.max_zip_entry_bytes = max_zip_entry_bytes;
  if (!(max_zip_ratio > 0)) throw UsageError("--max-zip-ratio must be a positive number");
  o.max_zip_ratio = max_zip_ratio;
  return o;
}

void print_guess_notes(const Election& e) {
  if (e.spec().layout != "guess") return;
  std::cerr << fmt::format("tallyscope: {}: no spec given and the layout is not one tallyscope knows; it guessed:\n",
                           printable(e.source()));
  for (const auto& n : e.spec().notes) std::cerr << "  - " << printable(n) << "\n";
  std::cerr << "  Check with `tallyscope inspect " << printable(e.source())
            << " > spec.toml`, edit, and pass --spec spec.toml.\n";
}

void refuse_repeats(const std::vector<std::string>& values, const std::string& option) {
  std::set<std::string> seen;
  for (const auto& v : values)
    if (!seen.insert(v).second) throw UsageError(fmt::format("{} names '{}' more than once", option, printable(v)));
}

void print_arrival_notes(const Arrival& a) {
  if (a.read_as_utc == 0) return;
  std::cerr << fmt::format("tallyscope: {}: {} arrival times carry no zone and were read as UTC; if they are local "
                           "times, write their zone in the file or give it in the count's spec (timezone = \"-04:00\")\n",
                           printable(a.sources.empty() ? std::string() : a.sources.front()), a.read_as_utc);
}

void print_text(const std::string& text) { std::cout << printable_lines(text); }

// error_handler replace: a file name that is not UTF-8 (a Latin-1 archive's) becomes U+FFFD
// instead of ending the output in a type error.
void emit(const nlohmann::ordered_json& j) {
  std::cout << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

nlohmann::ordered_json input_json(const Election& e) {
  const bool g = e.spec().layout == "guess";
  nlohmann::ordered_json x;
  x["source"] = e.source();
  x["layout"] = e.spec().layout.empty() ? "spec" : e.spec().layout;
  x["guessed_layout"] = g;
  x["encoding"] = e.encoding();
  x["mapping"] = spec_mapping(e.spec());
  if (g) x["layout_notes"] = e.spec().notes;
  return x;
}

nlohmann::ordered_json with_inputs(nlohmann::ordered_json j, const std::vector<nlohmann::ordered_json>& inputs) {
  if (!j.is_object()) return j;
  bool guessed = false;
  for (const auto& x : inputs) guessed |= x["guessed_layout"].get<bool>();
  j["guessed_layout"] = guessed;
  j["inputs"] = inputs;
  return j;
}

std::string guess_banner(const Election& e) {
  if (e.spec().layout != "guess") return "";
  return fmt::format("NOTE: {} was read with a GUESSED layout (not one tallyscope knows): these results rest on a "
                     "guess of which column is which (listed on stderr); check it with `tallyscope inspect` and pass "
                     "--spec\n",
                     e.source());
}

}  // namespace tallyscope::cli
