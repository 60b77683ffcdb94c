// Small helpers for readable text output.
#pragma once

#include <cstdint>
#include <string>

#include "io/printable.h"  // printable(): a user string made safe for a terminal

namespace tallyscope {

// 1234567 -> "1,234,567".
std::string thousands(int64_t v);

}  // namespace tallyscope
