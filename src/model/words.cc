#include "model/words.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <iterator>
#include <string_view>

#include "model/layout.h"

namespace tallyscope {
namespace {

bool any_word(const std::vector<std::string>& words, std::initializer_list<std::string_view> vocabulary) {
  for (const auto& w : words)
    for (std::string_view v : vocabulary)
      if (w == v) return true;
  return false;
}

// Words that make a column a code when they open its name ("COD_EDO", "Numero Mesa", "id").
constexpr std::string_view kCodeFirst[] = {
    "id", "cod", "code", "codigo", "codice", "num", "numero", "number", "kod", "serial", "ubigeo"};
// Words that make a column a code when they are its whole name ("CENTRO", "MESA", "year"): a party
// named "Centro Democrático" is still a choice.
constexpr std::string_view kCodeAlone[] = {
    "centro", "center", "centre", "mesa", "acta", "sheet", "station", "precinct", "uik", "tik", "seccion",
    "section", "year", "ano", "anio", "month", "mes", "day", "dia", "hour", "hora", "minute", "minuto",
    "zip", "plz", "district", "distrito", "circunscripcion", "wahlbezirk", "level", "uuid", "sheet id",
    "page", "row"};

}  // namespace

const char* word_role_name(WordRole r) {
  switch (r) {
    case WordRole::kNone: return "none";
    case WordRole::kRegistered: return "registered voters";
    case WordRole::kBallots: return "declared ballots cast";
    case WordRole::kValid: return "declared valid votes";
    case WordRole::kBlank: return "blank";
    case WordRole::kInvalid: return "invalid";
    case WordRole::kTimestamp: return "timestamp";
    case WordRole::kLatitude: return "latitude";
    case WordRole::kLongitude: return "longitude";
    case WordRole::kCode: return "code";
    case WordRole::kIgnore: return "ignored";
  }
  return "?";
}

std::vector<std::string> name_words(const std::string& header) {
  std::string n = normalise_name(header);
  std::vector<std::string> out;
  std::string cur;
  for (char ch : n) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || std::isalnum(c)) {
      cur.push_back(static_cast<char>(std::tolower(c)));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

WordRole role_by_words(const std::string& header) {
  const std::vector<std::string> w = name_words(header);
  if (w.empty()) return WordRole::kNone;
  if (any_word(w, {"url", "http", "https", "link", "comment", "comments", "comentario", "observaciones",
                   "observacion", "note", "notes", "foto", "photo", "image", "imagen", "pdf"}))
    return WordRole::kIgnore;
  if (w.size() == 1 && (w[0] == "lat" || w[0] == "latitude" || w[0] == "latitud")) return WordRole::kLatitude;
  if (w.size() == 1 && (w[0] == "lon" || w[0] == "lng" || w[0] == "long" || w[0] == "longitude" || w[0] == "longitud"))
    return WordRole::kLongitude;
  if (any_word(w, {"timestamp", "datetime", "time", "fecha", "verified", "arrived", "received at", "zeit"}) ||
      (w.size() >= 2 && any_word(w, {"date", "hora"})))
    return WordRole::kTimestamp;
  if (any_word(w, {"invalid", "invalidos", "invalidas", "null", "nulls", "nulos", "nulas", "nul", "nuls", "spoiled",
                   "spoilt", "rejected", "ungultige", "ungueltige", "недействительных"}))
    return WordRole::kInvalid;
  if (any_word(w, {"blank", "blanks", "blanco", "blancos", "blanc", "blancs", "branco", "brancos"}))
    return WordRole::kBlank;
  if (any_word(w, {"valid", "validos", "validas", "valides", "validos", "gultige", "gueltige", "действительных"}))
    return WordRole::kValid;
  if (any_word(w, {"registered", "registrados", "inscritos", "inscrits", "habilitados", "electores", "electorate",
                   "eligible", "wahlberechtigte", "зарегистрированных"}) ||
      (w.size() == 1 && (w[0] == "re" || w[0] == "registered")))
    return WordRole::kRegistered;
  if (any_word(w, {"ballots", "cast", "emitidos", "votantes", "voters", "turnout", "wahler", "sufragantes",
                   "участвовавших"}))
    return WordRole::kBallots;
  if (std::find(std::begin(kCodeFirst), std::end(kCodeFirst), w[0]) != std::end(kCodeFirst)) return WordRole::kCode;
  if (w.size() == 1 && std::find(std::begin(kCodeAlone), std::end(kCodeAlone), w[0]) != std::end(kCodeAlone)) return WordRole::kCode;
  if (w.size() == 2 && (w[1] == "id" || w[1] == "code" || w[1] == "nr")) return WordRole::kCode;
  // "Nr Wahlbezirk", "No. mesa"; a referendum's "NO" alone is an answer.
  if (w.size() >= 2 && (w[0] == "no" || w[0] == "nr")) return WordRole::kCode;
  if (w.size() == 2 && std::find(std::begin(kCodeAlone), std::end(kCodeAlone), w[1]) != std::end(kCodeAlone) &&
      any_word({w[0]}, {"numero", "num", "no", "nr", "codigo", "cod", "id"}))
    return WordRole::kCode;
  return WordRole::kNone;
}

}  // namespace tallyscope
