#include "analysis/audit/risk.h"

#include <gtest/gtest.h>

namespace tallyscope::audit {
namespace {

// Reference: SHANGRLA (github.com/pbstark/SHANGRLA, commit 9d5db92edf1b, 2026-05-04),
// shangrla/core/NonnegMean.py, run locally with Debian's numpy 1.24.2: the p-value history
// (second value returned) of NonnegMean(...).alpha_mart(x) and .betting_mart(x) on this x.
const std::vector<double> kRiskDraws = {0.9, 0.2, 1.0, 0.7, 0.55, 1.0, 0.8, 0.0, 0.95, 0.6};

void expect_history(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t j = 0; j < want.size(); ++j) EXPECT_NEAR(got[j], want[j], 1e-12) << "draw " << j;
}

TEST(AuditRisk, AlphaWithoutReplacementMatchesShangrla) {
  // NonnegMean(N=20, u=1, t=0.5, eta=0.7).alpha_mart(x)
  expect_history(alpha_p_history({0.5, 1, 20}, 0.7, kRiskDraws),
                 {0.7575757575757576, 0.9907098272608506, 0.6835129815985713, 0.5590823557528877,
                  0.5077903965095035, 0.31707099875945516, 0.2156119353388951, 0.42343066819566166,
                  0.24119776594562944, 0.17351951517366793});
}

TEST(AuditRisk, AlphaWithReplacementMatchesShangrla) {
  // NonnegMean(N=np.inf, u=1.2, t=0.5, eta=0.8).alpha_mart(x)
  expect_history(alpha_p_history({0.5, 1.2, 0}, 0.8, kRiskDraws),
                 {0.7446808510638298, 1.0, 0.7017184942716856, 0.5990279829148537, 0.574410394575887,
                  0.40208727620312085, 0.3198421515252097, 0.559723765169117, 0.4039243666168886,
                  0.37203560083134474});
}

TEST(AuditRisk, FixedBetMatchesShangrla) {
  // NonnegMean(test=betting_mart, bet=fixed_bet, lam=1.3, N=20, u=1, t=0.5).betting_mart(x)
  expect_history(betting_p_history({0.5, 1, 20}, 1.3, kRiskDraws),
                 {0.6578947368421053, 1.0, 0.622852370423869, 0.4769590223966565, 0.42208763043951897,
                  0.24487775890902283, 0.1615973898056243, 0.31378133942839675, 0.18354258216625696,
                  0.13914323940929196});
}

TEST(AuditRisk, ClosedFormsAndSettledNulls) {
  // With replacement and a constant draw x, ALPHA's factor is (x eta / t + (u-x)(u-eta)/(u-t)) / u.
  const double f = (0.8 * 0.9 / 0.5 + 0.2 * 0.1 / 0.5) / 1;
  auto p = alpha_p_history({0.5, 1, 0}, 0.9, {0.8, 0.8, 0.8});
  EXPECT_NEAR(p[2], 1 / (f * f * f), 1e-12);
  // Without replacement, once the sample sum exceeds N t the null is false: p = 0.
  auto q = alpha_p_history({0.5, 1, 4}, 0.7, {1, 1, 1});
  EXPECT_EQ(q[2], 0);
  auto r = running_min({0.5, 0.7, 0.2, 0.3});
  EXPECT_EQ(r, (std::vector<double>{0.5, 0.5, 0.2, 0.2}));
}

}  // namespace
}  // namespace tallyscope::audit
