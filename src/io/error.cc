#include "io/error.h"

#include <fmt/format.h>

namespace tallyscope {

std::string SourceLocation::to_string() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line > 0) out += fmt::format(":{}", line);
  if (column > 0) {
    out += fmt::format(":{}", column);
    if (!column_name.empty()) out += fmt::format(" (column '{}')", column_name);
  } else if (!column_name.empty()) {
    out += fmt::format(" (column '{}')", column_name);
  }
  return out;
}

InputError::InputError(SourceLocation where, const std::string& message)
    : std::runtime_error(where.to_string() + ": " + message), where_(std::move(where)), message_(message) {}

}  // namespace tallyscope
