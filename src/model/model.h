// Public header of the model module: specs, layouts, the Election and how to load one.
#pragma once

#include "model/arrival.h"
#include "model/election.h"
#include "model/geography.h"
#include "model/guess.h"
#include "model/layout.h"
#include "model/place_match.h"
#include "model/load.h"
#include "model/relation.h"
#include "model/rule.h"
#include "model/spec.h"
