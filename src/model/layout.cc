#include "model/layout.h"

#include <algorithm>
#include <iterator>
#include <set>

#include <fmt/format.h>

#include "io/error.h"
#include "io/number.h"

namespace tallyscope {
namespace {

bool has(const std::vector<std::string>& header, const std::string& name) {
  return std::find(header.begin(), header.end(), name) != header.end();
}

size_t index_of(const std::vector<std::string>& header, const std::string& name) {
  return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
}

// Bolivia, OEP per-acta files of 2019 (official count with coordinates, TREP snapshots).
std::optional<ElectionSpec> bolivia_2019(const std::vector<std::string>& h) {
  for (const char* c : {"Número Mesa", "Inscritos", "Blancos", "Nulos", "CC", "MAS - IPSP", "Recinto"})
    if (!has(h, c)) return std::nullopt;
  ElectionSpec s;
  s.title = "Bolivia, general election of 20 October 2019 (presidential)";
  s.layout = "bolivia-oep-2019";
  s.id = {"Número Mesa"};
  for (const char* g : {"País", "Departamento", "Provincia", "Municipio", "Localidad", "Distrito", "Zona", "Recinto"})
    if (has(h, g)) s.geography.push_back(g);
  s.registered = "Inscritos";
  s.blank = "Blancos";
  s.invalid = "Nulos";
  if (has(h, "lat") && has(h, "lon")) {
    s.latitude = "lat";
    s.longitude = "lon";
  }
  // The party lists stand between Inscritos and Blancos.
  for (size_t i = index_of(h, "Inscritos") + 1; i < index_of(h, "Blancos"); ++i) s.choices.push_back({h[i], h[i]});
  s.rule = ContestRule::bolivia();
  s.timezone = "-04:00";
  return s;
}

// Bolivia, OEP referendum of 21 February 2016 (pipe-delimited).
std::optional<ElectionSpec> bolivia_2016(const std::vector<std::string>& h) {
  for (const char* c : {"Codigo MESA", "NO", "SÍ", "BLANCOS", "EMITIDOS", "INSCRITOS", "NULOS", "VALIDOS",
                        "Nombre RECINTO"})
    if (!has(h, c)) return std::nullopt;
  ElectionSpec s;
  s.title = "Bolivia, constitutional referendum of 21 February 2016";
  s.layout = "bolivia-oep-2016-referendum";
  s.id = {"Codigo MESA"};
  for (const char* g : {"Nombre PAIS", "Nombre DEPARTAMENTO", "Nombre PROVINCIA", "Nombre MUNICIPIO", "Nombre RECINTO"})
    if (has(h, g)) s.geography.push_back(g);
  s.registered = "INSCRITOS";
  s.blank = "BLANCOS";
  s.invalid = "NULOS";
  s.ballots = "EMITIDOS";
  s.valid = "VALIDOS";
  s.choices = {{"SÍ", "SÍ"}, {"NO", "NO"}};
  s.rule.kind = ContestRule::Kind::kMajority;
  s.rule.base = ContestRule::Base::kValid;
  s.delimiter = '|';
  return s;
}

// Russia, Central Election Commission protocols (as scraped by S. Shpilkin): region, tik, uik,
// the protocol lines, one column per candidate, url.
std::optional<ElectionSpec> russia_cec(const std::vector<std::string>& h) {
  if (h.size() < 16 || h[0] != "region" || h[1] != "tik" || h[2] != "uik") return std::nullopt;
  struct Line {
    const char* symbol;
    const char* prefix;  // the protocol line's text starts so
  };
  static const Line kLines[] = {
      {"registered", "Число избирателей, включенных"},
      {"received", "Число избирательных бюллетеней, полученных"},
      {"issued_early", "Число избирательных бюллетеней, выданных избирателям, проголосовавшим досрочно"},
      {"issued_on_day", "Число избирательных бюллетеней, выданных в помещении"},
      {"issued_outside", "Число избирательных бюллетеней, выданных вне помещения"},
      {"cancelled", "Число погашенных"},
      {"in_mobile_boxes", "Число избирательных бюллетеней в переносных"},
      {"in_stationary_boxes", "Число бюллетеней в стационарных"},
      {"invalid", "Число недействительных"},
      {"valid", "Число действительных"},
      {"lost", "Число утраченных"},
      {"unaccounted", "Число избирательных бюллетеней, не учтенных"},
  };
  ElectionSpec s;
  s.layout = "russia-cec";
  s.title = "Russia, Central Election Commission polling-station protocols";
  s.id = {"region", "tik", "uik"};
  s.geography = {"region", "tik"};
  std::set<std::string> used = {"region", "tik", "uik", "url"};
  for (const Line& l : kLines) {
    auto it = std::find_if(h.begin(), h.end(), [&](const std::string& c) { return c.rfind(l.prefix, 0) == 0; });
    if (it == h.end()) {
      if (std::string(l.symbol) == "registered" || std::string(l.symbol) == "valid" ||
          std::string(l.symbol) == "invalid")
        return std::nullopt;
      continue;
    }
    used.insert(*it);
    std::string sym = l.symbol;
    if (sym == "registered") s.registered = *it;
    else if (sym == "invalid") s.invalid = *it;
    else if (sym == "valid") s.valid = *it;
    else s.extras.push_back({sym, *it});
  }
  for (const auto& c : h)
    if (!used.count(c) && c.rfind("Число", 0) != 0) s.choices.push_back({c, c});
  if (s.choices.empty()) return std::nullopt;
  std::set<std::string> have;
  for (const auto& e : s.extras) have.insert(e.name);
  auto all = [&](std::initializer_list<const char*> names) {
    for (const char* n : names)
      if (!have.count(n)) return false;
    return true;
  };
  if (all({"received", "issued_early", "issued_on_day", "issued_outside", "cancelled", "lost", "unaccounted"}))
    s.relations.push_back(parse_relation(
        "ballot_accounting",
        "received = issued_early + issued_on_day + issued_outside + cancelled + lost - unaccounted"));
  if (all({"in_mobile_boxes", "in_stationary_boxes"}))
    s.relations.push_back(parse_relation("ballots_in_boxes", "in_mobile_boxes + in_stationary_boxes = valid + invalid"));
  s.rule.kind = ContestRule::Kind::kMajority;
  s.rule.base = ContestRule::Base::kBallots;  // more than half of the voters who took part
  s.notes.push_back("Russian protocols have no blank-ballot line (blank ballots are invalid); ballots = valid + invalid");
  return s;
}

// tallyscope's own simulated elections (see simulated_spec).
std::optional<ElectionSpec> simulated(const std::vector<std::string>& h) {
  static const char* kTail[] = {"blank", "invalid", "arrived_at", "sim_stuffed", "sim_rounded", "sim_late"};
  constexpr size_t kTailSize = std::size(kTail);
  if (h.size() < 5 + kTailSize || h[0] != "sheet_id") return std::nullopt;
  for (size_t i = 0; i < kTailSize; ++i)
    if (h[h.size() - kTailSize + i] != kTail[i]) return std::nullopt;
  size_t lat = index_of(h, "latitude");
  if (lat + 3 >= h.size() - kTailSize || h[lat + 1] != "longitude" || h[lat + 2] != "registered") return std::nullopt;
  std::vector<std::string> levels(h.begin() + 1, h.begin() + static_cast<long>(lat));
  std::vector<std::string> choices(h.begin() + static_cast<long>(lat) + 3, h.end() - static_cast<long>(kTailSize));
  return simulated_spec(levels, choices);
}

}  // namespace

std::string normalise_name(const std::string& s) {
  // Folds the Latin-1 supplement letters used in Spanish, Portuguese and French.
  static const std::pair<const char*, char> kFold[] = {
      {"á", 'a'}, {"à", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"ã", 'a'}, {"Á", 'a'}, {"À", 'a'}, {"Â", 'a'}, {"Ä", 'a'},
      {"Ã", 'a'}, {"é", 'e'}, {"è", 'e'}, {"ê", 'e'}, {"ë", 'e'}, {"É", 'e'}, {"È", 'e'}, {"Ê", 'e'}, {"Ë", 'e'},
      {"í", 'i'}, {"ì", 'i'}, {"î", 'i'}, {"ï", 'i'}, {"Í", 'i'}, {"Ì", 'i'}, {"Î", 'i'}, {"Ï", 'i'}, {"ó", 'o'},
      {"ò", 'o'}, {"ô", 'o'}, {"ö", 'o'}, {"õ", 'o'}, {"Ó", 'o'}, {"Ò", 'o'}, {"Ô", 'o'}, {"Ö", 'o'}, {"Õ", 'o'},
      {"ú", 'u'}, {"ù", 'u'}, {"û", 'u'}, {"ü", 'u'}, {"Ú", 'u'}, {"Ù", 'u'}, {"Û", 'u'}, {"Ü", 'u'}, {"ñ", 'n'},
      {"Ñ", 'n'}, {"ç", 'c'}, {"Ç", 'c'}};
  std::string out;
  std::string_view t = trim(s);
  bool space = false;
  for (size_t i = 0; i < t.size();) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    if (c < 0x80) {
      char lc = static_cast<char>(std::tolower(c));
      bool is_space = lc == ' ' || lc == '\t' || lc == '_' || lc == '.' || lc == '-';
      if (is_space) {
        space = !out.empty();
      } else {
        if (space) out.push_back(' ');
        space = false;
        out.push_back(lc);
      }
      ++i;
      continue;
    }
    bool folded = false;
    for (const auto& [from, to] : kFold) {
      size_t len = std::char_traits<char>::length(from);
      if (t.compare(i, len, from) == 0) {
        if (space) out.push_back(' ');
        space = false;
        out.push_back(to);
        i += len;
        folded = true;
        break;
      }
    }
    if (!folded) {
      if (space) out.push_back(' ');
      space = false;
      out.push_back(t[i]);
      ++i;
    }
  }
  return out;
}

ElectionSpec simulated_spec(const std::vector<std::string>& geography_levels, const std::vector<std::string>& choices) {
  ElectionSpec s;
  s.title = "Simulated election (tallyscope simulate)";
  s.layout = kSimulatedLayout;
  s.id = {"sheet_id"};
  s.geography = geography_levels;
  s.latitude = "latitude";
  s.longitude = "longitude";
  s.registered = "registered";
  s.blank = "blank";
  s.invalid = "invalid";
  s.timestamp = "arrived_at";
  for (const auto& c : choices) s.choices.push_back({c, c});
  s.extras = {{"stuffed", "sim_stuffed"}, {"rounded", "sim_rounded"}, {"late", "sim_late"}};
  s.rule.kind = ContestRule::Kind::kPlurality;
  s.notes.push_back("the sim_* columns hold the simulation's truth (extras, not votes)");
  return s;
}

std::vector<std::string> simulated_header(const std::vector<std::string>& geography_levels,
                                          const std::vector<std::string>& choices) {
  std::vector<std::string> h = {"sheet_id"};
  h.insert(h.end(), geography_levels.begin(), geography_levels.end());
  for (const char* c : {"latitude", "longitude", "registered"}) h.push_back(c);
  h.insert(h.end(), choices.begin(), choices.end());
  for (const char* c : {"blank", "invalid", "arrived_at", "sim_stuffed", "sim_rounded", "sim_late"}) h.push_back(c);
  return h;
}

std::optional<ElectionSpec> known_layout(const std::vector<std::string>& header) {
  if (auto s = simulated(header)) return s;
  if (auto s = bolivia_2019(header)) return s;
  if (auto s = bolivia_2016(header)) return s;
  if (auto s = russia_cec(header)) return s;
  return std::nullopt;
}

}  // namespace tallyscope
