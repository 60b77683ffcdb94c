#include "model/relation.h"

#include <cctype>

#include <fmt/format.h>

#include "io/error.h"

namespace tallyscope {

Relation parse_relation(const std::string& name, const std::string& equation) {
  Relation r;
  r.name = name;
  r.equation = equation;
  const std::string& s = equation;
  size_t i = 0;
  int side = 1;  // +1 left of '=', -1 right
  bool seen_equals = false;
  auto fail = [&](const std::string& why) -> void {
    throw UsageError(fmt::format("relation '{}': {} at position {} of \"{}\"", name, why, i + 1, equation));
  };
  auto skip = [&] { while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i; };
  bool expect_term = true;
  int sign = 1;
  size_t terms_on_side = 0;
  while (true) {
    skip();
    if (i >= s.size()) break;
    char c = s[i];
    if (expect_term) {
      if (c == '+' || c == '-') {
        if (c == '-') sign = -sign;
        ++i;
        continue;
      }
      int64_t coef = 1;
      if (std::isdigit(static_cast<unsigned char>(c))) {
        coef = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
          coef = coef * 10 + (s[i] - '0');
          if (coef > 1000000) fail("coefficient too large");
          ++i;
        }
        skip();
        if (i < s.size() && s[i] == '*') {
          ++i;
          skip();
        } else {
          fail("a constant term is not allowed (write coefficient*name)");
        }
      }
      if (i >= s.size() || !(std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_')) fail("expected a name");
      size_t b = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
      r.terms.push_back({coef * sign * side, s.substr(b, i - b)});
      ++terms_on_side;
      sign = 1;
      expect_term = false;
    } else {
      if (c == '+' || c == '-') {
        sign = c == '-' ? -1 : 1;
        ++i;
        expect_term = true;
      } else if (c == '=') {
        if (seen_equals) fail("a second '='");
        if (terms_on_side == 0) fail("nothing left of '='");
        seen_equals = true;
        side = -1;
        terms_on_side = 0;
        ++i;
        expect_term = true;
      } else {
        fail(fmt::format("unexpected '{}'", c));
      }
    }
  }
  if (expect_term) fail("the equation ends where a term was expected");
  if (!seen_equals) fail("no '='");
  return r;
}

}  // namespace tallyscope
