#include "model/guess.h"

#include <algorithm>
#include <functional>
#include <optional>

#include <fmt/format.h>

#include "io/error.h"
#include "io/number.h"
#include "model/words.h"

namespace tallyscope {
namespace {

constexpr size_t kGuessMaxCandidates = 6;

uint64_t guess_hash(std::string_view v) { return std::hash<std::string_view>{}(v); }

enum class GuessKind { kEmpty, kCount, kDecimal, kText };

GuessKind guess_kind(const ColumnProfile& p) {
  size_t n = p.non_empty();
  if (n == 0) return GuessKind::kEmpty;
  // A mostly-numeric column is a count column even with bad cells: the reader reports each of
  // them with its line and column (or keeps it as a `--lenient` finding); it never becomes text.
  if (2 * p.counts >= n && 10 * p.decimals <= n) return GuessKind::kCount;
  if (2 * (p.counts + p.decimals) >= n) return GuessKind::kDecimal;
  return GuessKind::kText;
}

// Whether a whole-number column's values look like a code rather than votes.
std::optional<std::string> guess_code_by_values(const ColumnProfile& p, size_t rows) {
  if (p.counts == 0) return std::nullopt;
  if (rows >= 10 && p.min >= 100000)
    return fmt::format("its values are all at least {} (a code, not votes on one sheet)", p.min);
  // A file sorted by a choice's votes must keep that choice: monotone alone is not enough.
  size_t seen = std::min(rows, LayoutProfiler::kDistinctRows);
  if (rows >= 100 && p.non_decreasing && p.empty == 0 && 10 * p.distinct >= 9 * seen)
    return std::string("its values increase down the file, nearly all distinct (a serial number)");
  if (rows >= 200 && 20 * p.distinct >= 19 * seen)
    return fmt::format("{} distinct values in {} rows (an identifier)", p.distinct, seen);
  return std::nullopt;
}

bool guess_header_is_data(const std::vector<std::string>& header) {
  size_t numeric = 0;
  for (const auto& h : header)
    if (parse_double(h)) ++numeric;
  return numeric > 0 && 2 * numeric >= header.size();
}

struct GuessColumns {
  const std::vector<std::string>& header;
  std::vector<ColumnProfile> prof;
  std::vector<GuessKind> kind;
  std::vector<WordRole> word;
  std::vector<std::optional<std::string>> code;  // why a column is a code
  std::vector<bool> used;
};

void guess_pick_id(GuessColumns& g, const LayoutProfiler& profile, ElectionSpec& s) {
  const size_t rows = profile.rows();
  const auto& cand = profile.id_candidates();
  for (size_t c : cand) {
    if (g.word[c] == WordRole::kCode && g.prof[c].distinct == rows && g.prof[c].empty == 0) {
      s.id = {g.header[c]};
      g.used[c] = true;
      s.notes.push_back(fmt::format("id = '{}' (named as a code, and distinct on every row)", g.header[c]));
      return;
    }
  }
  // Two columns together, the finest first: a polling place and its sheet number (CENTRO, MESA).
  for (size_t j = cand.size(); j-- > 0;) {
    for (size_t i = j; i-- > 0;) {
      if (g.word[cand[i]] != WordRole::kCode || g.word[cand[j]] != WordRole::kCode) continue;
      if (!profile.distinct_pair(cand[i], cand[j])) continue;
      s.id = {g.header[cand[i]], g.header[cand[j]]};
      g.used[cand[i]] = g.used[cand[j]] = true;
      s.notes.push_back(fmt::format("id = '{}' + '{}' (codes; together distinct on every row); '{}' is also the "
                                    "finest geography level (the polling place)",
                                    g.header[cand[i]], g.header[cand[j]], g.header[cand[i]]));
      return;
    }
  }
  size_t c = 0;
  for (size_t k : cand)
    if (g.word[k] == WordRole::kCode) {
      c = k;
      break;
    }
  s.id = {g.header[c]};
  g.used[c] = true;
  s.notes.push_back(fmt::format("id = '{}' (no column or pair of code columns is distinct on every row: its "
                                "repeated values are reported by `check`; set `id` in a spec)",
                                g.header[c]));
}

void guess_roles(GuessColumns& g, ElectionSpec& s) {
  const size_t n = g.header.size();
  for (size_t c = 0; c < n; ++c) {
    if (g.used[c]) continue;
    std::optional<std::string>* role = nullptr;
    switch (g.word[c]) {
      case WordRole::kRegistered: role = &s.registered; break;
      case WordRole::kBallots: role = &s.ballots; break;
      case WordRole::kValid: role = &s.valid; break;
      case WordRole::kBlank: role = &s.blank; break;
      case WordRole::kInvalid: role = &s.invalid; break;
      case WordRole::kLatitude: role = &s.latitude; break;
      case WordRole::kLongitude: role = &s.longitude; break;
      case WordRole::kTimestamp: role = &s.timestamp; break;
      default: continue;
    }
    bool numeric = g.word[c] == WordRole::kLatitude || g.word[c] == WordRole::kLongitude
                       ? g.kind[c] == GuessKind::kDecimal || g.kind[c] == GuessKind::kCount
                       : g.kind[c] == GuessKind::kCount || g.kind[c] == GuessKind::kEmpty;
    if (g.word[c] == WordRole::kTimestamp) numeric = g.kind[c] == GuessKind::kText;
    g.used[c] = true;
    if (*role || !numeric) {
      s.notes.push_back(fmt::format("'{}' is left out: its name says {}, but {}", g.header[c], word_role_name(g.word[c]),
                                    *role ? fmt::format("'{}' already has that role", **role)
                                          : std::string("its values do not fit")));
      continue;
    }
    *role = g.header[c];
    s.notes.push_back(fmt::format("{} = '{}' (by its name)", word_role_name(g.word[c]), g.header[c]));
  }
  if (s.latitude.has_value() != s.longitude.has_value()) {
    s.notes.push_back("coordinates left out: only one of latitude and longitude was found");
    s.latitude.reset();
    s.longitude.reset();
  }
}

void guess_rest(GuessColumns& g, ElectionSpec& s, size_t rows) {
  const size_t n = g.header.size();
  std::vector<std::string> codes, choices;
  for (size_t c = 0; c < n; ++c) {
    if (g.used[c]) continue;
    if (g.word[c] == WordRole::kIgnore) {
      s.notes.push_back(fmt::format("'{}' is left out (a link or comment)", g.header[c]));
    } else if (g.kind[c] == GuessKind::kText && !g.code[c]) {
      s.geography.push_back(g.header[c]);
    } else if (g.code[c]) {
      codes.push_back(fmt::format("'{}' ({})", g.header[c], *g.code[c]));
    } else if (g.kind[c] == GuessKind::kCount) {
      s.choices.push_back({g.header[c], g.header[c]});
      choices.push_back(g.header[c]);
    } else if (g.kind[c] == GuessKind::kEmpty) {
      s.notes.push_back(fmt::format("'{}' is left out: it is empty on all {} rows", g.header[c], rows));
    } else {
      s.notes.push_back(fmt::format("'{}' is left out: it holds decimals, not counts", g.header[c]));
    }
  }
  if (s.id.size() == 2) s.geography.push_back(s.id[0]);
  if (!codes.empty()) s.notes.push_back(fmt::format("never choices, as codes: {}", fmt::join(codes, ", ")));
  if (!s.geography.empty())
    s.notes.push_back(fmt::format("geography (coarse to fine, in file order) = {}", fmt::join(s.geography, ", ")));
  if (!choices.empty())
    s.notes.push_back(fmt::format("choices = the other whole-number columns: {}", fmt::join(choices, ", ")));
}

}  // namespace

LayoutProfiler::LayoutProfiler(const std::vector<std::string>& header)
    : cols_(header.size()), seen_(header.size()), row_hash_(header.size()), candidate_(header.size(), false) {
  for (size_t c = 0; c < header.size(); ++c)
    if ((c == 0 || role_by_words(header[c]) == WordRole::kCode) && candidates_.size() < kGuessMaxCandidates) {
      candidates_.push_back(c);
      candidate_[c] = true;
    }
  for (size_t j = 0; j < candidates_.size(); ++j)
    for (size_t i = 0; i < j; ++i) pairs_.emplace_back(candidates_[i], candidates_[j]);
  pair_seen_.resize(pairs_.size());
}

void LayoutProfiler::add(uint64_t line, const std::vector<std::string>& row) {
  std::vector<std::string_view> v(row.begin(), row.end());
  add(line, v);
}

void LayoutProfiler::add(uint64_t line, const std::vector<std::string_view>& row) {
  const size_t n = std::min(row.size(), cols_.size());
  for (size_t c = 0; c < n; ++c) {
    ColumnProfile& p = cols_[c];
    std::string_view v = trim(row[c]);
    int64_t x = 0;
    CountParse r = parse_count(v, x);
    if (r == CountParse::kEmpty) {
      ++p.empty;
    } else if (r == CountParse::kOk) {
      ++p.counts;
      if (p.max != INT64_MIN && x < p.max) p.non_decreasing = false;
      p.min = std::min(p.min, x);
      p.max = std::max(p.max, x);
    } else if (parse_double(v)) {
      ++p.decimals;
    } else {
      ++p.texts;
      if (!p.first_text_line) p.first_text_line = line;
    }
    row_hash_[c] = guess_hash(v);
    if (candidate_[c] || rows_ < kDistinctRows) seen_[c].insert(row_hash_[c]);
  }
  for (size_t c = n; c < cols_.size(); ++c) row_hash_[c] = 0;
  for (size_t k = 0; k < pairs_.size(); ++k)
    pair_seen_[k].insert(row_hash_[pairs_[k].first] * 0x9E3779B97F4A7C15ULL ^ row_hash_[pairs_[k].second]);
  ++rows_;
}

std::vector<ColumnProfile> LayoutProfiler::columns() const {
  std::vector<ColumnProfile> out = cols_;
  for (size_t c = 0; c < out.size(); ++c) out[c].distinct = seen_[c].size();
  return out;
}

bool LayoutProfiler::distinct_pair(size_t a, size_t b) const {
  for (size_t k = 0; k < pairs_.size(); ++k)
    if (pairs_[k] == std::pair{a, b}) return pair_seen_[k].size() == rows_;
  return false;
}

ElectionSpec guess_layout(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                          const std::string& file) {
  LayoutProfiler p(header);
  for (size_t r = 0; r < rows.size(); ++r) p.add(r + 2, rows[r]);
  return guess_layout(header, p, file);
}

ElectionSpec guess_layout(const std::vector<std::string>& header, const LayoutProfiler& profile, const std::string& file) {
  if (header.empty()) throw InputError({file, 1}, "the file has no header row");
  if (profile.rows() == 0) throw InputError({file, 1}, "the file has a header but no rows");
  if (guess_header_is_data(header))
    throw InputError({file, 1}, fmt::format("the first row looks like data ('{}'), not a header: tallyscope needs a "
                                            "header row naming the columns (add one, then pass a spec if needed)",
                                            fmt::join(header.begin(), header.begin() + std::min<size_t>(4, header.size()), ",")));
  const size_t n = header.size();
  GuessColumns g{header, profile.columns(), {}, {}, {}, std::vector<bool>(n, false)};
  for (size_t c = 0; c < n; ++c) {
    g.kind.push_back(guess_kind(g.prof[c]));
    g.word.push_back(role_by_words(header[c]));
    if (g.word[c] == WordRole::kCode) g.code.push_back(std::string("its name marks a code or id"));
    else if (g.word[c] == WordRole::kNone && g.kind[c] == GuessKind::kCount) g.code.push_back(guess_code_by_values(g.prof[c], profile.rows()));
    else g.code.emplace_back();
  }
  ElectionSpec s;
  s.layout = "guess";
  s.title = file;
  guess_pick_id(g, profile, s);
  guess_roles(g, s);
  guess_rest(g, s, profile.rows());
  if (s.choices.empty())
    throw InputError({file, 1}, "cannot guess the layout: no column holds whole-number counts for the choices (codes, "
                                "ids and protocol totals never count as choices); write a spec (see `tallyscope "
                                "inspect`) and pass it with --spec");
  if (!s.registered) s.notes.push_back("no registered-voters column found: turnout cannot be computed");
  s.rule.kind = ContestRule::Kind::kPlurality;
  s.notes.push_back("rule = plurality (the rule cannot be guessed; set [rule] in a spec)");
  return s;
}

void check_guess(const GuessedColumns& cols, ElectionSpec& spec, const std::string& file) {
  const auto& choices = *cols.choices;
  const size_t sheets = choices.empty() ? 0 : choices[0].values.size();
  if (sheets == 0) return;
  std::vector<int64_t> sum(sheets, 0);
  for (const auto& c : choices)
    for (size_t i = 0; i < sheets; ++i) sum[i] += c.or_zero(i);
  auto total = [&](const CountColumn& c) {
    int64_t t = 0;
    for (size_t i = 0; i < sheets; ++i) t += c.or_zero(i);
    return t;
  };
  int64_t all = 0;
  for (int64_t v : sum) all += v;
  auto how_to = [&] {
    std::vector<std::string> names;
    for (const auto& c : choices) names.push_back("\"" + c.header + "\"");
    return fmt::format("write a spec (`tallyscope inspect {} > spec.toml`) and keep in its `choices = [{}]` line only "
                       "the columns that hold votes, then pass --spec spec.toml",
                       file, fmt::join(names, ", "));
  };
  // A "choice" that equals a declared total on (almost) every sheet is that total, not a choice.
  for (const CountColumn* t : {cols.valid, cols.ballots, cols.registered}) {
    if (!t) continue;
    for (const auto& c : choices) {
      size_t same = 0;
      for (size_t i = 0; i < sheets; ++i) same += c.values[i] == t->values[i] && c.values[i] != kMissing;
      if (100 * same >= 99 * sheets)
        throw InputError({file, 1, c.column, c.header},
                         fmt::format("the guessed choice '{}' equals the declared total '{}' on {} of {} sheets: it "
                                     "is a total, not a choice; {}",
                                     c.header, t->header, same, sheets, how_to()));
    }
  }
  for (const CountColumn* t : {cols.valid, cols.ballots, cols.registered}) {
    if (!t) continue;
    int64_t tt = total(*t);
    if (tt > 0 && all > tt + tt / 10)
      throw InputError({file, 1, 0, t->header},
                       fmt::format("the guessed choices sum to {}, more than the declared '{}' ({}): some of them are "
                                   "not votes (codes or totals?); {}",
                                   all, t->header, tt, how_to()));
  }
  if (cols.valid) {
    size_t match = 0;
    for (size_t i = 0; i < sheets; ++i) match += sum[i] == cols.valid->values[i];
    spec.notes.push_back(fmt::format("self-check: the guessed choices add up to the declared '{}' on {} of {} "
                                     "sheets ({:.1f}%)",
                                     cols.valid->header, match, sheets, 100.0 * match / sheets));
  } else {
    spec.notes.push_back("self-check: no declared valid-vote total to check the guessed choices against");
  }
}

}  // namespace tallyscope
