// The sheets to look at on paper: every sheet with an integrity finding (errors, warnings, and the
// notes such as outliers among their peers; the severity column tells them apart), one row per finding, with the sheet's id, line, polling place and the finding in words. Observers
// export it (report --flagged-csv) to fetch the physical sheets or their photographs. Pure.
#pragma once

#include <string>
#include <vector>

#include "analysis/count/integrity.h"
#include "model/election.h"

namespace tallyscope {

struct FlaggedSheet {
  std::string id;
  uint64_t line = 0;
  std::string place;  // the sheet's geography path, coarse to fine ("" without geography)
  std::string severity, code, message;
};

// In file order of the sheets; a sheet with several findings gets a row for each.
std::vector<FlaggedSheet> flagged_sheets(const Election& e, const IntegrityReport& integrity);

// CSV text (RFC 4180 quoting) of the rows, with a `link` column when `links` (one per row) is given.
std::string flagged_csv(const std::vector<FlaggedSheet>& rows, const std::vector<std::string>* links = nullptr);

}  // namespace tallyscope
