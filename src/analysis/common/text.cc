#include "analysis/common/text.h"

namespace tallyscope {

std::string thousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -(v + 1) + 1ULL : static_cast<uint64_t>(v));
  std::string out;
  int n = 0;
  for (size_t i = digits.size(); i-- > 0;) {
    out.insert(out.begin(), digits[i]);
    if (++n % 3 == 0 && i > 0) out.insert(out.begin(), ',');
  }
  return v < 0 ? "-" + out : out;
}

}  // namespace tallyscope
