// The one default seed of every seeded command (forensics, report, project, calibrate), so that
// `tallyscope forensics FILE` and the forensic section of `tallyscope report FILE` give the same
// numbers. (Bolivia's 2019 election day, 20 October 2019.)
#pragma once

#include <cstdint>

namespace tallyscope {

inline constexpr uint64_t kDefaultSeed = 20191020;

}  // namespace tallyscope
