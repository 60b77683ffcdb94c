// Finding the column a spec names in a file's header, with an error naming the file and the header
// line when it is absent (listing the columns there are) or appears twice. A name that appears more
// than once is never resolved by guessing: the spec must say which occurrence it means, 'E_SPD#1'
// for the first (Germany's Wahlbezirk downloads repeat each party's header for its percentages).
// 'name#k' is read that way only when no column is itself called 'name#k'.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "io/error.h"

namespace tallyscope {

// Holds references: the file name and header must outlive it.
struct ColumnResolver {
  const std::string& file;
  const std::vector<std::string>& header;
  uint64_t header_line;
  std::unordered_map<std::string, size_t> index;
  ColumnResolver(const std::string& f, const std::vector<std::string>& h, uint64_t line) : file(f), header(h), header_line(line) {
    for (size_t i = 0; i < h.size(); ++i) {
      auto [it, fresh] = index.emplace(h[i], i);
      if (!fresh) it->second = SIZE_MAX;  // ambiguous
    }
  }
  size_t operator()(const std::string& name, const char* role) const {
    auto it = index.find(name);
    if (it == index.end()) {
      if (auto k = occurrence(name, role)) return *k;
      std::string avail;
      for (size_t i = 0; i < header.size() && i < 40; ++i) avail += (i ? ", '" : "'") + header[i] + "'";
      if (header.size() > 40) avail += ", ...";
      throw InputError({file, header_line, 0, name},
                       fmt::format("the spec maps {} to column '{}', which is not in the file (its columns: {})", role,
                                   name, avail));
    }
    if (it->second == SIZE_MAX) {
      std::string where;
      for (size_t i = 0, n = 0; i < header.size(); ++i)
        if (header[i] == name) {
          ++n;
          where += fmt::format("{}{} at column {}", n > 1 ? ", " : "", n, i + 1);
        }
      throw InputError({file, header_line, 0, name},
                       fmt::format("the spec maps {} to column '{}', which appears more than once in the header ({}); "
                                   "name the one meant as '{}#1', '{}#2', ...",
                                   role, name, where, name, name));
    }
    return it->second;
  }

 private:
  // 'name#k': the k-th column (from 1) called `name`, when `name` appears more than once; nullopt
  // when the text is not of that form or `name` is not in the header.
  std::optional<size_t> occurrence(const std::string& text, const char* role) const {
    const size_t hash = text.rfind('#');
    if (hash == std::string::npos || hash == 0 || hash + 1 == text.size()) return std::nullopt;
    size_t k = 0;
    for (size_t i = hash + 1; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9' || k > 100000) return std::nullopt;
      k = k * 10 + static_cast<size_t>(text[i] - '0');
    }
    const std::string name = text.substr(0, hash);
    std::vector<size_t> at;
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) at.push_back(i);
    if (at.empty()) return std::nullopt;
    if (k == 0 || k > at.size())
      throw InputError({file, header_line, 0, text},
                       fmt::format("the spec maps {} to column '{}', but '{}' appears {} time{} in the header", role,
                                   text, name, at.size(), at.size() == 1 ? "" : "s"));
    return at[k - 1];
  }

 public:
};

}  // namespace tallyscope
