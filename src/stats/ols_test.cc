#include "stats/ols.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope::stats {
namespace {

// Expects ols() to throw std::invalid_argument whose message contains `needle`.
template <class F>
void expect_invalid(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one mentioning '" << needle << "'";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

// ---- Closed forms ----

TEST(OlsClosedForm, ExactFit) {
  Eigen::MatrixXd X(6, 3);
  Eigen::VectorXd y(6);
  const double x1[] = {0, 1, 2, 3, 4, 5}, x2[] = {1, -1, 4, 0.5, 2, 7};
  for (int i = 0; i < 6; ++i) {
    X.row(i) << 1, x1[i], x2[i];
    y[i] = 1 + 2 * x1[i] - 3 * x2[i];
  }
  for (OlsVce vce : {OlsVce::kClassical, OlsVce::kHC1}) {
    OlsOptions o;
    o.vce = vce;
    OlsResult r = ols(X, y, {"const", "x1", "x2"}, o);
    EXPECT_NEAR(r.coef[0], 1, 1e-12);
    EXPECT_NEAR(r.coef[1], 2, 1e-12);
    EXPECT_NEAR(r.coef[2], -3, 1e-12);
    EXPECT_NEAR(r.r2, 1, 1e-12);
    EXPECT_NEAR(r.sigma, 0, 1e-12);
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(r.se[j], 0, 1e-12);
    EXPECT_EQ(r.n, 6u);
    EXPECT_EQ(r.k, 3u);
  }
}

// y = (2,4,5,4,5) on x = (1,...,5) with an intercept. By hand: x̄ = 3, ȳ = 4, Sxx = 10, Sxy = 6,
// slope 0.6, intercept 2.2, residuals (-0.8, 0.6, 1, -0.6, -0.2), SSR 2.4, TSS 6, R² 0.6,
// σ² = 2.4/3 = 0.8, se(slope) = √(0.8/10), se(intercept) = √(0.8 (1/5 + 9/10)) = √0.88.
// HC1: the rows of (X'X)⁻¹xᵢ are (1/5 − 3(xᵢ−3)/10, (xᵢ−3)/10); times eᵢ, squared, summed, times
// 5/3: slope (2.56+.36+0+.36+.16)/100·5/3, intercept .5496·5/3.
// CR1 with clusters (0,0,1,1,2): per-cluster sums of (xᵢ−3)eᵢ are 1, −0.6, −0.4 → 1.52/100, of the
// intercept row −0.34, 0.26, 0.08 → 0.1896; factor 3/2·4/3 = 2.
// statsmodels 0.13.5 agrees to 12 digits (sm.OLS(y, sm.add_constant(x)).fit() / fit(cov_type="HC1")
// / fit(cov_type="cluster", cov_kwds={"groups": g})); the p-values and intervals below are its output.
class OlsTiny : public ::testing::Test {
 protected:
  OlsTiny() : X(5, 2), y(5) {
    for (int i = 0; i < 5; ++i) X.row(i) << 1, i + 1;
    y << 2, 4, 5, 4, 5;
  }
  OlsResult fit(OlsVce vce, std::optional<bool> use_t = std::nullopt) {
    OlsOptions o;
    o.vce = vce;
    o.cluster = {0, 0, 1, 1, 2};
    o.use_t = use_t;
    return ols(X, y, {"const", "x"}, o);
  }
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
};

TEST_F(OlsTiny, ClassicalByHand) {
  OlsResult r = fit(OlsVce::kClassical);
  EXPECT_NEAR(r.coef[0], 2.2, 1e-12);
  EXPECT_NEAR(r.coef[1], 0.6, 1e-12);
  EXPECT_NEAR(r.ssr, 2.4, 1e-12);
  EXPECT_NEAR(r.r2, 0.6, 1e-12);
  EXPECT_NEAR(r.sigma, std::sqrt(0.8), 1e-12);
  EXPECT_NEAR(r.se[0], std::sqrt(0.88), 1e-12);
  EXPECT_NEAR(r.se[1], std::sqrt(0.08), 1e-12);
  // Student's t with N − K = 3 degrees of freedom (statsmodels' default for nonrobust).
  EXPECT_TRUE(r.t_reference);
  EXPECT_EQ(r.df, 3);
  EXPECT_NEAR(r.t[1], 0.6 / std::sqrt(0.08), 1e-12);
  EXPECT_NEAR(r.p_value[0], 0.100743456085, 1e-11);
  EXPECT_NEAR(r.p_value[1], 0.124027062658, 1e-11);
  EXPECT_NEAR(r.ci_low[0], -0.785399261019, 1e-11);
  EXPECT_NEAR(r.ci_high[0], 5.185399261019, 1e-11);
  EXPECT_NEAR(r.ci_low[1], -0.300131745291, 1e-11);
  EXPECT_NEAR(r.ci_high[1], 1.500131745291, 1e-11);
}

TEST_F(OlsTiny, HC1ByHand) {
  OlsResult r = fit(OlsVce::kHC1);
  EXPECT_NEAR(r.se[0], std::sqrt(0.5496 * 5 / 3), 1e-12);
  EXPECT_NEAR(r.se[1], std::sqrt(0.0344 * 5 / 3), 1e-12);
  // Standard normal reference (statsmodels' default for robust covariances).
  EXPECT_FALSE(r.t_reference);
  EXPECT_NEAR(r.p_value[0], 0.021524191793, 1e-11);
  EXPECT_NEAR(r.p_value[1], 0.012217221454, 1e-11);
  EXPECT_NEAR(r.ci_low[1], 0.130698775781, 1e-11);
  EXPECT_NEAR(r.ci_high[1], 1.069301224219, 1e-11);
  // With use_t=True statsmodels uses t(N − K): p 0.087259022566, interval [-0.162017036466, 1.362017036466].
  OlsResult rt = fit(OlsVce::kHC1, true);
  EXPECT_EQ(rt.df, 3);
  EXPECT_NEAR(rt.p_value[1], 0.087259022566, 1e-11);
  EXPECT_NEAR(rt.ci_low[1], -0.162017036466, 1e-11);
  EXPECT_NEAR(rt.ci_high[1], 1.362017036466, 1e-11);
}

TEST_F(OlsTiny, ClusterByHand) {
  OlsResult r = fit(OlsVce::kCluster);
  EXPECT_EQ(r.clusters, 3u);
  EXPECT_NEAR(r.se[0], std::sqrt(0.1896 * 2), 1e-12);
  EXPECT_NEAR(r.se[1], std::sqrt(0.0152 * 2), 1e-12);
  EXPECT_FALSE(r.t_reference);
  EXPECT_NEAR(r.p_value[0], 0.000353408656, 1e-12);
  EXPECT_NEAR(r.p_value[1], 0.000579063217, 1e-12);
  EXPECT_NEAR(r.ci_low[0], 0.99306951948, 1e-11);
  EXPECT_NEAR(r.ci_high[0], 3.40693048052, 1e-11);
  // With use_t=True statsmodels uses t(G − 1) = t(2): p 0.075060376033, interval
  // [-0.150193137553, 1.350193137553]. Its interval is 2.8e-11 off the exact one: scipy's t(2)
  // quantile 4.302652729911 vs the closed form 0.95/√(2·0.975·0.025) = 4.302652729749 (Boost's),
  // which gives 0.6 ∓ 4.302652729749·√0.0304 = [-0.150193137525, 1.350193137525].
  OlsResult rt = fit(OlsVce::kCluster, true);
  EXPECT_EQ(rt.df, 2);
  EXPECT_NEAR(rt.p_value[1], 0.075060376033, 1e-11);
  EXPECT_NEAR(rt.ci_low[1], -0.150193137553, 1e-10);
  EXPECT_NEAR(rt.ci_low[1], -0.150193137525093, 1e-12);
  EXPECT_NEAR(rt.ci_high[1], 1.350193137525093, 1e-12);
}

TEST_F(OlsTiny, LevelAndIdsAreArbitrary) {
  OlsOptions o;
  o.vce = OlsVce::kCluster;
  o.cluster = {4000000000u, 4000000000u, 7, 7, 123456};  // sparse ids give the same clusters
  o.level = 0.9;
  OlsResult r = ols(X, y, {"const", "x"}, o);
  EXPECT_NEAR(r.se[1], std::sqrt(0.0152 * 2), 1e-12);
  EXPECT_NEAR(r.ci_high[1] - r.coef[1], 1.6448536269514722 * r.se[1], 1e-12);
}

// ---- Errors ----

TEST(OlsErrors, RankDeficiencyNamesTheCollinearColumn) {
  Eigen::MatrixXd X(5, 4);
  for (int i = 0; i < 5; ++i) X.row(i) << 1, i, i * i, 2 + 3 * i;  // "both" = 2·const + 3·x
  Eigen::VectorXd y(5);
  y << 1, 3, 2, 5, 4;
  expect_invalid([&] { ols(X, y, {"const", "x", "x2", "both"}); }, "column 'both' is collinear");
  Eigen::MatrixXd Z = Eigen::MatrixXd::Zero(5, 2);
  Z.col(0).setOnes();
  expect_invalid([&] { ols(Z, y, {"const", "zero"}); }, "column 'zero' is all zeros");
}

TEST(OlsErrors, ConstantWithinAbsorbedGroups) {
  Eigen::MatrixXd X(6, 2);
  for (int i = 0; i < 6; ++i) X.row(i) << i * 0.7, 0.1 * (i / 3) + 0.3;  // "region" is constant per group
  Eigen::VectorXd y(6);
  y << 1, 3, 2, 5, 4, 6;
  OlsOptions o;
  o.absorb = {0, 0, 0, 1, 1, 1};
  expect_invalid([&] { ols(X, y, {"x", "region"}, o); }, "column 'region' is constant within the absorbed groups");
  Eigen::MatrixXd C = Eigen::MatrixXd::Ones(6, 1);
  expect_invalid([&] { ols(C, y, {"const"}, o); }, "column 'const' is constant within");
}

TEST(OlsErrors, SizesNaNClustersAndDegreesOfFreedom) {
  Eigen::MatrixXd X(4, 2);
  X << 1, 0, 1, 1, 1, 2, 1, 4;
  Eigen::VectorXd y(4);
  y << 1, 2, 2, 4;
  expect_invalid([&] { ols(X, Eigen::VectorXd::Zero(3), {"c", "x"}); }, "y has 3 observations");
  expect_invalid([&] { ols(X, y, {"c"}); }, "1 names for 2 columns");
  expect_invalid([&] { ols(Eigen::MatrixXd(4, 0), y, {}); }, "no columns");
  OlsOptions o;
  o.vce = OlsVce::kCluster;
  o.cluster = {1, 1, 1};
  expect_invalid([&] { ols(X, y, {"c", "x"}, o); }, "cluster has 3 ids");
  o.cluster = {1, 1, 1, 1};
  expect_invalid([&] { ols(X, y, {"c", "x"}, o); }, "at least 2");
  OlsOptions a;
  a.absorb = {0, 1};
  expect_invalid([&] { ols(X, y, {"c", "x"}, a); }, "absorb has 2");
  Eigen::MatrixXd Xn = X;
  Xn(2, 1) = std::nan("");
  expect_invalid([&] { ols(Xn, y, {"c", "x"}); }, "column 'x' has a non-finite value");
  Eigen::VectorXd yn = y;
  yn[0] = std::numeric_limits<double>::infinity();
  expect_invalid([&] { ols(X, yn, {"c", "x"}); }, "y has a non-finite value");
  OlsOptions l;
  l.level = 1;
  expect_invalid([&] { ols(X, y, {"c", "x"}, l); }, "level");
  // Two observations, two groups, one regressor counted with the groups: N ≤ K.
  OlsOptions k;
  k.absorb = {0, 0, 1, 1};
  k.count_absorbed_in_k = true;
  Eigen::MatrixXd X1(4, 1);
  X1 << 0, 1, 2, 4;
  EXPECT_NO_THROW(ols(X1, y, {"x"}, k));
  k.absorb = {0, 1, 2, 2};
  expect_invalid([&] { ols(X1, y, {"x"}, k); }, "4 observations for 4 parameters");
}

// ---- Absorbed fixed effects vs explicit dummies ----

struct Panel {
  Eigen::MatrixXd X;  // two regressors
  Eigen::VectorXd y;
  std::vector<uint32_t> group, cluster;
};

Panel make_panel(int n, int groups, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z;
  Panel p{Eigen::MatrixXd(n, 2), Eigen::VectorXd(n), {}, {}};
  for (int i = 0; i < n; ++i) {
    const int g = i % groups;
    p.group.push_back(static_cast<uint32_t>(1000 + 37 * g));  // non-dense ids
    p.cluster.push_back(static_cast<uint32_t>(i % (2 * groups + 1)));
    p.X(i, 0) = z(rng) + 0.5 * g;
    p.X(i, 1) = std::exp(0.3 * z(rng));
    p.y[i] = 2.0 * g - 0.7 * p.X(i, 0) + 1.5 * p.X(i, 1) + z(rng) * (1 + 0.5 * p.X(i, 1));
  }
  return p;
}

TEST(OlsAbsorb, OneGroupEqualsAnIntercept) {
  Panel p = make_panel(50, 1, 7);
  Eigen::MatrixXd Xc(50, 3);
  Xc << Eigen::VectorXd::Ones(50), p.X;
  for (OlsVce vce : {OlsVce::kClassical, OlsVce::kHC1, OlsVce::kCluster}) {
    OlsOptions with_const;
    with_const.vce = vce;
    with_const.cluster = p.cluster;
    OlsOptions absorbed = with_const;
    absorbed.absorb.assign(50, 5);
    absorbed.count_absorbed_in_k = true;  // K = 2 regressors + 1 group = 3 = K with the intercept
    OlsResult a = ols(p.X, p.y, {"x", "w"}, absorbed);
    OlsResult b = ols(Xc, p.y, {"const", "x", "w"}, with_const);
    EXPECT_EQ(a.groups_absorbed, 1u);
    for (int j = 0; j < 2; ++j) {
      EXPECT_NEAR(a.coef[j], b.coef[j + 1], 1e-12);
      EXPECT_NEAR(a.se[j], b.se[j + 1], 1e-12);
    }
    EXPECT_NEAR(a.r2, b.r2, 1e-12);
    EXPECT_NEAR(a.sigma, b.sigma, 1e-12);
  }
}

TEST(OlsAbsorb, EqualsDummiesAndDemeaningDiffersOnlyInK) {
  const int n = 120, groups = 6;
  Panel p = make_panel(n, groups, 11);
  Eigen::MatrixXd Xd = Eigen::MatrixXd::Zero(n, 2 + groups);  // regressors, then one dummy per group
  Xd.leftCols(2) = p.X;
  for (int i = 0; i < n; ++i) Xd(i, 2 + i % groups) = 1;
  std::vector<std::string> dnames = {"x", "w"};
  for (int g = 0; g < groups; ++g) dnames.push_back("g" + std::to_string(g));
  for (OlsVce vce : {OlsVce::kClassical, OlsVce::kHC1, OlsVce::kCluster}) {
    OlsOptions o;
    o.vce = vce;
    o.cluster = p.cluster;
    OlsResult dummies = ols(Xd, p.y, dnames, o);
    o.absorb = p.group;
    o.count_absorbed_in_k = true;
    OlsResult counted = ols(p.X, p.y, {"x", "w"}, o);
    o.count_absorbed_in_k = false;
    OlsResult demeaned = ols(p.X, p.y, {"x", "w"}, o);
    EXPECT_EQ(counted.groups_absorbed, static_cast<size_t>(groups));
    EXPECT_EQ(counted.k_correction, 2u + groups);
    EXPECT_EQ(demeaned.k_correction, 2u);
    const double ratio = std::sqrt((n - 2.0 - groups) / (n - 2.0));  // SE(demeaned) / SE(dummies)
    for (int j = 0; j < 2; ++j) {
      EXPECT_NEAR(counted.coef[j], dummies.coef[j], 1e-12);
      EXPECT_NEAR(counted.se[j], dummies.se[j], 1e-12);
      EXPECT_NEAR(demeaned.coef[j], dummies.coef[j], 1e-12);
      EXPECT_NEAR(demeaned.se[j], dummies.se[j] * ratio, 1e-12);
    }
    EXPECT_NEAR(counted.sigma, dummies.sigma, 1e-12);
  }
}

// ---- Validation on the shared Bolivian data against statsmodels ----

// The 34,551 actas of the 2019 final count with valid votes; margin = (MAS − CC)/valid, late = absent
// from the 19:40:57 TREP, turnout = (valid + blank + null)/registered, log_inscritos = log(registered).
struct BoliviaData {
  Eigen::MatrixXd X;  // const, late, turnout, log_inscritos
  Eigen::VectorXd y;
  std::vector<uint32_t> municipality, place;
  size_t municipalities = 0, places = 0;
};

class OlsShared : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string final_path = tallyscope::testing::shared_file("bolivia-2019/computo-final.csv.gz");
    const std::string trep_path = tallyscope::testing::shared_file("bolivia-2019/trep-2019-10-20T19-40-57.csv.gz");
    if (final_path.empty() || trep_path.empty()) return;
    Election e = load_election(final_path);
    Election trep = load_election(trep_path);
    const int mas = e.find_choice("MAS - IPSP"), cc = e.find_choice("CC");
    const int muni = e.geography().find_level("Municipio"), recinto = e.geography().find_level("Recinto");
    if (mas < 0 || cc < 0 || muni < 0 || recinto < 0) return;
    auto d = std::make_unique<BoliviaData>();
    std::vector<size_t> rows;
    for (size_t s = 0; s < e.sheets(); ++s)
      if (e.valid()[s] > 0) rows.push_back(s);
    const auto n = static_cast<Eigen::Index>(rows.size());
    d->X.resize(n, 4);
    d->y.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const size_t s = rows[static_cast<size_t>(i)];
      const double valid = static_cast<double>(e.valid()[s]);
      const double registered = static_cast<double>(e.registered()->values[s]);
      d->y[i] = static_cast<double>(e.choices()[static_cast<size_t>(mas)].values[s] -
                                    e.choices()[static_cast<size_t>(cc)].values[s]) / valid;
      d->X(i, 0) = 1;
      d->X(i, 1) = trep.find(e.id(s)) ? 0.0 : 1.0;
      d->X(i, 2) = (valid + static_cast<double>(e.blank()->values[s] + e.invalid()->values[s])) / registered;
      d->X(i, 3) = std::log(registered);
      // Node ids are unique for the whole path. The loader's Recinto level has Distrito and Zona in
      // its path too; that gives the same 5,296 places as País/.../Localidad/Recinto (checked with pandas).
      d->municipality.push_back(e.geography().node_of(static_cast<size_t>(muni), s));
      d->place.push_back(e.geography().node_of(static_cast<size_t>(recinto), s));
    }
    d->municipalities = e.geography().node_count(static_cast<size_t>(muni));
    d->places = e.geography().node_count(static_cast<size_t>(recinto));
    data_ = d.release();
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  void SetUp() override {
    TALLYSCOPE_REQUIRE_SHARED(final_path, "bolivia-2019/computo-final.csv.gz");
    TALLYSCOPE_REQUIRE_SHARED(trep_path, "bolivia-2019/trep-2019-10-20T19-40-57.csv.gz");
    ASSERT_NE(data_, nullptr) << "could not build the regression data";
  }
  static OlsResult fit(OlsVce vce, const std::vector<uint32_t>* absorb = nullptr, bool count_absorbed = false) {
    OlsOptions o;
    o.vce = vce;
    o.cluster = data_->place;
    if (absorb) {
      o.absorb = *absorb;
      o.count_absorbed_in_k = count_absorbed;
      return ols(data_->X.rightCols(3), data_->y, {"late", "turnout", "log_inscritos"}, o);
    }
    return ols(data_->X, data_->y, {"const", "late", "turnout", "log_inscritos"}, o);
  }
  static BoliviaData* data_;
};

BoliviaData* OlsShared::data_ = nullptr;

TEST_F(OlsShared, DataMatchesTheReference) {
  EXPECT_EQ(data_->y.size(), 34551);
  EXPECT_EQ(data_->X.col(1).sum(), 5578);  // 34,551 − 28,973 present in the TREP
  EXPECT_EQ(data_->municipalities, 455u);
  EXPECT_EQ(data_->places, 5296u);
}

// Reference: ../shared/reference/README.md, "statsmodels (Debian python3-statsmodels 0.13.5)":
// margin ~ 1 + late + turnout + log_inscritos, clustered by polling place (CR1), and HC1.
TEST_F(OlsShared, PooledMatchesStatsmodels) {
  OlsResult c = fit(OlsVce::kCluster);
  EXPECT_EQ(c.n, 34551u);
  EXPECT_EQ(c.clusters, 5296u);
  EXPECT_NEAR(c.coef[0], 0.85312, 5e-6);
  EXPECT_NEAR(c.coef[1], 0.160959, 5e-7);
  EXPECT_NEAR(c.coef[2], 0.278236, 5e-7);
  EXPECT_NEAR(c.coef[3], -0.188402, 5e-7);
  EXPECT_NEAR(c.se[0], 0.125925, 5e-7);
  EXPECT_NEAR(c.se[1], 0.012820, 5e-7);
  EXPECT_NEAR(c.se[2], 0.137229, 5e-7);
  EXPECT_NEAR(c.se[3], 0.007890, 5e-7);
  OlsResult h = fit(OlsVce::kHC1);
  EXPECT_NEAR(h.se[0], 0.051395, 5e-7);
  EXPECT_NEAR(h.se[1], 0.006482, 5e-7);
  EXPECT_NEAR(h.se[2], 0.038288, 5e-7);
  EXPECT_NEAR(h.se[3], 0.007165, 5e-7);
  // Not in the README; from the same statsmodels fit (r.rsquared, r.pvalues, r.conf_int(), normal
  // reference since use_t defaults to False for cov_type="cluster"): R² 0.0434283, late p 3.71082e-36,
  // late 95% interval [0.135833, 0.186086]; classical (plain fit()) late SE 0.00651577, σ 0.445602.
  EXPECT_NEAR(c.r2, 0.0434283, 5e-8);
  EXPECT_NEAR(c.p_value[1], 3.71082e-36, 5e-42);
  EXPECT_NEAR(c.ci_low[1], 0.135833, 5e-7);
  EXPECT_NEAR(c.ci_high[1], 0.186086, 5e-7);
  OlsResult k = fit(OlsVce::kClassical);
  EXPECT_NEAR(k.se[1], 0.00651577, 5e-9);
  EXPECT_NEAR(k.sigma, 0.445602, 5e-7);
}

// Reference: ../shared/reference/README.md: municipality fixed effects (455 municipalities). With
// dummies (statsmodels K = 3 + 455): late 0.070536 (clustered SE 0.008086), turnout 1.051689 (SE
// 0.090073); demeaned (K = 3): late SE 0.008033.
TEST_F(OlsShared, MunicipalityFixedEffectsMatchStatsmodels) {
  OlsResult dummies = fit(OlsVce::kCluster, &data_->municipality, true);
  EXPECT_EQ(dummies.groups_absorbed, 455u);
  EXPECT_EQ(dummies.k_correction, 458u);
  EXPECT_NEAR(dummies.coef[0], 0.070536, 5e-7);
  EXPECT_NEAR(dummies.se[0], 0.008086, 5e-7);
  EXPECT_NEAR(dummies.coef[1], 1.051689, 5e-7);
  EXPECT_NEAR(dummies.se[1], 0.090073, 5e-7);
  OlsResult demeaned = fit(OlsVce::kCluster, &data_->municipality, false);
  EXPECT_NEAR(demeaned.coef[0], 0.070536, 5e-7);
  EXPECT_NEAR(demeaned.se[0], 0.008033, 5e-7);
  // Not in the README, run here with statsmodels 0.13.5 (/usr/bin/python3, Debian). Dummies:
  // sm.OLS(margin, [const, late, turnout, log_inscritos, pd.get_dummies(muni, drop_first=True)])
  // .fit(cov_type="HC1") gives SEs late 0.00432078, turnout 0.0460705, log_inscritos 0.00503390;
  // .fit() gives late SE 0.00420206, σ 0.271555. Demeaned (each variable minus its municipality mean,
  // no constant): log_inscritos −0.0343786 (clustered SE 0.00496834), within R² 0.0347099.
  OlsResult hc1 = fit(OlsVce::kHC1, &data_->municipality, true);
  EXPECT_NEAR(hc1.se[0], 0.00432078, 5e-9);
  EXPECT_NEAR(hc1.se[1], 0.0460705, 5e-8);
  EXPECT_NEAR(hc1.se[2], 0.00503390, 5e-9);
  OlsResult classical = fit(OlsVce::kClassical, &data_->municipality, true);
  EXPECT_NEAR(classical.se[0], 0.00420206, 5e-9);
  EXPECT_NEAR(classical.sigma, 0.271555, 5e-7);
  EXPECT_NEAR(demeaned.coef[2], -0.0343786, 5e-8);
  EXPECT_NEAR(demeaned.se[2], 0.00496834, 5e-9);
  EXPECT_NEAR(demeaned.r2, 0.0347099, 5e-8);
}

// Polling-place fixed effects (5,296 places), run here with statsmodels 0.13.5 (/usr/bin/python3,
// Debian): every variable minus its polling-place mean (pandas groupby(place).transform("mean"), the
// place being the full path País/Departamento/Provincia/Municipio/Localidad/Recinto), then
// sm.OLS(margin_dm, [late_dm, turnout_dm, log_inscritos_dm]) without a constant, with
// .fit(cov_type="cluster", cov_kwds={"groups": place}) and .fit(cov_type="HC1") (K = 3):
//   coef     late 0.00351915   turnout 0.0812608  log_inscritos 0.000158210
//   CR1 SE        0.00180975           0.0358261                0.00298685
//   HC1 SE        0.00177385           0.0294362                0.00264178
//   R² 0.000595911; late clustered p 0.0518295 (normal reference).
TEST_F(OlsShared, PollingPlaceFixedEffectsMatchStatsmodels) {
  OlsResult c = fit(OlsVce::kCluster, &data_->place, false);
  EXPECT_EQ(c.groups_absorbed, 5296u);
  EXPECT_NEAR(c.coef[0], 0.00351915, 5e-9);
  EXPECT_NEAR(c.coef[1], 0.0812608, 5e-8);
  EXPECT_NEAR(c.coef[2], 0.000158210, 5e-10);
  EXPECT_NEAR(c.se[0], 0.00180975, 5e-9);
  EXPECT_NEAR(c.se[1], 0.0358261, 5e-8);
  EXPECT_NEAR(c.se[2], 0.00298685, 5e-9);
  EXPECT_NEAR(c.r2, 0.000595911, 5e-10);
  EXPECT_NEAR(c.p_value[0], 0.0518295, 5e-8);
  OlsResult h = fit(OlsVce::kHC1, &data_->place, false);
  EXPECT_NEAR(h.se[0], 0.00177385, 5e-9);
  EXPECT_NEAR(h.se[1], 0.0294362, 5e-8);
  EXPECT_NEAR(h.se[2], 0.00264178, 5e-9);
}

}  // namespace
}  // namespace tallyscope::stats
