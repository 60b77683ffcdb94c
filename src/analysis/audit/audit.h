// Public header of the audit room: a risk-limiting audit of the tally sheets (issue 18).
//   assertions.h  the linear assertions implying the reported outcome under the rule, as assorters
//   risk.h        risk-measuring functions (ALPHA, fixed-bet betting martingale)
//   comparison.h  batch-level comparison audit with the sheets as batches; sample sizes
// No I/O.
#pragma once

#include "analysis/audit/assertions.h"
#include "analysis/audit/comparison.h"
#include "analysis/audit/risk.h"
