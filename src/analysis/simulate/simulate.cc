#include "analysis/simulate/simulate.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <numeric>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "analysis/common/text.h"
#include "analysis/simulate/manipulate.h"
#include "io/error.h"
#include "io/timestamp.h"
#include "model/layout.h"
#include "stats/parallel.h"
#include "stats/psd_factor.h"
#include "stats/random.h"

namespace tallyscope {
namespace {

// Every random quantity draws from its own stream of the seed: regions, municipalities, places
// and sheets by their index, so no result depends on the order or thread in which it is made.
constexpr uint64_t kSheetStream = 0;
constexpr uint64_t kRegionStream = 1ULL << 56;
constexpr uint64_t kMunicipalityStream = 2ULL << 56;
constexpr uint64_t kPlaceStream = 3ULL << 56;
constexpr uint64_t kSizeStream = 4ULL << 56;
constexpr uint64_t kLateStream = 5ULL << 56;
constexpr uint64_t kLayoutStream = 6ULL << 56;

double logit(double p) { return std::log(p / (1 - p)); }
double logistic(double x) { return 1 / (1 + std::exp(-x)); }

// The generative model: per-region means, place and sheet spreads (logit / log-weight scale).
struct Model {
  size_t K = 0;
  size_t leader = 0;
  double leader_share = 0.5;  // expected national share of valid votes, for the late lean
  std::vector<double> t_mean;                // [region] logit turnout
  std::vector<std::vector<double>> s_mean;   // [region][k] log weight of choice k
  std::vector<double> blank_rate, invalid_rate;  // [region]
  double t_place_sd = 0, t_sheet_sd = 0;
  std::vector<double> s_place_sd, s_sheet_sd;  // [k]
  double place_association = 0;  // correlation of a place's turnout and leader effects (simulate)
  // simulate_like only (empty otherwise). Each place's own effects, [place][d] with D = K + 1
  // (d = 0 turnout, 1 + k choice k), used instead of draws where place_known[place]: the
  // template's place means, shrunk to their estimated true spread, so that the twin keeps the
  // joint distribution of turnout and shares across places, their association included.
  std::vector<double> place_effect;
  std::vector<uint8_t> place_known;
  // Draws e = L z (row-major D x D) for the other places: the between-place covariance.
  std::vector<double> place_factor;
  // Sheet effects drawn jointly as e = L z, L row-major D x D (the within-place covariance of the
  // template less its binomial part), so that within-place associations are kept as well.
  std::vector<double> sheet_factor;
  // Per place: the share of sheets on which every registered voter voted, and on which nobody did
  // (tied values real counts have and a continuous model does not make).
  std::vector<double> full_rate, empty_rate;
};

// Who is where: sheets, their places and regions.
struct Frame {
  size_t regions = 0, places = 0;
  std::vector<uint32_t> region_of_place;  // [place]
  std::vector<uint32_t> place_of_sheet;   // [sheet]
  std::vector<int64_t> registered;        // [sheet]
};

void check_fraction(double v, const char* name) {
  if (!(v >= 0 && v <= 1)) throw UsageError(fmt::format("{} must be between 0 and 1 (got {})", name, v));
}

void validate(const SimulationOptions& o) {
  check_fraction(o.fraud_share, "the fraud share");
  check_fraction(o.round_share, "the round share");
  check_fraction(o.late_regions, "the share of late regions");
  check_fraction(o.steal, "the stolen fraction");
  if (!(o.fraud_intensity > 0 && o.fraud_intensity <= 1))
    throw UsageError(fmt::format("the fraud intensity must be in (0, 1] (got {})", o.fraud_intensity));
  if (!(o.late_bias > -1 && o.late_bias < 1)) throw UsageError("the late bias must be between -1 and 1");
  if (!parse_timestamp(o.close_time)) throw UsageError(fmt::format("'{}' is not an ISO 8601 time", o.close_time));
  if (!(o.place_association >= -1 && o.place_association <= 1))
    throw UsageError(fmt::format("the place association must be a correlation, between -1 and 1 (got {})",
                                 o.place_association));
  for (double sd : {o.turnout_region_sd, o.turnout_place_sd, o.turnout_sheet_sd, o.share_region_sd, o.share_place_sd,
                    o.share_sheet_sd})
    if (!(sd >= 0 && sd <= 5)) throw UsageError("spreads must be between 0 and 5 (logit scale)");
}

// Splits n items into groups.size() groups of at least one, in proportion to the weights
// (systematic allocation of the n - groups spare items over the cumulative weights).
std::vector<size_t> allocate(size_t n, const std::vector<double>& weights) {
  const size_t g = weights.size();
  std::vector<size_t> counts(g, 1);
  const double spare = static_cast<double>(n - g);
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  double cum = 0;
  size_t given = 0;
  for (size_t i = 0; i < g; ++i) {
    cum += weights[i];
    size_t upto = i + 1 == g ? n - g : static_cast<size_t>(std::floor(spare * cum / total));
    upto = std::clamp(upto, given, n - g);
    counts[i] += upto - given;
    given = upto;
  }
  return counts;
}

std::vector<double> lognormal_weights(uint64_t seed, uint64_t stream, size_t n, double sd) {
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i) {
    Rng r(seed, stream + i);
    w[i] = std::exp(sd * r.normal());
  }
  return w;
}

// Runs f(begin, end) over blocks of [0, n) on `threads` threads; rethrows the first failure.
template <class F>
void parallel_blocks(size_t n, unsigned threads, F&& f) {
  constexpr size_t kBlock = 4096;
  const size_t blocks = (n + kBlock - 1) / kBlock;
  threads = stats::thread_count(blocks, threads);
  std::atomic<size_t> next{0};
  std::vector<std::exception_ptr> failures(threads);
  auto run = [&](unsigned t) {
    try {
      for (size_t b; (b = next.fetch_add(1)) < blocks;) f(b * kBlock, std::min(n, (b + 1) * kBlock));
    } catch (...) {
      failures[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run, t);
  run(0);
  for (auto& th : pool) th.join();
  for (const auto& e : failures)
    if (e) std::rethrow_exception(e);
}

std::vector<size_t> choose_late_regions(size_t regions, const SimulationOptions& o) {
  std::vector<size_t> order(regions);
  std::iota(order.begin(), order.end(), 0);
  if (regions < 2 || o.late_regions <= 0) return {};
  Rng r(o.seed, kLateStream);
  for (size_t i = regions - 1; i > 0; --i) std::swap(order[i], order[r.below(i + 1)]);
  size_t n = std::clamp<size_t>(static_cast<size_t>(std::lround(o.late_regions * static_cast<double>(regions))), 1,
                                regions - 1);
  order.resize(n);
  std::sort(order.begin(), order.end());
  return order;
}

// e = L z for a row-major D x D factor L and D fresh standard normals z.
void sheet_effects(const std::vector<double>& L, Rng& r, std::vector<double>& z, std::vector<double>& e) {
  const size_t D = z.size();
  for (size_t d = 0; d < D; ++d) z[d] = r.normal();
  for (size_t d = 0; d < D; ++d) {
    double x = 0;
    for (size_t c = 0; c < D; ++c) x += L[d * D + c] * z[c];
    e[d] = x;
  }
}

struct Generated {
  std::vector<std::vector<int64_t>> choices;  // [k][sheet]
  std::vector<int64_t> blank, invalid, stuffed, rounded, late, timestamps;
};

Generated generate(const Model& m, const Frame& f, const SimulationOptions& o) {
  const size_t n = f.place_of_sheet.size(), K = m.K;
  std::vector<uint8_t> is_late(f.regions, 0);
  for (size_t r : choose_late_regions(f.regions, o)) is_late[r] = 1;
  double lean = 0;
  if (o.late_bias != 0) {
    double target = m.leader_share + o.late_bias;
    if (!(target > 0.01 && target < 0.99))
      throw UsageError(fmt::format("the late bias {:+.3f} would move the leader's expected share {:.3f} outside "
                                   "(0.01, 0.99)", o.late_bias, m.leader_share));
    lean = logit(target) - logit(m.leader_share);
  }
  // Place effects and delays, each from its place's stream.
  std::vector<double> t_place(f.places), s_place(f.places * K), delay_place(f.places);
  for (size_t p = 0; p < f.places; ++p) {
    Rng r(o.seed, kPlaceStream + p);
    t_place[p] = m.t_place_sd * r.normal();
    for (size_t k = 0; k < K; ++k) s_place[p * K + k] = m.s_place_sd[k] * r.normal();
    delay_place[p] = 20 * std::abs(r.normal());
    if (m.place_association != 0 && m.t_place_sd > 0) {
      const double rho = m.place_association, z = t_place[p] / m.t_place_sd;
      double& s = s_place[p * K + m.leader];
      s = rho * m.s_place_sd[m.leader] * z + std::sqrt(1 - rho * rho) * s;
    }
    if (!m.place_factor.empty()) {
      std::vector<double> z(K + 1), e(K + 1);
      if (m.place_known[p]) {
        for (size_t d = 0; d <= K; ++d) e[d] = m.place_effect[p * (K + 1) + d];
      } else {
        sheet_effects(m.place_factor, r, z, e);
      }
      t_place[p] = e[0];
      for (size_t k = 0; k < K; ++k) s_place[p * K + k] = e[1 + k];
    }
  }
  const int64_t close_ms = parse_timestamp(o.close_time)->epoch_ms;

  Generated g;
  g.choices.assign(K, std::vector<int64_t>(n));
  for (auto* c : {&g.blank, &g.invalid, &g.stuffed, &g.rounded, &g.late, &g.timestamps}) c->assign(n, 0);
  parallel_blocks(n, o.threads, [&](size_t begin, size_t end) {
    std::vector<double> w(K), z(K + 1), e(K + 1);
    std::vector<int64_t> v(K);
    const bool joint = !m.sheet_factor.empty();
    for (size_t i = begin; i < end; ++i) {
      Rng r(o.seed, kSheetStream + i);
      const size_t p = f.place_of_sheet[i], reg_i = f.region_of_place[p];
      const int64_t reg = std::max<int64_t>(0, f.registered[i]);
      // Clean count: turnout, blank and invalid, then the valid votes over the choices.
      if (joint) sheet_effects(m.sheet_factor, r, z, e);
      double t = logistic(m.t_mean[reg_i] + t_place[p] + (joint ? e[0] : m.t_sheet_sd * r.normal()));
      int64_t ballots = binomial(r, reg, t);
      if (!m.full_rate.empty()) {  // tied values: everyone voted, or nobody did
        const double u = r.uniform();
        if (u < m.full_rate[p]) ballots = reg;
        else if (u < m.full_rate[p] + m.empty_rate[p]) ballots = 0;
      }
      int64_t blank = binomial(r, ballots, m.blank_rate[reg_i]);
      int64_t invalid = binomial(r, ballots - blank, m.invalid_rate[reg_i]);
      int64_t valid = ballots - blank - invalid;
      double total = 0;
      for (size_t k = 0; k < K; ++k) {
        double x = m.s_mean[reg_i][k] + s_place[p * K + k] + (joint ? e[1 + k] : m.s_sheet_sd[k] * r.normal());
        if (k == m.leader && is_late[reg_i]) x += lean;
        w[k] = std::exp(x);
        total += w[k];
      }
      int64_t left = valid;
      for (size_t k = 0; k < K; ++k) {
        v[k] = k + 1 == K ? left : binomial(r, left, total > 0 ? std::min(1.0, w[k] / total) : 0.0);
        left -= v[k];
        total -= w[k];
      }
      // Manipulation. Every draw is made whatever the options, so that a sheet's clean count and
      // arrival are the same with and without fraud (calibration compares the two).
      const double u_fraud = r.uniform(), z_fraud = r.normal(), u_round = r.uniform(), z_arrival = r.normal();
      if (u_fraud < o.fraud_share) {
        const double x = manipulation_fraction(o.fraud_kind, o.fraud_intensity, z_fraud);
        manipulate_sheet(v, m.leader, reg - ballots, o.fraud_kind, x, o.steal);
        g.stuffed[i] = manipulation_code(o.fraud_kind);
      }
      if (u_round < o.round_share && round_sheet(v, blank, invalid, m.leader)) g.rounded[i] = 1;
      for (size_t k = 0; k < K; ++k) g.choices[k][i] = v[k];
      g.blank[i] = blank;
      g.invalid[i] = invalid;
      g.late[i] = is_late[reg_i];
      // Arrival: a median of about 80 minutes after the close, later for remote places, five
      // hours later in the late regions; whole seconds.
      double minutes = 20 + 60 * std::exp(0.6 * z_arrival) + delay_place[p] + (is_late[reg_i] ? 300 : 0);
      g.timestamps[i] = close_ms + static_cast<int64_t>(std::llround(minutes * 60)) * 1000;
    }
  });
  return g;
}

CountColumn column(const std::string& name, const std::string& header, size_t position, std::vector<int64_t> values) {
  CountColumn c;
  c.name = name;
  c.header = header;
  c.column = position;
  c.values = std::move(values);
  for (int64_t v : c.values) c.missing += v == kMissing;
  return c;
}

// Assembles the Election as the file would read back: same header, spec, lines and columns.
Election assemble(std::vector<std::string> ids, Geography geography, const std::vector<std::string>& choices,
                  std::vector<int64_t> registered, Generated g, std::vector<double> lat, std::vector<double> lon,
                  const SimulationOptions& o) {
  Election::Parts p;
  p.source = "(simulated)";
  std::vector<std::string> levels = geography.level_names();
  p.spec = simulated_spec(levels, choices);
  p.spec.timezone = o.close_time.size() >= 6 ? o.close_time.substr(o.close_time.size() - 6) : "";
  if (!parse_utc_offset(p.spec.timezone)) p.spec.timezone = "Z";
  p.spec.delimiter = ',';
  p.header = simulated_header(levels, choices);
  p.encoding = "utf-8";
  p.delimiter = ',';
  const size_t n = ids.size();
  p.lines.resize(n);
  for (size_t i = 0; i < n; ++i) p.lines[i] = i + 2;
  p.ids = std::move(ids);
  p.geography = std::move(geography);
  size_t pos = levels.size() + 4;  // sheet_id, levels, latitude, longitude: registered is next (1-based)
  p.registered = column("registered", "registered", pos++, std::move(registered));
  for (size_t k = 0; k < choices.size(); ++k) p.choices.push_back(column(choices[k], choices[k], pos++, std::move(g.choices[k])));
  p.blank = column("blank", "blank", pos++, std::move(g.blank));
  p.invalid = column("invalid", "invalid", pos++, std::move(g.invalid));
  ++pos;  // arrived_at
  p.extras.push_back(column("stuffed", "sim_stuffed", pos++, std::move(g.stuffed)));
  p.extras.push_back(column("rounded", "sim_rounded", pos++, std::move(g.rounded)));
  p.extras.push_back(column("late", "sim_late", pos++, std::move(g.late)));
  p.latitude = std::move(lat);
  p.longitude = std::move(lon);
  p.timestamps_ms = std::move(g.timestamps);
  return Election(std::move(p));
}

double round5(double x) { return std::round(x * 1e5) / 1e5; }

const std::set<std::string>& reserved_names() {
  static const std::set<std::string> r = {"sheet_id", "latitude",    "longitude",   "registered", "blank",
                                          "invalid",  "arrived_at", "sim_stuffed", "sim_rounded", "sim_late"};
  return r;
}

// The "regions": the coarsest geography level whose largest unit holds at most half the sheets
// (so that Bolivia's regions are its departments, not its country against the polling places
// abroad); the finest level when none does; -1 without geography.
int region_level(const Geography& geo) {
  if (geo.levels() == 0) return -1;
  const size_t n = geo.nodes_of(0).size();
  for (size_t l = 0; l < geo.levels(); ++l) {
    std::vector<size_t> count(geo.node_count(l), 0);
    for (uint32_t node : geo.nodes_of(l)) ++count[node];
    if (!count.empty() && 2 * *std::max_element(count.begin(), count.end()) <= n) return static_cast<int>(l);
  }
  return static_cast<int>(geo.levels() - 1);
}

}  // namespace

size_t largest_choice(const Election& e) {
  size_t best = 0;
  int64_t best_total = -1;
  for (size_t k = 0; k < e.choices().size(); ++k) {
    int64_t t = 0;
    for (size_t s = 0; s < e.sheets(); ++s) t += e.choices()[k].or_zero(s);
    if (t > best_total) best_total = t, best = k;
  }
  return best;
}

Election simulate(const SimulationOptions& o) {
  validate(o);
  const size_t n = o.units;
  if (n < 1 || n > 100'000'000) throw UsageError("the number of units must be between 1 and 100,000,000");
  const size_t K = o.choices.size();
  if (K < 2 || K > 50) throw UsageError("a simulated election needs between 2 and 50 choices");
  std::set<std::string> seen;
  for (const auto& c : o.choices) {
    if (c.empty() || reserved_names().count(c) || !seen.insert(c).second)
      throw UsageError(fmt::format("choice name '{}' is empty, repeated or reserved", c));
  }
  std::vector<double> shares = o.shares;
  if (shares.empty()) shares = K == 4 ? std::vector<double>{0.45, 0.30, 0.15, 0.10} : std::vector<double>(K, 1.0 / K);
  if (shares.size() != K) throw UsageError("give one expected share per choice");
  for (double s : shares)
    if (!(s > 0)) throw UsageError("expected shares must be positive");
  const double share_total = std::accumulate(shares.begin(), shares.end(), 0.0);
  for (double& s : shares) s /= share_total;
  if (!(o.turnout > 0.01 && o.turnout < 0.99)) throw UsageError("the turnout must be between 0.01 and 0.99");
  if (!(o.mean_registered >= 1 && o.mean_registered <= 1e6)) throw UsageError("mean registered must be in [1, 1e6]");
  if (o.leader >= static_cast<int>(K)) throw UsageError("the leader index is beyond the choices");

  const size_t P = std::min(n, o.places ? o.places : std::max<size_t>(1, n / 4));
  const size_t R = std::min(P, o.regions ? o.regions : std::min<size_t>(20, 1 + n / 500));
  const size_t M = std::clamp(o.municipalities ? o.municipalities : R * 8, R, P);

  // Geography: regions hold municipalities hold places hold sheets, each in contiguous runs.
  std::vector<size_t> munis_per_region = allocate(M, lognormal_weights(o.seed, kLayoutStream, R, 0.5));
  std::vector<size_t> places_per_muni = allocate(P, lognormal_weights(o.seed, kMunicipalityStream, M, 0.6));
  std::vector<size_t> sheets_per_place = allocate(n, lognormal_weights(o.seed, kPlaceStream + (1ULL << 40), P, 0.7));

  Model m;
  m.K = K;
  m.leader = o.leader >= 0 ? static_cast<size_t>(o.leader) : 0;
  m.leader_share = shares[m.leader];
  m.t_place_sd = o.turnout_place_sd;
  m.t_sheet_sd = o.turnout_sheet_sd;
  m.s_place_sd.assign(K, o.share_place_sd);
  m.place_association = o.place_association;
  m.s_sheet_sd.assign(K, o.share_sheet_sd);
  std::vector<double> region_lat(R), region_lon(R);
  for (size_t r = 0; r < R; ++r) {
    Rng g(o.seed, kRegionStream + r);
    m.t_mean.push_back(logit(o.turnout) + o.turnout_region_sd * g.normal());
    std::vector<double> s(K);
    for (size_t k = 0; k < K; ++k) s[k] = std::log(shares[k]) + o.share_region_sd * g.normal();
    m.s_mean.push_back(s);
    m.blank_rate.push_back(std::min(0.5, 0.03 * std::exp(0.3 * g.normal())));
    m.invalid_rate.push_back(std::min(0.5, 0.04 * std::exp(0.3 * g.normal())));
    region_lat[r] = -22 + 10 * g.uniform();
    region_lon[r] = -68 + 10 * g.uniform();
  }

  Frame f;
  f.regions = R;
  f.places = P;
  f.region_of_place.resize(P);
  f.place_of_sheet.resize(n);
  f.registered.resize(n);
  const int rw = static_cast<int>(std::to_string(R).size()), mw = static_cast<int>(std::to_string(M).size()),
            pw = static_cast<int>(std::to_string(P).size()), sw = std::max(7, static_cast<int>(std::to_string(n).size()));
  GeographyBuilder geo({"region", "municipality", "place"});
  std::vector<std::string> ids(n);
  std::vector<double> lat(n), lon(n);
  size_t muni = 0, place = 0, sheet = 0;
  for (size_t r = 0; r < R; ++r) {
    std::string rname = fmt::format("Region {:0{}}", r + 1, rw);
    for (size_t mi = 0; mi < munis_per_region[r]; ++mi, ++muni) {
      Rng gm(o.seed, kMunicipalityStream + (1ULL << 40) + muni);
      double mlat = region_lat[r] + 0.5 * gm.normal(), mlon = region_lon[r] + 0.5 * gm.normal();
      std::string mname = fmt::format("Municipality {:0{}}", muni + 1, mw);
      for (size_t pi = 0; pi < places_per_muni[muni]; ++pi, ++place) {
        Rng gp(o.seed, kSizeStream + (1ULL << 40) + place);
        double plat = round5(std::clamp(mlat + 0.05 * gp.normal(), -89.0, 89.0));
        double plon = round5(std::clamp(mlon + 0.05 * gp.normal(), -179.0, 179.0));
        double base = o.mean_registered * std::exp(0.45 * gp.normal());
        std::string pname = fmt::format("Place {:0{}}", place + 1, pw);
        f.region_of_place[place] = static_cast<uint32_t>(r);
        for (size_t si = 0; si < sheets_per_place[place]; ++si, ++sheet) {
          Rng gs(o.seed, kSizeStream + sheet);
          double size = std::round(base * std::exp(0.15 * gs.normal()));
          f.registered[sheet] = static_cast<int64_t>(std::clamp(size, 5.0, 5000.0));
          f.place_of_sheet[sheet] = static_cast<uint32_t>(place);
          ids[sheet] = fmt::format("S{:0{}}", sheet + 1, sw);
          lat[sheet] = plat;
          lon[sheet] = plon;
          geo.add_sheet({rname, mname, pname});
        }
      }
    }
  }
  Generated g = generate(m, f, o);
  return assemble(std::move(ids), std::move(geo).build(), o.choices, f.registered, std::move(g), std::move(lat),
                  std::move(lon), o);
}

namespace {

// The template's choice names, refusing any that clash with the simulated layout's columns.
std::vector<std::string> simulate_like_choices(const Election& t, std::set<std::string>& seen) {
  std::vector<std::string> choices;
  for (const auto& c : t.choices()) {
    if (reserved_names().count(c.name) || !seen.insert(c.name).second)
      throw InputError({t.source()}, fmt::format("the choice name '{}' clashes with a column of the simulated layout",
                                                 c.name));
    choices.push_back(c.name);
  }
  return choices;
}

// The template's geography, rebuilt with level names that cannot clash with the layout's columns.
Geography simulate_like_geography(const Election& t, const std::set<std::string>& seen) {
  const size_t n = t.sheets();
  const Geography& tg = t.geography();
  std::vector<std::string> levels;
  for (size_t l = 0; l < tg.levels(); ++l) {
    std::string name = tg.level_name(l);
    while (reserved_names().count(name) || seen.count(name) || std::count(levels.begin(), levels.end(), name))
      name += " (level " + std::to_string(l + 1) + ")";
    levels.push_back(name);
  }
  GeographyBuilder gb(levels);
  std::vector<std::string_view> names(tg.levels());
  for (size_t s = 0; s < n; ++s) {
    for (size_t l = 0; l < tg.levels(); ++l) names[l] = tg.node_name(l, tg.node_of(l, s));
    gb.add_sheet(names);
  }
  return std::move(gb).build();
}

// The template's regions and places, and each sheet's region and registered voters.
Frame simulate_like_frame(const Election& t, const Geography& geo, std::vector<uint32_t>& region_of_sheet) {
  const size_t n = t.sheets();
  Frame f;
  const int rl = region_level(geo);
  const size_t pl = geo.levels() ? geo.levels() - 1 : 0;
  f.regions = rl < 0 ? 1 : geo.node_count(static_cast<size_t>(rl));
  f.places = rl < 0 ? n : geo.node_count(pl);
  f.place_of_sheet.resize(n);
  f.region_of_place.assign(f.places, 0);
  f.registered.resize(n);
  region_of_sheet.assign(n, 0);
  for (size_t s = 0; s < n; ++s) {
    f.place_of_sheet[s] = rl < 0 ? static_cast<uint32_t>(s) : geo.node_of(pl, s);
    region_of_sheet[s] = rl < 0 ? 0 : geo.node_of(static_cast<size_t>(rl), s);
    f.region_of_place[f.place_of_sheet[s]] = region_of_sheet[s];
    f.registered[s] = t.registered()->or_zero(s);
  }
  return f;
}

// Per-region means from the regions' totals (turnout, shares, blank and invalid rates) and the leader's share.
void simulate_like_region_totals(const Election& t, const Frame& f, const std::vector<uint32_t>& region_of_sheet,
                                 Model& m) {
  const size_t n = t.sheets(), K = m.K, R = f.regions;
  std::vector<double> reg_r(R, 0), bal_r(R, 0), blank_r(R, 0), inval_r(R, 0), valid_r(R, 0);
  std::vector<std::vector<double>> votes_r(R, std::vector<double>(K, 0));
  std::vector<double> national(K, 0);
  for (size_t s = 0; s < n; ++s) {
    const size_t r = region_of_sheet[s];
    const double reg = static_cast<double>(f.registered[s]), b = static_cast<double>(t.ballots()[s]);
    if (reg <= 0 || b > reg) continue;
    reg_r[r] += reg;
    bal_r[r] += b;
    blank_r[r] += t.blank() ? static_cast<double>(t.blank()->or_zero(s)) : 0;
    inval_r[r] += t.invalid() ? static_cast<double>(t.invalid()->or_zero(s)) : 0;
    valid_r[r] += static_cast<double>(t.valid()[s]);
    for (size_t k = 0; k < K; ++k) {
      votes_r[r][k] += static_cast<double>(t.choices()[k].or_zero(s));
      national[k] += static_cast<double>(t.choices()[k].or_zero(s));
    }
  }
  const double national_valid = std::accumulate(national.begin(), national.end(), 0.0);
  m.leader_share = national_valid > 0 ? national[m.leader] / national_valid : 0.5;
  m.leader_share = std::clamp(m.leader_share, 0.02, 0.98);
  const double all_reg = std::accumulate(reg_r.begin(), reg_r.end(), 0.0),
               all_bal = std::accumulate(bal_r.begin(), bal_r.end(), 0.0);
  const double national_t = all_reg > 0 ? std::clamp(all_bal / all_reg, 0.01, 0.99) : 0.5;
  for (size_t r = 0; r < R; ++r) {
    double tr = reg_r[r] > 0 ? std::clamp(bal_r[r] / reg_r[r], 0.005, 0.995) : national_t;
    m.t_mean.push_back(logit(tr));
    std::vector<double> sm(K);
    for (size_t k = 0; k < K; ++k) {
      double num = valid_r[r] > 0 ? votes_r[r][k] : national[k];
      double den = valid_r[r] > 0 ? valid_r[r] : national_valid;
      sm[k] = std::log((num + 0.5) / (den + 0.5 * static_cast<double>(K)));
    }
    m.s_mean.push_back(sm);
    m.blank_rate.push_back(bal_r[r] > 0 ? std::min(0.9, blank_r[r] / bal_r[r]) : 0.0);
    m.invalid_rate.push_back(bal_r[r] - blank_r[r] > 0 ? std::min(0.9, inval_r[r] / (bal_r[r] - blank_r[r])) : 0.0);
  }
}

// Sheet-level quantities: dimension 0 = logit turnout, 1..K = centred log-ratio of choice k.
struct SimulateLikeSheets {
  size_t D = 0;
  std::vector<double> y, noise;
  std::vector<uint8_t> usable_t, usable_s;
  std::vector<double> place_sum, place_n_t, place_n_s;
};

// Each sheet's empirical logit turnout and centred log-ratios, their binomial noise, and place sums.
SimulateLikeSheets simulate_like_sheets(const Election& t, const Frame& f, size_t K) {
  const size_t n = t.sheets(), P = f.places;
  SimulateLikeSheets q;
  const size_t D = q.D = K + 1;
  auto& y = q.y;
  auto& noise = q.noise;
  auto& place_sum = q.place_sum;
  y.assign(n * D, 0);
  noise.assign(n * D, 0);
  q.usable_t.assign(n, 0);
  q.usable_s.assign(n, 0);
  place_sum.assign(P * D, 0);
  q.place_n_t.assign(P, 0);
  q.place_n_s.assign(P, 0);
  for (size_t s = 0; s < n; ++s) {
    const double reg = static_cast<double>(f.registered[s]), b = static_cast<double>(t.ballots()[s]);
    // Tied sheets (everyone or no one voted) are left to the tie rates (simulate_like_ties): on
    // the logit scale they would be outliers that inflate every spread.
    if (reg <= 0 || b >= reg || b <= 0) continue;
    const size_t p = f.place_of_sheet[s];
    double tt = (b + 0.5) / (reg + 1);
    y[s * D] = logit(tt);
    noise[s * D] = 1 / ((reg + 1) * tt * (1 - tt));
    q.usable_t[s] = 1;
    place_sum[p * D] += y[s * D];
    q.place_n_t[p] += 1;
    const double V = static_cast<double>(t.valid()[s]);
    if (V <= 0) continue;
    double mean_log = 0;
    for (size_t k = 0; k < K; ++k) mean_log += std::log(static_cast<double>(t.choices()[k].or_zero(s)) + 0.5);
    mean_log /= static_cast<double>(K);
    for (size_t k = 0; k < K; ++k) {
      double vk = static_cast<double>(t.choices()[k].or_zero(s)) + 0.5;
      y[s * D + 1 + k] = std::log(vk) - mean_log;
      double pk = vk / (V + 0.5 * static_cast<double>(K));
      noise[s * D + 1 + k] = (1 - pk) / (V * pk + 0.5);
      place_sum[p * D + 1 + k] += y[s * D + 1 + k];
    }
    q.usable_s[s] = 1;
    q.place_n_s[p] += 1;
  }
  return q;
}

// Region means on the scale the model draws on (mean empirical logit, mean centred log-ratio),
// so that the simulated sheets' distribution, not only the region's total, matches.
void simulate_like_region_means(const SimulateLikeSheets& q, const std::vector<uint32_t>& region_of_sheet, size_t R,
                                Model& m) {
  const size_t n = region_of_sheet.size(), D = q.D, K = m.K;
  std::vector<double> sum(R * D, 0), cnt(R * D, 0);
  for (size_t s = 0; s < n; ++s) {
    const size_t r = region_of_sheet[s];
    for (size_t d = 0; d < D; ++d) {
      if (!(d == 0 ? q.usable_t[s] : q.usable_s[s])) continue;
      sum[r * D + d] += q.y[s * D + d];
      cnt[r * D + d] += 1;
    }
  }
  for (size_t r = 0; r < R; ++r) {
    if (cnt[r * D] > 0) m.t_mean[r] = sum[r * D] / cnt[r * D];
    if (cnt[r * D + 1] > 0)
      for (size_t k = 0; k < K; ++k) m.s_mean[r][k] = sum[r * D + 1 + k] / cnt[r * D + 1 + k];
  }
}

// Within-place (sheet) variance less its binomial part; sets total_within and returns the sheet variance.
std::vector<double> simulate_like_sheet_var(const SimulateLikeSheets& q, const Frame& f,
                                            std::vector<double>& total_within) {
  const size_t n = f.place_of_sheet.size(), D = q.D;
  std::vector<double> within(D, 0), within_noise(D, 0), within_df(D, 0);
  for (size_t s = 0; s < n; ++s) {
    const size_t p = f.place_of_sheet[s];
    for (size_t d = 0; d < D; ++d) {
      const bool ok = d == 0 ? q.usable_t[s] : q.usable_s[s];
      const double np = d == 0 ? q.place_n_t[p] : q.place_n_s[p];
      if (!ok || np < 2) continue;
      double dev = q.y[s * D + d] - q.place_sum[p * D + d] / np;
      within[d] += dev * dev * np / (np - 1);  // unbiased within each place
      within_noise[d] += q.noise[s * D + d];
      within_df[d] += 1;
    }
  }
  std::vector<double> sheet_var(D, 0);
  total_within.assign(D, 0);
  for (size_t d = 0; d < D; ++d) {
    if (within_df[d] > 0) {
      total_within[d] = within[d] / within_df[d];
      sheet_var[d] = std::max(0.0, total_within[d] - within_noise[d] / within_df[d]);
    }
  }
  return sheet_var;
}

// Between places within regions: place means around their region's mean of place means, less their noise.
std::vector<double> simulate_like_place_var(const SimulateLikeSheets& q, const Frame& f,
                                            const std::vector<double>& total_within) {
  const size_t R = f.regions, P = f.places, D = q.D;
  const auto& place_sum = q.place_sum;
  std::vector<double> rsum(R * D, 0), rcount(R * D, 0);
  for (size_t p = 0; p < P; ++p)
    for (size_t d = 0; d < D; ++d) {
      double np = d == 0 ? q.place_n_t[p] : q.place_n_s[p];
      if (np < 1) continue;
      rsum[f.region_of_place[p] * D + d] += place_sum[p * D + d] / np;
      rcount[f.region_of_place[p] * D + d] += 1;
    }
  std::vector<double> between(D, 0), between_noise(D, 0), between_df(D, 0);
  for (size_t p = 0; p < P; ++p)
    for (size_t d = 0; d < D; ++d) {
      double np = d == 0 ? q.place_n_t[p] : q.place_n_s[p];
      const size_t rd = f.region_of_place[p] * D + d;
      if (np < 1 || rcount[rd] < 2) continue;
      double dev = place_sum[p * D + d] / np - rsum[rd] / rcount[rd];
      between[d] += dev * dev * rcount[rd] / (rcount[rd] - 1);
      // A place mean carries its sheets' variance over their number (sheet + binomial noise).
      double sheet_noise = total_within[d] > 0 ? total_within[d] : 0;
      between_noise[d] += sheet_noise / np;
      between_df[d] += 1;
    }
  std::vector<double> place_var(D, 0);
  for (size_t d = 0; d < D; ++d)
    if (between_df[d] > 0) place_var[d] = std::max(0.0, (between[d] - between_noise[d]) / between_df[d]);
  return place_var;
}

// The template's coordinates as the simulated layout writes them (five decimals), NaN where
// missing or without coordinates.
std::pair<std::vector<double>, std::vector<double>> written_coordinates(const Election& t) {
  const size_t n = t.sheets();
  std::vector<double> lat(n, std::nan("")), lon(n, std::nan(""));
  if (t.has_coordinates())
    for (size_t s = 0; s < n; ++s) {
      lat[s] = std::isnan(t.latitude()[s]) ? t.latitude()[s] : round5(t.latitude()[s]);
      lon[s] = std::isnan(t.longitude()[s]) ? t.longitude()[s] : round5(t.longitude()[s]);
    }
  return {std::move(lat), std::move(lon)};
}

// Row-major D x D product L L'.
std::vector<double> outer_product(const std::vector<double>& L, size_t D) {
  std::vector<double> p(D * D, 0);
  for (size_t i = 0; i < D; ++i)
    for (size_t j = 0; j < D; ++j)
      for (size_t k = 0; k < D; ++k) p[i * D + j] += L[i * D + k] * L[j * D + k];
  return p;
}

// The template's structure across and within places, on the scale the model draws on (logit
// turnout, centred log-ratios of the choices), from the sheets with valid votes:
//   within places: the covariance of the sheets around their place's mean (places of two or more
//     sheets), less the mean binomial variance on the diagonal, made PSD: the joint sheet effects;
//   between places: the covariance of the place means around their region's mean, less what their
//     own sheets' spread and noise put there (over the place's sheet count), made PSD: the draws
//     for places with fewer than two sheets;
//   each place of two or more sheets keeps its own deviation from its region's mean, shrunk per
//     dimension by sqrt(between / (between + within / sheets)) so that the deviations' spread is
//     the estimated true spread, not the true spread plus sampling noise.
// A sheet's sampling covariance on the model's scale (D x D, lower triangle, added to `out`):
// turnout's logit variance, and for the centred log-ratios C diag(a) C with a_k = 1 / (v_k + 1/2)
// the delta-method variance of the log of choice k's count and C = I - 11'/K the centring (the
// multinomial's common -1/V covariance of the logs cancels in C).
void add_sampling_covariance(const Election& t, const SimulateLikeSheets& q, size_t s, std::vector<double>& a,
                             std::vector<double>& out) {
  const size_t D = q.D, K = D - 1;
  out[0] += q.noise[s * D];
  double A = 0;
  for (size_t k = 0; k < K; ++k) A += a[k] = 1 / (static_cast<double>(t.choices()[k].or_zero(s)) + 0.5);
  const double Kd = static_cast<double>(K);
  for (size_t k = 0; k < K; ++k)
    for (size_t l = 0; l <= k; ++l)
      out[(1 + k) * D + 1 + l] += (k == l ? a[k] : 0) - (a[k] + a[l]) / Kd + A / (Kd * Kd);
}

void simulate_like_structure(const Election& t, const SimulateLikeSheets& q, const Frame& f,
                             const std::vector<uint32_t>& region_of_sheet, Model& m) {
  const size_t n = region_of_sheet.size(), P = f.places, D = q.D;
  std::vector<double> mean(P * D, 0), noise(P * D, 0), cnt(P, 0), a(D - 1), cov(D * D);
  for (size_t s = 0; s < n; ++s) {
    if (!q.usable_s[s]) continue;
    const size_t p = f.place_of_sheet[s];
    cnt[p] += 1;
    std::fill(cov.begin(), cov.end(), 0.0);
    add_sampling_covariance(t, q, s, a, cov);
    for (size_t d = 0; d < D; ++d) mean[p * D + d] += q.y[s * D + d], noise[p * D + d] += cov[d * D + d];
  }
  for (size_t p = 0; p < P; ++p)
    if (cnt[p] > 0)
      for (size_t d = 0; d < D; ++d) mean[p * D + d] /= cnt[p], noise[p * D + d] /= cnt[p];
  std::vector<double> W(D * D, 0), wnoise(D * D, 0), dev(D);
  double wn = 0;
  for (size_t s = 0; s < n; ++s) {
    const size_t p = f.place_of_sheet[s];
    if (!q.usable_s[s] || cnt[p] < 2) continue;
    const double c = cnt[p] / (cnt[p] - 1);  // unbiased within each place
    for (size_t d = 0; d < D; ++d) dev[d] = q.y[s * D + d] - mean[p * D + d];
    add_sampling_covariance(t, q, s, a, wnoise);
    for (size_t i = 0; i < D; ++i)
      for (size_t j = 0; j <= i; ++j) W[i * D + j] += c * dev[i] * dev[j];
    wn += 1;
  }
  std::vector<double> S(D * D, 0);  // the sheet covariance the model draws
  if (wn > 0) {
    for (size_t i = 0; i < D * D; ++i) W[i] = (W[i] - wnoise[i]) / wn;
    m.sheet_factor = stats::psd_factor(W, D);
    S = outer_product(m.sheet_factor, D);
  }
  auto centre = [&](size_t r, size_t d) { return d == 0 ? m.t_mean[r] : m.s_mean[r][d - 1]; };
  std::vector<double> B(D * D, 0);
  double bn = 0;
  for (size_t p = 0; p < P; ++p) {
    if (cnt[p] < 1) continue;
    const size_t r = f.region_of_place[p];
    for (size_t d = 0; d < D; ++d) dev[d] = mean[p * D + d] - centre(r, d);
    for (size_t i = 0; i < D; ++i)
      for (size_t j = 0; j <= i; ++j)
        B[i * D + j] += dev[i] * dev[j] - (S[i * D + j] + (i == j ? noise[p * D + i] : 0)) / cnt[p];
    bn += 1;
  }
  if (bn < 2) return;
  for (double& b : B) b /= bn;
  m.place_factor = stats::psd_factor(B, D);
  const std::vector<double> Sb = outer_product(m.place_factor, D);
  m.place_effect.assign(P * D, 0);
  m.place_known.assign(P, 0);
  for (size_t p = 0; p < P; ++p) {
    if (cnt[p] < 2) continue;
    const size_t r = f.region_of_place[p];
    for (size_t d = 0; d < D; ++d) {
      const double between = Sb[d * D + d], total = between + (S[d * D + d] + noise[p * D + d]) / cnt[p];
      m.place_effect[p * D + d] = total > 0 ? (mean[p * D + d] - centre(r, d)) * std::sqrt(between / total) : 0;
    }
    m.place_known[p] = 1;
  }
}

// Tied values (every registered voter voted; nobody did) per place of two or more sheets, its
// region's rate for the others (ties cluster in places: a whole recinto at 100%, not one table),
// and choices that received no vote at all in a region (a party not standing there), which the
// twin then gives none.
void simulate_like_ties(const Election& t, const Frame& f, const std::vector<uint32_t>& region_of_sheet, Model& m) {
  const size_t n = t.sheets(), R = f.regions, P = f.places, K = m.K;
  std::vector<double> all(R, 0), full(R, 0), empty(R, 0), valid(R, 0), p_all(P, 0), p_full(P, 0), p_empty(P, 0);
  std::vector<double> votes(R * K, 0);
  for (size_t s = 0; s < n; ++s) {
    const int64_t reg = f.registered[s], b = t.ballots()[s];
    if (reg <= 0 || b > reg) continue;
    const size_t r = region_of_sheet[s], p = f.place_of_sheet[s];
    all[r] += 1, p_all[p] += 1;
    full[r] += b == reg, p_full[p] += b == reg;
    empty[r] += b == 0, p_empty[p] += b == 0;
    valid[r] += static_cast<double>(t.valid()[s]);
    for (size_t k = 0; k < K; ++k) votes[r * K + k] += static_cast<double>(t.choices()[k].or_zero(s));
  }
  m.full_rate.assign(P, 0);
  m.empty_rate.assign(P, 0);
  for (size_t p = 0; p < P; ++p) {
    const size_t r = f.region_of_place[p];
    const bool own = p_all[p] >= 2;
    const double a = own ? p_all[p] : all[r];
    if (a > 0) m.full_rate[p] = (own ? p_full[p] : full[r]) / a, m.empty_rate[p] = (own ? p_empty[p] : empty[r]) / a;
  }
  for (size_t r = 0; r < R; ++r) {
    if (valid[r] <= 0) continue;
    size_t standing = 0;
    for (size_t k = 0; k < K; ++k) standing += votes[r * K + k] > 0;
    if (standing < 1) continue;
    for (size_t k = 0; k < K; ++k)
      if (votes[r * K + k] == 0) m.s_mean[r][k] = -std::numeric_limits<double>::infinity();
  }
}

}  // namespace

Election simulate_like(const Election& t, const SimulationOptions& o) {
  validate(o);
  if (!t.registered())
    throw InputError({t.source()}, "simulating like this file needs registered voters per sheet, and it has none mapped");
  const size_t n = t.sheets(), K = t.choices().size();
  if (n == 0 || K == 0) throw InputError({t.source()}, "the template has no sheets or no choices");
  std::set<std::string> seen;
  std::vector<std::string> choices = simulate_like_choices(t, seen);
  Geography geo = simulate_like_geography(t, seen);

  // Regions and places of the template.
  std::vector<uint32_t> region_of_sheet;
  Frame f = simulate_like_frame(t, geo, region_of_sheet);

  // Fit: per-region means (of the sheets' empirical logits and centred log-ratios; from the totals where a region has no usable sheet); place and sheet spreads by the method of
  // moments on empirical logits (turnout) and centred log-ratios (shares), with the binomial
  // sampling variance of each sheet subtracted because the simulation adds it back.
  Model m;
  m.K = K;
  m.leader = o.leader >= 0 ? static_cast<size_t>(o.leader) : largest_choice(t);
  if (m.leader >= K) throw UsageError("the leader index is beyond the template's choices");
  simulate_like_region_totals(t, f, region_of_sheet, m);
  const SimulateLikeSheets q = simulate_like_sheets(t, f, K);
  simulate_like_region_means(q, region_of_sheet, f.regions, m);
  std::vector<double> total_within;
  const std::vector<double> sheet_var = simulate_like_sheet_var(q, f, total_within);
  const std::vector<double> place_var = simulate_like_place_var(q, f, total_within);
  // Without places finer than sheets (no geography), all spread is sheet spread.
  m.t_place_sd = std::sqrt(place_var[0]);
  m.t_sheet_sd = std::sqrt(sheet_var[0]);
  for (size_t k = 0; k < K; ++k) {
    m.s_place_sd.push_back(std::sqrt(place_var[1 + k]));
    m.s_sheet_sd.push_back(std::sqrt(sheet_var[1 + k]));
  }
  simulate_like_structure(t, q, f, region_of_sheet, m);
  simulate_like_ties(t, f, region_of_sheet, m);

  Generated g = generate(m, f, o);
  auto [lat, lon] = written_coordinates(t);
  return assemble(t.ids(), std::move(geo), choices, f.registered, std::move(g), std::move(lat), std::move(lon), o);
}

namespace {

// One real sheet's counts, manipulated as the options say (see inject_into). Writes the sheet's
// counts and truth into g at i.
void inject_sheet(const Election& t, size_t i, size_t leader, const SimulationOptions& o, Generated& g,
                  std::vector<int64_t>& v) {
  const size_t K = v.size();
  Rng r(o.seed, kSheetStream + i);
  const double u_fraud = r.uniform(), z_fraud = r.normal(), u_round = r.uniform();
  bool complete = true;
  for (size_t k = 0; k < K; ++k) {
    v[k] = t.choices()[k][i];
    complete &= v[k] != kMissing && v[k] >= 0;
  }
  int64_t blank = t.blank() ? (*t.blank())[i] : 0, invalid = t.invalid() ? (*t.invalid())[i] : 0;
  complete &= blank != kMissing && blank >= 0 && invalid != kMissing && invalid >= 0;
  const int64_t reg = t.registered() ? (*t.registered())[i] : kMissing;
  bool changed = false;
  if (complete && u_fraud < o.fraud_share && (o.fraud_kind == FraudKind::kRewrite || (reg != kMissing && reg > 0))) {
    int64_t ballots = blank + invalid;
    for (int64_t x : v) ballots += x;
    const double x = manipulation_fraction(o.fraud_kind, o.fraud_intensity, z_fraud);
    manipulate_sheet(v, leader, o.fraud_kind == FraudKind::kRewrite ? 0 : reg - ballots, o.fraud_kind, x, o.steal);
    g.stuffed[i] = manipulation_code(o.fraud_kind);
    changed = true;
  }
  if (complete && u_round < o.round_share && round_sheet(v, blank, invalid, leader)) {
    g.rounded[i] = 1;
    changed = true;
  }
  for (size_t k = 0; k < K; ++k) g.choices[k][i] = changed ? v[k] : t.choices()[k][i];
  // A file without a blank (or invalid) column is analysed as if those were 0 (ballots = valid +
  // blank + invalid, missing read as 0), and its clean twin draws none: the copy writes 0, not a
  // missing cell, which would make every sheet incomplete and leave the battery nothing to test.
  g.blank[i] = t.blank() ? (changed ? blank : (*t.blank())[i]) : 0;
  g.invalid[i] = t.invalid() ? (changed ? invalid : (*t.invalid())[i]) : 0;
}

}  // namespace

Election inject_into(const Election& t, const SimulationOptions& o) {
  validate(o);
  const size_t n = t.sheets(), K = t.choices().size();
  if (n == 0 || K < 2) throw InputError({t.source()}, "injecting fraud needs sheets and at least two choices");
  if (o.fraud_share > 0 && o.fraud_kind != FraudKind::kRewrite && !t.registered())
    throw InputError({t.source()}, "ballot stuffing turns non-voters into votes, so it needs registered voters per "
                                   "sheet, and this file has none mapped");
  const size_t leader = o.leader >= 0 ? static_cast<size_t>(o.leader) : largest_choice(t);
  if (leader >= K) throw UsageError("the leader index is beyond the file's choices");
  std::set<std::string> seen;
  std::vector<std::string> choices = simulate_like_choices(t, seen);
  Geography geo = simulate_like_geography(t, seen);
  Generated g;
  g.choices.assign(K, std::vector<int64_t>(n));
  for (auto* c : {&g.blank, &g.invalid, &g.stuffed, &g.rounded, &g.late}) c->assign(n, 0);
  parallel_blocks(n, o.threads, [&](size_t begin, size_t end) {
    std::vector<int64_t> v(K);
    for (size_t i = begin; i < end; ++i) inject_sheet(t, i, leader, o, g, v);
  });
  g.timestamps = t.timestamps_ms();
  std::vector<int64_t> registered = t.registered() ? t.registered()->values : std::vector<int64_t>(n, kMissing);
  auto [lat, lon] = written_coordinates(t);
  // The copy keeps the file's time zone, so that its arrival times are written as they were read.
  SimulationOptions zone = o;
  if (parse_utc_offset(t.spec().timezone)) zone.close_time = "2000-01-01T00:00:00" + t.spec().timezone;
  return assemble(t.ids(), std::move(geo), choices, std::move(registered), std::move(g), std::move(lat), std::move(lon),
                  zone);
}

void write_simulated_csv(const Election& e, const std::function<void(std::string_view)>& sink) {
  const Geography& geo = e.geography();
  std::vector<std::string> levels = geo.level_names();
  std::vector<std::string> choices;
  for (const auto& c : e.choices()) choices.push_back(c.name);
  int32_t offset = parse_utc_offset(e.spec().timezone).value_or(0);
  std::string buf;
  buf.reserve(1 << 20);
  auto text = [&](std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
      buf.append(s);
      return;
    }
    buf.push_back('"');
    for (char c : s) {
      if (c == '"') buf.push_back('"');
      buf.push_back(c);
    }
    buf.push_back('"');
  };
  auto count = [&](int64_t v) {
    if (v != kMissing) fmt::format_to(std::back_inserter(buf), "{}", v);
  };
  auto header = simulated_header(levels, choices);
  for (size_t i = 0; i < header.size(); ++i) {
    if (i) buf.push_back(',');
    text(header[i]);
  }
  buf.push_back('\n');
  const CountColumn* extra[3] = {nullptr, nullptr, nullptr};
  for (const auto& x : e.extras()) {
    if (x.name == "stuffed") extra[0] = &x;
    if (x.name == "rounded") extra[1] = &x;
    if (x.name == "late") extra[2] = &x;
  }
  for (size_t s = 0; s < e.sheets(); ++s) {
    text(e.id(s));
    for (size_t l = 0; l < geo.levels(); ++l) {
      buf.push_back(',');
      text(geo.node_name(l, geo.node_of(l, s)));
    }
    for (const std::vector<double>* c : {&e.latitude(), &e.longitude()}) {
      buf.push_back(',');
      if (!c->empty() && !std::isnan((*c)[s])) fmt::format_to(std::back_inserter(buf), "{:.5f}", (*c)[s]);
    }
    buf.push_back(',');
    if (e.registered()) count((*e.registered())[s]);
    for (const auto& c : e.choices()) {
      buf.push_back(',');
      count(c[s]);
    }
    buf.push_back(',');
    if (e.blank()) count((*e.blank())[s]);
    buf.push_back(',');
    if (e.invalid()) count((*e.invalid())[s]);
    buf.push_back(',');
    if (e.has_timestamps() && e.timestamps_ms()[s] != kMissing) buf.append(format_timestamp(e.timestamps_ms()[s], offset));
    for (const CountColumn* x : extra) {
      buf.push_back(',');
      if (x) count((*x)[s]);
      else buf.push_back('0');
    }
    buf.push_back('\n');
    if (buf.size() >= (1 << 20) - 4096) {
      sink(buf);
      buf.clear();
    }
  }
  if (!buf.empty()) sink(buf);
}

SimulationSummary summarize_simulation(const Election& e, size_t leader, uint64_t seed) {
  SimulationSummary s;
  s.seed = seed;
  s.units = e.sheets();
  const int rl = region_level(e.geography());
  s.regions = rl < 0 ? 1 : e.geography().node_count(static_cast<size_t>(rl));
  s.places = e.geography().levels() ? e.geography().node_count(e.geography().levels() - 1) : e.sheets();
  for (const auto& c : e.choices()) s.choices.push_back(c.name);
  if (leader >= e.choices().size()) throw UsageError("the leader index is beyond the choices");
  s.leader = e.choices().empty() ? "" : e.choices()[leader].name;
  const CountColumn *stuffed = nullptr, *rounded = nullptr, *late = nullptr;
  for (const auto& x : e.extras()) {
    if (x.name == "stuffed") stuffed = &x;
    if (x.name == "rounded") rounded = &x;
    if (x.name == "late") late = &x;
  }
  double reg = 0, bal = 0, lv = 0, vv = 0, late_l = 0, late_v = 0;
  double st = 0, st2 = 0, nt = 0, sl = 0, sl2 = 0, nl = 0;
  for (size_t i = 0; i < e.sheets(); ++i) {
    double r = e.registered() ? static_cast<double>(e.registered()->or_zero(i)) : 0;
    double b = static_cast<double>(e.ballots()[i]), v = static_cast<double>(e.valid()[i]);
    double l = e.choices().empty() ? 0 : static_cast<double>(e.choices()[leader].or_zero(i));
    reg += r;
    bal += b;
    lv += l;
    vv += v;
    if (r > 0) st += b / r, st2 += (b / r) * (b / r), nt += 1;
    if (v > 0) sl += l / v, sl2 += (l / v) * (l / v), nl += 1;
    if (stuffed && stuffed->or_zero(i) == 3) ++s.rewritten;
    else if (stuffed && stuffed->or_zero(i) > 0) ++s.stuffed, s.stuffed_extreme += stuffed->or_zero(i) == 2;
    if (rounded && rounded->or_zero(i) > 0) ++s.rounded;
    if (late && late->or_zero(i) > 0) ++s.late_units, late_l += l, late_v += v;
  }
  s.turnout = reg > 0 ? bal / reg : std::nan("");
  s.leader_share = vv > 0 ? lv / vv : std::nan("");
  s.turnout_sd = nt > 1 ? std::sqrt(std::max(0.0, (st2 - st * st / nt) / (nt - 1))) : std::nan("");
  s.leader_share_sd = nl > 1 ? std::sqrt(std::max(0.0, (sl2 - sl * sl / nl) / (nl - 1))) : std::nan("");
  s.late_leader_share = late_v > 0 ? late_l / late_v : std::nan("");
  s.early_leader_share = vv - late_v > 0 ? (lv - late_l) / (vv - late_v) : std::nan("");
  return s;
}

nlohmann::ordered_json to_json(const SimulationSummary& s) {
  auto num = [](double x) { return std::isnan(x) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(x); };
  nlohmann::ordered_json j;
  j["seed"] = s.seed;
  if (!s.injected_into.empty()) j["injected_into"] = s.injected_into;
  j["units"] = s.units;
  j["regions"] = s.regions;
  j["places"] = s.places;
  j["choices"] = s.choices;
  j["leader"] = s.leader;
  j["turnout"] = num(s.turnout);
  j["turnout_sd"] = num(s.turnout_sd);
  j["leader_share"] = num(s.leader_share);
  j["leader_share_sd"] = num(s.leader_share_sd);
  j["stuffed_units"] = s.stuffed;
  j["stuffed_extreme_units"] = s.stuffed_extreme;
  j["rewritten_units"] = s.rewritten;
  j["rounded_units"] = s.rounded;
  j["late_units"] = s.late_units;
  j["late_leader_share"] = num(s.late_leader_share);
  j["early_leader_share"] = num(s.early_leader_share);
  return j;
}

std::string to_text(const SimulationSummary& s) {
  std::string o;
  if (s.injected_into.empty())
    o += fmt::format("Simulated {} sheets in {} regions and {} polling places (seed {})\n",
                     thousands(static_cast<int64_t>(s.units)), s.regions, thousands(static_cast<int64_t>(s.places)), s.seed);
  else
    o += fmt::format("A copy of {} ({} sheets) with manipulation injected (seed {}); other sheets as they are\n",
                     s.injected_into, thousands(static_cast<int64_t>(s.units)), s.seed);
  o += fmt::format("  turnout {:.2f}% (sd across sheets {:.2f} points); {} leads with {:.2f}% (sd {:.2f} points)\n",
                   100 * s.turnout, 100 * s.turnout_sd, s.leader, 100 * s.leader_share, 100 * s.leader_share_sd);
  o += fmt::format("  ballot stuffing on {} sheets ({} extreme); whole-percentage leader share on {} sheets\n", s.stuffed,
                   s.stuffed_extreme, s.rounded);
  if (s.rewritten) o += fmt::format("  votes rewritten to the leader on {} sheets\n", s.rewritten);
  if (s.late_units)
    o += fmt::format("  {} sheets in late regions: leader {:.2f}% there, {:.2f}% elsewhere\n", s.late_units,
                     100 * s.late_leader_share, 100 * s.early_leader_share);
  o += "  The truth is in the sim_stuffed, sim_rounded and sim_late columns.\n";
  return o;
}

}  // namespace tallyscope
