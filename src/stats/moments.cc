#include "stats/moments.h"

#include <cmath>

namespace tallyscope::stats {
namespace {
struct Central {
  double m2 = 0, m3 = 0, m4 = 0;
};
Central central(const double* x, size_t n) {
  double mean = 0;
  for (size_t i = 0; i < n; ++i) mean += x[i];
  mean /= static_cast<double>(n);
  Central c;
  for (size_t i = 0; i < n; ++i) {
    const double d = x[i] - mean, d2 = d * d;
    c.m2 += d2;
    c.m3 += d2 * d;
    c.m4 += d2 * d2;
  }
  const double nd = static_cast<double>(n);
  c.m2 /= nd;
  c.m3 /= nd;
  c.m4 /= nd;
  return c;
}
}  // namespace

double skewness(const double* x, size_t n) {
  if (n < 3) return std::nan("");
  const Central c = central(x, n);
  if (!(c.m2 > 0)) return std::nan("");
  const double nd = static_cast<double>(n);
  return std::sqrt(nd * (nd - 1)) / (nd - 2) * c.m3 / std::pow(c.m2, 1.5);
}

double excess_kurtosis(const double* x, size_t n) {
  if (n < 4) return std::nan("");
  const Central c = central(x, n);
  if (!(c.m2 > 0)) return std::nan("");
  const double nd = static_cast<double>(n);
  return (nd - 1) / ((nd - 2) * (nd - 3)) * ((nd + 1) * c.m4 / (c.m2 * c.m2) - 3 * (nd - 1));
}

LineFit fit_line(const double* x, const double* y, size_t n) {
  LineFit f;
  if (n < 2) {
    f.slope = f.intercept = f.correlation = std::nan("");
    return f;
  }
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  f.slope = sxx > 0 ? sxy / sxx : std::nan("");
  f.intercept = sxx > 0 ? my - f.slope * mx : std::nan("");
  f.correlation = sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : std::nan("");
  return f;
}

}  // namespace tallyscope::stats
