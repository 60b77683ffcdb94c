#include "model/layout.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <iterator>
#include <set>

#include <fmt/format.h>

#include "io/clean_name.h"
#include "io/error.h"
#include "io/number.h"

namespace tallyscope {
namespace {

// Headers are matched by their normalised form (case, accents, spacing, punctuation), with any
// stray byte-order marks removed: "Numero Mesa", "NÚMERO  MESA" and "\uFEFFNúmero Mesa" are one.
std::string header_key(const std::string& h) {
  std::string_view v = h;
  while (v.size() >= 3 && v.substr(0, 3) == "\xEF\xBB\xBF") v.remove_prefix(3);
  return normalise_name(std::string(v));
}

size_t index_of(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  const std::string key = header_key(name);
  for (size_t i = 0; i < header.size(); ++i)
    if (header_key(header[i]) == key) return i;
  return header.size();
}

bool has(const std::vector<std::string>& header, const std::string& name) { return index_of(header, name) < header.size(); }

// The file's own spelling of a header that `has` found.
std::string actual(const std::vector<std::string>& header, const std::string& name) {
  return header[index_of(header, name)];
}

// Bolivia, OEP per-acta files of 2019 (official count with coordinates, TREP snapshots).
std::optional<ElectionSpec> bolivia_2019(const std::vector<std::string>& h) {
  for (const char* c : {"Número Mesa", "Inscritos", "Blancos", "Nulos", "CC", "MAS - IPSP", "Recinto"})
    if (!has(h, c)) return std::nullopt;
  ElectionSpec s;
  s.title = "Bolivia, general election of 20 October 2019 (presidential)";
  s.layout = "bolivia-oep-2019";
  s.id = {actual(h, "Número Mesa")};
  for (const char* g : {"País", "Departamento", "Provincia", "Municipio", "Localidad", "Distrito", "Zona", "Recinto"})
    if (has(h, g)) s.geography.push_back(actual(h, g));
  s.registered = actual(h, "Inscritos");
  s.blank = actual(h, "Blancos");
  s.invalid = actual(h, "Nulos");
  if (has(h, "lat") && has(h, "lon")) {
    s.latitude = actual(h, "lat");
    s.longitude = actual(h, "lon");
  }
  // The party lists stand between Inscritos and Blancos.
  for (size_t i = index_of(h, "Inscritos") + 1; i < index_of(h, "Blancos"); ++i) s.choices.push_back({h[i], h[i]});
  s.rule = ContestRule::bolivia();
  s.timezone = "-04:00";
  return s;
}

// Bolivia, TSE cómputo exports of 18 October 2020: one row per mesa and race (CANDIDATURA:
// PRESIDENTE or DIPUTADO ...); the presidential race is read unless --contest says otherwise.
std::optional<ElectionSpec> bolivia_2020(const std::vector<std::string>& h) {
  for (const char* c : {"CODIGO_MESA", "CANDIDATURA", "INSCRITOS_HABILITADOS", "VOTO_VALIDO", "VOTO_BLANCO",
                        "VOTO_NULO", "VOTO_EMITIDO", "MAS_IPSP", "RECINTO"})
    if (!has(h, c)) return std::nullopt;
  ElectionSpec s;
  s.title = "Bolivia, general election of 18 October 2020 (TSE cómputo export)";
  s.layout = "bolivia-tse-2020";
  s.id = {actual(h, "CODIGO_MESA")};
  s.contest_column = actual(h, "CANDIDATURA");
  s.contest = "PRESIDENTE";
  for (const char* g : {"PAIS", "DEPARTAMENTO", "PROVINCIA", "MUNICIPIO", "LOCALIDAD", "RECINTO"})
    if (has(h, g)) s.geography.push_back(actual(h, g));
  s.registered = actual(h, "INSCRITOS_HABILITADOS");
  s.valid = actual(h, "VOTO_VALIDO");
  s.blank = actual(h, "VOTO_BLANCO");
  s.invalid = actual(h, "VOTO_NULO");
  s.ballots = actual(h, "VOTO_EMITIDO");
  // The lists stand between the registered voters and the valid votes (some ran only for deputies).
  for (size_t i = index_of(h, "INSCRITOS_HABILITADOS") + 1; i < index_of(h, "VOTO_VALIDO"); ++i)
    s.choices.push_back({h[i], h[i]});
  for (const char* e : {"VOTO_VALIDO_SISTEMA", "VOTO_EMITIDO_SISTEMA"})
    if (has(h, e)) s.extras.push_back({normalise_name(e) == "voto valido sistema" ? "valid_system" : "ballots_system",
                                       actual(h, e)});
  s.rule = ContestRule::bolivia();
  s.timezone = "-04:00";
  return s;
}

// OpenElections' precinct files (US): long, one row per precinct, office and candidate, with the
// protocol lines as pseudo-offices (Pennsylvania 2020: "Registered Voters", "Ballots Cast"). The
// presidential race is read unless --contest says otherwise. Under and over votes are the blank and
// invalid ballots of the race read; rejected write-ins are invalid too.
std::optional<ElectionSpec> openelections(const std::vector<std::string>& h) {
  for (const char* c : {"county", "precinct", "office", "candidate", "votes"})
    if (!has(h, c)) return std::nullopt;
  ElectionSpec s;
  s.title = "OpenElections precinct results";
  s.layout = "openelections-precinct";
  s.id = {actual(h, "county"), actual(h, "precinct")};
  s.geography = {actual(h, "county")};
  s.contest_column = actual(h, "office");
  s.contest = "President";
  s.long_format = LongFormat{actual(h, "candidate"), actual(h, "votes"),
                             {{"registered", {"Registered Voters"}},
                              {"ballots", {"Ballots Cast"}},
                              {"blank", {"Under Votes"}},
                              {"invalid", {"Over Votes", "Rejected write-ins"}}}};
  s.rule.kind = ContestRule::Kind::kPlurality;
  return s;
}

// Honduras, CNE per-mesa result files of 28 November 2021: long, one row per list, with the mesa's
// voters on every row and blank and null votes as rows of their own; times in local time (UTC-6).
std::optional<ElectionSpec> honduras_cne(const std::vector<std::string>& h) {
  for (const char* c : {"id_ubicacion", "clase_ubicacion", "cant_votantes", "descripcion_candidatura", "cant_votos"})
    if (!has(h, c)) return std::nullopt;
  ElectionSpec s;
  s.title = "Honduras, CNE per-mesa results (2021)";
  s.layout = "honduras-cne-2021";
  s.id = {actual(h, "id_ubicacion")};
  s.ballots = actual(h, "cant_votantes");
  if (has(h, "hora_proceso")) s.timestamp = actual(h, "hora_proceso");
  s.timezone = "-06:00";
  if (has(h, "cargo")) {
    s.contest_column = actual(h, "cargo");
    s.contest = "PRE";
  }
  s.long_format = LongFormat{actual(h, "descripcion_candidatura"), actual(h, "cant_votos"),
                             {{"blank", {"Voto en BLANCO"}}, {"invalid", {"Votos NULOS"}}}};
  s.rule.kind = ContestRule::Kind::kPlurality;
  return s;
}

// Venezuela, presidential election of 28 July 2024: the actas the opposition's witnesses collected
// and published (resultadosconvzla.com), both releases (V2 has no registered voters, RE, and is
// Windows-1252). One row per mesa of a polling centre; the candidates' columns carry their
// initials, named here as on the ballot. Plurality decides.
std::optional<ElectionSpec> venezuela_actas(const std::vector<std::string>& h) {
  for (const char* c : {"COD_EDO", "EDO", "CENTRO", "MESA", "VOTOS_VALIDOS", "VOTOS_NULOS", "EG", "NM"})
    if (!has(h, c)) return std::nullopt;
  static const std::pair<const char*, const char*> kCandidates[] = {
      {"EG", "Edmundo González"}, {"NM", "Nicolás Maduro"},   {"LM", "Luis Eduardo Martínez"},
      {"JABE", "Javier Bertucci"}, {"JOBR", "José Brito"},     {"AE", "Antonio Ecarri"},
      {"CF", "Claudio Fermín"},    {"DC", "Daniel Ceballos"},  {"EM", "Enrique Márquez"},
      {"BERA", "Benjamín Rausseo"}};
  ElectionSpec s;
  s.title = "Venezuela, presidential election of 28 July 2024 (the opposition's actas)";
  s.layout = "venezuela-actas-2024";
  s.id = {actual(h, "CENTRO"), actual(h, "MESA")};
  for (const char* g : {"EDO", "MUN", "PAR", "CENTRO"})
    if (has(h, g)) s.geography.push_back(actual(h, g));
  if (has(h, "RE")) s.registered = actual(h, "RE");
  s.valid = actual(h, "VOTOS_VALIDOS");
  s.invalid = actual(h, "VOTOS_NULOS");
  for (const auto& [code, name] : kCandidates)
    if (has(h, code)) s.choices.push_back({name, actual(h, code)});
  // A column between the invalid votes and the acta's link that is not a known candidate is read
  // too, under its own name, rather than dropped: the declared valid votes check the sum.
  const size_t from = index_of(h, "VOTOS_NULOS") + 1, to = has(h, "URL") ? index_of(h, "URL") : h.size();
  for (size_t i = from; i < to; ++i) {
    const bool known = std::any_of(std::begin(kCandidates), std::end(kCandidates),
                                   [&](const auto& c) { return header_key(c.first) == header_key(h[i]); });
    if (!known) s.choices.push_back({h[i], h[i]});
  }
  s.rule.kind = ContestRule::Kind::kPlurality;
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
  s.id = {actual(h, "Codigo MESA")};
  for (const char* g : {"Nombre PAIS", "Nombre DEPARTAMENTO", "Nombre PROVINCIA", "Nombre MUNICIPIO", "Nombre RECINTO"})
    if (has(h, g)) s.geography.push_back(actual(h, g));
  s.registered = actual(h, "INSCRITOS");
  s.blank = actual(h, "BLANCOS");
  s.invalid = actual(h, "NULOS");
  s.ballots = actual(h, "EMITIDOS");
  s.valid = actual(h, "VALIDOS");
  s.choices = {{"SÍ", actual(h, "SÍ")}, {"NO", actual(h, "NO")}};
  s.rule.kind = ContestRule::Kind::kMajority;
  s.rule.base = ContestRule::Base::kValid;
  s.delimiter = '|';
  return s;
}

// Russia, Central Election Commission protocols (as scraped by S. Shpilkin), recognised by the
// meaning of their protocol lines, whose wording changes between elections ("включенных" /
// "внесенных в список", "избирателей" / "участников голосования"): presidential elections, Duma
// party lists, the 2020 referendum. Structure columns (level, name, region, oik, tik, uik, url)
// are not votes; the lines on absentee certificates are extras of their own, never the lost ballots.
struct RussianLine {
  const char* symbol;
  std::initializer_list<const char*> all;   // every one of these occurs in the line
  std::initializer_list<const char*> none;  // none of these does
};

bool ru_has(const std::string& h, const char* w) { return h.find(w) != std::string::npos; }

const char* russian_line_symbol(const std::string& h) {
  static const RussianLine kLines[] = {
      {"registered", {"Число ", "список"}, {"открепительн", "бюллетен"}},
      {"cert_received", {"открепительных удостоверений", "полученных"}, {}},
      {"cert_issued", {"открепительных удостоверений", "выданных на избирательном участке"}, {}},
      {"cert_voted", {"по открепительным удостоверениям"}, {}},
      {"cert_cancelled", {"погашенных неиспользованных открепительных"}, {}},
      {"cert_issued_by_tik", {"открепительных удостоверений", "территориальной"}, {}},
      {"cert_lost", {"утраченных открепительных"}, {}},
      {"received", {"бюллетеней", "полученных"}, {"открепительн"}},
      {"issued_early", {"бюллетеней", "досрочно"}, {}},
      {"issued_on_day", {"бюллетеней", "выданных в помещении"}, {}},
      {"issued_outside", {"бюллетеней", "вне помещения"}, {}},
      {"issued", {"бюллетеней", "выданных участникам"}, {}},
      {"cancelled", {"погашенных", "бюллетеней"}, {"открепительн"}},
      {"in_mobile_boxes", {"переносных"}, {}},
      {"in_stationary_boxes", {"стационарных"}, {}},
      {"in_boxes", {"бюллетеней", "содержащихся в ящиках"}, {}},
      {"invalid", {"недействительных"}, {}},
      {"valid", {"действительных"}, {"недействительных"}},
      {"lost", {"утраченных", "бюллетеней"}, {"открепительн"}},
      {"unaccounted", {"не учтенных"}, {}},
  };
  for (const RussianLine& l : kLines) {
    bool ok = std::all_of(l.all.begin(), l.all.end(), [&](const char* w) { return ru_has(h, w); }) &&
              std::none_of(l.none.begin(), l.none.end(), [&](const char* w) { return ru_has(h, w); });
    if (ok) return l.symbol;
  }
  return nullptr;
}

std::optional<ElectionSpec> russia_cec(const std::vector<std::string>& h) {
  if (!has(h, "tik") || !has(h, "uik") || !has(h, "region")) return std::nullopt;
  ElectionSpec s;
  s.layout = "russia-cec";
  std::set<std::string> structure = {"level", "name", "region", "oik", "tik", "uik", "url"};
  for (const char* c : {"region", "oik", "tik", "uik"})
    if (has(h, c)) s.id.push_back(actual(h, c));
  for (const char* c : {"region", "oik", "tik"})
    if (has(h, c)) s.geography.push_back(actual(h, c));
  std::set<std::string> have;
  for (const auto& c : h) {
    if (structure.count(header_key(c))) continue;
    const char* sym = c.rfind("Число", 0) == 0 ? russian_line_symbol(c) : nullptr;
    if (!sym) {
      if (c.rfind("Число", 0) == 0) s.notes.push_back("protocol line left out (not recognised): " + c);
      else s.choices.push_back({c, c});
      continue;
    }
    if (!have.insert(sym).second) return std::nullopt;  // two lines of one meaning: not this layout
    std::string symbol = sym;
    if (symbol == "registered") s.registered = c;
    else if (symbol == "invalid") s.invalid = c;
    else if (symbol == "valid") s.valid = c;
    else s.extras.push_back({symbol, c});
  }
  if (!s.registered || !s.invalid || s.choices.empty()) return std::nullopt;
  auto all = [&](std::initializer_list<const char*> names) {
    return std::all_of(names.begin(), names.end(), [&](const char* n) { return have.count(n) > 0; });
  };
  if (all({"received", "issued_early", "issued_on_day", "issued_outside", "cancelled", "lost", "unaccounted"}))
    s.relations.push_back(parse_relation(
        "ballot_accounting",
        "received = issued_early + issued_on_day + issued_outside + cancelled + lost - unaccounted"));
  if (all({"in_mobile_boxes", "in_stationary_boxes"}))
    s.relations.push_back(parse_relation("ballots_in_boxes", "in_mobile_boxes + in_stationary_boxes = valid + invalid"));
  if (all({"in_boxes"})) s.relations.push_back(parse_relation("ballots_in_boxes", "in_boxes = valid + invalid"));
  const bool referendum = s.choices.size() == 2 && s.choices[0].column == "ДА" && s.choices[1].column == "НЕТ";
  const bool party_lists = std::isdigit(static_cast<unsigned char>(s.choices[0].column[0])) != 0;
  s.rule.kind = ContestRule::Kind::kMajority;
  s.rule.base = ContestRule::Base::kBallots;  // more than half of the voters who took part
  if (referendum) {
    s.title = "Russia, all-Russian vote, Central Election Commission protocols";
  } else if (party_lists) {
    s.title = "Russia, State Duma party lists, Central Election Commission protocols";
    s.rule.kind = ContestRule::Kind::kPlurality;
    s.notes.push_back("Duma party lists: seats are shared in proportion among lists over the threshold; the "
                      "outcome line names only the largest list");
  } else {
    s.title = "Russia, presidential election, Central Election Commission protocols";
  }
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
  const std::string cleaned = clean_name(s);  // NFC, no invisible characters (io/clean_name.h)
  std::string_view t = trim(cleaned);
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
  if (auto s = bolivia_2020(header)) return s;
  if (auto s = russia_cec(header)) return s;
  if (auto s = openelections(header)) return s;
  if (auto s = honduras_cne(header)) return s;
  if (auto s = venezuela_actas(header)) return s;
  return std::nullopt;
}

}  // namespace tallyscope
