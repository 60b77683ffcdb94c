// Sums of counts that cannot wrap around: a cell holds at most 10^12 votes, but 9.3 million
// sheets of them (or a relation's coefficient times a cell) leave int64, and a wrapped total would
// name the wrong leader or make a violated relation hold. Overflow is an input error naming the
// sheet where the sum left the range.
#pragma once

#include <cstdint>
#include <string_view>

#include "model/election.h"

namespace tallyscope {

// a + b; InputError naming `sheet` of `e` (file and line) and `what` when it overflows.
int64_t checked_add(int64_t a, int64_t b, const Election& e, size_t sheet, std::string_view what);
// a * b, the same.
int64_t checked_mul(int64_t a, int64_t b, const Election& e, size_t sheet, std::string_view what);

}  // namespace tallyscope
