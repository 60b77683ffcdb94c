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

bool contains_any(const std::string& norm, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (norm.find(w) != std::string::npos) return true;
  return false;
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

ElectionSpec guess_layout(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& sample,
                          const std::string& file) {
  if (header.empty()) throw InputError({file, 1}, "the file has no header row");
  const size_t n = header.size();
  enum class Kind { kEmpty, kCount, kDecimal, kText };
  std::vector<Kind> kind(n, Kind::kEmpty);
  std::vector<std::set<std::string>> distinct(n);
  // Majority rule, so that one bad cell does not turn a count column into text: the reader then
  // reports that cell with its line and column.
  std::vector<size_t> counts(n, 0), decimals(n, 0), texts(n, 0);
  for (const auto& row : sample) {
    for (size_t c = 0; c < n && c < row.size(); ++c) {
      distinct[c].insert(row[c]);
      int64_t v;
      CountParse p = parse_count(row[c], v);
      if (p == CountParse::kEmpty) continue;
      if (p == CountParse::kOk) ++counts[c];
      else if (parse_double(row[c])) ++decimals[c];
      else ++texts[c];
    }
  }
  for (size_t c = 0; c < n; ++c) {
    size_t total = counts[c] + decimals[c] + texts[c];
    if (total == 0) continue;
    if (10 * texts[c] > total) kind[c] = Kind::kText;
    else if (counts[c] >= decimals[c] && 10 * decimals[c] <= total) kind[c] = Kind::kCount;
    else kind[c] = Kind::kDecimal;
  }
  ElectionSpec s;
  s.layout = "guess";
  s.title = file;
  std::vector<std::string> norm(n);
  for (size_t c = 0; c < n; ++c) norm[c] = normalise_name(header[c]);
  std::vector<bool> used(n, false);
  // The sheet id: the first column, when its sample values are distinct.
  size_t id_col = 0;
  for (size_t c = 0; c < n; ++c) {
    if (contains_any(norm[c], {"id", "mesa", "acta", "sheet", "station", "precinct", "uik", "seccion", "code",
                               "codigo", "numero"}) &&
        distinct[c].size() == sample.size()) {
      id_col = c;
      break;
    }
  }
  if (distinct[id_col].size() != sample.size())
    s.notes.push_back(fmt::format("the id column '{}' repeats values in the first {} rows; check it",
                                  header[id_col], sample.size()));
  s.id = {header[id_col]};
  used[id_col] = true;
  auto take_role = [&](std::optional<std::string>& role, const char* what,
                       std::initializer_list<const char*> words, Kind need) {
    for (size_t c = 0; c < n; ++c) {
      if (used[c] || (need == Kind::kCount && kind[c] != Kind::kCount && kind[c] != Kind::kEmpty)) continue;
      if (need == Kind::kDecimal && kind[c] == Kind::kText) continue;
      if (need == Kind::kDecimal) {
        // Coordinates by exact name only ("lat" is inside many party names).
        if (std::none_of(words.begin(), words.end(), [&](const char* w) { return norm[c] == w; })) continue;
      } else if (!contains_any(norm[c], words)) {
        continue;
      }
      role = header[c];
      used[c] = true;
      s.notes.push_back(fmt::format("{} = '{}' (by its name)", what, header[c]));
      return;
    }
  };
  take_role(s.registered, "registered voters",
            {"registered", "inscrit", "electores", "eligible", "habilitad", "electorate", "voters on"}, Kind::kCount);
  take_role(s.blank, "blank", {"blank", "blanc", "en blanco"}, Kind::kCount);
  take_role(s.invalid, "invalid", {"invalid", "null", "nulo", "spoil", "reject"}, Kind::kCount);
  take_role(s.valid, "declared valid votes", {"valid", "validos"}, Kind::kCount);
  take_role(s.ballots, "declared ballots cast", {"ballots", "cast", "emitidos", "votantes", "turnout"}, Kind::kCount);
  take_role(s.latitude, "latitude", {"lat", "latitude", "latitud"}, Kind::kDecimal);
  take_role(s.longitude, "longitude", {"lon", "lng", "long", "longitude", "longitud"}, Kind::kDecimal);
  for (size_t c = 0; c < n; ++c) {
    if (used[c] || kind[c] != Kind::kText) continue;
    if (contains_any(norm[c], {"time", "date", "fecha", "hora", "verified"})) {
      s.timestamp = header[c];
      used[c] = true;
      s.notes.push_back(fmt::format("timestamp = '{}' (by its name)", header[c]));
    }
  }
  for (size_t c = 0; c < n; ++c) {
    if (used[c]) continue;
    if (kind[c] == Kind::kText) {
      if (contains_any(norm[c], {"url", "http", "comment", "observ", "note"})) continue;
      s.geography.push_back(header[c]);
      used[c] = true;
    }
  }
  for (size_t c = 0; c < n; ++c) {
    if (used[c] || kind[c] != Kind::kCount) continue;
    if (contains_any(norm[c], {"code", "codigo", "cod ", "zip"})) continue;
    s.choices.push_back({header[c], header[c]});
    used[c] = true;
  }
  if (!s.geography.empty())
    s.notes.push_back(fmt::format("geography (coarse to fine, in file order) = {}", fmt::join(s.geography, ", ")));
  if (s.choices.empty())
    throw InputError({file, 1}, "cannot guess the layout: no column holds whole-number counts for the choices; "
                                "write a spec (see `tallyscope inspect`) and pass it with --spec");
  std::vector<std::string> names;
  for (const auto& c : s.choices) names.push_back(c.column);
  s.notes.push_back(fmt::format("choices = every other whole-number column: {}", fmt::join(names, ", ")));
  if (!s.registered) s.notes.push_back("no registered-voters column found: turnout cannot be computed");
  s.notes.insert(s.notes.begin(), fmt::format("id = '{}' (the first id-like column)", s.id[0]));
  s.rule.kind = ContestRule::Kind::kPlurality;
  s.notes.push_back("rule = plurality (the rule cannot be guessed; set [rule] in a spec)");
  return s;
}

}  // namespace tallyscope
