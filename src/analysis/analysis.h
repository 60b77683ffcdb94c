// Public header of the analysis module: pure functions of an Election returning result objects.
// One room (folder) per question, each with its public header:
//   count/        what does the count say (summary, integrity, compare, place map)
//   progression/  did it shift as it arrived, and is the shift explained by who was counted when
//   projection/   what will the uncounted sheets say (projection, backtest)
//   forensics/    does it look fabricated (digit, integer-percentage and distribution tests,
//                 fingerprint, model fits, calibration of the battery)
//   simulate/     what would a clean (or a manipulated) count of this shape look like
//   audit/        checking the paper: outcome assertions, risk measures, sheet-batch comparison
//   common/       small helpers the rooms share (text formatting, JSON numbers, checked sums)
// No analysis does I/O.
#pragma once

#include "analysis/audit/audit.h"
#include "analysis/count/count.h"
#include "analysis/forensics/calibrate.h"
#include "analysis/forensics/digits.h"
#include "analysis/forensics/forensics.h"
#include "analysis/progression/progression.h"
#include "analysis/projection/projection.h"
#include "analysis/simulate/simulate.h"
