#include "analysis/forensics/within_place.h"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include "analysis/forensics/complete.h"
#include "stats/random.h"

namespace tallyscope {
namespace {

constexpr uint64_t kWithinPlaceStreams = uint64_t{3} << 40;  // forensics.cc and distribution.cc use below 2^41

double wp_nan() { return std::nan(""); }

// The sheets of each place with two or more qualifying sheets.
using Members = std::vector<std::vector<uint32_t>>;

// One target's per-sheet count and denominator (qualifying sheets only; others are ignored).
struct Series {
  std::string name;
  bool turnout = false;
  std::vector<int64_t> count, denom;
};

ForensicTest wp_test(const char* id, const std::string& target, const std::string& level, const char* alternative) {
  ForensicTest x;
  x.id = id;
  x.target = target;
  x.level = "within-place:" + level;
  x.alternative = alternative;
  return x;
}

// Tarone's / Haldane's dispersion phi = sum X^2 / sum df against the binomial within-place null.
ForensicTest dispersion(const Series& s, const Members& places, const std::string& level) {
  ForensicTest x = wp_test("within_place_dispersion", s.name, level, "greater");
  double chi2 = 0, df = 0;
  size_t used = 0;
  for (const auto& m : places) {
    int64_t c = 0, n = 0;
    for (uint32_t i : m) c += s.count[i], n += s.denom[i];
    const double p = static_cast<double>(c) / static_cast<double>(n);
    if (!(p > 0 && p < 1)) continue;
    for (uint32_t i : m) {
      const double nd = static_cast<double>(s.denom[i]), e = nd * p;
      chi2 += (static_cast<double>(s.count[i]) - e) * (static_cast<double>(s.count[i]) - e) / (e * (1 - p));
    }
    df += static_cast<double>(m.size() - 1);
    used += m.size();
  }
  x.units = used;
  if (df <= 0) {
    x.why_not = "no place with a rate strictly between 0 and 1";
    return x;
  }
  x.statistic = chi2 / df;
  x.null_mean = 1;
  x.null_sd = std::sqrt(2 / df);
  x.role = "descriptive";
  x.why_not = "descriptive only: clean counts are overdispersed against the binomial within-place null (tables are "
              "not perfectly random partitions of the place's electorate: phi 1.4 to 4.2 within Bolivian recintos, "
              "far more within regions), so it is shown beside the binomial mean 1 and sd sqrt(2 / df), not tested";
  return x;
}

// Place-centred values of v, by sheet.
std::vector<double> centred(const std::vector<double>& v, const Members& places) {
  std::vector<double> out(v.size(), 0);
  for (const auto& m : places) {
    double mean = 0;
    for (uint32_t i : m) mean += v[i];
    mean /= static_cast<double>(m.size());
    for (uint32_t i : m) out[i] = v[i] - mean;
  }
  return out;
}

double wp_correlation(const std::vector<double>& x, const std::vector<double>& y, const Members& places) {
  double sxy = 0, sxx = 0, syy = 0;
  for (const auto& m : places)
    for (uint32_t i : m) sxy += x[i] * y[i], sxx += x[i] * x[i], syy += y[i] * y[i];
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : wp_nan();
}

// Within-place correlation of turnout and share, against shares permuted within places.
ForensicTest association(const std::vector<double>& turnout, const std::vector<double>& share, const Series& s,
                         const Members& places, const std::string& level, size_t R, stats::Rng rng) {
  ForensicTest x = wp_test("within_place_association", s.name, level, "two-sided");
  const std::vector<double> t = centred(turnout, places);
  std::vector<double> sh = centred(share, places);
  size_t used = 0;
  for (const auto& m : places) used += m.size();
  x.units = used;
  x.statistic = wp_correlation(t, sh, places);
  if (std::isnan(x.statistic)) {
    x.why_not = "turnout or share does not vary within places: statistic undefined";
    return x;
  }
  double sum = 0, sum2 = 0;
  for (size_t r = 0; r < R; ++r) {
    for (const auto& m : places)  // Fisher-Yates within the place (centring is kept: a permutation)
      for (size_t k = m.size() - 1; k > 0; --k) std::swap(sh[m[k]], sh[m[rng.below(k + 1)]]);
    const double c = wp_correlation(t, sh, places);
    sum += c, sum2 += c * c;
  }
  const double md = static_cast<double>(R);
  x.null_mean = sum / md;
  x.null_sd = R > 1 ? std::sqrt(std::max(0.0, (sum2 - sum * sum / md) / (md - 1))) : 0;
  x.replicates = static_cast<int>(R);
  x.role = "descriptive";
  x.why_not = "descriptive only: clean counts show small real within-place associations (sheets of older or younger "
              "voters), which shares permuted within places reject with tens of thousands of sheets; shown beside "
              "that null's mean and sd, not tested (the tail-symmetry test is the stuffing test)";
  return x;
}

// The median of v over the place's sheets other than `self`.
double median_of_others(const std::vector<double>& v, const std::vector<uint32_t>& m, uint32_t self,
                        std::vector<double>& buf) {
  buf.clear();
  for (uint32_t j : m)
    if (j != self) buf.push_back(v[j]);
  const size_t h = buf.size() / 2;
  std::nth_element(buf.begin(), buf.begin() + static_cast<long>(h), buf.end());
  if (buf.size() % 2) return buf[h];
  const double hi = buf[h];
  return (*std::max_element(buf.begin(), buf.begin() + static_cast<long>(h)) + hi) / 2;
}

// The tail-symmetry sign test (within_place.h): a / n_u - b / n_l against the pooled normal test.
ForensicTest tail_symmetry(const Series& reg_ballots, const std::vector<double>& turnout,
                           const std::vector<double>& share, const Series& s, const Members& places,
                           const std::string& level, size_t min_tail, std::vector<TailSheet>& tail) {
  ForensicTest x = wp_test("within_place_tail_symmetry", s.name, level, "greater");
  size_t nu = 0, nl = 0, a = 0, b = 0, used = 0;
  std::vector<double> buf;
  for (const auto& m : places) {
    // Three other sheets at least, so that one manipulated sheet cannot move its neighbours' median.
    if (m.size() < kTailMinSheets) continue;
    int64_t c = 0, n = 0;
    double inv = 0;
    int64_t sc = 0, sn = 0;
    double sinv = 0;
    for (uint32_t i : m) c += reg_ballots.count[i], n += reg_ballots.denom[i], inv += 1 / static_cast<double>(reg_ballots.denom[i]);
    for (uint32_t i : m) sc += s.count[i], sn += s.denom[i], sinv += 1 / static_cast<double>(s.denom[i]);
    const double p = static_cast<double>(c) / static_cast<double>(n), k1 = static_cast<double>(m.size() - 1);
    const double q = static_cast<double>(sc) / static_cast<double>(sn);
    if (!(p > 0 && p < 1)) continue;
    used += m.size();
    for (uint32_t i : m) {
      const double ni = static_cast<double>(reg_ballots.denom[i]);
      const double d = turnout[i] - median_of_others(turnout, m, i, buf);
      const double e = share[i] - median_of_others(share, m, i, buf);
      // Binomial sd of the sheet's turnout less its neighbours' median (the median's variance
      // taken as pi/2 times the mean's): it only sets the tails, which the null treats alike.
      const double sd = std::sqrt(p * (1 - p) * (1 / ni + 1.5708 * (inv - 1 / ni) / (k1 * k1)));
      const double z = d / sd;
      if (z > kTailZ) {
        ++nu, a += e > 0;
        // Listed (not counted differently) when the share stands out too, by the same binomial rule.
        const double bi = static_cast<double>(s.denom[i]);
        const double ssd = std::sqrt(q * (1 - q) * (1 / bi + 1.5708 * (sinv - 1 / bi) / (k1 * k1)));
        if (e > 0 && ssd > 0 && e / ssd > kTailZ) tail.push_back({i, z, e / ssd, 100 * d, 100 * e});
      } else if (z < -kTailZ) {
        ++nl, b += e < 0;
      }
    }
  }
  x.units = used;
  x.replicates = 0;
  if (nu < min_tail || nl < min_tail) {
    x.why_not = fmt::format("too few sheets in the turnout tails ({} above, {} below {} sd; {} needed in each)", nu, nl,
                            kTailZ, min_tail);
    return x;
  }
  const double fu = static_cast<double>(a) / static_cast<double>(nu), fl = static_cast<double>(b) / static_cast<double>(nl);
  const double pool = static_cast<double>(a + b) / static_cast<double>(nu + nl);
  x.statistic = fu - fl;
  x.null_mean = 0;
  x.null_sd = std::sqrt(pool * (1 - pool) * (1 / static_cast<double>(nu) + 1 / static_cast<double>(nl)));
  if (!(x.null_sd > 0)) {
    x.why_not = "every tail sheet has the same sign: null undefined";
    return x;
  }
  x.run = true;
  boost::math::normal_distribution<> nd;
  x.p_value = boost::math::cdf(boost::math::complement(nd, x.statistic / x.null_sd));
  x.p_empirical = wp_nan();
  x.excluded["outside the turnout tails (|z| <= 2)"] = used - nu - nl;
  return x;
}

// The qualifying sheets' places at `level`, those with two or more sheets.
Members place_members(const Election& e, size_t level, const std::vector<uint8_t>& ok) {
  std::vector<std::vector<uint32_t>> by(e.geography().node_count(level));
  for (size_t i = 0; i < e.sheets(); ++i)
    if (ok[i]) by[e.geography().node_of(level, i)].push_back(static_cast<uint32_t>(i));
  Members out;
  for (auto& m : by)
    if (m.size() >= 2) out.push_back(std::move(m));
  return out;
}

std::vector<uint8_t> qualifying(const Election& e) {
  const size_t N = e.sheets();
  const CountColumn& reg = *e.registered();
  // As the battery's (complete.h): every count present, or an empty choice cell shown to be 0.
  std::vector<uint8_t> ok = complete_sheets(e).complete;
  for (size_t i = 0; i < N; ++i) ok[i] &= reg[i] > 0 && e.ballots()[i] > 0 && e.ballots()[i] <= reg[i] && !e.postal(i);
  return ok;
}

}  // namespace

int within_place_level(const Election& e) {
  const Geography& g = e.geography();
  for (size_t l = g.levels(); l-- > 0;) {
    std::vector<uint32_t> n(g.node_count(l), 0);
    for (size_t i = 0; i < e.sheets(); ++i) ++n[g.node_of(l, i)];
    const size_t two = static_cast<size_t>(std::count_if(n.begin(), n.end(), [](uint32_t v) { return v >= 2; }));
    if (!n.empty() && 2 * two >= n.size()) return static_cast<int>(l);
  }
  return -1;
}

WithinPlaceResult within_place_tests(const Election& e, const std::vector<int>& choices,
                                     const WithinPlaceOptions& opt) {
  WithinPlaceResult r;
  if (!e.registered()) return r.why_not = "no registered-voters column", r;
  const int level = within_place_level(e);
  if (level < 0) return r.why_not = "no geography level has two or more sheets in most of its units", r;
  const size_t L = static_cast<size_t>(level);
  r.level = e.geography().level_name(L);
  const std::vector<uint8_t> ok = qualifying(e);
  const Members places = place_members(e, L, ok);
  std::vector<size_t> sizes;
  for (const auto& m : places) sizes.push_back(m.size()), r.sheets += m.size();
  r.units = places.size();
  if (places.size() < opt.min_places)
    return r.why_not = fmt::format("too few places with two or more sheets at {} ({}, {} needed)", r.level,
                                   places.size(), opt.min_places), r;
  std::nth_element(sizes.begin(), sizes.begin() + static_cast<long>(sizes.size() / 2), sizes.end());
  r.median_sheets = static_cast<double>(sizes[sizes.size() / 2]);
  r.places = r.median_sheets <= static_cast<double>(kPlaceLikeSheets);
  r.note = r.places
               ? fmt::format("within places: each sheet against the other sheets of its {} ({} places with two or "
                             "more sheets, median {:.0f})", r.level, r.units, r.median_sheets)
               : fmt::format("no geography level groups a few sheets of one polling place: the tests run within the "
                             "finest region with two or more sheets, {} ({} units, median {:.0f} sheets), whose sheets "
                             "are not partitions of one electorate",
                             r.level, r.units, r.median_sheets);
  r.run = true;
  const size_t N = e.sheets();
  Series turnout{"turnout", true, std::vector<int64_t>(N, 0), std::vector<int64_t>(N, 1)};
  std::vector<double> t(N, 0);
  for (size_t i = 0; i < N; ++i)
    if (ok[i]) {
      turnout.count[i] = e.ballots()[i], turnout.denom[i] = (*e.registered())[i];
      t[i] = static_cast<double>(turnout.count[i]) / static_cast<double>(turnout.denom[i]);
    }
  r.tests.push_back(dispersion(turnout, places, r.level));
  const size_t R = static_cast<size_t>(std::max(1, std::min(opt.replicates, opt.max_replicates)));
  for (size_t c = 0; c < choices.size(); ++c) {
    const CountColumn& col = e.choices()[static_cast<size_t>(choices[c])];
    Series s{col.name, false, std::vector<int64_t>(N, 0), std::vector<int64_t>(N, 1)};
    std::vector<double> share(N, 0);
    for (size_t i = 0; i < N; ++i)
      if (ok[i]) {
        s.count[i] = col[i], s.denom[i] = e.ballots()[i];
        share[i] = static_cast<double>(s.count[i]) / static_cast<double>(s.denom[i]);
      }
    r.tests.push_back(dispersion(s, places, r.level));
    r.tests.push_back(association(t, share, s, places, r.level, R, stats::Rng(opt.seed, kWithinPlaceStreams + c)));
    if (c == 0) r.tests.push_back(tail_symmetry(turnout, t, share, s, places, r.level, opt.min_tail, r.tail_sheets));
  }
  std::sort(r.tail_sheets.begin(), r.tail_sheets.end(),
            [](const TailSheet& a, const TailSheet& b) { return a.sheet < b.sheet; });
  for (auto& x : r.tests) {
    if (!r.places) x.level = "within-region:" + r.level;
    if (!r.places && x.run) {  // a region's sheets are not exchangeable partitions of one electorate
      x.run = false;
      x.role = "descriptive";
      x.why_not = "descriptive only: run within regions, not polling places (no level groups a few sheets of one "
                  "place), where sheets are not partitions of one electorate, so the symmetry the test relies on "
                  "has no ground; statistic and its closed-form null sd reported, not tested";
    }
    if (!x.run) x.p_value = x.q_value = x.p_empirical = wp_nan();
  }
  return r;
}

}  // namespace tallyscope
