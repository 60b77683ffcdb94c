#include "analysis/forensics/klimek.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "analysis/common/json_number.h"
#include "stats/parallel.h"
#include "stats/quantile.h"
#include "stats/sampling.h"

namespace tallyscope {
namespace {

constexpr uint64_t kKlimekStreams = 1ULL << 40;  // forensics uses streams below 2^30
constexpr size_t kModeBins = 200;
constexpr double kModeSmooth = 2;  // Gaussian smoothing sd, in bins

// N(mu, sd) truncated to [lo, hi], by rejection (the fitted means lie inside [0, 1]).
double trunc_normal(stats::Rng& r, double mu, double sd, double lo, double hi) {
  for (int k = 0; k < 1000; ++k) {
    const double x = mu + sd * r.normal();
    if (x >= lo && x <= hi) return x;
  }
  return std::clamp(mu, lo, hi);
}

// Smoothed histogram (Gaussian, sd in bins, reflected at the edges, cut at 4 sd) of values in [0, 1].
std::vector<double> smoothed_histogram(std::span<const double> x, std::span<const double> w, size_t bins,
                                       double sd) {
  std::vector<double> h(bins, 0.0);
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t b = std::min(bins - 1, static_cast<size_t>(std::max(0.0, x[i]) * static_cast<double>(bins)));
    h[b] += w.empty() ? 1.0 : w[i];
  }
  if (sd <= 0) return h;
  const int rad = static_cast<int>(4 * sd + 0.5);
  std::vector<double> k(2 * static_cast<size_t>(rad) + 1);
  double sum = 0;
  for (int j = -rad; j <= rad; ++j) sum += k[static_cast<size_t>(j + rad)] = std::exp(-0.5 * j * j / (sd * sd));
  for (auto& v : k) v /= sum;
  const int n = static_cast<int>(bins);
  std::vector<double> out(bins, 0.0);
  for (int i = 0; i < n; ++i) {
    double s = 0;
    for (int j = -rad; j <= rad; ++j) {
      int m = i + j;
      // reflect about the edges (scipy.ndimage 'reflect': d c b a | a b c d | d c b a)
      while (m < 0 || m >= n) m = m < 0 ? -m - 1 : 2 * n - m - 1;
      s += k[static_cast<size_t>(j + rad)] * h[static_cast<size_t>(m)];
    }
    out[static_cast<size_t>(i)] = s;
  }
  return out;
}

// The first local maximum holding at least half the highest peak: the clean mode when stuffing
// builds a second peak near 100%.
double first_mode(std::span<const double> x) {
  const std::vector<double> h = smoothed_histogram(x, {}, kModeBins, kModeSmooth);
  const double top = *std::max_element(h.begin(), h.end());
  for (size_t b = 0; b < h.size(); ++b) {
    const bool left = b == 0 || h[b] >= h[b - 1];
    const bool right = b + 1 == h.size() || h[b] > h[b + 1];
    if (left && right && h[b] >= 0.5 * top) return (static_cast<double>(b) + 0.5) / kModeBins;
  }
  return (static_cast<double>(std::max_element(h.begin(), h.end()) - h.begin()) + 0.5) / kModeBins;
}

// The histogram's first mode refined by mean shift (Gaussian kernel, bandwidth 0.03): it uses every
// unit near the peak, so it is far less noisy than a bin's centre at a few thousand units.
double refined_mode(std::span<const double> x) {
  double m = first_mode(x);
  constexpr double h = 0.03;
  for (int it = 0; it < 50; ++it) {
    double sw = 0, sx = 0;
    for (double xi : x) {
      const double d = (xi - m) / h;
      if (std::fabs(d) > 4) continue;
      const double w = std::exp(-0.5 * d * d);
      sw += w;
      sx += w * xi;
    }
    if (!(sw > 0)) break;
    const double next = sx / sw;
    if (std::fabs(next - m) < 1e-7) break;
    m = next;
  }
  return m;
}

KlimekParams clean_params(std::span<const double> t, std::span<const double> v, const KlimekOptions& o) {
  KlimekParams p;
  p.alpha = o.alpha;
  p.extreme_sd = o.extreme_sd;
  p.tau = refined_mode(t);
  p.nu = refined_mode(v);
  double st = 0, sv = 0, su = 0;
  size_t nt = 0, nv = 0, nu = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const double dt = t[i] - p.tau, dv = v[i] - p.nu;
    if (dt < 0 && dv < 0) st += dt * dt, ++nt;
    if (dv < 0) sv += dv * dv, ++nv;
    if (dv > 0) su += dv * dv, ++nu;
  }
  constexpr double kMinSd = 0.005;
  p.sigma_tau = std::max(kMinSd, nt ? std::sqrt(st / static_cast<double>(nt)) : 0.0);
  p.sigma_nu = std::max(kMinSd, nv ? std::sqrt(sv / static_cast<double>(nv)) : 0.0);
  p.theta = std::max(kMinSd, nu ? std::sqrt(std::sqrt(su / static_cast<double>(nu))) : 0.0);
  return p;
}

struct Draw {  // one unit's model outcome for a fraud amount x
  int64_t ballots, votes;
};

Draw draw_unit(stats::Rng& r, int64_t reg, double t, double v, double x, double alpha) {
  const double T = 1 - (1 - x) * (1 - t);
  const double W = t * v + x * (1 - t) + std::pow(x, alpha) * (1 - v) * t;
  const double share = T > 0 ? std::clamp(W / T, 0.0, 1.0) : 0.0;
  const int64_t b = stats::Binomial(reg, std::clamp(T, 0.0, 1.0))(r);
  const int64_t w = stats::Binomial(b, share)(r);
  return {b, w};
}

int cell_of(int64_t reg, int64_t b, int64_t w, size_t bins) {
  if (reg <= 0 || b <= 0) return -1;
  const double t = static_cast<double>(b) / static_cast<double>(reg), s = static_cast<double>(w) / static_cast<double>(b);
  const double nb = static_cast<double>(bins);
  const size_t ti = std::min(bins - 1, static_cast<size_t>(t * nb)), si = std::min(bins - 1, static_cast<size_t>(s * nb));
  return static_cast<int>(ti * bins + si);
}

struct CoreFit {
  KlimekParams p;
  double distance = 0, distance_clean = 0;
};

// Fits (f_i, f_e) to units given as registered, ballots, votes (all qualifying).
CoreFit fit_core(std::span<const int64_t> reg, std::span<const int64_t> bal, std::span<const int64_t> vot,
                 const KlimekOptions& o, uint64_t stream, const KlimekParams* fixed = nullptr) {
  const size_t n = reg.size(), B = o.bins, C = B * B;
  std::vector<double> t(n), v(n);
  for (size_t i = 0; i < n; ++i) {
    t[i] = static_cast<double>(bal[i]) / static_cast<double>(reg[i]);
    v[i] = static_cast<double>(vot[i]) / static_cast<double>(bal[i]);
  }
  CoreFit f;
  f.p = fixed ? *fixed : clean_params(t, v, o);
  std::vector<double> obs(C, 0.0);
  for (size_t i = 0; i < n; ++i) obs[static_cast<size_t>(cell_of(reg[i], bal[i], vot[i], B))] += 1;

  // Common random numbers: each unit's cell when clean, incremental and extreme, and its u.
  stats::Rng r(o.seed, stream);
  std::vector<int> cc(n), ci(n), ce(n);
  std::vector<double> u(n);
  for (size_t i = 0; i < n; ++i) {
    const double t0 = trunc_normal(r, f.p.tau, f.p.sigma_tau, 0, 1), v0 = trunc_normal(r, f.p.nu, f.p.sigma_nu, 0, 1);
    u[i] = r.uniform();
    const double xi = std::abs(trunc_normal(r, 0, f.p.theta, -1, 1));
    const double xe = 1 - std::abs(trunc_normal(r, 0, f.p.extreme_sd, -1, 1));
    Draw d = draw_unit(r, reg[i], t0, v0, 0, f.p.alpha);
    cc[i] = cell_of(reg[i], d.ballots, d.votes, B);
    d = draw_unit(r, reg[i], t0, v0, xi, f.p.alpha);
    ci[i] = cell_of(reg[i], d.ballots, d.votes, B);
    d = draw_unit(r, reg[i], t0, v0, xe, f.p.alpha);
    ce[i] = cell_of(reg[i], d.ballots, d.votes, B);
  }
  std::vector<size_t> ord(n);
  std::iota(ord.begin(), ord.end(), size_t{0});
  std::sort(ord.begin(), ord.end(), [&](size_t a, size_t b) { return u[a] < u[b] || (u[a] == u[b] && a < b); });

  // base: units with u < f_i incremental, the rest clean.
  std::vector<double> base(C, 0.0), h(C);
  for (size_t i = 0; i < n; ++i)
    if (cc[i] >= 0) base[static_cast<size_t>(cc[i])] += 1;
  auto dist = [&](const std::vector<double>& x) {
    double d = 0;
    for (size_t c = 0; c < C; ++c) d += (x[c] - obs[c]) * (x[c] - obs[c]);
    return d;
  };
  auto move = [&](std::vector<double>& x, int from, int to, double& d) {
    if (from == to) return;
    if (from >= 0) {
      const size_t c = static_cast<size_t>(from);
      d += -2 * (x[c] - obs[c]) + 1;
      x[c] -= 1;
    }
    if (to >= 0) {
      const size_t c = static_cast<size_t>(to);
      d += 2 * (x[c] - obs[c]) + 1;
      x[c] += 1;
    }
  };
  f.distance_clean = dist(base);
  double best = std::numeric_limits<double>::infinity();
  size_t inc_end = 0;  // ord[0, inc_end) are incremental in base
  const size_t nfi = static_cast<size_t>(std::floor(1.0 / o.fi_step + 1e-9));
  const size_t nfe = static_cast<size_t>(std::floor(o.fe_max / o.fe_step + 1e-9));
  double dummy = 0;
  for (size_t a = 0; a <= nfi; ++a) {
    const double fi = static_cast<double>(a) * o.fi_step;
    while (inc_end < n && u[ord[inc_end]] < fi) {
      const size_t i = ord[inc_end++];
      move(base, cc[i], ci[i], dummy);
    }
    h = base;
    double d = dist(h);
    size_t ext_end = inc_end;
    for (size_t e = 0; e <= nfe; ++e) {
      const double fe = static_cast<double>(e) * o.fe_step;
      if (fi + fe > 1 + 1e-12) break;
      while (ext_end < n && u[ord[ext_end]] < fi + fe) {
        const size_t i = ord[ext_end++];
        move(h, cc[i], ce[i], d);
      }
      if (d < best - 1e-9) {
        best = d;
        f.p.fi = fi;
        f.p.fe = fe;
      }
    }
  }
  const double n2 = static_cast<double>(n) * static_cast<double>(n);
  f.distance = best / n2;
  f.distance_clean /= n2;
  return f;
}


}  // namespace

void klimek_fit_check(KlimekFit& k) {
  k.fits = false;
  const double worst = k.distance_boot.empty() ? 0 : *std::max_element(k.distance_boot.begin(), k.distance_boot.end());
  if (k.clean_turnout_mode >= kKlimekMaxCleanTurnout) {
    k.fit_check = fmt::format("the clean turnout mode ({:.1f}%) sits on the 100% spike: no clean cluster to fit",
                              100 * k.clean_turnout_mode);
  } else if (k.distance_boot.empty()) {
    k.fit_check = "no bootstrap, so no goodness-of-fit check";
  } else if (k.distance > worst) {
    k.fit_check = fmt::format(
        "the fitted fingerprint is farther from the observed one ({:.3g}) than from any of {} data sets simulated from "
        "the fitted model (at most {:.3g}): one clean cluster with a share independent of turnout does not describe "
        "these units",
        k.distance, k.distance_boot.size(), worst);
  } else {
    k.fits = true;
    k.fit_check = fmt::format("the observed distance ({:.3g}) is within those of {} data sets simulated from the fit "
                              "(at most {:.3g})",
                              k.distance, k.distance_boot.size(), worst);
  }
}

void simulate_klimek(std::span<const int64_t> registered, const KlimekParams& p, uint64_t seed, uint64_t stream,
                     std::vector<int64_t>& ballots, std::vector<int64_t>& votes) {
  stats::Rng r(seed, stream);
  const size_t n = registered.size();
  ballots.assign(n, 0);
  votes.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const double t0 = trunc_normal(r, p.tau, p.sigma_tau, 0, 1), v0 = trunc_normal(r, p.nu, p.sigma_nu, 0, 1);
    const double u = r.uniform();
    double x = 0;
    if (u < p.fi)
      x = std::abs(trunc_normal(r, 0, p.theta, -1, 1));
    else if (u < p.fi + p.fe)
      x = 1 - std::abs(trunc_normal(r, 0, p.extreme_sd, -1, 1));
    const Draw d = draw_unit(r, registered[i], t0, v0, x, p.alpha);
    ballots[i] = d.ballots;
    votes[i] = d.votes;
  }
}

KlimekFit fit_klimek(std::span<const int64_t> registered, std::span<const int64_t> ballots,
                     std::span<const int64_t> votes, const KlimekOptions& o, const std::string& choice) {
  KlimekFit k;
  k.choice = choice;
  k.bootstrap = o.bootstrap;
  k.level = o.level;
  k.seed = o.seed;
  k.bins = o.bins;
  k.alpha = o.alpha;
  std::vector<int64_t> rg, bl, vt;
  int64_t total_votes = 0;
  for (size_t i = 0; i < registered.size(); ++i) {
    const int64_t R = registered[i], Bv = ballots[i], V = votes[i];
    if (R <= 0) {
      ++k.excluded["no registered voters"];
    } else if (Bv <= 0) {
      ++k.excluded["no ballots"];
    } else if (Bv > R) {
      ++k.excluded["more ballots than registered voters"];
    } else if (V < 0 || V > Bv) {
      ++k.excluded["votes missing or above ballots"];
    } else {
      rg.push_back(R);
      bl.push_back(Bv);
      vt.push_back(V);
      total_votes += V;
    }
  }
  k.units = rg.size();
  if (!(o.bins >= 2 && o.fi_step > 0 && o.fe_step > 0 && o.fe_max >= 0 && o.level > 0 && o.level < 1)) {
    k.why_not = "invalid options";
    return k;
  }
  if (k.units < std::max<size_t>(o.min_units, 2)) {
    k.why_not = fmt::format("too few units ({} qualify, {} needed)", k.units, std::max<size_t>(o.min_units, 2));
    return k;
  }
  if (total_votes == 0) {
    k.why_not = "the choice has no votes in the qualifying units";
    return k;
  }
  const CoreFit f = fit_core(rg, bl, vt, o, kKlimekStreams);
  k.run = true;
  k.fi = f.p.fi;
  k.fe = f.p.fe;
  k.distance = f.distance;
  k.distance_clean = f.distance_clean;
  k.clean_turnout_mode = f.p.tau;
  k.clean_turnout_sd = f.p.sigma_tau;
  k.clean_share_mode = f.p.nu;
  k.clean_share_sd = f.p.sigma_nu;
  k.theta = f.p.theta;
  const size_t nb = static_cast<size_t>(std::max(0, o.bootstrap));
  k.fi_boot.assign(nb, 0.0);
  k.fe_boot.assign(nb, 0.0);
  k.distance_boot.assign(nb, 0.0);
  stats::parallel_for(nb, o.threads, [&](size_t b) {
    std::vector<int64_t> sb, sv;
    simulate_klimek(rg, f.p, o.seed, kKlimekStreams + 2 * b + 1, sb, sv);
    std::vector<int64_t> r2, b2, v2;  // the simulated units that qualify
    for (size_t i = 0; i < rg.size(); ++i)
      if (sb[i] > 0) r2.push_back(rg[i]), b2.push_back(sb[i]), v2.push_back(sv[i]);
    const CoreFit g = fit_core(r2, b2, v2, o, kKlimekStreams + 2 * b + 2, &f.p);
    k.fi_boot[b] = g.p.fi;
    k.fe_boot[b] = g.p.fe;
    k.distance_boot[b] = g.distance;
  });
  const double a = (1 - o.level) / 2;
  k.fi_lo = stats::quantile(k.fi_boot, a);
  k.fi_hi = stats::quantile(k.fi_boot, 1 - a);
  k.fe_lo = stats::quantile(k.fe_boot, a);
  k.fe_hi = stats::quantile(k.fe_boot, 1 - a);
  klimek_fit_check(k);
  return k;
}

nlohmann::ordered_json to_json(const KlimekFit& k) {
  nlohmann::ordered_json j;
  j["run"] = k.run;
  j["why_not"] = k.run ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(k.why_not);
  j["choice"] = k.choice;
  j["units"] = k.units;
  j["excluded"] = k.excluded;
  j["method"] = "Klimek et al. (PNAS 2012) incremental/extreme stuffing model; (fi, fe) by grid search "
                "minimising the squared cell differences of the turnout x share histogram; parametric "
                "bootstrap percentile interval";
  if (!k.run) return j;
  j["fits"] = k.fits;
  j["fit_check"] = k.fit_check;
  if (!k.fits) j["estimate"] = "the model's assumptions fail here: no estimate";
  const auto est = [&](double v) { return k.fits ? json_number(v) : nlohmann::ordered_json(nullptr); };
  j["fi"] = est(k.fi);
  j["fi_interval"] = {est(k.fi_lo), est(k.fi_hi)};
  j["fe"] = est(k.fe);
  j["fe_interval"] = {est(k.fe_lo), est(k.fe_hi)};
  j["level"] = k.level;
  j["distance"] = k.distance;
  j["distance_clean"] = k.distance_clean;
  j["clean_turnout_mode"] = k.clean_turnout_mode;
  j["clean_turnout_sd"] = k.clean_turnout_sd;
  j["clean_share_mode"] = k.clean_share_mode;
  j["clean_share_sd"] = k.clean_share_sd;
  j["theta"] = k.theta;
  j["alpha"] = k.alpha;
  j["bins"] = k.bins;
  j["bootstrap"] = k.bootstrap;
  j["seed"] = k.seed;
  return j;
}

}  // namespace tallyscope
