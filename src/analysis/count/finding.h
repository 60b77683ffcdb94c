// A finding: something in the data a user should look at, with where it is.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace tallyscope {

enum class Severity { kInfo, kWarning, kError };
const char* to_string(Severity s);

struct Finding {
  std::string code;        // stable identifier, e.g. "ballots_above_registered"
  Severity severity = Severity::kWarning;
  std::string sheet_id;    // empty for findings about the whole file
  uint64_t line = 0;       // the sheet's line in the file
  std::string column;      // the file's header, when one column is concerned
  std::string message;     // one readable sentence with the numbers
  std::vector<std::pair<std::string, double>> values;  // the numbers behind it
  std::string file = {};   // the sheet's file, when the count was read from several files
};

nlohmann::ordered_json to_json(const Finding& f);

}  // namespace tallyscope
