#include "analysis/forensics/forensics.h"

#include <cmath>
#include <random>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "io/error.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

const char* kForensicsSpec =
    "choices = [\"A\", \"B\", \"C\"]\n[columns]\nid = \"id\"\ngeography = [\"region\"]\nregistered = \"reg\"\n"
    "invalid = \"nu\"\n";

// A clean synthetic count: turnout and shares drawn binomially around unit-level rates. With
// `planted`, that fraction of units has A's votes rewritten to a whole percentage of the ballots
// (the Kobak et al. signature), in region r0 only.
std::string synthetic(size_t units, double planted, uint64_t seed, bool zero_b = false) {
  std::mt19937_64 g(seed);
  std::string s = "id,region,reg,A,B,C,nu\n";
  for (size_t i = 0; i < units; ++i) {
    const int64_t reg = 400 + static_cast<int64_t>(g() % 2000);
    std::binomial_distribution<int64_t> turn(reg, 0.55 + 0.1 * std::uniform_real_distribution<>(0, 1)(g));
    const int64_t ballots = turn(g);
    std::binomial_distribution<int64_t> inv(ballots, 0.02);
    const int64_t nu = inv(g), valid = ballots - nu;
    std::binomial_distribution<int64_t> da(valid, 0.45 + 0.1 * std::uniform_real_distribution<>(0, 1)(g));
    int64_t a = da(g);
    const size_t region = i % 4;
    if (region == 0 && std::uniform_real_distribution<>(0, 1)(g) < planted) {
      // the count nearest to a whole percentage of the ballots
      const double pct = std::round(100.0 * static_cast<double>(a) / static_cast<double>(ballots));
      a = std::min<int64_t>(valid, std::llround(pct * static_cast<double>(ballots) / 100));
    }
    std::binomial_distribution<int64_t> db(valid - a, 0.7);
    const int64_t b = zero_b ? 0 : db(g), c = valid - a - b;
    s += fmt::format("{},r{},{},{},{},{},{}\n", i, region, reg, a, b, c, nu);
  }
  return s;
}

Election load(const std::string& csv) {
  LoadOptions o;
  o.spec = parse_spec(kForensicsSpec, "spec");
  return load_election(testing::temp_file(csv), o);
}

const ForensicTest* find(const ForensicsResult& r, const std::string& id, const std::string& target,
                         const std::string& region = "") {
  for (const auto& t : r.tests)
    if (t.id == id && t.target == target && t.region == region) return &t;
  return nullptr;
}

TEST(Forensics, CleanCountRaisesNoFlag) {
  Election e = load(synthetic(4000, 0, 1));
  ForensicsOptions o;
  o.replicates = 200;
  o.distribution_tests = false;  // the digit battery alone here; distribution tests: distribution_test.cc
  ForensicsResult r = run_forensics(e, o);
  EXPECT_EQ(r.choices, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(r.tests.size(), 3u * 8u);
  EXPECT_EQ(r.tests_run(), r.tests.size() - 6);  // the second-digit mean and percent_0_5 are descriptive
  EXPECT_EQ(r.flagged(), 0u);
  // Under the null, the simulated mean of the integer-percent count sits near the observed one.
  const ForensicTest* t = find(r, "integer_percent", "A");
  ASSERT_NE(t, nullptr);
  EXPECT_LT(std::fabs(t->statistic - t->null_mean), 4 * t->null_sd);
}

TEST(Forensics, PlantedIntegerPercentagesAreFlaggedInTheirRegion) {
  Election e = load(synthetic(4000, 0.5, 2));
  ForensicsOptions o;
  o.replicates = 200;
  o.by = "region";
  ForensicsResult r = run_forensics(e, o);
  const ForensicTest* all = find(r, "integer_percent", "A");
  ASSERT_NE(all, nullptr);
  EXPECT_TRUE(all->flag);
  EXPECT_EQ(all->level, "all");
  const ForensicTest* r0 = find(r, "integer_percent", "A", "r0");
  const ForensicTest* r1 = find(r, "integer_percent", "A", "r1");
  ASSERT_TRUE(r0 && r1);
  EXPECT_EQ(r0->level, "region");
  EXPECT_TRUE(r0->flag);
  EXPECT_FALSE(r1->flag);
  EXPECT_FALSE(find(r, "integer_percent", "turnout")->flag);
  // Whole count + 4 regions: 8 digit tests per target, then 3 distribution tests for turnout and 5
  // for each choice (skewness, kurtosis, dip, turnout-share slope and correlation).
  EXPECT_EQ(r.tests.size(), 5u * 3u * 8u + 5u * (3u + 5u + 5u));
  const ForensicTest* d = find(r, "dip", "A", "r2");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->level, "region");
  EXPECT_EQ(d->role, "descriptive");
  EXPECT_FALSE(d->run);
  EXPECT_TRUE(std::isfinite(d->null_mean));
  auto j = to_json(r);
  for (const char* k : {"tests", "fingerprint", "choices", "replicates", "seed", "fdr"}) EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"id", "target", "level", "role", "statistic", "p_value", "p_display", "p_resolution", "q_value", "flag"})
    EXPECT_TRUE(j["tests"][0].contains(k)) << k;
}

// Seeded and independent of the thread count (fixed blocks with their own streams).
TEST(Forensics, ReproducibleWhateverTheThreads) {
  Election e = load(synthetic(1500, 0.2, 3));
  ForensicsOptions o;
  o.replicates = 110;  // not a multiple of the block size
  o.by = "region";
  o.threads = 1;
  const std::string one = to_json(run_forensics(e, o)).dump();
  o.threads = 3;
  EXPECT_EQ(to_json(run_forensics(e, o)).dump(), one);
  o.seed += 1;
  EXPECT_NE(to_json(run_forensics(e, o)).dump(), one);
}

// A null that cannot fit in memory (regions x replicates x targets) is refused up front with the
// size and the way out, instead of failing to allocate.
TEST(Forensics, NullTooLargeForMemoryIsAUsageError) {
  Election e = load(synthetic(200, 0, 4));
  ForensicsOptions o;
  o.by = "region";         // 4 regions
  o.replicates = 2000000;  // 3 targets x 2e6 x 5 cells of tallies: well over the 4 GB limit
  try {
    run_forensics(e, o);
    FAIL() << "expected a usage error";
  } catch (const UsageError& err) {
    EXPECT_NE(std::string(err.what()).find("GB"), std::string::npos) << err.what();
    EXPECT_NE(std::string(err.what()).find("--replicates"), std::string::npos) << err.what();
  }
}

TEST(Forensics, BadInputSaysWhyNotRun) {
  // Too few units.
  {
    Election e = load(synthetic(12, 0, 4));
    ForensicsOptions o;
    o.replicates = 20;
    ForensicsResult r = run_forensics(e, o);
    EXPECT_EQ(r.tests_run(), 0u);
    for (const auto& t : r.tests) {
      EXPECT_NE(t.why_not.find("too few units"), std::string::npos) << t.id;
      EXPECT_TRUE(std::isnan(t.p_value));
      EXPECT_FALSE(t.flag);
    }
  }
  // An all-zero column, and units with zero registered voters.
  {
    std::string csv = synthetic(300, 0, 5, /*zero_b=*/true);
    csv += "z1,r1,0,0,0,0,0\nz2,r2,0,0,0,0,0\n";
    Election e = load(csv);
    ForensicsOptions o;
    o.replicates = 20;
    o.choices = {"A", "B"};
    ForensicsResult r = run_forensics(e, o);
    const ForensicTest* b = find(r, "last_digit_mean", "B");
    ASSERT_NE(b, nullptr);
    EXPECT_FALSE(b->run);
    EXPECT_EQ(b->why_not, "all counts are zero");
    const ForensicTest* t = find(r, "integer_percent", "turnout");
    ASSERT_NE(t, nullptr);
    EXPECT_TRUE(t->run);
    EXPECT_EQ(t->excluded.at("zero registered voters"), 2u);
  }
  // No registered-voters column: turnout is not tested, the choices are.
  {
    LoadOptions lo;
    lo.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\n", "spec");
    std::string csv = "id,A,B\n";
    for (int i = 0; i < 100; ++i) csv += fmt::format("{},{},{}\n", i, 100 + 7 * i, 300 - i);
    Election e = load_election(testing::temp_file(csv), lo);
    ForensicsOptions o;
    o.replicates = 20;
    ForensicsResult r = run_forensics(e, o);
    EXPECT_EQ(find(r, "integer_percent", "turnout")->why_not, "no registered-voters column");
    EXPECT_TRUE(find(r, "integer_percent", "A")->run);
    EXPECT_TRUE(r.fingerprints.empty());
  }
  // Usage errors.
  Election e = load(synthetic(50, 0, 6));
  ForensicsOptions o;
  o.choices = {"Nobody"};
  EXPECT_THROW(run_forensics(e, o), UsageError);
  o.choices.clear();
  o.by = "district";
  EXPECT_THROW(run_forensics(e, o), UsageError);
}

// The model fits (klimek.h, shpilkin.h; validated in their own tests) are wired in for every tested
// choice, in the choices' order, each fitted to its own counts; and say why when they are not run.
TEST(Forensics, ModelFitsInJson) {
  Election e = load(synthetic(1500, 0, 21));
  ForensicsOptions o;
  o.replicates = 10;
  o.digit_tests = false;
  o.threads = 2;
  ForensicsResult r = run_forensics(e, o);
  ASSERT_EQ(r.choices.size(), 2u);
  ASSERT_EQ(r.model_fits.size(), 2u);
  nlohmann::ordered_json j = to_json(r);
  ASSERT_TRUE(j.contains("klimek"));
  ASSERT_TRUE(j.contains("shpilkin"));
  EXPECT_TRUE(j["klimek"]["run"].get<bool>());
  EXPECT_EQ(j["klimek"]["choice"], r.choices[0]);
  EXPECT_TRUE(j["shpilkin"]["run"].get<bool>());
  ASSERT_EQ(j["model_fits"].size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(j["model_fits"][k]["choice"], r.choices[k]);
    EXPECT_EQ(j["model_fits"][k]["klimek"]["choice"], r.choices[k]);
    EXPECT_TRUE(j["model_fits"][k]["klimek"]["run"].get<bool>());
    EXPECT_EQ(j["model_fits"][k]["shpilkin"]["choice"], r.choices[k]);
  }
  // Each fit reads its own choice's counts: the runner-up's clean share is its own, not the leader's.
  EXPECT_NE(r.model_fits[0].shpilkin.clean_share, r.model_fits[1].shpilkin.clean_share);
  EXPECT_EQ(j["model_fits"][0]["klimek"], j["klimek"]);
  const std::string text = to_text(r);
  EXPECT_NE(text.find("klimek " + r.choices[0]), std::string::npos);
  EXPECT_NE(text.find("klimek " + r.choices[1]), std::string::npos);
  o.fits = false;  // the fingerprints off: the model fits stay
  r = run_forensics(e, o);
  EXPECT_TRUE(r.fingerprints.empty());
  EXPECT_TRUE(r.leading_fits().klimek.run);
  o.model_fits = false;
  r = run_forensics(e, o);
  ASSERT_EQ(r.model_fits.size(), 2u);
  EXPECT_FALSE(r.leading_fits().klimek.run);
  EXPECT_EQ(r.leading_fits().klimek.why_not, "fits are off");
  EXPECT_EQ(to_json(r)["shpilkin"]["why_not"], "fits are off");
  EXPECT_EQ(to_json(r)["model_fits"][1]["shpilkin"]["why_not"], "fits are off");
}

// Bolivia 2019, final count: analysed end to end. With 200 replicates and the digit tests alone
// nothing survives the Benjamini-Hochberg control; the integer-percent counts (this file,
// recomputed with numpy by the same rule: turnout 3,287 of 33,951 eligible... see the test for the
// exact pins) sit at their null. The distribution statistics (13 more) are descriptive since issue
// 13: the dip of turnout and of CC's share and MAS's and CC's turnout-share slope and correlation,
// which used to flag (6 to 8 flags, moving with the seed), are shown and never flag: MAS gains and
// CC loses with turnout, as rural high-turnout places vote MAS.
TEST(ForensicsShared, Bolivia2019Final) {
  TALLYSCOPE_REQUIRE_SHARED(path, "bolivia-2019/computo-final.csv.gz");
  Election e = load_election(path);
  ForensicsOptions o;
  o.replicates = 200;
  o.distribution_tests = false;
  o.within_place = false;
  ForensicsResult digits_only = run_forensics(e, o);
  EXPECT_EQ(digits_only.tests_run(), 18u);
  EXPECT_EQ(digits_only.flagged(), 0u);
  o.distribution_tests = true;
  o.within_place = true;
  ForensicsResult r = run_forensics(e, o);
  EXPECT_EQ(r.choices, (std::vector<std::string>{"MAS - IPSP", "CC"}));
  EXPECT_EQ(r.tests_run(), 19u);  // 18 digit tests and the within-place tail-symmetry test of MAS
  EXPECT_EQ(r.flagged(), 0u);
  // Within places (Recinto, 3,691 with two or more mesas): nothing departs. The tail-symmetry
  // statistic of MAS is slightly negative (-0.0056); the within-place dispersion (descriptive) is above
  // the binomial's 1, as on every clean file.
  EXPECT_EQ(r.within_place_level, "Recinto");
  EXPECT_NEAR(find(r, "within_place_dispersion", "turnout")->statistic, 1.391, 0.001);
  EXPECT_GT(find(r, "within_place_tail_symmetry", "MAS - IPSP")->p_value, 0.5);
  EXPECT_EQ(find(r, "within_place_tail_symmetry", "CC"), nullptr);  // the leader's only
  EXPECT_GT(find(r, "turnout_share_correlation", "MAS - IPSP")->statistic, 0);
  EXPECT_LT(find(r, "turnout_share_correlation", "CC")->statistic, 0);
  EXPECT_EQ(find(r, "dip", "turnout")->role, "descriptive");
  EXPECT_GT(find(r, "last_digit_mean", "CC")->p_value, 0.002);
  const ForensicTest* t = find(r, "integer_percent", "turnout");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->statistic, 3287);
  EXPECT_LT(std::fabs(t->statistic - t->null_mean), 3 * t->null_sd);
  const ForensicTest* m = find(r, "integer_percent", "MAS - IPSP");
  EXPECT_EQ(m->statistic, 3432);
}

// Pennsylvania 2020, the 41 OpenElections county files read as one count (6,642 precincts, an
// undisputed count): the battery raises no flag. Issue 13 measured 4 of 28 flags on these files
// before the distribution statistics became descriptive.
TEST(ForensicsShared, Pennsylvania2020FortyOneCountiesRaiseNoFlag) {
  TALLYSCOPE_REQUIRE_SHARED(dir, "usa-2020-pennsylvania");
  Election e = load_election(dir);
  ForensicsOptions o;
  o.replicates = 200;
  ForensicsResult r = run_forensics(e, o);
  EXPECT_EQ(r.tests_run(), 18u);  // the digit tests of turnout and the two leading candidates
  EXPECT_EQ(r.flagged(), 0u);
}

}  // namespace
}  // namespace tallyscope
