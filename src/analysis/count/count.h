// Public header of the count room: what the count says. Totals, shares and the outcome under the
// rule (summary.h); every arithmetic and consistency finding on the sheets (integrity.h, finding.h);
// two counts of one election joined by sheet id (compare.h); the polling places with their
// margins and arrival for maps (place_map.h); and the count per region (regions.h).
#pragma once

#include "analysis/count/compare.h"
#include "analysis/count/finding.h"
#include "analysis/count/flagged.h"
#include "analysis/count/integrity.h"
#include "analysis/count/place_map.h"
#include "analysis/count/regions.h"
#include "analysis/count/summary.h"
