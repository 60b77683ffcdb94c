// Public header of the io module: bytes, encodings, CSV records, numbers and timestamps.
#pragma once

#include "io/byte_source.h"
#include "io/csv_reader.h"
#include "io/encoding.h"
#include "io/error.h"
#include "io/number.h"
#include "io/printable.h"
#include "io/timestamp.h"
