// Finding the column a spec names in a file's header, with an error naming the file and the header
// line when it is absent (listing the columns there are) or appears twice.
#pragma once

#include <cstdint>
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
      std::string avail;
      for (size_t i = 0; i < header.size() && i < 40; ++i) avail += (i ? ", '" : "'") + header[i] + "'";
      if (header.size() > 40) avail += ", ...";
      throw InputError({file, header_line, 0, name},
                       fmt::format("the spec maps {} to column '{}', which is not in the file (its columns: {})", role,
                                   name, avail));
    }
    if (it->second == SIZE_MAX)
      throw InputError({file, header_line, 0, name},
                       fmt::format("the spec maps {} to column '{}', which appears more than once in the header", role,
                                   name));
    return it->second;
  }
};

}  // namespace tallyscope
