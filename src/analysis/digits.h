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
// Because the null redraws each unit from its own size, whatever bias small counts still carry is
// in the null too; the thresholds only keep uninformative units out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tallyscope {

inline constexpr int64_t kMinCountSecondDigit = 10;
inline constexpr int64_t kMinCountLastDigit = 10;
inline constexpr int64_t kMinDenomPercentDigit = 100;

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
