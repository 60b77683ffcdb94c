// The places of one parent, indexed for best_match (place_match.h): a query costs about its own
// length plus the candidates that share its rarest word, its initials or enough of its trigrams,
// instead of every rule against every candidate (600 unmatched 400-character names took 106 s, an
// edit distance for each pair). The answers are those of the rules applied to every candidate.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tallyscope {

struct PlaceCandidate {
  std::string name;  // normalised
  int64_t node;
};

class PlaceIndex {
 public:
  explicit PlaceIndex(const std::vector<PlaceCandidate>& candidates);
  // The candidate that `name` (normalised) stands for and the rule used (see place_match.cc's
  // best_match); node -1 when none or ambiguous.
  std::pair<int64_t, int> best_match(const std::string& name) const;

 private:
  struct Entry {
    int64_t node;
    std::vector<std::string> words;  // without parenthesised parts
    std::string plain;               // the words joined by one space
  };
  // Candidates whose numbers (the words holding a digit) are the same: every loose rule needs them
  // equal, so a query only ever looks into the bucket of its own numbers.
  struct Bucket {
    std::vector<Entry> entries;
    std::unordered_map<std::string, std::vector<uint32_t>> by_plain, by_word, by_key_word, by_initials;
    std::unordered_map<uint32_t, std::vector<std::pair<uint32_t, uint32_t>>> by_trigram;  // (entry, times)
    std::vector<uint32_t> short_plain;  // under three bytes: no trigram
  };
  std::pair<int64_t, int> contained(const Bucket& b, const std::vector<std::string>& words) const;
  std::pair<int64_t, int> abbreviated(const Bucket& b, const std::vector<std::string>& words) const;
  std::pair<int64_t, int> one_in_six(const Bucket& b, const std::string& plain) const;

  std::unordered_map<std::string, int64_t> exact_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace tallyscope
