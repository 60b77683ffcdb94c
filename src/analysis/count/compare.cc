#include "analysis/count/compare.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "analysis/common/text.h"
#include "io/error.h"

namespace tallyscope {
namespace {

std::string cell_text(int64_t v) { return v == kMissing ? std::string("missing") : std::to_string(v); }

}  // namespace

Comparison compare(const Election& a, const Election& b) {
  a.require_unique_ids("the two counts are joined by sheet id");
  b.require_unique_ids("the two counts are joined by sheet id");
  Comparison c;
  c.source_a = a.source();
  c.source_b = b.source();
  c.total_a = summarize(a);
  c.total_b = summarize(b);

  // The counts compared: registered, blank, invalid when both have them; choices matched by name.
  struct Pair {
    std::string name;
    const CountColumn* a;
    const CountColumn* b;
  };
  std::vector<Pair> pairs;
  if (a.registered() && b.registered()) pairs.push_back({"registered", a.registered(), b.registered()});
  std::vector<std::pair<int, int>> choice_pairs;
  for (size_t i = 0; i < a.choices().size(); ++i) {
    int j = b.find_choice(a.choices()[i].name);
    if (j < 0) {  // compared with 0: a sheet with votes for it differs
      c.choices_only_in_a.push_back(a.choices()[i].name);
      pairs.push_back({a.choices()[i].name, &a.choices()[i], nullptr});
      continue;
    }
    pairs.push_back({a.choices()[i].name, &a.choices()[i], &b.choices()[static_cast<size_t>(j)]});
    choice_pairs.push_back({static_cast<int>(i), j});
  }
  for (const auto& ch : b.choices())
    if (a.find_choice(ch.name) < 0) {
      c.choices_only_in_b.push_back(ch.name);
      pairs.push_back({ch.name, nullptr, &ch});
    }
  if (a.blank() && b.blank()) pairs.push_back({"blank", a.blank(), b.blank()});
  if (a.invalid() && b.invalid()) pairs.push_back({"invalid", a.invalid(), b.invalid()});
  std::vector<int64_t> net(pairs.size(), 0);

  // Geography levels matched by name.
  std::vector<std::pair<size_t, size_t>> levels;
  for (size_t l = 0; l < a.geography().levels(); ++l) {
    int m = b.geography().find_level(a.geography().level_name(l));
    if (m >= 0) levels.push_back({l, static_cast<size_t>(m)});
  }

  // The leader and runner-up of A, for the margin on common sheets.
  int lead = -1, second = -1;
  if (c.total_a.choices.size() >= 2) {
    lead = a.find_choice(c.total_a.choices[0].name);
    second = a.find_choice(c.total_a.choices[1].name);
    c.margin_leader = c.total_a.choices[0].name;
    c.margin_runner_up = c.total_a.choices[1].name;
  }
  int lead_b = lead >= 0 ? b.find_choice(c.margin_leader) : -1;
  int second_b = second >= 0 ? b.find_choice(c.margin_runner_up) : -1;
  int64_t ma = 0, mb = 0, valid_a = 0, valid_b = 0;

  for (size_t s = 0; s < a.sheets(); ++s) {
    auto t = b.find(a.id(s));
    if (!t) {
      c.only_in_a.push_back(a.id(s));
      continue;
    }
    ++c.common;
    SheetDifference d;
    for (size_t k = 0; k < pairs.size(); ++k) {
      int64_t va = pairs[k].a ? (*pairs[k].a)[s] : 0, vb = pairs[k].b ? (*pairs[k].b)[*t] : 0;
      if (va != vb) d.cells.push_back({pairs[k].name, va, vb});
    }
    for (auto [la, lb] : levels) {
      const std::string& na = a.geography().node_name(la, a.geography().node_of(la, s));
      const std::string& nb = b.geography().node_name(lb, b.geography().node_of(lb, *t));
      if (na != nb) d.places.push_back(fmt::format("{}: {} -> {}", a.geography().level_name(la), na, nb));
    }
    if (!d.places.empty()) ++c.renamed_places;
    if (!d.cells.empty()) {
      for (size_t k = 0; k < pairs.size(); ++k)
        net[k] += (pairs[k].b ? pairs[k].b->or_zero(*t) : 0) - (pairs[k].a ? pairs[k].a->or_zero(s) : 0);
      d.id = a.id(s);
      d.line_a = a.line(s);
      d.line_b = b.line(*t);
      if (a.multi_file()) d.file_a = a.file_of(s);
      if (b.multi_file()) d.file_b = b.file_of(*t);
      c.differing.push_back(std::move(d));
    }
    if (lead >= 0 && lead_b >= 0 && second_b >= 0) {
      ma += a.choices()[static_cast<size_t>(lead)].or_zero(s) - a.choices()[static_cast<size_t>(second)].or_zero(s);
      mb += b.choices()[static_cast<size_t>(lead_b)].or_zero(*t) -
            b.choices()[static_cast<size_t>(second_b)].or_zero(*t);
    }
    valid_a += a.valid()[s];
    valid_b += b.valid()[*t];
  }
  for (size_t s = 0; s < b.sheets(); ++s)
    if (!a.find(b.id(s))) c.only_in_b.push_back(b.id(s));
  for (size_t k = 0; k < pairs.size(); ++k) c.net.push_back({pairs[k].name, net[k]});
  c.margin_common_a = valid_a > 0 ? 100.0 * static_cast<double>(ma) / valid_a : 0;
  c.margin_common_b = valid_b > 0 ? 100.0 * static_cast<double>(mb) / valid_b : 0;
  return c;
}

nlohmann::ordered_json to_json(const Comparison& c, size_t max_sheets) {
  nlohmann::ordered_json j;
  j["a"] = {{"source", c.source_a}, {"totals", to_json(c.total_a)}};
  j["b"] = {{"source", c.source_b}, {"totals", to_json(c.total_b)}};
  j["common"] = c.common;
  auto list = [&](const std::vector<std::string>& v) {
    nlohmann::ordered_json x = nlohmann::ordered_json::array();
    for (size_t i = 0; i < v.size() && i < max_sheets; ++i) x.push_back(v[i]);
    return x;
  };
  j["only_in_a"] = {{"count", c.only_in_a.size()}, {"ids", list(c.only_in_a)}};
  j["only_in_b"] = {{"count", c.only_in_b.size()}, {"ids", list(c.only_in_b)}};
  auto& d = j["differing"] = {{"count", c.differing.size()}, {"sheets", nlohmann::ordered_json::array()}};
  for (size_t i = 0; i < c.differing.size() && i < max_sheets; ++i) {
    const auto& s = c.differing[i];
    nlohmann::ordered_json cells = nlohmann::ordered_json::array();
    for (const auto& x : s.cells) {
      auto val = [](int64_t v) { return v == kMissing ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v); };
      cells.push_back({{"name", x.name}, {"a", val(x.a)}, {"b", val(x.b)}});
    }
    nlohmann::ordered_json row = {{"id", s.id}, {"line_a", s.line_a}, {"line_b", s.line_b}};
    if (!s.file_a.empty()) row["file_a"] = s.file_a;
    if (!s.file_b.empty()) row["file_b"] = s.file_b;
    row["cells"] = cells;
    d["sheets"].push_back(std::move(row));
  }
  j["renamed_places"] = c.renamed_places;
  auto& net = j["net_effect"] = nlohmann::ordered_json::object();
  for (const auto& n : c.net) net[n.name] = n.delta;
  j["margin_on_common_sheets"] = {{"leader", c.margin_leader},
                                  {"runner_up", c.margin_runner_up},
                                  {"points_a", c.margin_common_a},
                                  {"points_b", c.margin_common_b},
                                  {"change_points", c.margin_common_b - c.margin_common_a}};
  j["choices_only_in_a"] = c.choices_only_in_a;
  j["choices_only_in_b"] = c.choices_only_in_b;
  return j;
}

std::string to_text(const Comparison& c, size_t max_sheets) {
  std::string o = fmt::format("Comparing\n  A  {}  ({} sheets)\n  B  {}  ({} sheets)\n\n", printable(c.source_a),
                              thousands(static_cast<int64_t>(c.total_a.units)), printable(c.source_b),
                              thousands(static_cast<int64_t>(c.total_b.units)));
  o += fmt::format("  in both                 {:>9}\n", thousands(static_cast<int64_t>(c.common)));
  o += fmt::format("  only in A               {:>9}\n", thousands(static_cast<int64_t>(c.only_in_a.size())));
  o += fmt::format("  only in B               {:>9}\n", thousands(static_cast<int64_t>(c.only_in_b.size())));
  o += fmt::format("  numbers differ          {:>9}\n", thousands(static_cast<int64_t>(c.differing.size())));
  o += fmt::format("  place names differ      {:>9}\n", thousands(static_cast<int64_t>(c.renamed_places)));
  o += "\n  totals                              A              B          B - A\n";
  auto row = [&](const std::string& name, int64_t a, int64_t b) {
    o += fmt::format("  {:<26} {:>12} {:>14} {:>14}\n", printable(name), thousands(a), thousands(b), thousands(b - a));
  };
  row("sheets", static_cast<int64_t>(c.total_a.units), static_cast<int64_t>(c.total_b.units));
  if (c.total_a.has_registered && c.total_b.has_registered) row("registered", c.total_a.registered, c.total_b.registered);
  row("valid", c.total_a.valid, c.total_b.valid);
  for (const auto& ca : c.total_a.choices) {
    auto it = std::find_if(c.total_b.choices.begin(), c.total_b.choices.end(), [&](const auto& x) { return x.name == ca.name; });
    if (it != c.total_b.choices.end()) row(ca.name, ca.votes, it->votes);
  }
  o += fmt::format("  {:<26} {:>11.2f}p {:>13.2f}p\n", "margin (points)", c.total_a.margin.points, c.total_b.margin.points);
  if (!c.differing.empty()) {
    o += "\n  net effect of the differing sheets (B - A)\n";
    for (const auto& n : c.net)
      if (n.delta != 0) o += fmt::format("  {:<26} {:>+12}\n", printable(n.name), n.delta);
    o += fmt::format("  on the common sheets, {} over {}: {:.3f} points in A, {:.3f} in B ({:+.3f})\n", printable(c.margin_leader),
                     printable(c.margin_runner_up), c.margin_common_a, c.margin_common_b, c.margin_common_b - c.margin_common_a);
    o += "\n  sheets whose numbers differ\n";
    for (size_t i = 0; i < c.differing.size() && i < max_sheets; ++i) {
      const auto& d = c.differing[i];
      std::vector<std::string> cells;
      for (const auto& x : d.cells) cells.push_back(fmt::format("{} {} -> {}", printable(x.name), cell_text(x.a), cell_text(x.b)));
      auto where = [](const std::string& file, uint64_t line) {
        if (file.empty()) return std::to_string(line);
        const size_t slash = file.find_last_of('/');
        return printable(slash == std::string::npos ? file : file.substr(slash + 1)) + ":" + std::to_string(line);
      };
      o += fmt::format("  {:<12} (lines {}/{})  {}\n", printable(d.id), where(d.file_a, d.line_a), where(d.file_b, d.line_b),
                       fmt::join(cells, "; "));
    }
    if (c.differing.size() > max_sheets)
      o += fmt::format("  ... {} more (use --max-sheets N or --json)\n", c.differing.size() - max_sheets);
  }
  if (!c.choices_only_in_a.empty()) o += fmt::format("\n  choices only in A: {}\n", printable(fmt::format("{}", fmt::join(c.choices_only_in_a, ", "))));
  if (!c.choices_only_in_b.empty()) o += fmt::format("  choices only in B: {}\n", printable(fmt::format("{}", fmt::join(c.choices_only_in_b, ", "))));
  return o;
}

}  // namespace tallyscope
