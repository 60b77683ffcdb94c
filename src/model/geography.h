// Hierarchical geography: levels from coarse to fine (country ... polling place). A place is
// identified by its whole path, never by its name alone: "Escuela 1" in two municipalities are
// two places. Names are keyed in clean_name's form (io/clean_name.h: NFC, no invisible characters,
// no spaces at the ends), so spellings that differ only invisibly are one place; which were merged
// so is kept (merged_spellings) for `check` to say.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tallyscope {

class Geography {
 public:
  static constexpr uint32_t kNoParent = UINT32_MAX;

  size_t levels() const { return level_names_.size(); }
  const std::string& level_name(size_t level) const { return level_names_[level]; }
  const std::vector<std::string>& level_names() const { return level_names_; }
  // Index of a level by its name, or -1.
  int find_level(std::string_view name) const;

  // The node (place) of a sheet at a level; nodes are numbered per level from 0.
  uint32_t node_of(size_t level, size_t sheet) const { return sheet_nodes_[level][sheet]; }
  const std::vector<uint32_t>& nodes_of(size_t level) const { return sheet_nodes_[level]; }
  size_t node_count(size_t level) const { return nodes_[level].size(); }
  const std::string& node_name(size_t level, uint32_t node) const { return nodes_[level][node].name; }
  uint32_t parent(size_t level, uint32_t node) const { return nodes_[level][node].parent; }
  // "Bolivia / La Paz / Murillo / ..." down to `level`.
  std::string path(size_t level, uint32_t node, std::string_view separator = " / ") const;

  // A node that several spellings in the file became: up to kShownSpellings of them, in order of
  // appearance, and how many more.
  static constexpr size_t kShownSpellings = 5;
  struct MergedSpellings {
    size_t level;
    uint32_t node;
    std::vector<std::string> spellings;
    size_t more = 0;
  };
  const std::vector<MergedSpellings>& merged_spellings() const { return merged_; }

 private:
  friend class GeographyBuilder;
  struct Node {
    std::string name;
    uint32_t parent;
  };
  std::vector<std::string> level_names_;
  std::vector<std::vector<Node>> nodes_;            // [level][node]
  std::vector<std::vector<uint32_t>> sheet_nodes_;  // [level][sheet]
  std::vector<MergedSpellings> merged_;             // by level, then node
};

class GeographyBuilder {
 public:
  explicit GeographyBuilder(std::vector<std::string> level_names);
  // Adds the next sheet's names, coarse to fine (one per level).
  void add_sheet(const std::vector<std::string_view>& names);
  Geography build() &&;

 private:
  struct KeyHash {
    size_t operator()(const std::pair<uint32_t, std::string>& k) const {
      return std::hash<std::string>()(k.second) * 31 + k.first;
    }
  };
  Geography geo_;
  void note_spelling(size_t level, uint32_t node, std::string_view raw);
  std::vector<std::unordered_map<std::pair<uint32_t, std::string>, uint32_t, KeyHash>> index_;
  std::pair<uint32_t, std::string> probe_;
  std::vector<std::string> last_raw_;                  // [level]: the previous sheet's spelling
  std::vector<std::vector<std::string>> first_raw_;    // [level][node]: its first spelling
  std::map<std::pair<size_t, uint32_t>, std::pair<Geography::MergedSpellings, std::set<std::string>>> merged_;
};

}  // namespace tallyscope
