// Digit tests on counts (Mebane's second-digit Benford test, last-digit tests, Beber & Scacco's
// pair tests) as plain statistics of a vector of counts; their nulls are simulated by the
// battery (forensics.h), which redraws each count binomially from its own denominator.
//
// Small counts cannot carry a digit test (a count under 10 has no second digit and its last digit
// is its whole value). The rule, following Mebane (2BL on counts of at least 10) and Beber &
// Scacco (2012, Political Analysis 20(2)) who drop counts under 10 for last digits:
//   second digit (2BL)        counts >= 10
//   last digit, 0/5, pairs    counts >= 10 (pairs: the last two digits of counts >= 10)
//   percentage ending 0 or 5  denominators >= 100 and 0 < count < denominator
// and, for every digit test, a binomial spread sqrt(n p (1 - p)) of at least 7 at the unit's
// observed share p. Why: the null redraws a unit around its observed count, so its counts are the
// observed ones smoothed once more by binomial noise. Where that noise is wide against the digit's
// period, both observed and null digits are near uniform and the comparison is fair; where it is
// narrow (small units at extreme shares), the extra smoothing alone moves the digit statistics
// (a normal of sd s has last-digit non-uniformity ~ 2 exp(-2 pi^2 s^2 / 100): 0.7% at s = 5, 6e-5
// at s = 7). Seen on Bolivia 2019's turnout (mesas of ~200 voters at ~88% turnout, sd ~ 4.5): without
// the rule, the second-digit test flags it at p < 1e-9 for this reason alone. Because the screen
// reads the observed count, the null of a screened unit is the binomial restricted to the counts
// the screen keeps (digit_null.h, `screened`): where many sheets share one size the screen's bound
// falls inside the bulk (Bolivia 2020: 220 voters, kept below 147 ballots), and an unrestricted null
// made the last-digit tests fire on clean twins.
// The second digit of a count of 100 or more cycles every 100 (1,000 for four-digit counts), far
// wider than any unit's binomial noise, so no spread rule makes that comparison fair: even with it,
// the three Bolivian targets' 2BL means sit 0.08-0.13 below their null (p ~ 0.001-0.006). The
// battery therefore reports the 2BL mean with its simulated null mean as a descriptive statistic
// and does not test or flag it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tallyscope {

inline constexpr int64_t kMinCountSecondDigit = 10;
inline constexpr int64_t kMinCountLastDigit = 10;
inline constexpr int64_t kMinDenomPercentDigit = 100;
inline constexpr double kMinDigitSpread = 7;  // binomial sd of the count

// Whether a unit with `count` of `denom` has the binomial spread the digit tests need.
inline bool digit_spread_ok(int64_t count, int64_t denom) {
  if (denom <= 0) return false;
  const double p = static_cast<double>(count) / static_cast<double>(denom);
  return static_cast<double>(denom) * p * (1 - p) >= kMinDigitSpread * kMinDigitSpread;
}

struct DigitStatistics {
  size_t n_second = 0, n_last = 0, n_percent = 0;  // units each statistic used
  double second_digit_mean = 0;  // Benford's 2BL expectation: 4.187
  double last_digit_mean = 0;    // uniform: 4.5
  double last_digit_chi2 = 0;    // Pearson chi-square of the 10 last digits against uniform
  double last_0_5 = 0;           // share of counts ending in 0 or 5 (uniform: 0.2)
  double percent_0_5 = 0;        // share of rounded whole percentages ending in 0 or 5
  double pairs_repeated = 0;     // share whose last two digits are equal (uniform: 0.1)
  double pairs_adjacent = 0;     // share whose last two digits differ by one (uniform: 0.18)
};

// Running sums from which the statistics follow; tallies of disjoint sets of units add up, so the
// battery scores every region and the whole count from one pass over the units.
struct DigitTally {
  size_t n_second = 0, n_last = 0, n_percent = 0;
  int64_t sum_second = 0, sum_last = 0;
  size_t last[10] = {};
  size_t repeated = 0, adjacent = 0, percent_0_5 = 0;

  void add(int64_t count, int64_t denom) {
    if (count >= kMinCountSecondDigit) {
      int64_t x = count;
      while (x >= 100) x /= 10;
      sum_second += x % 10;
      ++n_second;
    }
    if (count >= kMinCountLastDigit) {
      const int64_t d1 = count % 10, d2 = (count / 10) % 10;
      ++last[d1];
      sum_last += d1;
      ++n_last;
      repeated += d1 == d2;
      adjacent += (d1 - d2 == 1 || d2 - d1 == 1);
    }
    if (denom >= kMinDenomPercentDigit && count > 0 && count < denom) {
      const int64_t pct = (200 * count + denom) / (2 * denom);  // round half up of 100 v / n, exactly
      percent_0_5 += pct % 5 == 0;
      ++n_percent;
    }
  }
  void merge(const DigitTally& o);
  DigitStatistics statistics() const;
};

// count[i] of denom[i] (e.g. a choice's votes of the ballots); NaN statistics where no unit qualifies.
DigitStatistics digit_statistics(std::span<const int64_t> count, std::span<const int64_t> denom);

// Benford's law for the second significant digit: P(d) = sum_{k=1..9} log10(1 + 1/(10k + d)).
double benford_second_digit_probability(int d);
double benford_second_digit_mean();

}  // namespace tallyscope
