// The clean twin (simulate_like) against its template, on the statistics that decide whether the
// forensic battery's calibration means anything (issue 13): the association between turnout and
// the leader's share across polling places within regions, the within-place dispersion of turnout
// and of the leader's share (phi, analysis/forensics/within_place.h), and tied values (sheets
// where every registered voter voted, or nobody did). A twin that drew places independently, as
// the simulator once did, gives an association near 0 and fails the first check.
#include <cmath>
#include <optional>

#include <gtest/gtest.h>

#include "analysis/forensics/within_place.h"
#include "analysis/simulate/simulate.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

struct TwinStats {
  double association = 0;  // across places, each centred on its region's mean of places
  double sheet_association = 0;  // across sheets, each centred on its region's mean of sheets
  double phi_turnout = 0, phi_leader = 0;
  double full = 0, empty = 0;  // shares of sheets with registered voters
  size_t places = 0;
};

// Pooled turnout and leader share per place (the finest level), centred on the mean of the places
// of their region (the coarsest level with two or more units), correlated over places.
TwinStats twin_stats(const Election& e, size_t leader) {
  TwinStats st;
  const Geography& g = e.geography();
  const size_t pl = g.levels() - 1;
  size_t rl = 0;
  while (rl + 1 < g.levels() && g.node_count(rl) < 2) ++rl;
  const size_t P = g.node_count(pl), R = g.node_count(rl);
  std::vector<double> reg(P, 0), bal(P, 0), val(P, 0), lead(P, 0);
  std::vector<uint32_t> region(P, 0);
  double sheets = 0;
  for (size_t s = 0; s < e.sheets(); ++s) {
    const int64_t r = e.registered()->or_zero(s), b = e.ballots()[s];
    if (r <= 0 || b > r) continue;
    sheets += 1;
    st.full += b == r;
    st.empty += b == 0;
    const uint32_t p = g.node_of(pl, s);
    region[p] = g.node_of(rl, s);
    reg[p] += static_cast<double>(r);
    bal[p] += static_cast<double>(b);
    val[p] += static_cast<double>(e.valid()[s]);
    lead[p] += static_cast<double>(e.choices()[leader].or_zero(s));
  }
  st.full /= sheets;
  st.empty /= sheets;
  std::vector<double> t(P), l(P), rt(R, 0), rs(R, 0), rn(R, 0);
  std::vector<uint8_t> ok(P, 0);
  for (size_t p = 0; p < P; ++p) {
    if (reg[p] <= 0 || val[p] <= 0) continue;
    ok[p] = 1;
    t[p] = bal[p] / reg[p];
    l[p] = lead[p] / val[p];
    rt[region[p]] += t[p], rs[region[p]] += l[p], rn[region[p]] += 1;
  }
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t p = 0; p < P; ++p) {
    if (!ok[p]) continue;
    const double x = t[p] - rt[region[p]] / rn[region[p]], y = l[p] - rs[region[p]] / rn[region[p]];
    sxy += x * y, sxx += x * x, syy += y * y;
    ++st.places;
  }
  st.association = sxy / std::sqrt(sxx * syy);
  // The same across sheets (the within-region correlation the issue measured: 0.07 to 0.51).
  std::vector<double> st_t(R, 0), st_l(R, 0), st_n(R, 0);
  auto sheet_tl = [&](size_t s, double& x, double& y) {
    const double r = static_cast<double>(e.registered()->or_zero(s)), b = static_cast<double>(e.ballots()[s]),
                 v = static_cast<double>(e.valid()[s]);
    if (r <= 0 || b > r || v <= 0) return false;
    x = b / r, y = static_cast<double>(e.choices()[leader].or_zero(s)) / v;
    return true;
  };
  for (size_t s = 0; s < e.sheets(); ++s) {
    double x, y;
    if (!sheet_tl(s, x, y)) continue;
    const uint32_t r = g.node_of(rl, s);
    st_t[r] += x, st_l[r] += y, st_n[r] += 1;
  }
  sxy = sxx = syy = 0;
  for (size_t s = 0; s < e.sheets(); ++s) {
    double x, y;
    if (!sheet_tl(s, x, y)) continue;
    const uint32_t r = g.node_of(rl, s);
    x -= st_t[r] / st_n[r], y -= st_l[r] / st_n[r];
    sxy += x * y, sxx += x * x, syy += y * y;
  }
  st.sheet_association = sxy / std::sqrt(sxx * syy);
  WithinPlaceOptions wo;
  wo.replicates = 1;
  WithinPlaceResult w = within_place_tests(e, {static_cast<int>(leader)}, wo);
  for (const auto& test : w.tests) {
    if (test.id != "within_place_dispersion") continue;
    (test.target == "turnout" ? st.phi_turnout : st.phi_leader) = test.statistic;
  }
  return st;
}

// A synthetic template whose places that turn out more vote more for the leader (correlation 0.6
// of the place effects): its twin keeps that association and the within-place dispersion.
TEST(Twin, KeepsThePlaceAssociationAndTheWithinPlaceSpread) {
  SimulationOptions o;
  o.units = 20000;
  o.seed = 11;
  o.place_association = 0.6;
  o.turnout_place_sd = 0.4;
  o.share_place_sd = 0.4;
  const Election templ = simulate(o);
  const TwinStats a = twin_stats(templ, 0);
  ASSERT_GT(a.association, 0.3);  // the template has the structure the twin must keep
  for (uint64_t seed : {1u, 2u, 3u}) {
    SimulationOptions so;
    so.seed = seed;
    const TwinStats b = twin_stats(simulate_like(templ, so), 0);
    EXPECT_NEAR(b.association, a.association, 0.08) << "seed " << seed;
    EXPECT_NEAR(b.sheet_association, a.sheet_association, 0.05) << "seed " << seed;
    EXPECT_NEAR(b.phi_turnout / a.phi_turnout, 1, 0.15) << a.phi_turnout << " " << b.phi_turnout;
    EXPECT_NEAR(b.phi_leader / a.phi_leader, 1, 0.15) << a.phi_leader << " " << b.phi_leader;
  }
}

// Bolivia 2019 (final count, 34,555 mesas in 5,000-odd recintos): places that turn out more vote
// more for MAS within departments, mesas of one recinto differ by more than binomial noise, and
// some mesas have every registered voter voting. The twin keeps each.
TEST(Twin, Bolivia2019KeepsItsStructure) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/computo-final.csv.gz");
  const Election templ = load_election(path);
  const size_t leader = largest_choice(templ);
  const TwinStats a = twin_stats(templ, leader);
  SimulationOptions so;
  so.seed = 1;
  const TwinStats b = twin_stats(simulate_like(templ, so), leader);
  // Measured at seed 1 (template, twin): sheet association 0.130, 0.140; place association 0.052,
  // 0.093; phi of turnout 1.39, 1.45; of MAS 2.45, 2.26; every voter voted on 0.81%, 0.93% of the
  // mesas; nobody on 0.012%, 0.006%.
  EXPECT_GT(a.sheet_association, 0.1);
  EXPECT_NEAR(b.sheet_association, a.sheet_association, 0.04);
  EXPECT_NEAR(b.association, a.association, 0.06);
  EXPECT_NEAR(b.phi_turnout / a.phi_turnout, 1, 0.2) << a.phi_turnout << " " << b.phi_turnout;
  EXPECT_NEAR(b.phi_leader / a.phi_leader, 1, 0.2) << a.phi_leader << " " << b.phi_leader;
  EXPECT_GT(a.full, 0.005);
  EXPECT_NEAR(b.full / a.full, 1, 0.3) << a.full << " " << b.full;
  EXPECT_NEAR(b.empty, a.empty, 0.001);
}

}  // namespace
}  // namespace tallyscope
