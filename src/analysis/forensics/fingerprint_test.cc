#include "analysis/forensics/fingerprint.h"

#include <vector>

#include <gtest/gtest.h>

#include "analysis/forensics/forensics.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

// Worked by hand with 10 bins: (registered, ballots, votes) -> (turnout, share) -> cell.
TEST(ForensicsFingerprint, HistogramCells) {
  std::vector<int64_t> reg = {100, 100, 200, 100, 0, 100}, bal = {50, 100, 190, 95, 0, 0},
                       vot = {25, 100, 180, 5, 0, 0};
  Fingerprint f = fingerprint(reg, bal, vot, 10, "A");
  EXPECT_EQ(f.units, 4u);  // no registered or no ballots: not drawn
  EXPECT_EQ(f.counts[5 * 10 + 5], 1u);  // 0.5, 0.5
  EXPECT_EQ(f.counts[9 * 10 + 9], 2u);  // 1.0, 1.0 (the last bin includes 1) and 0.95, 0.947
  EXPECT_EQ(f.counts[9 * 10 + 0], 1u);  // 0.95, 0.053
  EXPECT_DOUBLE_EQ(f.voters[9 * 10 + 9], 300);
  EXPECT_DOUBLE_EQ(f.corner_units, 0.5);
  EXPECT_DOUBLE_EQ(f.corner_voters, 300.0 / 500);
  auto j = to_json(f);
  EXPECT_EQ(j["edges"].size(), 11u);
  EXPECT_EQ(j["counts"][9][9], 2);
}

// Russia 2018: the fingerprint is smeared to the 100%/100% corner. Reference (numpy, same file,
// units with registered and ballots > 0): 97,698 units, 7,434 of them (7.61%; 4.58% of registered
// voters) at turnout >= 90% and Putin's share >= 90%. Bolivia 2019's leader, for contrast, has
// 1.66% of units there (this test's own run; a clean-looking single cluster).
TEST(ForensicsFingerprintShared, Russia2018Smeared) {
  TALLYSCOPE_REQUIRE_SHARED(path, "russia-2018/2018.csv.gz");
  Election e = load_election(path);
  ForensicsOptions o;
  o.replicates = 1;
  o.choices = {"Путин Владимир Владимирович"};
  ForensicsResult r = run_forensics(e, o);
  ASSERT_EQ(r.fingerprints.size(), 1u);
  const Fingerprint& f = r.fingerprints[0];
  EXPECT_EQ(f.units, 97698u);
  EXPECT_NEAR(f.corner_units, 7434.0 / 97698, 1e-12);
  EXPECT_NEAR(f.corner_voters, 0.04580001209264374, 1e-9);
  size_t total = 0;
  for (auto c : f.counts) total += c;
  EXPECT_EQ(total, 97698u);
}

}  // namespace
}  // namespace tallyscope
