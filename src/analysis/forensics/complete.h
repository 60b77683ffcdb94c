// Which sheets the forensic battery can use whole: every count it reads present. A choice's empty
// cell is read as 0, not as a gap, only where the sheet's own arithmetic says so: its declared valid
// votes equal the sum of the choices it gives (a party that was not on that sheet's ballot, as in
// Germany's downloads, whose cells are empty outside the constituencies a party ran in). Without a
// declared valid total, or when the totals disagree, the sheet is left out as before. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/election.h"

namespace tallyscope {

struct CompleteSheets {
  std::vector<uint8_t> complete;  // per sheet: 1 when usable
  size_t zero_filled = 0;         // sheets usable only because an empty choice cell is read as 0
};

CompleteSheets complete_sheets(const Election& e);

}  // namespace tallyscope
