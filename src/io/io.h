// Public header of the io module: bytes, encodings, CSV records and XLSX rows, numbers and timestamps.
#pragma once

#include "io/byte_source.h"
#include "io/csv_reader.h"
#include "io/encoding.h"
#include "io/error.h"
#include "io/number.h"
#include "io/printable.h"
#include "io/timestamp.h"
#include "io/xlsx_cell.h"
#include "io/xlsx_reader.h"
#include "io/xlsx_writer.h"
#include "io/zip_archive.h"
