#include "model/place_index.h"

#include <algorithm>
#include <sstream>

namespace tallyscope {
namespace {

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

bool has_digit(const std::string& w) {
  return std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The words that hold a digit ("1", "12", "n139"), joined: numbers tell schools apart, so a loose
// match must keep them all equal.
std::string numbers_key(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words)
    if (has_digit(w)) out += w + '\n';
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
    whole = whole || (s.size() == l.size() && (s.size() >= 3 || has_digit(s)));
  }
  return whole;
}

// Words aligned as prefixes share their first bytes: the word count and those bytes.
std::string initials_of(const std::vector<std::string>& words) {
  std::string out = std::to_string(words.size()) + ':';
  for (const auto& w : words) out.push_back(w[0]);
  return out;
}

uint32_t trigram_at(const std::string& s, size_t i) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[i])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[i + 1])) << 8 | static_cast<unsigned char>(s[i + 2]);
}

std::unordered_map<uint32_t, uint32_t> trigrams_of(const std::string& s) {
  std::unordered_map<uint32_t, uint32_t> out;
  for (size_t i = 0; i + 3 <= s.size(); ++i) ++out[trigram_at(s, i)];
  return out;
}

// The rule's verdict over the candidates that satisfy it: none, one, or ambiguous (-2).
// A candidate met twice (from both sides of a rule) counts once.
struct Verdict {
  int64_t found = -1;
  uint32_t entry = 0;
  bool add(uint32_t id, int64_t node) {  // false once ambiguous
    if (found >= 0 && entry != id) found = -2;
    else if (found == -1) found = node, entry = id;
    return found != -2;
  }
};

}  // namespace

PlaceIndex::PlaceIndex(const std::vector<PlaceCandidate>& candidates) {
  for (const auto& c : candidates) {
    exact_.emplace(c.name, c.node);
    Entry e{c.node, words_of(c.name), {}};
    e.plain = join_words(e.words);
    Bucket& b = buckets_[numbers_key(e.words)];
    const auto id = static_cast<uint32_t>(b.entries.size());
    b.by_plain[e.plain].push_back(id);
    std::vector<std::string> distinct = e.words;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (const auto& w : distinct) b.by_word[w].push_back(id);
    if (!e.words.empty()) b.by_initials[initials_of(e.words)].push_back(id);
    if (e.plain.size() < 3) b.short_plain.push_back(id);
    for (const auto& [t, times] : trigrams_of(e.plain)) b.by_trigram[t].push_back({id, times});
    b.entries.push_back(std::move(e));
  }
  // Each candidate is also filed under its rarest word: a candidate whose words all occur in a
  // query is then found from one of the query's words.
  for (auto& [key, b] : buckets_) {
    for (uint32_t id = 0; id < b.entries.size(); ++id) {
      const std::string* rarest = nullptr;
      for (const auto& w : b.entries[id].words)
        if (!rarest || b.by_word[w].size() < b.by_word[*rarest].size()) rarest = &w;
      if (rarest) b.by_key_word[*rarest].push_back(id);
    }
  }
}

// (2) the words of one contained in the other.
std::pair<int64_t, int> PlaceIndex::contained(const Bucket& b, const std::vector<std::string>& wa) const {
  Verdict v;
  if (wa.empty()) return {-1, 2};
  const std::vector<uint32_t>* rarest = nullptr;
  for (const auto& w : wa) {
    auto it = b.by_word.find(w);
    const std::vector<uint32_t>* p = it == b.by_word.end() ? nullptr : &it->second;
    if (!p) {
      rarest = nullptr;
      break;
    }
    if (!rarest || p->size() < rarest->size()) rarest = p;
  }
  if (rarest)  // every word of the query occurs in the candidate
    for (uint32_t id : *rarest)
      if (words_within(wa, b.entries[id].words) && !v.add(id, b.entries[id].node)) return {-2, 2};
  std::vector<std::string> distinct = wa;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  for (const auto& w : distinct) {  // every word of the candidate occurs in the query
    auto it = b.by_key_word.find(w);
    if (it == b.by_key_word.end()) continue;
    for (uint32_t id : it->second)
      if (words_within(b.entries[id].words, wa) && !v.add(id, b.entries[id].node)) return {-2, 2};
  }
  return {v.found, 2};
}

// (3) abbreviated words.
std::pair<int64_t, int> PlaceIndex::abbreviated(const Bucket& b, const std::vector<std::string>& wa) const {
  Verdict v;
  if (wa.empty()) return {-1, 3};
  auto it = b.by_initials.find(initials_of(wa));
  if (it != b.by_initials.end())
    for (uint32_t id : it->second)
      if (prefix_aligned(wa, b.entries[id].words) && !v.add(id, b.entries[id].node)) return {-2, 3};
  return {v.found, 3};
}

// (4) an edit distance of at most one in six bytes. An edit changes at most three of a string's
// trigrams, so a candidate within k edits shares at least max(length) - 2 - 3 k of them (Ukkonen
// 1992): only candidates of a near length that share that many are measured.
std::pair<int64_t, int> PlaceIndex::one_in_six(const Bucket& b, const std::string& plain) const {
  Verdict v;
  auto within = [&](uint32_t id) {
    const std::string& pb = b.entries[id].plain;
    return edit_distance(plain, pb) * 6 <= std::max(plain.size(), pb.size());
  };
  if (plain.size() < 3) {
    for (uint32_t id : b.short_plain)
      if (within(id) && !v.add(id, b.entries[id].node)) return {-2, 4};
    return {v.found, 4};
  }
  std::unordered_map<uint32_t, size_t> shared;
  for (const auto& [t, times] : trigrams_of(plain)) {
    auto it = b.by_trigram.find(t);
    if (it == b.by_trigram.end()) continue;
    for (const auto& [id, n] : it->second) shared[id] += std::min(times, n);
  }
  std::vector<uint32_t> near;
  for (const auto& [id, common] : shared) {
    const size_t la = plain.size(), lb = b.entries[id].plain.size(), longest = std::max(la, lb), k = longest / 6;
    if ((la > lb ? la - lb : lb - la) > k || common + 3 * k + 2 < longest) continue;
    near.push_back(id);
  }
  std::sort(near.begin(), near.end());  // the same order whatever the hash map's
  for (uint32_t id : near)
    if (within(id) && !v.add(id, b.entries[id].node)) return {-2, 4};
  return {v.found, 4};
}

std::pair<int64_t, int> PlaceIndex::best_match(const std::string& name) const {
  if (auto it = exact_.find(name); it != exact_.end()) return {it->second, 0};
  const auto wa = words_of(name);
  const std::string plain = join_words(wa);
  auto bucket = buckets_.find(numbers_key(wa));
  if (bucket == buckets_.end()) return {-1, 0};
  const Bucket& b = bucket->second;
  std::pair<int64_t, int> r{-1, 1};
  if (auto it = b.by_plain.find(plain); it != b.by_plain.end()) {
    Verdict v;
    for (uint32_t id : it->second)
      if (!v.add(id, b.entries[id].node)) break;
    r.first = v.found;
  }
  if (r.first == -1) r = contained(b, wa);
  if (r.first == -1) r = abbreviated(b, wa);
  if (r.first == -1) r = one_in_six(b, plain);
  if (r.first == -2) return {-1, r.second};
  if (r.first >= 0) return r;
  return {-1, 0};
}

}  // namespace tallyscope
