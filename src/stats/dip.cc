#include "stats/dip.h"

#include <algorithm>

namespace tallyscope::stats {

double dip_sorted(const double* xs, size_t size) {
  if (size == 0) return 0;
  const long n = static_cast<long>(size);
  // 1-based access, as in the paper.
  auto x = [xs](long i) { return xs[i - 1]; };
  if (n < 2 || x(n) == x(1)) return 1.0 / (2.0 * static_cast<double>(n));

  // prev[j]: the vertex before j on the greatest convex minorant of the points (x_i, i), i <= j;
  // next[k]: the vertex after k on the least concave majorant of the points i >= k. Both by the
  // usual stack walk: drop a vertex while it would make the hull non-convex (non-concave).
  std::vector<long> prev(static_cast<size_t>(n) + 1), next(static_cast<size_t>(n) + 1);
  prev[1] = 1;
  for (long j = 2; j <= n; ++j) {
    long& p = prev[static_cast<size_t>(j)];
    p = j - 1;
    for (;;) {
      const long a = p, b = prev[static_cast<size_t>(a)];
      if (a == 1 || (x(j) - x(a)) * static_cast<double>(a - b) < (x(a) - x(b)) * static_cast<double>(j - a)) break;
      p = b;
    }
  }
  next[static_cast<size_t>(n)] = n;
  for (long k = n - 1; k >= 1; --k) {
    long& q = next[static_cast<size_t>(k)];
    q = k + 1;
    for (;;) {
      const long a = q, b = next[static_cast<size_t>(a)];
      if (a == n || (x(k) - x(a)) * static_cast<double>(a - b) < (x(a) - x(b)) * static_cast<double>(k - a)) break;
      q = b;
    }
  }

  std::vector<long> gcm(static_cast<size_t>(n) + 2), lcm(static_cast<size_t>(n) + 2);
  auto G = [&](long i) -> long& { return gcm[static_cast<size_t>(i)]; };
  auto L = [&](long i) -> long& { return lcm[static_cast<size_t>(i)]; };
  long low = 1, high = n;
  double dip = 1;  // in units of 1/n of the distribution function, halved at the end
  for (;;) {
    // Convex minorant on [low, high], its vertices from high down to low.
    long ng = 1;
    G(1) = high;
    while (G(ng) > low) {
      G(ng + 1) = prev[static_cast<size_t>(G(ng))];
      ++ng;
    }
    // Concave majorant on [low, high], its vertices from low up to high.
    long nl = 1;
    L(1) = low;
    while (L(nl) < high) {
      L(nl + 1) = next[static_cast<size_t>(L(nl))];
      ++nl;
    }
    long ig = ng, ih = nl, ix = ng - 1, iv = 2;
    // d: the largest vertical distance between the two hulls, each measured at the other's
    // vertices, walking both from the left.
    double d = 0;
    if (ng != 2 || nl != 2) {
      do {
        const long gx = G(ix), lv = L(iv);
        if (gx > lv) {
          const long g1 = G(ix + 1);
          const double dx = static_cast<double>(lv - g1 + 1) -
                            (x(lv) - x(g1)) * static_cast<double>(gx - g1) / (x(gx) - x(g1));
          ++iv;
          if (dx >= d) {
            d = dx;
            ig = ix + 1;
            ih = iv - 1;
          }
        } else {
          const long l1 = L(iv - 1);
          const double dx = (x(gx) - x(l1)) * static_cast<double>(lv - l1) / (x(lv) - x(l1)) -
                            static_cast<double>(gx - l1 - 1);
          --ix;
          if (dx >= d) {
            d = dx;
            ig = ix + 1;
            ih = iv;
          }
        }
        ix = std::max(ix, 1L);
        iv = std::min(iv, nl);
      } while (G(ix) != L(iv));
    } else {
      d = 1;
    }
    if (d < dip) break;  // the hulls are closer than the dip already found: done

    // The dip on the convex part left of the new modal interval, and on the concave part right of it.
    double dl = 0, du = 0;
    for (long j = ig; j < ng; ++j) {
      double m = 1;
      const long jb = G(j + 1), je = G(j);
      if (je - jb > 1 && x(je) != x(jb)) {
        const double c = static_cast<double>(je - jb) / (x(je) - x(jb));
        for (long jj = jb; jj <= je; ++jj) m = std::max(m, static_cast<double>(jj - jb + 1) - (x(jj) - x(jb)) * c);
      }
      dl = std::max(dl, m);
    }
    for (long j = ih; j < nl; ++j) {
      double m = 1;
      const long jb = L(j), je = L(j + 1);
      if (je - jb > 1 && x(je) != x(jb)) {
        const double c = static_cast<double>(je - jb) / (x(je) - x(jb));
        for (long jj = jb; jj <= je; ++jj) m = std::max(m, (x(jj) - x(jb)) * c - static_cast<double>(jj - jb - 1));
      }
      du = std::max(du, m);
    }
    dip = std::max(dip, std::max(dl, du));
    if (low == G(ig) && high == L(ih)) break;
    low = G(ig);
    high = L(ih);
  }
  return dip / (2.0 * static_cast<double>(n));
}

double dip(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  return dip_sorted(x.data(), x.size());
}

}  // namespace tallyscope::stats
