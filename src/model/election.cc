#include "model/election.h"

#include <map>

#include <fmt/format.h>

#include "io/error.h"

namespace tallyscope {

Election::Election(Parts parts) : p_(std::move(parts)) {
  const size_t n = p_.ids.size();
  valid_.assign(n, 0);
  for (const auto& c : p_.choices)
    for (size_t s = 0; s < n; ++s) valid_[s] += c.or_zero(s);
  ballots_ = valid_;
  for (const auto* c : {blank(), invalid()})
    if (c)
      for (size_t s = 0; s < n; ++s) ballots_[s] += c->or_zero(s);
  index_.reserve(n);
  std::map<size_t, std::vector<size_t>> repeated;  // first index -> all indices
  for (size_t s = 0; s < n; ++s) {
    auto [it, inserted] = index_.emplace(std::string_view(p_.ids[s]), s);
    if (!inserted) {
      auto& v = repeated[it->second];
      if (v.empty()) v.push_back(it->second);
      v.push_back(s);
    }
  }
  for (auto& [first, all] : repeated) duplicates_.push_back(std::move(all));
}

int Election::find_choice(std::string_view name) const {
  for (size_t i = 0; i < p_.choices.size(); ++i)
    if (p_.choices[i].name == name) return static_cast<int>(i);
  return -1;
}

std::optional<int64_t> Election::symbol_value(std::string_view symbol, size_t sheet) const {
  auto from = [&](const CountColumn* c) -> std::optional<int64_t> {
    if (!c || (*c)[sheet] == kMissing) return std::nullopt;
    return (*c)[sheet];
  };
  for (const auto& e : p_.extras)
    if (e.name == symbol) return from(&e);
  if (symbol == "registered") return from(registered());
  if (symbol == "blank") return from(blank());
  if (symbol == "invalid") return from(invalid());
  if (symbol == "valid") return declared_valid() ? from(declared_valid()) : std::optional<int64_t>(valid_[sheet]);
  if (symbol == "ballots")
    return declared_ballots() ? from(declared_ballots()) : std::optional<int64_t>(ballots_[sheet]);
  if (symbol == "choices") {
    for (const auto& c : p_.choices)
      if (c[sheet] == kMissing) return std::nullopt;
    return valid_[sheet];
  }
  return std::nullopt;
}

void Election::require_unique_ids(std::string_view purpose) const {
  if (duplicates_.empty()) return;
  const auto& g = duplicates_.front();
  throw InputError({file_of(g[1]), line(g[1])},
                   fmt::format("sheet id '{}' repeats (first on {}; {} ids repeat in all): {}, so ids must be "
                               "unique (see `tallyscope check`)",
                               id(g[1]), line_text(g[0]), duplicates_.size(), purpose));
}

size_t Election::postal_sheets() const {
  size_t n = 0;
  for (uint8_t p : p_.postal) n += p;
  return n;
}

std::string Election::line_text(size_t sheet) const {
  if (p_.files.empty()) return fmt::format("line {}", line(sheet));
  return fmt::format("line {} of {}", line(sheet), file_of(sheet));
}

std::optional<size_t> Election::find(std::string_view id) const {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

}  // namespace tallyscope
