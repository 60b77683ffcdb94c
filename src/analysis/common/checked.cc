#include "analysis/common/checked.h"

#include <fmt/format.h>

#include "io/error.h"

namespace tallyscope {
namespace {

[[noreturn]] void overflow(const Election& e, size_t sheet, std::string_view what) {
  throw InputError({e.file_of(sheet), e.line(sheet)},
                   fmt::format("{} overflows at sheet '{}' (beyond 9,223,372,036,854,775,807): the counts are too "
                               "large to add up exactly",
                               what, e.id(sheet)));
}

}  // namespace

int64_t checked_add(int64_t a, int64_t b, const Election& e, size_t sheet, std::string_view what) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) overflow(e, sheet, what);
  return r;
}

int64_t checked_mul(int64_t a, int64_t b, const Election& e, size_t sheet, std::string_view what) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) overflow(e, sheet, what);
  return r;
}

}  // namespace tallyscope
