#include "stats/rd.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "io/csv_reader.h"
#include "io/number.h"
#include "testing/testing.h"

namespace tallyscope::stats {
namespace {

// ---------------------------------------------------------------------------------------------
// Data

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<double>> cols;  // NaN where a field is empty or not a number
  const std::vector<double>& col(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return cols[i];
    throw std::runtime_error("no column " + name);
  }
};

Table read_table(const std::string& path) {
  Table t;
  auto reader = CsvReader::open(path);
  CsvRecord rec;
  if (!reader->next(rec)) return t;
  for (auto f : rec.fields) t.header.emplace_back(f);
  t.cols.resize(t.header.size());
  while (reader->next(rec))
    for (size_t i = 0; i < t.cols.size(); ++i)
      t.cols[i].push_back(i < rec.fields.size() ? parse_double(rec.fields[i]).value_or(std::nan("")) : std::nan(""));
  return t;
}

// The rdrobust reference inputs (see /work/shared/reference/README.md), read once.
const Table* reference_table(const std::string& name) {
  static std::map<std::string, Table> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return &it->second;
  const std::string dir = ::tallyscope::testing::shared_data_dir();
  if (dir.empty()) return nullptr;
  const std::string path = dir + "/../reference/rdrobust/" + name;
  if (!std::filesystem::exists(path)) return nullptr;
  return &cache.emplace(name, read_table(path)).first->second;
}

#define REQUIRE_REFERENCE(var, name)                                                       \
  const Table* var = reference_table(name);                                                \
  if (var == nullptr) GTEST_SKIP() << "reference data not found (shared/reference/rdrobust/" \
                                   << name << "); skipping"

std::vector<int64_t> synth_clusters(const Table& t) {
  // floor(1000 x): bins of width 0.001 in the running variable.
  std::vector<int64_t> c;
  for (double v : t.col("x")) c.push_back(static_cast<int64_t>(std::floor(v * 1000)));
  return c;
}

std::vector<int64_t> bolivia_clusters(const Table& t) {
  // numero_mesa // 8: runs of 8 consecutive acta numbers.
  std::vector<int64_t> c;
  for (double v : t.col("numero_mesa")) c.push_back(static_cast<int64_t>(v) / 8);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Full-precision numbers printed by the reference Python rdrobust (Python/rdrobust/src of
// rdpackages/rdrobust commit 34aac07, version 2.0.0, run from its source folder with Debian 12's
// python3, numpy 1.24.2, scipy 1.10.1, without numba) as coef, bias-corrected coef, conventional
// and robust SE, bws (h left/right, b left/right), robust CI and p-value, N_h and N_b.

struct PyRef {
  double coef, bc, se, rse, h_l, h_r, b_l, b_r, ci_lo, ci_hi, pv;
  size_t nh_l, nh_r, nb_l, nb_r;
};

void expect_ref(const RdResult& r, const PyRef& e, double rel = 1e-7) {
  auto near = [&](double got, double want, const char* what) {
    EXPECT_NEAR(got, want, rel * std::max(std::abs(want), 1e-3)) << what;
  };
  near(r.coef_conventional, e.coef, "coef_conventional");
  near(r.coef_bias_corrected, e.bc, "coef_bias_corrected");
  near(r.se_conventional, e.se, "se_conventional");
  near(r.se_robust, e.rse, "se_robust");
  near(r.h_left, e.h_l, "h_left");
  near(r.h_right, e.h_r, "h_right");
  near(r.b_left, e.b_l, "b_left");
  near(r.b_right, e.b_r, "b_right");
  near(r.ci_robust_low, e.ci_lo, "ci_robust_low");
  near(r.ci_robust_high, e.ci_hi, "ci_robust_high");
  EXPECT_NEAR(r.p_value_robust, e.pv, rel * std::max(e.pv, 1e-6)) << "p_value_robust";
  EXPECT_EQ(r.n_eff_left, e.nh_l);
  EXPECT_EQ(r.n_eff_right, e.nh_r);
  EXPECT_EQ(r.n_b_left, e.nb_l);
  EXPECT_EQ(r.n_b_right, e.nb_r);
}

RdResult run(const Table& t, RdOptions o = {}) { return rdrobust(t.col("y"), t.col("x"), o); }

// ---------------------------------------------------------------------------------------------
// The numbers in /work/shared/reference/README.md: rdrobust(y, x, c = 0) printed identically by R
// rdrobust 4.0.0 and Python rdrobust 2.0.0 (rdpackages/rdrobust commit 34aac07), pinned at the
// printed precision.

TEST(RdReference, SyntheticDefaultsNN) {
  REQUIRE_REFERENCE(t, "rd_synth_34555.csv.gz");
  const RdResult r = run(*t);
  EXPECT_EQ(r.n_left, 28906u);
  EXPECT_EQ(r.n_right, 5649u);
  EXPECT_EQ(r.vce, RdVce::kNN);
  EXPECT_NEAR(r.coef_conventional, 0.05310, 5e-6);
  EXPECT_NEAR(r.coef_bias_corrected, 0.05136, 5e-6);
  EXPECT_NEAR(r.se_conventional, 0.02560, 5e-6);
  EXPECT_NEAR(r.se_robust, 0.03075, 5e-6);
  EXPECT_NEAR(r.h_left, 0.05419, 5e-6);
  EXPECT_NEAR(r.h_right, 0.05419, 5e-6);
  EXPECT_NEAR(r.b_left, 0.08147, 5e-6);
  EXPECT_NEAR(r.b_right, 0.08147, 5e-6);
  EXPECT_EQ(r.n_eff_left, 1871u);
  EXPECT_EQ(r.n_eff_right, 1895u);
  EXPECT_NEAR(r.ci_conventional_low, 0.0029, 5e-5);
  EXPECT_NEAR(r.ci_conventional_high, 0.1033, 5e-5);
  EXPECT_NEAR(r.ci_robust_low, -0.0089, 5e-5);
  EXPECT_NEAR(r.ci_robust_high, 0.1116, 5e-5);
}

TEST(RdReference, SyntheticHC1) {
  REQUIRE_REFERENCE(t, "rd_synth_34555.csv.gz");
  RdOptions o;
  o.vce = RdVce::kHC1;
  const RdResult r = run(*t, o);
  EXPECT_EQ(r.vce, RdVce::kHC1);
  EXPECT_NEAR(r.coef_conventional, 0.05320, 5e-6);
  EXPECT_NEAR(r.coef_bias_corrected, 0.05152, 5e-6);
  EXPECT_NEAR(r.se_conventional, 0.02548, 5e-6);
  EXPECT_NEAR(r.se_robust, 0.03064, 5e-6);
  EXPECT_NEAR(r.h_left, 0.05393, 5e-6);
  EXPECT_NEAR(r.b_left, 0.08169, 5e-6);
  EXPECT_NEAR(r.ci_conventional_low, 0.0033, 5e-5);
  EXPECT_NEAR(r.ci_conventional_high, 0.1031, 5e-5);
  EXPECT_NEAR(r.ci_robust_low, -0.0085, 5e-5);
  EXPECT_NEAR(r.ci_robust_high, 0.1116, 5e-5);
}

TEST(RdReference, BoliviaRankNN) {
  REQUIRE_REFERENCE(t, "rd_bol_trep_rank.csv.gz");
  const RdResult r = run(*t);
  EXPECT_EQ(r.n_left, 28973u);
  EXPECT_EQ(r.n_right, 5578u);
  EXPECT_NEAR(r.coef_conventional, 0.15409, 5e-6);
  EXPECT_NEAR(r.coef_bias_corrected, 0.16028, 5e-6);
  EXPECT_NEAR(r.se_conventional, 0.03665, 5e-6);
  EXPECT_NEAR(r.se_robust, 0.04376, 5e-6);
  EXPECT_NEAR(r.h_left, 1437.44, 5e-3);
  EXPECT_NEAR(r.h_right, 1437.44, 5e-3);
  EXPECT_NEAR(r.b_left, 2214.79, 5e-3);
  EXPECT_NEAR(r.b_right, 2214.79, 5e-3);
  EXPECT_EQ(r.n_eff_left, 1437u);
  EXPECT_EQ(r.n_eff_right, 1438u);
  EXPECT_NEAR(r.ci_conventional_low, 0.0823, 5e-5);
  EXPECT_NEAR(r.ci_conventional_high, 0.2259, 5e-5);
  EXPECT_NEAR(r.ci_robust_low, 0.0745, 5e-5);
  EXPECT_NEAR(r.ci_robust_high, 0.2460, 5e-5);
}

TEST(RdReference, BoliviaRankHC1) {
  REQUIRE_REFERENCE(t, "rd_bol_trep_rank.csv.gz");
  RdOptions o;
  o.vce = RdVce::kHC1;
  const RdResult r = run(*t, o);
  EXPECT_NEAR(r.coef_conventional, 0.15409, 5e-6);
  EXPECT_NEAR(r.coef_bias_corrected, 0.16029, 5e-6);
  EXPECT_NEAR(r.se_conventional, 0.03718, 5e-6);
  EXPECT_NEAR(r.se_robust, 0.04443, 5e-6);
  EXPECT_NEAR(r.h_left, 1437.57, 5e-3);
  EXPECT_NEAR(r.b_left, 2217.40, 5e-3);
  EXPECT_NEAR(r.ci_conventional_low, 0.0812, 5e-5);
  EXPECT_NEAR(r.ci_conventional_high, 0.2270, 5e-5);
  EXPECT_NEAR(r.ci_robust_low, 0.0732, 5e-5);
  EXPECT_NEAR(r.ci_robust_high, 0.2474, 5e-5);
}

// The package's own Senate example (rdrobust_senate.csv in rdpackages/rdrobust; its README and the
// reference README: coef 7.414, h = 17.754, robust CI [4.094, 10.919]). The data is not part of
// this repository: point TALLYSCOPE_RDROBUST_SENATE at a copy of the CSV to run this check.
TEST(RdReference, SenateExampleWhenAvailable) {
  const char* path = std::getenv("TALLYSCOPE_RDROBUST_SENATE");
  if (path == nullptr || !std::filesystem::exists(path))
    GTEST_SKIP() << "set TALLYSCOPE_RDROBUST_SENATE to rdrobust_senate.csv to run";
  const Table t = read_table(path);
  std::vector<double> y, x;
  for (size_t i = 0; i < t.col("vote").size(); ++i) {
    const double v = t.col("vote")[i], m = t.col("margin")[i];
    if (std::isfinite(v) && std::isfinite(m)) {  // rdrobust drops incomplete rows
      y.push_back(v);
      x.push_back(m);
    }
  }
  const RdResult r = rdrobust(y, x);
  EXPECT_NEAR(r.coef_conventional, 7.414, 5e-4);
  EXPECT_NEAR(r.h_left, 17.754, 5e-4);
  EXPECT_NEAR(r.ci_robust_low, 4.094, 5e-4);
  EXPECT_NEAR(r.ci_robust_high, 10.919, 5e-4);
  // Python rdrobust 2.0.0 (as in PyRef above): rdrobust(vote, margin).
  expect_ref(r, {7.41413080197232, 7.506502470585673, 1.4587160238256314, 1.741258414607624, 17.754397221169466,
                 17.754397221169466, 28.028087151155695, 28.028087151155695, 4.093698690177417, 10.919306250993928,
                 1.6254431450240132e-05, 360, 323, 465, 437});
}

// ---------------------------------------------------------------------------------------------
// Further options, pinned to full-precision output of the reference Python rdrobust (see PyRef).
// Each comment gives the Python call; syn = the synthetic input, bol = the Bolivian one.

TEST(RdPythonReference, SyntheticNNFullPrecision) {
  REQUIRE_REFERENCE(t, "rd_synth_34555.csv.gz");
  // rdrobust(syn.y, syn.x, c=0)
  expect_ref(run(*t), {0.05310076997287205, 0.05135759869048194, 0.025595791076905062, 0.030752012329960204,
                       0.05419215184754763, 0.05419215184754763, 0.08147100266174662, 0.08147100266174662,
                       -0.008915237928371733, 0.11163043530933561, 0.09490818162601121, 1871, 1895, 2832, 2835});
}

TEST(RdPythonReference, SyntheticHC0HC2HC3) {
  REQUIRE_REFERENCE(t, "rd_synth_34555.csv.gz");
  RdOptions o;
  o.vce = RdVce::kHC0;  // rdrobust(syn.y, syn.x, c=0, vce='hc0')
  expect_ref(run(*t, o), {0.05320080527422881, 0.05152063734025944, 0.025469640201403985, 0.030630819239080703,
                          0.05392016293531198, 0.05392016293531198, 0.08167645475142259, 0.08167645475142259,
                          -0.008514665185295318, 0.11155593986581419, 0.09257137610684422, 1861, 1885, 2840, 2840});
  o.vce = RdVce::kHC1;  // vce='hc1'
  expect_ref(run(*t, o), {0.053198476188811364, 0.051521483783843386, 0.025476793571436555, 0.03064407605064915,
                          0.0539275716198401, 0.0539275716198401, 0.08169276987529536, 0.08169276987529536,
                          -0.008539801614935366, 0.11158276918262214, 0.09270720016551617, 1861, 1886, 2841, 2840});
  o.vce = RdVce::kHC2;  // vce='hc2'
  expect_ref(run(*t, o), {0.05319625469401794, 0.05152207271665936, 0.02549311379216825, 0.03066408542525587,
                          0.05393448327438937, 0.05393448327438937, 0.08170758990476182, 0.08170758990476182,
                          -0.008578430335701735, 0.11162257576902046, 0.0929166562870441, 1863, 1886, 2842, 2840});
  o.vce = RdVce::kHC3;  // vce='hc3'
  expect_ref(run(*t, o), {0.05319141099598723, 0.051523833718910755, 0.025516546687981916, 0.03069734459299565,
                          0.05394900702009962, 0.05394900702009962, 0.08173876314742257, 0.08173876314742257,
                          -0.00864185610437608, 0.11168952354219759, 0.09326007360564849, 1863, 1886, 2844, 2842});
}

TEST(RdPythonReference, SyntheticClustered) {
  REQUIRE_REFERENCE(t, "rd_synth_34555.csv.gz");
  RdOptions o;
  o.cluster = synth_clusters(*t);  // cluster = np.floor(syn.x * 1000).astype(int64)
  // rdrobust(syn.y, syn.x, c=0, cluster=cl): vce 'nn' becomes 'cr1'
  RdResult r = run(*t, o);
  EXPECT_EQ(r.vce, RdVce::kCR1);
  EXPECT_GT(r.clusters_left, 50u);
  expect_ref(r, {0.05339528101661256, 0.05184163146106746, 0.024102952143373244, 0.028979308295347835,
                 0.05240249805670641, 0.05240249805670641, 0.08182290270915353, 0.08182290270915353,
                 -0.004956769094697125, 0.10864003201683205, 0.07362788227360674, 1809, 1832, 2844, 2847});
  o.vce = RdVce::kCR2;  // vce='cr2'
  r = run(*t, o);
  EXPECT_EQ(r.vce, RdVce::kCR2);
  expect_ref(r, {0.05338135176016735, 0.05205366755135843, 0.024875657751353784, 0.030072809490027913,
                 0.052846264674791886, 0.052846264674791886, 0.08279626095911626, 0.08279626095911626,
                 -0.006887955963030629, 0.11099529106574749, 0.0834657958126592, 1829, 1853, 2875, 2879});
  o.vce = RdVce::kHC3;  // vce='cr3' (hc3 maps to cr3 under clustering, as in rdrobust)
  r = run(*t, o);
  EXPECT_EQ(r.vce, RdVce::kCR3);
  expect_ref(r, {0.05327837672053365, 0.05228171811779915, 0.0257611739083296, 0.03131242630970605,
                 0.05351983076649522, 0.05351983076649522, 0.08412439439014649, 0.08412439439014649,
                 -0.009089509717789136, 0.11365294595338743, 0.09498278034135925, 1844, 1872, 2932, 2920});
}

TEST(RdPythonReference, SyntheticClusteredFixedBandwidths) {
  REQUIRE_REFERENCE(t, "rd_synth_34555.csv.gz");
  RdOptions o;
  o.cluster = synth_clusters(*t);
  o.h = 0.06;  // h = b: the robust variance comes from the order-q fit directly
  // rdrobust(syn.y, syn.x, c=0, cluster=cl, h=0.06)
  expect_ref(run(*t, o), {0.053027787789627384, 0.04705178736601945, 0.0225010161533171, 0.03425339951420773, 0.06,
                          0.06, 0.06, 0.06, -0.02008364202988948, 0.11418721676192838, 0.16955394704340443, 2061,
                          2100, 2061, 2100});
  o.vce = RdVce::kCR2;  // vce='cr2', h=0.06
  expect_ref(run(*t, o), {0.053027787789627384, 0.04705178736601945, 0.023159002455968702, 0.03645239239361367, 0.06,
                          0.06, 0.06, 0.06, -0.02439358887578516, 0.11849716360782406, 0.1967821794117135, 2061,
                          2100, 2061, 2100});
  o.vce = RdVce::kCR3;  // vce='cr3', h=0.06
  expect_ref(run(*t, o), {0.053027787789627384, 0.04705178736601945, 0.02405222551070313, 0.0392105867530431, 0.06,
                          0.06, 0.06, 0.06, -0.029799550482628362, 0.12390312521466726, 0.2301484206524228, 2061,
                          2100, 2061, 2100});
  o.b = 0.09;  // h != b: the decoupled cluster leverage of the bias-correction fit
  o.vce = RdVce::kCR2;  // vce='cr2', h=0.06, b=0.09
  expect_ref(run(*t, o), {0.053027787789627384, 0.05287677910388722, 0.023159002455968702, 0.028220334091972714,
                          0.06, 0.06, 0.09, 0.09, -0.002434059348067154, 0.10818761755584158, 0.06097012875609269,
                          2061, 2100, 3153, 3139});
  o.vce = RdVce::kCR3;  // vce='cr3', h=0.06, b=0.09
  expect_ref(run(*t, o), {0.053027787789627384, 0.05287677910388722, 0.024052225510703133, 0.029573215040645556,
                          0.06, 0.06, 0.09, 0.09, -0.005085657282836303, 0.11083921549061074, 0.07377671371003801,
                          2061, 2100, 3153, 3139});
}

TEST(RdPythonReference, SyntheticKernelsOrdersDerivative) {
  REQUIRE_REFERENCE(t, "rd_synth_34555.csv.gz");
  RdOptions o;
  o.kernel = RdKernel::kUniform;  // kernel='uniform'
  expect_ref(run(*t, o), {0.05241001579049423, 0.0559989755256112, 0.02810650572843992, 0.033126506753772454,
                          0.037019364026339756, 0.037019364026339756, 0.06417885411565191, 0.06417885411565191,
                          -0.008927784645405668, 0.12092573569662807, 0.09094032553665997, 1236, 1284, 2216, 2226});
  o.kernel = RdKernel::kEpanechnikov;  // kernel='epanechnikov'
  expect_ref(run(*t, o), {0.05549882665735126, 0.05407547156352663, 0.02615236233385247, 0.03138399102357975,
                          0.04853844767498827, 0.04853844767498827, 0.07585322377744351, 0.07585322377744351,
                          -0.007436020533818026, 0.11558696366087129, 0.08488359838727579, 1663, 1700, 2630, 2626});
  o = {};
  o.p = 2;
  o.q = 3;  // p=2 (q = 3 by default)
  expect_ref(run(*t, o), {0.05056210531962463, 0.046799619234039525, 0.03406259143006151, 0.03877784670178772,
                          0.06533798498923239, 0.06533798498923239, 0.08666595629096067, 0.08666595629096067,
                          -0.02920356369947974, 0.12280280216755879, 0.2274842054057119, 2268, 2270, 3027, 3008});
  o.p = 0;
  o.q = 1;  // p=0
  expect_ref(run(*t, o), {0.05128016695276387, 0.05463481811086966, 0.016321019208509976, 0.021555317945273815,
                          0.03685259233544553, 0.03685259233544553, 0.08324465529639623, 0.08324465529639623,
                          0.012387171262823064, 0.09688246495891625, 0.011256521830407573, 1232, 1281, 2899, 2891});
  o = {};
  o.deriv = 1;  // deriv=1, p=1 (kink design)
  expect_ref(run(*t, o), {0.26513897986058943, 0.5033381729026303, 1.2430311125345355, 2.075058584260628,
                          0.04460097125062328, 0.04460097125062328, 0.08147100266174662, 0.08147100266174662,
                          -3.5637019180588743, 4.570378263864135, 0.8083418047914104, 1514, 1542, 2832, 2835});
  o.p = 2;
  o.q = 3;  // deriv=1 (rdrobust then defaults to p = deriv + 1 = 2, q = 3)
  expect_ref(run(*t, o), {-0.5976178953080904, -1.1634532276998755, 3.0331023164729367, 4.369608385984961,
                          0.059514662899868814, 0.059514662899868814, 0.08666595629096067, 0.08666595629096067,
                          -9.727728290774595, 7.400821835374844, 0.7900387479156836, 2047, 2085, 3027, 3008});
}

TEST(RdPythonReference, SyntheticBandwidthSelectors) {
  REQUIRE_REFERENCE(t, "rd_synth_34555.csv.gz");
  RdOptions o;
  o.bwselect = RdBwSelect::kMseTwo;  // bwselect='msetwo'
  expect_ref(run(*t, o), {0.03650652907236071, 0.03044730842734239, 0.021073480501712746, 0.02493645917271954,
                          0.20556064811604438, 0.05053620081387276, 0.43815088477544994, 0.07643360950435772,
                          -0.018427253453141383, 0.07932187030782617, 0.2220876629978552, 7061, 1765, 15117, 2651});
  o.bwselect = RdBwSelect::kMseSum;  // bwselect='msesum'
  expect_ref(run(*t, o), {0.052820058929910416, 0.05160900528405382, 0.025253068378718067, 0.03034475791441294,
                          0.05565241980007515, 0.05565241980007515, 0.08365733540054594, 0.08365733540054594,
                          -0.00786562734778231, 0.11108363791588996, 0.08898896205134885, 1923, 1953, 2922, 2906});
  o.bwselect = RdBwSelect::kCerRd;  // bwselect='cerrd'
  expect_ref(run(*t, o), {0.04423840093583782, 0.043622600003987544, 0.033223249206237745, 0.03521773122841844,
                          0.03213740836590038, 0.03213740836590038, 0.08147100266174662, 0.08147100266174662,
                          -0.02540288482092415, 0.11264808482889924, 0.2154734888860822, 1073, 1104, 2832, 2835});
  o.bwselect = RdBwSelect::kMseComb2;  // bwselect='msecomb2'
  expect_ref(run(*t, o), {0.05291169846639683, 0.051366221107310484, 0.025435510353565772, 0.030560420829725772,
                          0.05565241980007515, 0.05419215184754763, 0.08365733540054594, 0.08147100266174662,
                          -0.008531103071339703, 0.11126354528596066, 0.09280007886817712, 1923, 1895, 2922, 2835});
}

TEST(RdPythonReference, SyntheticFixedBandwidthsAndOtherCutoff) {
  REQUIRE_REFERENCE(t, "rd_synth_34555.csv.gz");
  RdOptions o;
  o.h = 0.1;  // h=0.1
  expect_ref(run(*t, o), {0.05209045616298125, 0.05341965455928993, 0.018676782437101244, 0.027571141954668452, 0.1,
                          0.1, 0.1, 0.1, -0.0006187906845015051, 0.10745809980308137, 0.052681741918251486, 3502,
                          3501, 3502, 3501});
  o.h = 0.05;
  o.b = 0.12;
  o.vce = RdVce::kHC3;  // h=0.05, b=0.12, vce='hc3'
  expect_ref(run(*t, o), {0.05326658486900168, 0.05439850630579354, 0.026569048296827127, 0.02841084949141318, 0.05,
                          0.05, 0.12, 0.12, -0.0012857354675644, 0.11008274807915149, 0.05552963825817885, 1720,
                          1747, 4192, 4203});
  o = {};
  o.cutoff = -0.3;  // c=-0.3 (a placebo cutoff)
  expect_ref(run(*t, o), {0.008491216597457274, 0.014031319574481088, 0.016150001137299124, 0.01866095226416632,
                          0.1310595456381584, 0.1310595456381584, 0.22453345441725908, 0.22453345441725908,
                          -0.02254347478050607, 0.05060611392946825, 0.4521063778212674, 4534, 4524, 7726, 7686});
}

TEST(RdPythonReference, SyntheticMassPoints) {
  REQUIRE_REFERENCE(t, "rd_synth_34555.csv.gz");
  // xr = np.round(syn.x * 100) / 100: 101 distinct values, so rdrobust detects mass points and
  // enforces bwcheck = 10; the nearest-neighbour residuals see long runs of ties.
  auto rounded = [&](double scale) {
    std::vector<double> xr;
    for (double v : t->col("x")) xr.push_back(std::nearbyint(v * scale) / scale);  // half to even, as numpy
    return xr;
  };
  const std::vector<double> x100 = rounded(100);
  RdResult r = rdrobust(t->col("y"), x100);  // rdrobust(syn.y, xr, c=0)
  EXPECT_TRUE(r.mass_points);
  EXPECT_EQ(r.n_unique_left, 84u);
  EXPECT_EQ(r.n_unique_right, 17u);
  expect_ref(r, {0.05654893116042378, 0.06707444163718082, 0.01993453091861696, 0.02374913672511613,
                 0.09085034759225105, 0.09085034759225105, 0.15215774073174132, 0.15215774073174132,
                 0.02052698899203568, 0.11362189428232597, 0.004738553702605425, 3143, 3496, 5136, 5612});
  RdOptions o;
  o.vce = RdVce::kHC1;  // vce='hc1'
  expect_ref(rdrobust(t->col("y"), x100, o),
             {0.05654830833871996, 0.06707355221824113, 0.01991529781026641, 0.023727675182635893,
              0.09085204827192608, 0.09085204827192608, 0.1521706121057043, 0.1521706121057043,
              0.020568163423409933, 0.11357894101307232, 0.004701469186433744, 3143, 3496, 5136, 5612});
  o = {};
  o.masspoints = RdMassPoints::kOff;  // masspoints='off'
  expect_ref(rdrobust(t->col("y"), x100, o),
             {0.06938411426898837, 0.07558774576214311, 0.029081621413999358, 0.03574611905894861,
              0.04933713102530317, 0.04933713102530317, 0.08187055309080422, 0.08187055309080422,
              0.005526639819523033, 0.1456488517047632, 0.03446643433926787, 1338, 1736, 2785, 3138});
  // xr = np.round(syn.x * 1000) / 1000; rdrobust(syn.y, xr, c=0)
  expect_ref(rdrobust(t->col("y"), rounded(1000)),
             {0.03615549874013278, 0.030075851463817818, 0.026341941880774846, 0.031431810548990316,
              0.050562353494290176, 0.050562353494290176, 0.0782216722008375, 0.0782216722008375,
              -0.03152936518108935, 0.09168106810872498, 0.3386377749491354, 1718, 1778, 2702, 2735});
}

TEST(RdPythonReference, BoliviaRankClustered) {
  REQUIRE_REFERENCE(t, "rd_bol_trep_rank.csv.gz");
  // bol = the Bolivian input; cluster = bol.numero_mesa // 8
  expect_ref(run(*t), {0.1540904390903121, 0.16027780764175656, 0.036652991200644434, 0.0437552046088338,
                       1437.4361428894344, 1437.4361428894344, 2214.790812164554, 2214.790812164554,
                       0.07451918247226133, 0.2460364328112518, 0.0002492230727394256, 1437, 1438, 2214, 2215});
  RdOptions o;
  o.cluster = bolivia_clusters(*t);  // rdrobust(bol.y, bol.x, c=0, cluster=cl)
  expect_ref(run(*t, o), {0.1536071730995547, 0.1601664117503376, 0.0371968063939969, 0.04440717934052035,
                          1485.9313415458744, 1485.9313415458744, 2199.2582484144764, 2199.2582484144764,
                          0.07312993958790656, 0.24720288391276865, 0.0003100341334624132, 1485, 1486, 2199, 2200});
  o.vce = RdVce::kCR2;  // vce='cr2'
  expect_ref(run(*t, o), {0.15360704945111106, 0.16016781155039042, 0.0372308287163462, 0.044448647798957165,
                          1485.968571460556, 1485.968571460556, 2199.5132412041166, 2199.5132412041166,
                          0.07305006270292884, 0.247285560397852, 0.0003140393516797336, 1485, 1486, 2199, 2200});
  o.vce = RdVce::kCR3;  // vce='cr3'
  expect_ref(run(*t, o), {0.15360699036786374, 0.16017030757111683, 0.03728541588984233, 0.04452276304371433,
                          1485.9863637487206, 1485.9863637487206, 2200.0266039492453, 2200.0266039492453,
                          0.07290729551322583, 0.24743331962900783, 0.00032129971755362555, 1485, 1486, 2200, 2201});
  o.vce = RdVce::kNN;
  o.bwselect = RdBwSelect::kCerComb1;  // bwselect='cercomb1' (CER shrink uses the cluster count)
  expect_ref(run(*t, o), {0.15352110896889998, 0.15565336860956738, 0.04791601400730505, 0.05131467490345104,
                          896.0698345007148, 896.0698345007148, 2090.0643126211708, 2090.0643126211708,
                          0.055078453920421974, 0.2562282832987128, 0.002418861638538264, 896, 897, 2090, 2091});
}

TEST(RdPerformance, OneCallOnSynthetic) {
  REQUIRE_REFERENCE(t, "rd_synth_34555.csv.gz");
  const auto& y = t->col("y");
  const auto& x = t->col("x");
  rdrobust(y, x);  // warm up
  const int reps = 10;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) rdrobust(y, x);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
  RecordProperty("ms_per_call", std::to_string(ms));
  std::printf("[          ] rdrobust on %zu points: %.2f ms per call\n", x.size(), ms);
}

// ---------------------------------------------------------------------------------------------
// Closed-form and property checks (no reference data needed).

struct Sample {
  std::vector<double> x, y;
};

Sample noisy_sample(size_t n, double jump, uint32_t seed, double sd = 0.3) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> ux(-1, 1);
  std::normal_distribution<double> e(0, sd);
  Sample s;
  for (size_t i = 0; i < n; ++i) {
    const double x = ux(gen);
    s.x.push_back(x);
    s.y.push_back(0.2 + 0.5 * x - 0.3 * x * x + (x >= 0 ? jump : 0) + e(gen));
  }
  return s;
}

TEST(RdClosedForm, NoiselessLinearJumpIsExact) {
  // y = 1 + 2x + 0.7 [x >= 0.25] on an uneven grid: both local linear fits are exact, so the
  // conventional and the bias-corrected estimates are the jump itself (the order-2 fit has a zero
  // quadratic term, so the bias correction is zero).
  std::vector<double> x, y;
  for (int i = 0; i < 400; ++i) {
    const double v = -1 + 2.0 * i / 400 + 0.001 * ((i * 7) % 5);
    x.push_back(v);
    y.push_back(1 + 2 * v + (v >= 0.25 ? 0.7 : 0));
  }
  for (RdKernel k : {RdKernel::kTriangular, RdKernel::kEpanechnikov, RdKernel::kUniform}) {
    RdOptions o;
    o.cutoff = 0.25;
    o.h = 0.4;
    o.kernel = k;
    const RdResult r = rdrobust(y, x, o);
    EXPECT_NEAR(r.coef_conventional, 0.7, 1e-10);
    EXPECT_NEAR(r.coef_bias_corrected, 0.7, 1e-10);
    EXPECT_EQ(r.h_left, 0.4);
    EXPECT_EQ(r.b_right, 0.4);
    o.vce = RdVce::kHC1;  // exact fits: zero plug-in residuals, zero standard errors
    const RdResult z = rdrobust(y, x, o);
    EXPECT_NEAR(z.se_conventional, 0, 1e-10);
    EXPECT_NEAR(z.se_robust, 0, 1e-10);
  }
}

TEST(RdClosedForm, NoiselessSlopeChangeForDerivative) {
  // y = x for x < 0, 3x for x >= 0: the kink (deriv = 1) is exactly 2, the jump exactly 0.
  std::vector<double> x, y;
  for (int i = 0; i < 300; ++i) {
    const double v = -1.5 + 3.0 * (i + 0.5) / 300;
    x.push_back(v);
    y.push_back(v < 0 ? v : 3 * v);
  }
  RdOptions o;
  o.h = 0.8;
  o.deriv = 1;
  RdResult r = rdrobust(y, x, o);
  EXPECT_NEAR(r.coef_conventional, 2, 1e-9);
  EXPECT_NEAR(r.coef_bias_corrected, 2, 1e-9);
  o.deriv = 0;
  r = rdrobust(y, x, o);
  EXPECT_NEAR(r.coef_conventional, 0, 1e-10);
}

TEST(RdClosedForm, UniformKernelLocalConstantIsDifferenceOfMeans) {
  // p = 0 with the uniform kernel: the estimate is the difference of the means of y within h.
  const Sample s = noisy_sample(2000, 0.4, 7);
  RdOptions o;
  o.p = 0;
  o.q = 1;
  o.h = 0.3;
  o.b = 0.5;
  o.kernel = RdKernel::kUniform;
  double sl = 0, sr = 0;
  size_t nl = 0, nr = 0;
  for (size_t i = 0; i < s.x.size(); ++i) {
    if (s.x[i] < 0 && s.x[i] >= -0.3) sl += s.y[i], ++nl;
    if (s.x[i] >= 0 && s.x[i] <= 0.3) sr += s.y[i], ++nr;
  }
  const RdResult r = rdrobust(s.y, s.x, o);
  EXPECT_NEAR(r.coef_conventional, sr / nr - sl / nl, 1e-12);
  EXPECT_EQ(r.n_eff_left, nl);
  EXPECT_EQ(r.n_eff_right, nr);
}

TEST(RdClosedForm, CiAndPValueFollowFromCoefAndSe) {
  const Sample s = noisy_sample(3000, 0.25, 11);
  RdOptions o;
  o.level = 0.9;
  const RdResult r = rdrobust(s.y, s.x, o);
  const double z90 = 1.6448536269514722;
  EXPECT_NEAR(r.ci_conventional_low, r.coef_conventional - z90 * r.se_conventional, 1e-12);
  EXPECT_NEAR(r.ci_robust_high, r.coef_bias_corrected + z90 * r.se_robust, 1e-12);
  EXPECT_NEAR(r.z_robust, r.coef_bias_corrected / r.se_robust, 1e-12);
  EXPECT_NEAR(r.p_value_robust, std::erfc(std::abs(r.z_robust) / std::sqrt(2.0)), 1e-12);
  EXPECT_GT(r.h_left, 0);
  EXPECT_EQ(r.h_left, r.h_right);
  EXPECT_EQ(r.n_left + r.n_right, 3000u);
}

TEST(RdProperties, InvariantToShiftAndScaleOfX) {
  // Bandwidths scale with x; estimates, standard errors and effective counts do not change.
  const Sample s = noisy_sample(4000, 0.3, 3);
  const RdResult a = rdrobust(s.y, s.x);
  for (double scale : {1e-3, 1.0, 2500.0}) {
    std::vector<double> x2;
    for (double v : s.x) x2.push_back(1000 + scale * v);
    RdOptions o;
    o.cutoff = 1000;
    const RdResult b = rdrobust(s.y, x2, o);
    EXPECT_NEAR(b.coef_conventional, a.coef_conventional, 1e-7 * std::abs(a.coef_conventional)) << scale;
    EXPECT_NEAR(b.coef_bias_corrected, a.coef_bias_corrected, 1e-7 * std::abs(a.coef_bias_corrected)) << scale;
    EXPECT_NEAR(b.se_robust, a.se_robust, 1e-7 * a.se_robust) << scale;
    EXPECT_NEAR(b.h_left, scale * a.h_left, 1e-7 * scale * a.h_left) << scale;
    EXPECT_EQ(b.n_eff_left, a.n_eff_left) << scale;
  }
}

TEST(RdProperties, InvariantToInputOrder) {
  Sample s = noisy_sample(3000, 0.3, 5);
  // Mass points: round x so that ties exercise the nearest-neighbour tie handling.
  for (double& v : s.x) v = std::round(v * 400) / 400;
  const RdResult a = rdrobust(s.y, s.x);
  std::vector<size_t> idx(s.x.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = (i * 1237) % idx.size();
  Sample t;
  for (size_t i : idx) t.x.push_back(s.x[i]), t.y.push_back(s.y[i]);
  const RdResult b = rdrobust(t.y, t.x);
  EXPECT_NEAR(a.coef_bias_corrected, b.coef_bias_corrected, 1e-12);
  EXPECT_NEAR(a.se_robust, b.se_robust, 1e-12);
  EXPECT_NEAR(a.h_left, b.h_left, 1e-12);  // sums in another order: rounding only
  EXPECT_EQ(a.n_eff_left, b.n_eff_left);
  // Already sorted input (the sort is then skipped).
  std::vector<size_t> by_x(s.x.size());
  for (size_t i = 0; i < by_x.size(); ++i) by_x[i] = i;
  std::stable_sort(by_x.begin(), by_x.end(), [&](size_t i, size_t j) { return s.x[i] < s.x[j]; });
  Sample u;
  for (size_t i : by_x) u.x.push_back(s.x[i]), u.y.push_back(s.y[i]);
  const RdResult c = rdrobust(u.y, u.x);
  EXPECT_NEAR(a.coef_bias_corrected, c.coef_bias_corrected, 1e-12);
  EXPECT_NEAR(a.se_robust, c.se_robust, 1e-12);
  EXPECT_EQ(a.n_eff_right, c.n_eff_right);
}

TEST(RdProperties, SingletonClustersEqualHeteroskedasticityRobust) {
  // With one observation per cluster CR1 = HC1 (G/(G-1) (N-1)/(N-K) = N/(N-K)), CR2 = HC2 and
  // CR3 = HC3 (leave-one-out), bandwidth selection included.
  const Sample s = noisy_sample(2500, 0.3, 9);
  std::vector<int64_t> ids(s.x.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i) * 3 - 1000;
  for (auto [hc, cr] : {std::pair{RdVce::kHC1, RdVce::kCR1}, std::pair{RdVce::kHC2, RdVce::kCR2},
                        std::pair{RdVce::kHC3, RdVce::kCR3}}) {
    RdOptions o;
    o.vce = hc;
    const RdResult a = rdrobust(s.y, s.x, o);
    o.cluster = ids;
    o.vce = cr;
    const RdResult b = rdrobust(s.y, s.x, o);
    EXPECT_EQ(b.vce, cr);
    EXPECT_NEAR(a.h_left, b.h_left, 1e-9 * a.h_left);
    EXPECT_NEAR(a.b_left, b.b_left, 1e-9 * a.b_left);
    EXPECT_NEAR(a.se_conventional, b.se_conventional, 1e-9 * a.se_conventional);
    EXPECT_NEAR(a.se_robust, b.se_robust, 1e-9 * a.se_robust);
    o.h = 0.3;  // h = b: the robust variance takes the order-q route
    const RdResult c = rdrobust(s.y, s.x, o);
    o.cluster.clear();
    o.vce = hc;
    const RdResult d = rdrobust(s.y, s.x, o);
    EXPECT_NEAR(c.se_robust, d.se_robust, 1e-9 * d.se_robust);
  }
}

TEST(RdProperties, VceMappingFollowsRdrobust) {
  const Sample s = noisy_sample(1000, 0.3, 13);
  RdOptions o;
  o.h = 0.5;
  o.vce = RdVce::kCR3;  // no clusters: falls back to HC3
  EXPECT_EQ(rdrobust(s.y, s.x, o).vce, RdVce::kHC3);
  o.vce = RdVce::kHC0;  // clusters: HC0 becomes CR1
  o.cluster.assign(s.x.size(), 0);
  for (size_t i = 0; i < s.x.size(); ++i) o.cluster[i] = static_cast<int64_t>(i % 37);
  const RdResult r = rdrobust(s.y, s.x, o);
  EXPECT_EQ(r.vce, RdVce::kCR1);
  EXPECT_EQ(r.clusters_left, 37u);
}

TEST(RdProperties, MassPointsTriggerBwcheck) {
  // 25 distinct x values a side: mass points; the preliminary bandwidth then holds >= 10 of them.
  std::mt19937_64 gen(17);
  std::normal_distribution<double> e(0, 0.2);
  std::vector<double> x, y;
  for (int i = 0; i < 4000; ++i) {
    const double v = (i % 50 - 25 + 0.5) / 25.0;
    x.push_back(v);
    y.push_back(v + (v >= 0 ? 0.5 : 0) + e(gen));
  }
  const RdResult r = rdrobust(y, x);
  EXPECT_TRUE(r.mass_points);
  EXPECT_EQ(r.n_unique_left, 25u);
  EXPECT_EQ(r.n_unique_right, 25u);
  EXPECT_NEAR(r.coef_conventional, 0.5, 0.1);
}

TEST(RdValidation, RejectsUnusableInput) {
  const Sample s = noisy_sample(500, 0.3, 1);
  auto throws = [&](const std::vector<double>& y, const std::vector<double>& x, const RdOptions& o,
                    const std::string& fragment) {
    try {
      rdrobust(y, x, o);
      ADD_FAILURE() << "no exception; expected one mentioning '" << fragment << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  RdOptions o;
  throws(std::vector<double>(s.y.begin(), s.y.end() - 1), s.x, o, "y has 499 values but x has 500");
  {
    std::vector<double> y = s.y;
    y[17] = std::nan("");
    throws(y, s.x, o, "y[17] is not a finite number");
    std::vector<double> x = s.x;
    x[3] = INFINITY;
    throws(s.y, x, o, "x[3] is not a finite number");
  }
  o.cutoff = 1.5;
  throws(s.y, s.x, o, "not strictly inside the range of x");
  o.cutoff = -1.5;
  throws(s.y, s.x, o, "not strictly inside the range of x");
  o.cutoff = 0;
  throws({}, {}, o, "no observations");
  {
    std::vector<double> x = s.x, y = s.y;  // only 10 points right of the cutoff 0.98
    o.cutoff = 0;
    std::vector<double> x2, y2;
    size_t right = 0;
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i] < 0 || right < 10) {
        x2.push_back(x[i]);
        y2.push_back(y[i]);
        if (x[i] >= 0) ++right;
      }
    throws(y2, x2, o, "10 observations on the right side");
  }
  o = {};
  o.q = 1;
  throws(s.y, s.x, o, "q = 1 must exceed p = 1");
  o = {};
  o.p = -1;
  throws(s.y, s.x, o, "p = -1 is not in 0..20");
  o = {};
  o.deriv = 2;
  throws(s.y, s.x, o, "deriv = 2");
  o = {};
  o.level = 95;
  throws(s.y, s.x, o, "level = 95 is not in (0, 1)");
  o = {};
  o.h = -0.1;
  throws(s.y, s.x, o, "h must be a finite positive number");
  o = {};
  o.b = 0.2;
  throws(s.y, s.x, o, "a fixed b needs a fixed h");
  o = {};
  o.nn_matches = 0;
  throws(s.y, s.x, o, "nn_matches");
  o = {};
  o.cluster = {1, 2, 3};
  throws(s.y, s.x, o, "cluster has 3 ids but there are 500 observations");
  o = {};
  o.cluster.assign(s.x.size(), 4);  // a single cluster
  throws(s.y, s.x, o, "at least 2 clusters");
  o = {};
  o.h = 0.002;  // too few points within h for a local linear fit
  throws(s.y, s.x, o, "distinct x values");
  {
    const std::vector<double> y(s.x.size(), 3.0);  // constant y: 0/0 in the bandwidth selectors
    throws(y, s.x, RdOptions{}, "bandwidth");
  }
}

}  // namespace
}  // namespace tallyscope::stats
