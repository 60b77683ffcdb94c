// Integrity of one count: the arithmetic of each sheet, the protocol's control relations,
// duplicates, and statistical outliers among neighbouring sheets.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/count/finding.h"
#include "model/election.h"

namespace tallyscope {

struct IntegrityOptions {
  // A sheet's turnout or a leading choice's share is an outlier when it is more than `outlier_z`
  // standard deviations from its peers' pooled value (binomial variance of the sheet plus the
  // peers' own robust spread) and at least `outlier_min_diff` away in absolute terms.
  double outlier_z = 5.0;
  double outlier_min_diff = 0.15;
  size_t outlier_min_peers = 4;  // peers needed at a level; otherwise the next coarser level
  size_t outlier_levels = 3;     // how many levels, from the finest, may supply the peers
  size_t outlier_choices = 2;    // the leading choices examined
  bool outliers = true;
};

struct IntegrityReport {
  size_t sheets = 0;
  std::vector<Finding> findings;  // in file order within each check
  struct Tally {
    std::string code;
    Severity severity;
    size_t count = 0;
    std::string description;
  };
  std::vector<Tally> tallies;  // one per code that occurred, most severe first
  size_t errors = 0, warnings = 0, infos = 0;
  size_t sheets_with_errors = 0;
  struct RelationStat {
    std::string name, equation;
    size_t checked = 0, violated = 0, not_evaluable = 0;
  };
  std::vector<RelationStat> relations;
  IntegrityOptions options;
};

IntegrityReport check_integrity(const Election& e, const IntegrityOptions& options = {});
nlohmann::ordered_json to_json(const IntegrityReport& r, size_t max_findings);
std::string to_text(const IntegrityReport& r, const Election& e, size_t max_findings);

}  // namespace tallyscope
