// The self-contained HTML report: every analysis the inputs allow, as one offline HTML file with
// charts (Vega-Lite, inlined), sortable tables, plain prose findings and provenance. Pure: the
// caller runs the analyses and hands over their result objects; nothing here reads or writes files.
//
// Each analysis has its own section builder (section_*.cc, declared in sections.h) that takes the
// analysis's result object and returns a Section (HTML + chart specs + key findings). An analysis
// that could not run is handed over as a reason, and its section says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/analysis.h"
#include "analysis/count/place_map.h"
#include "report/html.h"

namespace tallyscope::report {

struct InputFile {
  std::string role;    // "count", "early", "arrival", "baseline", "partial", "spec"
  std::string path;    // as the user named it
  std::string sha256;  // hex
  uint64_t bytes = 0;
};

struct Provenance {
  std::string tool_version;
  std::string command_line;    // as run (arguments shell-quoted)
  std::string started_utc;     // ISO 8601
  double seconds = 0;          // wall time of the analyses
  std::vector<InputFile> inputs;
  nlohmann::ordered_json options;  // every option with its value, seeds included
};

// An analysis's result, or why there is none.
template <class T>
struct Maybe {
  std::optional<T> value;
  std::string reason;  // when !value: why it was not computed (plain sentence)
  bool has() const { return value.has_value(); }
};

struct ReportInput {
  std::string title;        // the election's title (spec) or the count file's name
  std::string count_source;
  ElectionSpec count_spec;  // how the count's columns were read (its layout, roles, choices, notes)
  Summary summary;
  IntegrityReport integrity;
  size_t max_findings = 500;  // rows of the findings table (all are counted)
  Maybe<ProgressionResult> progression;
  Maybe<ProjectionResult> projection;
  std::string projection_basis;  // what the partial count was (e.g. "the early snapshot")
  Maybe<BacktestResult> backtest;
  Maybe<PlaceMap> map;
  Maybe<ForensicsResult> forensics;
  Maybe<RegionTable> regions;
  // compare(other, count) when --compare-with was given; without it the section is left out.
  std::optional<Maybe<Comparison>> comparison;
  Provenance provenance;
};

// Every section, in the order the report shows them.
std::vector<Section> build_sections(const ReportInput& in);
// The whole HTML document.
std::string render_report(const ReportInput& in);
// Every result as one JSON bundle (the --json-out file): provenance, each analysis's own JSON or
// {"available": false, "reason": ...}.
nlohmann::ordered_json report_json(const ReportInput& in);

}  // namespace tallyscope::report
