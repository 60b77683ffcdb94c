// A double for JSON output: the number, or null when it is NaN or infinite (JSON has neither).
#pragma once

#include <cmath>

#include <nlohmann/json.hpp>

namespace tallyscope {

inline nlohmann::ordered_json json_number(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

}  // namespace tallyscope
