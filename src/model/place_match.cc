#include "model/place_match.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "io/error.h"
#include "model/layout.h"

namespace tallyscope {
namespace {

std::string level_key(const std::string& name) {
  std::istringstream words(normalise_name(name));
  std::string w, out;
  while (words >> w) {
    if (w == "nombre" || w == "name" || w == "codigo" || w == "code" || w == "nom") continue;
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}


}  // namespace

// The candidate that `name` (normalised) stands for, trying stricter rules first and accepting a
// looser rule's match only when exactly one candidate satisfies it: (0) equal names; (1) equal
// without parenthesised parts; (2) the words of one contained in the other (e.g. "santa ana" and
// "santa ana de yacuma", "guayaramerin" and "puerto guayaramerin"); (3) abbreviated words
// ("col bolivar" and "colegio bolivar"); (4) an edit distance of at most one in six characters
// ("esteban arce" and "esteban arze"). Every loose rule also needs the words holding a digit to
// be equal. Returns (node or -1, tier). PlaceIndex (place_index.h) answers it without trying
// every candidate.
std::pair<int64_t, int> best_match(const std::string& name, const std::vector<PlaceCandidate>& cands) {
  return PlaceIndex(cands).best_match(name);
}

std::vector<std::pair<size_t, size_t>> pair_levels(const Election& a, const Election& b,
                                                   const std::vector<std::pair<std::string, std::string>>& level_map) {
  const Geography& ga = a.geography();
  const Geography& gb = b.geography();
  std::vector<std::pair<size_t, size_t>> out;
  if (!level_map.empty()) {
    for (const auto& [na, nb] : level_map) {
      int la = ga.find_level(na), lb = gb.find_level(nb);
      if (la < 0) throw UsageError(fmt::format("'{}' is not a geography level of {}", na, a.source()));
      if (lb < 0) throw UsageError(fmt::format("'{}' is not a geography level of {}", nb, b.source()));
      out.push_back({static_cast<size_t>(la), static_cast<size_t>(lb)});
    }
  } else {
    size_t next_b = 0;
    for (size_t la = 0; la < ga.levels(); ++la) {
      std::string ka = level_key(ga.level_name(la));
      for (size_t lb = next_b; lb < gb.levels(); ++lb) {
        if (level_key(gb.level_name(lb)) == ka) {
          out.push_back({la, lb});
          next_b = lb + 1;
          break;
        }
      }
    }
  }
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].first <= out[i - 1].first || out[i].second <= out[i - 1].second)
      throw UsageError("geography levels must be paired from coarse to fine in both elections");
  return out;
}

PlaceMatch match_places(const Election& a, const Election& b, const std::string& join_level,
                        const std::vector<std::pair<std::string, std::string>>& level_map) {
  PlaceMatch m;
  auto pairs = pair_levels(a, b, level_map);
  if (pairs.empty())
    throw UsageError(fmt::format("no geography level of {} pairs with one of {} (name them: A=B,...)", a.source(),
                                 b.source()));
  size_t last = pairs.size() - 1;
  if (!join_level.empty()) {
    int la = a.geography().find_level(join_level);
    if (la < 0) throw UsageError(fmt::format("'{}' is not a geography level of {}", join_level, a.source()));
    bool found = false;
    for (size_t i = 0; i < pairs.size(); ++i)
      if (pairs[i].first == static_cast<size_t>(la)) {
        last = i;
        found = true;
      }
    if (!found)
      throw UsageError(fmt::format("level '{}' has no counterpart in {}", join_level, b.source()));
  }
  pairs.resize(last + 1);
  m.levels = pairs;
  m.join_level_a = pairs.back().first;
  m.join_level_b = pairs.back().second;
  const Geography& ga = a.geography();
  const Geography& gb = b.geography();
  // b's nodes at each paired level, grouped by their parent at the previous paired level. Nodes
  // with the same normalised name under the same parent ("POTOSI" and "POTOSÍ") are one place:
  // each maps to a canonical node, the first of them.
  std::vector<std::map<int64_t, std::vector<PlaceCandidate>>> children(pairs.size());
  std::vector<std::map<int64_t, PlaceIndex>> indexed(pairs.size());
  std::vector<std::vector<int64_t>> canonical(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    size_t lb = pairs[i].second;
    canonical[i].assign(gb.node_count(lb), -1);
    std::map<std::pair<int64_t, std::string>, int64_t> seen;
    for (uint32_t node = 0; node < gb.node_count(lb); ++node) {
      int64_t parent = -1;
      if (i > 0) {  // walk up through unpaired levels
        uint32_t up = node;
        for (size_t l = lb; l > pairs[i - 1].second; --l) up = gb.parent(l, up);
        parent = canonical[i - 1][up];
      }
      std::string name = normalise_name(gb.node_name(lb, node));
      auto [it, fresh] = seen.emplace(std::make_pair(parent, name), node);
      canonical[i][node] = it->second;
      if (fresh) children[i][parent].push_back({name, node});
    }
  }
  m.b_canonical = canonical.back();
  for (size_t i = 0; i < pairs.size(); ++i)
    for (const auto& [parent, cands] : children[i]) indexed[i].emplace(parent, PlaceIndex(cands));
  // Memoise per node of a at each paired level.
  std::vector<std::unordered_map<uint32_t, int64_t>> memo(pairs.size());
  m.b_node.assign(a.sheets(), -1);
  std::vector<int8_t> place_seen(ga.node_count(m.join_level_a), 0);
  for (size_t s = 0; s < a.sheets(); ++s) {
    int64_t parent = -1;
    for (size_t i = 0; i < pairs.size() && (i == 0 || parent >= 0); ++i) {
      uint32_t node_a = ga.node_of(pairs[i].first, s);
      auto it = memo[i].find(node_a);
      if (it == memo[i].end()) {
        int64_t found = -1;
        auto c = indexed[i].find(parent);
        if (c != indexed[i].end()) {
          auto [node, tier] = c->second.best_match(normalise_name(ga.node_name(pairs[i].first, node_a)));
          found = node;
          if (tier > 0 && node >= 0 && i + 1 == pairs.size()) ++m.fuzzy_places;
        }
        it = memo[i].emplace(node_a, found).first;
      }
      parent = it->second;
    }
    m.b_node[s] = parent;
    if (parent >= 0) ++m.sheets_matched;
    uint32_t place = ga.node_of(m.join_level_a, s);
    if (!place_seen[place]) {
      place_seen[place] = 1;
      ++m.places_a;
      if (parent >= 0) ++m.places_matched;
    }
  }
  return m;
}

}  // namespace tallyscope
