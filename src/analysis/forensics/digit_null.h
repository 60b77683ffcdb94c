// The digit statistics' null for one unit, drawn directly. Under the battery's binomial null
// (forensics.h) a unit's count is Binomial(n, p); every digit statistic only needs a few classes
// of that count: its last digit together with how it relates to the digit before it (the last-digit
// and pair tests), its second significant digit (2BL), and whether its whole percentage ends in 0
// or 5. digit_classes() sums the binomial probabilities into those classes exactly (over
// n p +- 10 sd, where all but ~1e-23 of the mass lies; past 65,536 values, i.e. an sd over ~3,300,
// from the normal approximation instead), and DigitSampler draws the classes with
// alias tables: a few nanoseconds per unit and replicate instead of a binomial draw.
//
// Each statistic is drawn from its own exact marginal, with the units it counts drawn in the same
// class (so a statistic's numerator and denominator stay consistent); two different statistics of
// one unit are drawn independently of each other. That changes nothing a test uses: every test
// compares its own statistic with that statistic's own null distribution.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "analysis/forensics/digits.h"
#include "stats/alias.h"
#include "stats/sampling.h"

namespace tallyscope {

struct DigitClasses {
  // last_pair[3 d + r]: last digit d, and r = 0 if the digit before it equals d, 1 if it differs by
  // one, 2 otherwise; last_pair[30]: a count below kMinCountLastDigit (not scored).
  std::array<double, 31> last_pair{};
  // second[d]: second significant digit d; second[10]: a count below kMinCountSecondDigit.
  std::array<double, 11> second{};
  // percent[0]: whole percentage ending in 0 or 5; [1]: any other; [2]: not scored (denominator
  // below kMinDenomPercentDigit, or a count of 0 or of the whole denominator).
  std::array<double, 3> percent{};
};

// The classes' probabilities for Binomial(n, p); p outside (0, 1) is a point mass. Summed value by
// value up to stats::kMaxExactBinomialSupport values (binomial_pmf.h), else digit_classes_normal.
//
// `screened`: the law of the count given that it passed the digit tests' spread screen
// (digit_spread_ok, digits.h), i.e. only counts that pass contribute. The battery screens each unit
// by its observed count, so its null must be the binomial restricted to the counts the screen
// keeps: where a common sheet size puts the screen's bound inside the bulk (Bolivia 2020: mesas of
// 220 voters pass only below 146 ballots), the unrestricted binomial gives the digits of counts the
// data could never show, and the last-digit tests fired on clean twins in 60% of runs.
DigitClasses digit_classes(int64_t n, double p, bool screened = false);
// The same from the normal approximation, for counts whose sd is in the thousands (tens of millions
// of votes in one unit): the last two digits uniform (to within exp(-2 pi^2 sd^2 / 10^4)), the
// second digit's and the whole percentage's classes summed over the runs of values that share them
// (a handful), so the cost no longer grows with the square root of the count (400 units near
// 10^12 took 64 s).
DigitClasses digit_classes_normal(int64_t n, double p);

class DigitSampler {
 public:
  DigitSampler() = default;
  explicit DigitSampler(const DigitClasses& c)
      : last_pair_(stats::Alias<31>::build(c.last_pair)),
        second_(stats::Alias<11>::build(c.second)),
        percent_(stats::Alias<3>::build(c.percent)) {}

  // Adds one null draw of the unit to `t`, exactly as DigitTally::add would score a count.
  void draw(stats::Rng& rng, DigitTally& t) const {
    const size_t lp = last_pair_.draw(rng.next());
    if (lp < 30) {
      const size_t d = lp / 3, r = lp % 3;
      ++t.last[d];
      t.sum_last += static_cast<int64_t>(d);
      ++t.n_last;
      t.repeated += r == 0;
      t.adjacent += r == 1;
    }
    const size_t s = second_.draw(rng.next());
    if (s < 10) {
      t.sum_second += static_cast<int64_t>(s);
      ++t.n_second;
    }
    const size_t pc = percent_.draw(rng.next());
    if (pc < 2) {
      t.percent_0_5 += pc == 0;
      ++t.n_percent;
    }
  }

 private:
  stats::Alias<31> last_pair_;
  stats::Alias<11> second_;
  stats::Alias<3> percent_;
};

}  // namespace tallyscope
