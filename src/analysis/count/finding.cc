#include "analysis/count/finding.h"

#include <cmath>

namespace tallyscope {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
  }
  return "?";
}

nlohmann::ordered_json to_json(const Finding& f) {
  nlohmann::ordered_json j;
  j["code"] = f.code;
  j["severity"] = to_string(f.severity);
  if (!f.sheet_id.empty()) j["sheet"] = f.sheet_id;
  if (!f.file.empty()) j["file"] = f.file;
  if (f.line) j["line"] = f.line;
  if (!f.column.empty()) j["column"] = f.column;
  j["message"] = f.message;
  if (!f.values.empty()) {
    auto& v = j["values"] = nlohmann::ordered_json::object();
    for (const auto& [k, x] : f.values) {
      if (!std::isfinite(x)) v[k] = nullptr;
      else if (x == std::floor(x) && std::abs(x) < 9e15) v[k] = static_cast<int64_t>(x);
      else v[k] = x;
    }
  }
  return j;
}

}  // namespace tallyscope
