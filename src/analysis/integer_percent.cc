#include "analysis/integer_percent.h"

namespace tallyscope {

IntegerPercentCount count_integer_percent(std::span<const int64_t> count, std::span<const int64_t> denom,
                                          std::span<const uint8_t> eligible) {
  IntegerPercentCount c;
  for (size_t i = 0; i < count.size(); ++i) {
    if (!eligible[i]) continue;
    ++c.eligible;
    c.integer += is_integer_percent(count[i], denom[i]);
  }
  return c;
}

}  // namespace tallyscope
