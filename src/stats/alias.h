// Walker's alias method (Vose's construction) for a small discrete distribution, drawn with one
// 64-bit random number: the high 32 bits pick a column, the low 32 bits toss its coin.
//
// Hand-written rather than Boost.Random's discrete_distribution: that one stores doubles and
// consumes its engine's output in an implementation-defined way; we need a compact table (the
// battery keeps one per unit and digit statistic) and draws that are identical on every build.
// Precision: column choice is uniform up to K / 2^32 and each coin is rounded to 2^-32, so every
// probability is reproduced to within about 1e-9; a column whose coin is certain aliases itself.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tallyscope::stats {

template <size_t K>
struct Alias {
  static_assert(K >= 1 && K <= 255);
  std::array<uint32_t, K> coin{};  // keep column i when the low 32 bits are below coin[i]
  std::array<uint8_t, K> alias{};

  // p need not be normalised; negative or non-finite entries count as zero. All zero: class 0.
  static Alias build(const std::array<double, K>& p) {
    Alias a;
    double total = 0;
    for (double x : p) total += (x > 0 && x < 1e300) ? x : 0;
    std::array<double, K> q{};
    std::array<uint8_t, K> small{}, large{};
    size_t ns = 0, nl = 0;
    for (size_t i = 0; i < K; ++i) {
      const double x = (p[i] > 0 && p[i] < 1e300) ? p[i] : 0;
      q[i] = total > 0 ? x * static_cast<double>(K) / total : (i == 0 ? static_cast<double>(K) : 0);
      a.alias[i] = static_cast<uint8_t>(i);
      (q[i] < 1 ? small[ns++] : large[nl++]) = static_cast<uint8_t>(i);
    }
    while (ns > 0 && nl > 0) {
      const uint8_t s = small[--ns], l = large[nl - 1];
      a.coin[s] = to_coin(q[s]);
      a.alias[s] = l;
      q[l] -= 1 - q[s];
      if (q[l] < 1) {
        --nl;
        small[ns++] = l;
      }
    }
    // What remains has probability 1 up to rounding: it keeps itself.
    for (size_t k = 0; k < nl; ++k) a.coin[large[k]] = UINT32_MAX;
    for (size_t k = 0; k < ns; ++k) a.coin[small[k]] = UINT32_MAX;
    return a;
  }

  size_t draw(uint64_t r) const {
    const size_t i = static_cast<size_t>(((r >> 32) * K) >> 32);
    // Branch-free: the coin is a fair guess for the branch predictor, a mispredicted branch costs
    // more than the whole draw.
    const size_t keep = static_cast<size_t>(0) - static_cast<size_t>(static_cast<uint32_t>(r) < coin[i]);
    return (i & keep) | (static_cast<size_t>(alias[i]) & ~keep);
  }

 private:
  static uint32_t to_coin(double q) {
    if (!(q > 0)) return 0;
    const double c = q * 4294967296.0;
    return c >= 4294967295.0 ? UINT32_MAX : static_cast<uint32_t>(c + 0.5);
  }
};

}  // namespace tallyscope::stats
