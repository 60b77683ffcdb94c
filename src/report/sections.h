// One builder per section of the report: each takes its analysis's result object (or the reason
// it is missing) and returns the section's HTML, chart specs and key findings. Pure.
#pragma once

#include "report/report.h"

namespace tallyscope::report {

Section section_summary(const Summary& s, const std::string& count_source);
Section section_integrity(const IntegrityReport& r, size_t max_findings);
Section section_progression(const Maybe<ProgressionResult>& p);
Section section_projection(const Maybe<ProjectionResult>& p, const std::string& basis, const Maybe<BacktestResult>& b);
Section section_map(const Maybe<PlaceMap>& m);
// A map chart's spec: the points' layer (objects with "lon" and "lat" in `values`) over the country
// borders and the first-level borders of the countries it covers (admin1.h), fitted to the points.
nlohmann::ordered_json map_spec(const nlohmann::ordered_json& values, nlohmann::ordered_json points_layer);
Section section_forensics(const Maybe<ForensicsResult>& f);
// Provenance: the command, the inputs' hashes, how the count's columns were read, every option.
Section section_provenance(const Provenance& p, const ElectionSpec& count_spec);
std::vector<std::vector<std::string>> column_mapping(const ElectionSpec& spec);
// The count by region at one level, with each region's forensic flags when the battery ran there.
Section section_regions(const Maybe<RegionTable>& t, const ForensicsResult* forensics);
// The audited count against another count of the election (report --compare-with).
Section section_comparison(const Maybe<Comparison>& c, size_t max_rows);
// "What the tests cannot tell": the limits of the whole report, from which analyses ran.
Section section_limits(const ReportInput& in);

// The findings box's first sentence: the verdict in one plain sentence (empty when no analysis
// gives one). Pure.
std::string headline(const ReportInput& in);

// A section saying an analysis was not computed, and why.
Section unavailable_section(std::string id, std::string title, const std::string& reason);

}  // namespace tallyscope::report
