// Control relations of a protocol: linear equalities that must hold on every sheet, e.g.
// "received = issued_early + issued_on_day + issued_outside + cancelled + lost - unaccounted".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tallyscope {

struct Relation {
  struct Term {
    int64_t coefficient;  // left-hand terms positive, right-hand terms negated
    std::string symbol;
  };
  std::string name;
  std::string equation;  // as written
  std::vector<Term> terms;  // sum(coefficient * value(symbol)) must be 0
};

// Parses "a + 2*b - c = d". Symbols: letters, digits and '_', not starting with a digit.
// Throws UsageError with the position of the problem.
Relation parse_relation(const std::string& name, const std::string& equation);

}  // namespace tallyscope
