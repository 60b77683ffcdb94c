// The small sections: an analysis not computed, what the tests cannot tell, and the provenance of
// the run.
#include <fmt/format.h>

#include "report/sections.h"

namespace tallyscope::report {

Section unavailable_section(std::string id, std::string title, const std::string& reason) {
  Section s;
  s.id = std::move(id);
  s.title = std::move(title);
  s.status = "unavailable";
  s.html = para("Not computed: " + reason);
  return s;
}

Section section_limits(const ReportInput& in) {
  Section s;
  s.id = "limits";
  s.title = "What these analyses cannot tell";
  std::string& h = s.html;
  h += "<ul>\n";
  h += "<li>" +
       esc("Everything here is computed from the published sheets. If a sheet's numbers were changed before "
           "publication consistently (the arithmetic still adding up), only a comparison with another record of the "
           "same sheet (a photograph, a second count) can show it.") +
       "</li>\n";
  h += "<li>" +
       esc("Statistical tests find departures from what comparable sheets or places would give; a departure has "
           "innocent explanations as well as guilty ones, and the absence of one does not prove a count clean.") +
       "</li>\n";
  if (in.progression.has())
    h += "<li>" +
         esc("The progression analysis explains a late shift by where the late sheets come from; it cannot tell why "
             "those places were counted late.") +
         "</li>\n";
  if (in.projection.has() || in.backtest.has())
    h += "<li>" +
         esc("Projections assume that missing sheets vote like counted sheets nearby; their intervals cover sampling "
             "uncertainty only, not a systematic difference between early and late places.") +
         "</li>\n";
  if (in.forensics.has())
    h += "<li>" +
         esc("The forensic tests detect particular traces (whole percentages, digit patterns, a smeared fingerprint). "
             "A flag does not say how a pattern arose or how many votes it involved, and falsification that leaves "
             "none of these traces passes them.") +
         "</li>\n";
  h += "</ul>\n";
  return s;
}

std::vector<std::vector<std::string>> column_mapping(const ElectionSpec& spec) {
  std::vector<std::vector<std::string>> rows;
  auto add = [&](const std::string& role, const std::optional<std::string>& column) {
    if (column) rows.push_back({role, *column});
  };
  for (const auto& c : spec.id) rows.push_back({"sheet id", c});
  for (size_t l = 0; l < spec.geography.size(); ++l)
    rows.push_back({fmt::format("geography level {}", l + 1), spec.geography[l]});
  add("registered voters", spec.registered);
  add("ballots (declared)", spec.ballots);
  add("valid votes (declared)", spec.valid);
  add("blank", spec.blank);
  add("invalid", spec.invalid);
  add("latitude", spec.latitude);
  add("longitude", spec.longitude);
  add("time", spec.timestamp);
  for (const auto& c : spec.choices) rows.push_back({"choice: " + c.name, c.column});
  for (const auto& c : spec.extras) rows.push_back({"protocol line: " + c.name, c.column});
  return rows;
}

Section section_provenance(const Provenance& p, const ElectionSpec& spec) {
  Section s;
  s.id = "provenance";
  s.title = "Provenance: how to rerun this report";
  std::string& h = s.html;
  h += para(fmt::format("Made by tallyscope {} on {} in {:.1f} s. Command:", p.tool_version, p.started_utc, p.seconds));
  h += "<pre class=\"cmd\">" + esc(p.command_line) + "</pre>\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : p.inputs) rows.push_back({f.role, f.path, count(static_cast<long long>(f.bytes)), f.sha256});
  h += table({"Role", "File", "Bytes", "SHA-256"}, rows, {false, false, true, false}, "provenance");
  h += "<h3>How the count's columns were read</h3>\n";
  h += para(spec.layout == "guess"
                ? "The columns' roles were guessed from their names and contents (no spec was given): check each "
                  "line below; a spec (tallyscope inspect FILE) fixes any that is wrong."
            : spec.layout.empty() ? "From the spec given."
                                  : "From the known layout " + spec.layout + ".");
  h += table({"Role", "Column in the file"}, column_mapping(spec), {false, false}, "provenance");
  for (const auto& n : spec.notes) h += para("Note from the reading: " + n);
  h += para("Every option, with the seeds of the random procedures (the same seed gives the same numbers whatever "
            "the number of threads):");
  h += "<pre class=\"options\">" + esc(p.options.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)) + "</pre>\n";
  return s;
}

}  // namespace tallyscope::report
