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


// Words of a normalised name, without parenthesised parts.
std::vector<std::string> words_of(const std::string& name) {
  std::string plain;
  int depth = 0;
  for (char c : name) {
    if (c == '(') ++depth;
    else if (c == ')') depth = std::max(0, depth - 1);
    else if (depth == 0) plain.push_back(c == ',' || c == '/' ? ' ' : c);
  }
  std::istringstream in(plain);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string join_words(const std::vector<std::string>& w) {
  std::string out;
  for (const auto& x : w) out += (out.empty() ? "" : " ") + x;
  return out;
}

// The words that hold a digit ("1", "12", "n139"): numbers tell schools apart, so a loose match
// must keep them all equal.
std::vector<std::string> numbers_of(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (const auto& w : words)
    if (std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) out.push_back(w);
  return out;
}

// Whether every word of `small` occurs in `big` (in any order).
bool words_within(const std::vector<std::string>& small, const std::vector<std::string>& big) {
  if (small.empty()) return false;
  for (const auto& w : small)
    if (std::find(big.begin(), big.end(), w) == big.end()) return false;
  return true;
}

// Abbreviations: the same number of words, each a prefix of its counterpart ("col bolivar" and
// "colegio bolivar", "esc j a zampa" and "escuela jose a zampa"), at least one word whole in both.
bool prefix_aligned(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size() || a.empty()) return false;
  bool whole = false;
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string& s = a[i].size() <= b[i].size() ? a[i] : b[i];
    const std::string& l = a[i].size() <= b[i].size() ? b[i] : a[i];
    if (l.compare(0, s.size(), s) != 0) return false;
    bool digit = std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    whole = whole || (s.size() == l.size() && (s.size() >= 3 || digit));
  }
  return whole;
}

}  // namespace

// The candidate that `name` (normalised) stands for, trying stricter rules first and accepting a
// looser rule's match only when exactly one candidate satisfies it: (0) equal names; (1) equal
// without parenthesised parts; (2) the words of one contained in the other (e.g. "santa ana" and
// "santa ana de yacuma", "guayaramerin" and "puerto guayaramerin"); (3) abbreviated words
// ("col bolivar" and "colegio bolivar"); (4) an edit distance of at most one in six characters
// ("esteban arce" and "esteban arze"). Returns (node or -1, tier).
std::pair<int64_t, int> best_match(const std::string& name, const std::vector<PlaceCandidate>& cands) {
  for (const auto& c : cands)
    if (c.name == name) return {c.node, 0};
  const auto wa = words_of(name);
  const std::string plain = join_words(wa);
  const auto numbers = numbers_of(wa);
  auto unique = [&](auto&& pred, int tier) -> std::pair<int64_t, int> {
    int64_t found = -1;
    for (const auto& c : cands) {
      if (numbers_of(words_of(c.name)) != numbers || !pred(c)) continue;
      if (found >= 0) return {-2, tier};  // ambiguous
      found = c.node;
    }
    return {found, tier};
  };
  for (int tier = 1; tier <= 4; ++tier) {
    std::pair<int64_t, int> r;
    if (tier == 1) r = unique([&](const PlaceCandidate& c) { return join_words(words_of(c.name)) == plain; }, 1);
    if (tier == 2)
      r = unique([&](const PlaceCandidate& c) {
        auto wb = words_of(c.name);
        return words_within(wa, wb) || words_within(wb, wa);
      }, 2);
    if (tier == 3)
      r = unique([&](const PlaceCandidate& c) { return prefix_aligned(wa, words_of(c.name)); }, 3);
    if (tier == 4)
      r = unique([&](const PlaceCandidate& c) {
        std::string pb = join_words(words_of(c.name));
        return edit_distance(plain, pb) * 6 <= std::max(plain.size(), pb.size());
      }, 4);
    if (r.first == -2) return {-1, tier};
    if (r.first >= 0) return r;
  }
  return {-1, 0};
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
  // b's nodes at each paired level, grouped by their parent at the previous paired level.
  // b's nodes at each paired level, grouped by their parent at the previous paired level. Nodes
  // with the same normalised name under the same parent ("POTOSI" and "POTOSÍ") are one place:
  // each maps to a canonical node, the first of them.
  std::vector<std::map<int64_t, std::vector<PlaceCandidate>>> children(pairs.size());
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
        auto c = children[i].find(parent);
        if (c != children[i].end()) {
          auto [node, tier] = best_match(normalise_name(ga.node_name(pairs[i].first, node_a)), c->second);
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
