#include "analysis/count/summary.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analysis/common/checked.h"
#include "analysis/common/text.h"

namespace tallyscope {

Summary summarize(const Election& e) {
  Summary s;
  s.units = e.sheets();
  const size_t last = e.sheets() ? e.sheets() - 1 : 0;
  auto total = [&](const CountColumn* c) {
    int64_t t = 0;
    if (!c) return t;
    const std::string what = fmt::format("the total of '{}'", c->header);
    for (size_t i = 0; i < e.sheets(); ++i) t = checked_add(t, c->or_zero(i), e, i, what);
    s.missing_cells += c->missing;
    return t;
  };
  s.has_registered = e.registered() != nullptr;
  s.registered = total(e.registered());
  s.blank = total(e.blank());
  s.invalid = total(e.invalid());
  for (const auto& c : e.choices()) {
    ChoiceTotal t{c.name, total(&c), 0};
    s.valid = checked_add(s.valid, t.votes, e, last, "the total of valid votes");
    s.choices.push_back(t);
  }
  for (auto& c : s.choices) c.share = s.valid > 0 ? static_cast<double>(c.votes) / s.valid : 0;
  std::stable_sort(s.choices.begin(), s.choices.end(), [](const auto& a, const auto& b) { return a.votes > b.votes; });
  s.ballots = checked_add(checked_add(s.valid, s.blank, e, last, "the total of ballots"), s.invalid, e, last,
                          "the total of ballots");
  s.turnout = std::nan("");
  if (const CountColumn* reg = e.registered()) {
    int64_t b = 0, r = 0;
    for (size_t i = 0; i < e.sheets(); ++i) {
      if ((*reg)[i] == kMissing) continue;
      b = checked_add(b, e.ballots()[i], e, i, "the ballots of sheets with registered voters");
      r = checked_add(r, (*reg)[i], e, i, "the total of registered voters");
      ++s.turnout_sheets;
    }
    if (r > 0) s.turnout = static_cast<double>(b) / static_cast<double>(r);
  }
  if (!s.choices.empty()) {
    s.margin.leader = s.choices[0].name;
    int64_t second = 0;
    if (s.choices.size() > 1) {
      s.margin.runner_up = s.choices[1].name;
      second = s.choices[1].votes;
    }
    s.margin.votes = s.choices[0].votes - second;
    s.margin.points = s.valid > 0 ? 100.0 * static_cast<double>(s.margin.votes) / s.valid : 0;
  }
  std::vector<ChoiceVotes> votes;
  for (const auto& c : s.choices) votes.push_back({c.name, c.votes});
  const ContestRule& rule = e.spec().rule;
  s.outcome = decide(rule, votes, rule.base == ContestRule::Base::kValid ? s.valid : s.ballots);
  s.rule = rule.describe();
  s.layout = e.spec().layout.empty() ? "spec" : e.spec().layout;
  s.guessed_layout = e.spec().layout == "guess";
  s.encoding = e.encoding();
  if (e.multi_file()) s.files = e.files().size();
  s.mapping = spec_mapping(e.spec());
  s.layout_notes = e.spec().notes;
  return s;
}

nlohmann::ordered_json spec_mapping(const ElectionSpec& spec) {
  nlohmann::ordered_json m;
  m["id"] = spec.id;
  m["geography"] = spec.geography;
  auto role = [&](const char* name, const std::optional<std::string>& c) {
    m[name] = c ? nlohmann::ordered_json(*c) : nlohmann::ordered_json(nullptr);
  };
  role("registered", spec.registered);
  role("ballots", spec.ballots);
  role("valid", spec.valid);
  role("blank", spec.blank);
  role("invalid", spec.invalid);
  auto& ch = m["choices"] = nlohmann::ordered_json::array();
  for (const auto& c : spec.choices) ch.push_back({{"name", c.name}, {"column", c.column}});
  return m;
}

nlohmann::ordered_json to_json(const Summary& s) {
  nlohmann::ordered_json j;
  j["units"] = s.units;
  j["registered"] = s.has_registered ? nlohmann::ordered_json(s.registered) : nlohmann::ordered_json(nullptr);
  j["ballots"] = s.ballots;
  j["valid"] = s.valid;
  j["blank"] = s.blank;
  j["invalid"] = s.invalid;
  j["turnout"] = std::isnan(s.turnout) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.turnout);
  j["turnout_sheets"] = s.turnout_sheets;
  auto& ch = j["choices"] = nlohmann::ordered_json::array();
  for (const auto& c : s.choices) ch.push_back({{"name", c.name}, {"votes", c.votes}, {"share", c.share}});
  j["margin"] = {{"leader", s.margin.leader},
                 {"runner_up", s.margin.runner_up},
                 {"votes", s.margin.votes},
                 {"points", s.margin.points}};
  j["outcome"] = {{"decided", s.outcome.decided},
                  {"winner", s.outcome.decided ? nlohmann::ordered_json(s.outcome.winner) : nlohmann::ordered_json(nullptr)},
                  {"runoff", s.outcome.runoff},
                  {"text", s.outcome.text}};
  j["rule"] = s.rule;
  j["missing_cells"] = s.missing_cells;
  j["layout"] = s.layout;
  j["guessed_layout"] = s.guessed_layout;
  j["encoding"] = s.encoding;
  j["files"] = s.files;
  j["mapping"] = s.mapping;
  j["layout_notes"] = s.layout_notes;
  return j;
}

std::string to_text(const Summary& s, const Election& e) {
  std::string o;
  const auto& title = e.spec().title;
  o += fmt::format("{}\n", printable(title.empty() ? e.source() : title));
  o += fmt::format("  source        {}\n", printable(e.source()));
  if (e.multi_file())
    o += fmt::format("  files         {:>14}   read as one count (the first file's layout; columns found by name)\n",
                     thousands(static_cast<int64_t>(s.files)));
  if (s.guessed_layout)
    o += "  layout        GUESSED (not a layout tallyscope knows): these figures rest on a guess of which column\n"
         "                is which (listed on stderr); check it with `tallyscope inspect` and pass --spec\n";
  else
    o += fmt::format("  layout        {}\n", printable(s.layout));
  // How a known layout or a spec was read (races, files, spellings merged): said here too, since a
  // reader of stdout does not see stderr. A guess's notes are its reasons, printed on stderr.
  if (!s.guessed_layout)
    for (const auto& n : s.layout_notes) o += fmt::format("  read          {}\n", printable(n));
  if (s.encoding != "utf-8") o += fmt::format("  encoding      {} (converted to UTF-8)\n", s.encoding);
  o += fmt::format("  sheets        {:>14}\n", thousands(s.units));
  if (s.has_registered) o += fmt::format("  registered    {:>14}\n", thousands(s.registered));
  o += fmt::format("  ballots       {:>14}", thousands(s.ballots));
  if (!std::isnan(s.turnout)) {
    o += fmt::format("   turnout {:.2f}%", 100 * s.turnout);
    if (s.turnout_sheets < s.units)
      o += fmt::format(" (on the {} sheets with registered voters)", thousands(static_cast<int64_t>(s.turnout_sheets)));
  }
  o += "\n";
  o += fmt::format("  valid         {:>14}\n", thousands(s.valid));
  if (e.blank()) o += fmt::format("  blank         {:>14}\n", thousands(s.blank));
  if (e.invalid()) o += fmt::format("  invalid       {:>14}\n", thousands(s.invalid));
  o += "\n  choice                                     votes   share of valid\n";
  for (const auto& c : s.choices) {
    std::string name = printable(c.name);
    o += fmt::format("  {:<34} {:>12}   {:>6.2f}%\n", name, thousands(c.votes), 100 * c.share);
  }
  if (!s.margin.runner_up.empty())
    o += fmt::format("\n  margin        {} over {}: {} votes, {:.2f} points\n", printable(s.margin.leader), printable(s.margin.runner_up),
                     thousands(s.margin.votes), s.margin.points);
  o += fmt::format("  outcome       {}\n", printable(s.outcome.text));
  o += fmt::format("  rule          {}\n", s.rule);
  // Under --lenient, unreadable cells are missing too: say what they held, not that they were empty.
  size_t unreadable = 0;
  const CellIssue* first = nullptr;
  for (const CellIssue& c : e.cell_issues())
    if (c.problem != "empty sheet id" && (++unreadable, !first)) first = &c;
  unreadable = std::min<size_t>(unreadable, s.missing_cells);
  if (s.missing_cells > unreadable)
    o += fmt::format("  warning       {} empty count cells were read as 0 (see `tallyscope check`)\n",
                     s.missing_cells - unreadable);
  if (!e.row_repairs().empty())
    o += fmt::format("  warning       {} row(s) with a stray quote and one field too many were read by joining that "
                     "field with the next, the first on line {} (see `tallyscope check`)\n",
                     e.row_repairs().size(), e.row_repairs().front().line);
  if (first && unreadable)
    o += fmt::format("  warning       {} unreadable count cells were read as 0, the first '{}' ({}) in column '{}' on "
                     "line {} (see `tallyscope check`)\n",
                     unreadable, printable(first->text), first->problem, printable(first->header), first->line);
  return o;
}

}  // namespace tallyscope
