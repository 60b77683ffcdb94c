// The sheets to look at on paper: every sheet with an integrity finding (errors, warnings, and the
// notes such as outliers among their peers; the severity column tells them apart) or a within-place
// forensic flag, one row per finding, with the sheet's id, line, polling place and the finding in words. Observers
// export it (report --flagged-csv) to fetch the physical sheets or their photographs. Pure.
#pragma once

#include <string>
#include <vector>

#include "analysis/count/integrity.h"
#include "analysis/forensics/forensics.h"
#include "model/election.h"

namespace tallyscope {

struct FlaggedSheet {
  std::string id;
  uint64_t line = 0;
  std::string place;  // the sheet's geography path, coarse to fine ("" without geography)
  std::string severity, code, message;
};

// In file order of the sheets; a sheet with several findings gets a row for each. With `forensics`
// whose whole-count within-place tail-symmetry test flagged, the sheets on that test's stuffing
// side (ForensicsResult::within_place_tail_sheets) are added, severity "forensic", code
// "within_place_tail"; when it did not flag, none is (about half of any upper tail is there by
// chance on a clean count).
std::vector<FlaggedSheet> flagged_sheets(const Election& e, const IntegrityReport& integrity,
                                         const ForensicsResult* forensics = nullptr);

// CSV text (RFC 4180 quoting) of the rows, with a `link` column when `links` (one per row) is given.
std::string flagged_csv(const std::vector<FlaggedSheet>& rows, const std::vector<std::string>* links = nullptr);

}  // namespace tallyscope
