#include "model/geography.h"

#include "io/clean_name.h"

namespace tallyscope {

int Geography::find_level(std::string_view name) const {
  for (size_t i = 0; i < level_names_.size(); ++i)
    if (level_names_[i] == name) return static_cast<int>(i);
  return -1;
}

std::string Geography::path(size_t level, uint32_t node, std::string_view separator) const {
  std::vector<const std::string*> parts;
  for (size_t l = level + 1; l-- > 0;) {
    parts.push_back(&nodes_[l][node].name);
    node = nodes_[l][node].parent;
    if (node == kNoParent) break;
  }
  std::string out;
  for (size_t i = parts.size(); i-- > 0;) {
    out += *parts[i];
    if (i > 0) out += separator;
  }
  return out;
}

GeographyBuilder::GeographyBuilder(std::vector<std::string> level_names) {
  geo_.level_names_ = std::move(level_names);
  geo_.nodes_.resize(geo_.level_names_.size());
  geo_.sheet_nodes_.resize(geo_.level_names_.size());
  index_.resize(geo_.level_names_.size());
  last_raw_.resize(geo_.level_names_.size());
  first_raw_.resize(geo_.level_names_.size());
}

void GeographyBuilder::note_spelling(size_t level, uint32_t node, std::string_view raw) {
  if (first_raw_[level][node] == raw) return;
  auto [it, fresh] = merged_.try_emplace({level, node});
  auto& [m, seen] = it->second;
  if (fresh) {
    m = {level, node, {first_raw_[level][node]}, 0};
    seen.insert(first_raw_[level][node]);
  }
  if (!seen.emplace(raw).second) return;
  if (m.spellings.size() < Geography::kShownSpellings) m.spellings.emplace_back(raw);
  else ++m.more;
}

void GeographyBuilder::add_sheet(const std::vector<std::string_view>& names) {
  uint32_t parent = Geography::kNoParent;
  for (size_t l = 0; l < geo_.level_names_.size(); ++l) {
    // Files are usually sorted by place: most sheets repeat the previous sheet's spelling.
    if (!geo_.sheet_nodes_[l].empty()) {
      uint32_t last = geo_.sheet_nodes_[l].back();
      if (geo_.nodes_[l][last].parent == parent && last_raw_[l] == names[l]) {
        geo_.sheet_nodes_[l].push_back(last);
        parent = last;
        continue;
      }
    }
    probe_.first = parent;
    probe_.second = clean_name(names[l]);
    auto it = index_[l].find(probe_);
    uint32_t node;
    if (it == index_[l].end()) {
      node = static_cast<uint32_t>(geo_.nodes_[l].size());
      geo_.nodes_[l].push_back({probe_.second, parent});
      first_raw_[l].emplace_back(names[l]);
      index_[l].emplace(probe_, node);
    } else {
      node = it->second;
      note_spelling(l, node, names[l]);
    }
    last_raw_[l].assign(names[l]);
    geo_.sheet_nodes_[l].push_back(node);
    parent = node;
  }
}

Geography GeographyBuilder::build() && {
  for (auto& [key, m] : merged_) geo_.merged_.push_back(std::move(m.first));
  return std::move(geo_);
}

}  // namespace tallyscope
