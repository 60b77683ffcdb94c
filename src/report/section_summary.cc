// The summary section: totals, shares, margin and outcome of the count, as the file states them.
#include <cmath>

#include <fmt/format.h>

#include "report/sections.h"

namespace tallyscope::report {

Section section_summary(const Summary& s, const std::string& count_source) {
  Section sec;
  sec.id = "summary";
  sec.title = "Summary and outcome";
  std::string& h = sec.html;
  if (s.guessed_layout) {
    std::string why = fmt::format("This count's layout is not one tallyscope knows: which column holds what was "
                                  "GUESSED, and every figure in this report rests on that guess (id {}, choices {}). "
                                  "Check it with `tallyscope inspect` and rerun with --spec.",
                                  s.mapping["id"].dump(), s.mapping["choices"].size());
    sec.key_findings.push_back(why);
    h += para(why);
    for (const auto& n : s.layout_notes) h += para("Guess: " + n + ".");
  }
  h += para(fmt::format("The count {} has {} tally sheets with {} valid votes{}{}.", count_source,
                        count(static_cast<long long>(s.units)), count(s.valid),
                        s.has_registered ? fmt::format(" out of {} registered voters", count(s.registered)) : "",
                        s.has_registered && !std::isnan(s.turnout)
                            ? fmt::format(" (turnout {}, blank and invalid ballots included)", percent(s.turnout))
                            : ""));
  if (s.choices.size() >= 2) {
    h += para(fmt::format("{} received {} of valid votes and {} {}: a margin of {} points ({} votes).",
                          s.choices[0].name, percent(s.choices[0].share, 2), s.choices[1].name,
                          percent(s.choices[1].share, 2), num(s.margin.points), count(s.margin.votes)));
    sec.key_findings.push_back(fmt::format("As counted, {} leads {} by {} points ({} to {} of valid votes). {}",
                                           s.margin.leader, s.margin.runner_up, num(s.margin.points),
                                           percent(s.choices[0].share, 2), percent(s.choices[1].share, 2),
                                           s.outcome.text.empty() ? "" : "Under the rule: " + s.outcome.text + "."));
  }
  h += para(fmt::format("Rule: {}. Outcome under the rule: {}.", s.rule, s.outcome.text));
  if (s.missing_cells > 0)
    h += para(fmt::format("{} vote cells were empty in the file and are read as 0 in these totals; the integrity "
                          "section lists them.",
                          count(static_cast<long long>(s.missing_cells))));
  h += para("These are the totals as the file states them, sheet by sheet added up. Whether each sheet's own "
            "arithmetic holds is the next section's question.");

  Chart c;
  c.id = "chart-shares";
  c.caption = "Share of valid votes by choice, as counted.";
  nlohmann::ordered_json values = nlohmann::ordered_json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& ch : s.choices) {
    values.push_back({{"choice", ch.name}, {"votes", ch.votes}, {"share", ch.share}});
    rows.push_back({ch.name, count(ch.votes), percent(ch.share, 2)});
  }
  c.spec = {{"data", {{"values", values}}},
            {"mark", {{"type", "bar"}, {"tooltip", true}}},
            {"width", 520},
            {"height", {{"step", 22}}},
            {"encoding",
             {{"y", {{"field", "choice"}, {"type", "nominal"}, {"sort", "-x"}, {"title", nullptr}}},
              {"x", {{"field", "share"}, {"type", "quantitative"}, {"axis", {{"format", ".0%"}}},
                     {"title", "share of valid votes"}}}}}};
  h += chart_div(c);
  sec.charts.push_back(std::move(c));
  h += table({"Choice", "Votes", "Share of valid"}, rows, {false, true, true});
  std::vector<std::vector<std::string>> totals = {{"Sheets", count(static_cast<long long>(s.units))},
                                                  {"Valid votes", count(s.valid)},
                                                  {"Blank", count(s.blank)},
                                                  {"Invalid", count(s.invalid)},
                                                  {"Ballots (valid + blank + invalid)", count(s.ballots)}};
  if (s.has_registered) {
    totals.push_back({"Registered voters", count(s.registered)});
    totals.push_back({"Turnout", percent(s.turnout, 2)});
  }
  h += table({"Total", "Value"}, totals, {false, true});
  return sec;
}

}  // namespace tallyscope::report
