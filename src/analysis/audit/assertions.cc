#include "analysis/audit/assertions.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace tallyscope::audit {

double Assertion::score(const std::vector<int64_t>& votes, int64_t other_ballots) const {
  double s = other * static_cast<double>(other_ballots);
  for (size_t k = 0; k < coef.size() && k < votes.size(); ++k) s += coef[k] * static_cast<double>(votes[k]);
  return s;
}

double Assertion::sheet_total(const std::vector<int64_t>& votes, int64_t other_ballots, int64_t cards) const {
  return (score(votes, other_ballots) + l * static_cast<double>(cards)) / (2 * l);
}

double AssertionSet::min_margin() const {
  double m = std::numeric_limits<double>::infinity();
  for (const auto& a : assertions) m = std::min(m, a.margin);
  return m;
}

namespace {

// One linear condition of the rule, as scores per category.
struct Linear {
  const ReportedTotals& t;
  double base_other;  // 1 when the rule's base counts blank and invalid ballots, else 0

  Assertion make(std::vector<double> coef, double other, std::string name, std::string why) const {
    Assertion a;
    a.name = std::move(name);
    a.why = std::move(why);
    double lo = std::min(0.0, other), hi = std::max(0.0, other);  // an empty slot scores 0
    for (double c : coef) lo = std::min(lo, c), hi = std::max(hi, c);
    a.coef = std::move(coef);
    a.other = other;
    a.l = lo < 0 ? -lo : 1;  // no negative score: the assertion cannot fail; any l > 0 will do
    a.u = (hi + a.l) / (2 * a.l);
    a.reported_score = a.score(t.votes, t.other);
    const double n = static_cast<double>(t.cards);
    a.reported_mean = (a.reported_score + a.l * n) / (2 * a.l * n);
    a.margin = a.reported_score / (a.l * n);
    return a;
  }
  // w - c > 0
  Assertion beats(size_t w, size_t c, std::string why) const {
    std::vector<double> g(t.votes.size(), 0.0);
    g[w] = 1, g[c] = -1;
    return make(g, 0, fmt::format("{} beats {}", t.choices[w], t.choices[c]), std::move(why));
  }
  // sign * (w - f * base) > 0: sign +1 "more than f", -1 "less than f"
  Assertion share(size_t w, double f, int sign, std::string why) const {
    std::vector<double> g(t.votes.size(), -f * sign);
    g[w] = (1 - f) * sign;
    return make(g, -f * base_other * sign,
                fmt::format("{} has {} {:g}%", t.choices[w], sign > 0 ? "more than" : "less than", f * 100),
                std::move(why));
  }
  // w - c - d * base > 0
  Assertion leads(size_t w, size_t c, double d, std::string name, std::string why) const {
    std::vector<double> g(t.votes.size(), -d);
    g[w] = 1 - d, g[c] = -1 - d;
    return make(g, -d * base_other, std::move(name), std::move(why));
  }
};

double min_margin_of(const std::vector<Assertion>& v) {
  double m = std::numeric_limits<double>::infinity();
  for (const auto& a : v) m = std::min(m, a.margin);
  return m;
}

void append(std::vector<Assertion>& to, std::vector<Assertion> from) {
  for (auto& a : from) to.push_back(std::move(a));
}

// Winner w outright under a majority or threshold rule: the easier of the rule's disjuncts.
void winner_assertions(const ContestRule& r, const Linear& L, size_t w, AssertionSet& out) {
  const auto& t = L.t;
  std::vector<Assertion> maj{L.share(w, r.majority, +1, "outright win: more than the majority share")};
  if (r.kind != ContestRule::Kind::kThreshold) {
    append(out.assertions, std::move(maj));
    return;
  }
  std::vector<Assertion> lead{L.share(w, r.min_share, +1, "outright win: at least the minimum share")};
  for (size_t c = 0; c < t.votes.size(); ++c)
    if (c != w)
      lead.push_back(L.leads(w, c, r.min_lead,
                             fmt::format("{} leads {} by at least {:g} points", t.choices[w], t.choices[c], r.min_lead * 100),
                             "outright win: the minimum lead over every other choice"));
  const double mm = min_margin_of(maj), ml = min_margin_of(lead);
  const bool use_lead = ml > mm;
  out.notes.push_back(fmt::format(
      "{} wins outright if more than {:g}% (smallest reported assorter margin {:.6g}) or at least {:g}% with a "
      "{:g}-point lead (smallest margin {:.6g}); either set alone implies the outcome, and the one the reported "
      "totals make easiest, chosen before sampling, is tested: {}",
      t.choices[w], r.majority * 100, mm, r.min_share * 100, r.min_lead * 100, ml,
      use_lead ? "the minimum share and lead" : "the majority"));
  append(out.assertions, use_lead ? std::move(lead) : std::move(maj));
}

// Reported runoff: nobody wins outright, and the runoff pair beats everyone else.
void runoff_assertions(const ContestRule& r, const Linear& L, size_t a, size_t b, AssertionSet& out) {
  const auto& t = L.t;
  const size_t n = t.votes.size();
  for (size_t c = 0; c < n; ++c) {
    out.assertions.push_back(L.share(c, r.majority, -1, "no outright win: not more than the majority share"));
    if (r.kind != ContestRule::Kind::kThreshold) continue;
    // Not (at least min_share and min_lead ahead of all): below min_share, or less than min_lead
    // ahead of the strongest other choice d (d - c + min_lead * base > 0).
    size_t d = c == 0 ? 1 : 0;
    for (size_t k = 0; k < n; ++k)
      if (k != c && t.votes[k] > t.votes[d]) d = k;
    Assertion below = L.share(c, r.min_share, -1, "no outright win: below the minimum share");
    if (n < 2) {
      out.assertions.push_back(std::move(below));
      continue;
    }
    Assertion close = L.leads(d, c, -r.min_lead,
                              fmt::format("{} is less than {:g} points ahead of {}", t.choices[c], r.min_lead * 100,
                                          t.choices[d]),
                              "no outright win: less than the minimum lead");
    const bool use_close = close.margin > below.margin;
    out.notes.push_back(fmt::format(
        "{}: 'no outright win' needs not more than {:g}% and either less than {:g}% (margin {:.6g}) or less than "
        "{:g} points ahead of {} (margin {:.6g}); the disjunct with the larger reported margin is tested: {}",
        t.choices[c], r.majority * 100, r.min_share * 100, below.margin, r.min_lead * 100, t.choices[d],
        close.margin, use_close ? "the lead" : "the share"));
    out.assertions.push_back(use_close ? std::move(close) : std::move(below));
  }
  for (size_t c = 0; c < n; ++c)
    if (c != a && c != b) {
      out.assertions.push_back(L.beats(a, c, "runoff: a runoff candidate beats each choice outside the runoff"));
      out.assertions.push_back(L.beats(b, c, "runoff: a runoff candidate beats each choice outside the runoff"));
    }
}

}  // namespace

AssertionSet make_assertions(const ContestRule& rule, const ReportedTotals& t) {
  AssertionSet out;
  const size_t n = t.votes.size();
  std::vector<ChoiceVotes> cv;
  int64_t valid = 0;
  for (size_t k = 0; k < n; ++k) cv.push_back({t.choices[k], t.votes[k]}), valid += t.votes[k];
  const bool on_ballots = rule.base == ContestRule::Base::kBallots;
  out.outcome = decide(rule, cv, on_ballots ? valid + t.other : valid);
  if (n == 0 || t.cards <= 0) return out;
  std::vector<size_t> order(n);
  for (size_t k = 0; k < n; ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return t.votes[x] > t.votes[y]; });
  if (n >= 2 && t.votes[order[0]] == t.votes[order[1]]) {
    out.notes.push_back("tie for the lead: no assertion can confirm it; a full hand count decides");
    return out;
  }
  Linear L{t, on_ballots ? 1.0 : 0.0};
  const size_t w = order[0];
  if (rule.kind == ContestRule::Kind::kPlurality) {
    for (size_t c = 0; c < n; ++c)
      if (c != w) out.assertions.push_back(L.beats(w, c, "plurality: the winner beats each other choice"));
  } else if (out.outcome.decided) {
    winner_assertions(rule, L, w, out);
  } else if (n >= 3 && t.votes[order[1]] == t.votes[order[2]]) {
    out.notes.push_back("tie for the second runoff place: no assertion can confirm it; a full hand count decides");
  } else {
    runoff_assertions(rule, L, w, n >= 2 ? order[1] : w, out);
  }
  return out;
}

}  // namespace tallyscope::audit
