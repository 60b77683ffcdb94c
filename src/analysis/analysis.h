// Public header of the analysis module: pure functions of an Election returning result objects.
#pragma once

#include "analysis/calibrate.h"
#include "analysis/compare.h"
#include "analysis/digits.h"
#include "analysis/fingerprint.h"
#include "analysis/finding.h"
#include "analysis/forensics.h"
#include "analysis/integer_percent.h"
#include "analysis/integrity.h"
#include "analysis/place_map.h"
#include "analysis/progression.h"
#include "analysis/simulate.h"
#include "analysis/projection.h"
#include "analysis/summary.h"
