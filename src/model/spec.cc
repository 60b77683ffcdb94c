#include "model/spec.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <unicode/utf8.h>

#include "io/error.h"
#include "io/printable.h"

namespace tallyscope {
namespace {

std::string quote(const std::string& s) {
  // TOML basic string; controls and bidi controls as escapes, so that the spec reads the same in
  // any editor or terminal (a U+202E in a header would turn the rest of its line around).
  std::string out = "\"";
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c >= 0 && shown_as_code(static_cast<char32_t>(c))) out += fmt::format("\\u{:04X}", c);
        else if (c < 0) out += "\\uFFFD";  // not UTF-8 (a Latin-1 file name as the title): TOML needs UTF-8
        else out.append(s, start, i - start);
    }
  }
  return out + "\"";
}

[[noreturn]] void spec_error(const std::string& origin, const toml::source_region* where, const std::string& msg) {
  SourceLocation loc{origin};
  if (where) {
    loc.line = where->begin.line;
    loc.column = where->begin.column;
  }
  throw InputError(loc, msg);
}

std::string get_string(const toml::node& n, const std::string& origin, const std::string& key) {
  if (auto v = n.value<std::string>()) return *v;
  spec_error(origin, &n.source(), fmt::format("'{}' must be a string", key));
}

std::vector<std::string> get_strings(const toml::node& n, const std::string& origin, const std::string& key) {
  std::vector<std::string> out;
  if (auto s = n.value<std::string>()) {
    out.push_back(*s);
    return out;
  }
  const toml::array* a = n.as_array();
  if (!a) spec_error(origin, &n.source(), fmt::format("'{}' must be a string or a list of strings", key));
  for (const auto& e : *a) out.push_back(get_string(e, origin, key));
  return out;
}

double get_number(const toml::node& n, const std::string& origin, const std::string& key) {
  if (auto v = n.value<double>()) return *v;
  spec_error(origin, &n.source(), fmt::format("'{}' must be a number", key));
}

// toml++ parses dotted keys and nested values recursively: a key or table header of thousands of
// components (`a.a.a...`, 80 KB) overflows the stack inside it. A spec is a page of text, so one
// over 1 MB, with a key or header deeper than kMaxSpecKeyDepth components, or values nested deeper
// than that, is refused here, before toml++ sees it, with its line.
constexpr size_t kMaxSpecBytes = 1u << 20;
constexpr size_t kMaxSpecKeyDepth = 64;

void refuse_hostile_spec(const std::string& text, const std::string& origin) {
  if (text.size() > kMaxSpecBytes)
    throw InputError({origin}, fmt::format("the spec is over {} bytes (1 MB), the most accepted: a spec maps a "
                                           "few columns; is this the right file?", kMaxSpecBytes));
  uint64_t line = 1;
  size_t depth = 0, nesting = 0;  // components of the current dotted key; open [ and {
  bool after_part = false, after_dot = false, in_bare = false;
  auto start_part = [&] {
    depth = after_dot ? depth + 1 : 1;
    after_dot = false;
    if (depth > kMaxSpecKeyDepth)
      throw InputError({origin, line}, fmt::format("a key or table header with more than {} dotted components",
                                                   kMaxSpecKeyDepth));
  };
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    const bool bare = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '-';
    if (bare) {
      if (!in_bare) start_part();
      in_bare = true;
      continue;
    }
    if (in_bare) after_part = true;
    in_bare = false;
    if (c == ' ' || c == '\t') continue;
    if (c == '.' && after_part) {
      after_part = false;
      after_dot = true;
      continue;
    }
    if (c == '"' || c == '\'') {  // a quoted key part or a string value: skipped to its end
      start_part();
      const bool triple = text.compare(i, 3, std::string(3, c)) == 0;
      size_t j = i + (triple ? 3 : 1);
      for (; j < n; ++j) {
        if (text[j] == '\n') ++line;
        if (c == '"' && text[j] == '\\') {
          if (j + 1 < n && text[j + 1] == '\n') ++line;
          ++j;
          continue;
        }
        if (text[j] == c && (!triple || text.compare(j, 3, std::string(3, c)) == 0)) break;
      }
      if (triple && j < n) {  // up to two more quotes belong to the string
        j += 2;
        while (j + 1 < n && text[j + 1] == c) ++j;
      }
      i = j;
      after_part = true;
      continue;
    }
    after_part = after_dot = false;
    depth = 0;
    if (c == '#') {
      while (i + 1 < n && text[i + 1] != '\n') ++i;
    } else if (c == '\n') {
      ++line;
    } else if (c == '[' || c == '{') {
      if (++nesting > kMaxSpecKeyDepth)
        throw InputError({origin, line}, fmt::format("values nested more than {} deep", kMaxSpecKeyDepth));
    } else if ((c == ']' || c == '}') && nesting > 0) {
      --nesting;
    }
  }
}

}  // namespace

std::vector<std::string> ElectionSpec::mapped_columns() const {
  std::vector<std::string> out(id.begin(), id.end());
  out.insert(out.end(), geography.begin(), geography.end());
  for (const auto* o : {&registered, &blank, &invalid, &ballots, &valid, &latitude, &longitude, &timestamp})
    if (*o) out.push_back(**o);
  if (long_format) {
    out.push_back(long_format->choice);
    out.push_back(long_format->votes);
  } else {
    for (const auto& c : choices) out.push_back(c.column);
  }
  if (contest_column) out.push_back(*contest_column);
  if (postal) out.push_back(postal->column);
  for (const auto& e : extras) out.push_back(e.column);
  return out;
}

namespace {
LongFormat parse_long(const toml::node& n, const std::string& origin) {
  const toml::table* t = n.as_table();
  if (!t) spec_error(origin, &n.source(), "[long] must be a table (choice, votes, and optionally [long.roles])");
  LongFormat f;
  for (const auto& [k, v] : *t) {
    std::string key(k.str());
    if (key == "choice") f.choice = get_string(v, origin, key);
    else if (key == "votes") f.votes = get_string(v, origin, key);
    else if (key == "roles") {
      const toml::table* r = v.as_table();
      if (!r) spec_error(origin, &v.source(), "[long.roles] must map roles to a label or a list of labels");
      for (const auto& [rk, rv] : *r) {
        std::string role(rk.str());
        if (std::find(std::begin(kLongRoles), std::end(kLongRoles), role) == std::end(kLongRoles))
          spec_error(origin, &rv.source(), fmt::format("unknown role '{}' in [long.roles] (known: registered, "
                                                       "ballots, valid, blank, invalid)", role));
        f.roles.emplace_back(role, get_strings(rv, origin, role));
      }
    } else {
      spec_error(origin, &v.source(), fmt::format("unknown key '{}' in [long] (known: choice, votes, roles)", key));
    }
  }
  if (f.choice.empty() || f.votes.empty())
    spec_error(origin, &n.source(), "[long] needs 'choice' and 'votes' (the columns of each row's choice and votes)");
  return f;
}
PostalRule parse_postal(const toml::node& n, const std::string& origin) {
  const toml::table* t = n.as_table();
  if (!t) spec_error(origin, &n.source(), "[postal] must be a table (column, values)");
  PostalRule p;
  for (const auto& [k, v] : *t) {
    std::string key(k.str());
    if (key == "column") p.column = get_string(v, origin, key);
    else if (key == "values") p.values = get_strings(v, origin, key);
    else spec_error(origin, &v.source(), fmt::format("unknown key '{}' in [postal] (known: column, values)", key));
  }
  if (p.column.empty() || p.values.empty())
    spec_error(origin, &n.source(), "[postal] needs 'column' and 'values' (the column's values that mark a postal-vote "
                                    "district)");
  return p;
}
// [columns]: the id, the geography and the role of each mapped column.
void parse_columns(const toml::table& root, const std::string& origin, ElectionSpec& spec) {
  const toml::table* cols = root["columns"].as_table();
  if (!cols) spec_error(origin, nullptr, "a [columns] table is required");
  static const std::set<std::string> kCols = {"id", "geography", "registered", "blank", "invalid", "ballots",
                                              "valid", "latitude", "longitude", "timestamp", "timezone", "contest"};
  for (const auto& [k, v] : *cols) {
    std::string key(k.str());
    if (!kCols.count(key))
      spec_error(origin, &v.source(), fmt::format("unknown key '{}' in [columns] (known: id, geography, registered, "
                                                  "blank, invalid, ballots, valid, latitude, longitude, timestamp, "
                                                  "timezone, contest)", key));
    if (key == "id") spec.id = get_strings(v, origin, key);
    else if (key == "geography") spec.geography = get_strings(v, origin, key);
    else if (key == "timezone") spec.timezone = get_string(v, origin, key);
    else {
      std::string s = get_string(v, origin, key);
      if (key == "registered") spec.registered = s;
      else if (key == "blank") spec.blank = s;
      else if (key == "invalid") spec.invalid = s;
      else if (key == "ballots") spec.ballots = s;
      else if (key == "valid") spec.valid = s;
      else if (key == "contest") spec.contest_column = s;
      else if (key == "latitude") spec.latitude = s;
      else if (key == "longitude") spec.longitude = s;
      else if (key == "timestamp") spec.timestamp = s;
    }
  }
  if (spec.id.empty()) spec_error(origin, &cols->source(), "[columns] needs 'id' (the sheet id column or columns)");

}

// 'choices': a list of column names, or of {name, column} tables (labels, in a long file).
void parse_choices(const toml::table& root, const std::string& origin, ElectionSpec& spec) {
  const toml::node* ch = root.get("choices");
  if (!ch && !spec.long_format)
    spec_error(origin, nullptr, "'choices' is required: the columns holding each choice's votes");
  const toml::array* arr = ch ? ch->as_array() : nullptr;
  if (ch && (!arr || arr->empty()))
    spec_error(origin, &ch->source(), "'choices' must be a non-empty list of column names or {name, column} tables");
  for (const auto& e : arr ? *arr : toml::array{}) {
    if (auto s = e.value<std::string>()) {
      spec.choices.push_back({*s, *s});
    } else if (const toml::table* t = e.as_table()) {
      NamedColumn c;
      if (auto n = t->get("column")) c.column = get_string(*n, origin, "column");
      else spec_error(origin, &e.source(), "a choice table needs 'column'");
      c.name = c.column;
      if (auto n = t->get("name")) c.name = get_string(*n, origin, "name");
      spec.choices.push_back(c);
    } else {
      spec_error(origin, &e.source(), "each choice must be a column name or a {name, column} table");
    }
  }
}

// [extras] and [[relations]], whose symbols must be extras or roles.
void parse_extras_and_relations(const toml::table& root, const std::string& origin, ElectionSpec& spec) {
  if (auto n = root.get("extras")) {
    const toml::table* t = n->as_table();
    if (!t) spec_error(origin, &n->source(), "[extras] must map symbols to column names");
    for (const auto& [k, v] : *t) {
      std::string sym(k.str());
      bool ok = !sym.empty() && (std::isalpha(static_cast<unsigned char>(sym[0])) || sym[0] == '_');
      for (char c : sym) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
      if (!ok) spec_error(origin, &v.source(), fmt::format("extra '{}': a symbol must be letters, digits and '_'", sym));
      spec.extras.push_back({sym, get_string(v, origin, sym)});
    }
  }
  if (auto n = root.get("relations")) {
    const toml::array* a = n->as_array();
    if (!a) spec_error(origin, &n->source(), "'relations' must be an array of tables ([[relations]])");
    for (const auto& e : *a) {
      const toml::table* t = e.as_table();
      if (!t || !t->get("equation"))
        spec_error(origin, &e.source(), "each [[relations]] needs 'equation' (and optionally 'name')");
      std::string eq = get_string(*t->get("equation"), origin, "equation");
      std::string name = t->get("name") ? get_string(*t->get("name"), origin, "name")
                                        : fmt::format("relation_{}", spec.relations.size() + 1);
      try {
        spec.relations.push_back(parse_relation(name, eq));
      } catch (const UsageError& err) {
        spec_error(origin, &e.source(), err.what());
      }
    }
  }
  // Relations may only use known symbols.
  std::set<std::string> symbols(std::begin(kRoleSymbols), std::end(kRoleSymbols));
  for (const auto& e : spec.extras) symbols.insert(e.name);
  for (const auto& r : spec.relations)
    for (const auto& t : r.terms)
      if (!symbols.count(t.symbol))
        spec_error(origin, nullptr, fmt::format("relation '{}' uses '{}', which is neither an extra nor one of "
                                                "registered, ballots, valid, blank, invalid, choices",
                                                r.name, t.symbol));
}

// [rule].
void parse_rule(const toml::table& root, const std::string& origin, ElectionSpec& spec) {
  if (auto n = root.get("rule")) {
    const toml::table* t = n->as_table();
    if (!t) spec_error(origin, &n->source(), "[rule] must be a table");
    for (const auto& [k, v] : *t) {
      std::string key(k.str());
      if (key == "kind") {
        std::string s = get_string(v, origin, key);
        if (s == "plurality") spec.rule.kind = ContestRule::Kind::kPlurality;
        else if (s == "majority") spec.rule.kind = ContestRule::Kind::kMajority;
        else if (s == "threshold") spec.rule.kind = ContestRule::Kind::kThreshold;
        else spec_error(origin, &v.source(), "rule kind must be plurality, majority or threshold");
      } else if (key == "base") {
        std::string s = get_string(v, origin, key);
        if (s == "valid") spec.rule.base = ContestRule::Base::kValid;
        else if (s == "ballots") spec.rule.base = ContestRule::Base::kBallots;
        else spec_error(origin, &v.source(), "rule base must be valid or ballots");
      } else if (key == "majority" || key == "min_share" || key == "min_lead") {
        double x = get_number(v, origin, key);
        if (!(x >= 0 && x <= 1)) spec_error(origin, &v.source(), fmt::format("{} must be a fraction in [0, 1]", key));
        if (x == 0) x = 0;  // -0.0 would be written "-0", which reads back as the integer 0 (found by fuzz_spec)
        (key == "majority" ? spec.rule.majority : key == "min_share" ? spec.rule.min_share : spec.rule.min_lead) = x;
      } else {
        spec_error(origin, &v.source(), fmt::format("unknown key '{}' in [rule] (known: kind, base, majority, "
                                                    "min_share, min_lead)", key));
      }
    }
  }
}

// [format].
void parse_format(const toml::table& root, const std::string& origin, ElectionSpec& spec) {
  if (auto n = root.get("format")) {
    const toml::table* t = n->as_table();
    if (!t) spec_error(origin, &n->source(), "[format] must be a table");
    for (const auto& [k, v] : *t) {
      std::string key(k.str());
      if (key == "delimiter") {
        std::string d = get_string(v, origin, key);
        if (d == "\\t" || d == "tab") d = "\t";
        if (d.size() != 1) spec_error(origin, &v.source(), "delimiter must be one character");
        spec.delimiter = d[0];
      } else if (key == "encoding") {
        spec.encoding = get_string(v, origin, key);
      } else {
        spec_error(origin, &v.source(), fmt::format("unknown key '{}' in [format] (known: delimiter, encoding)", key));
      }
    }
  }
}

}  // namespace

ElectionSpec parse_spec(const std::string& text, const std::string& origin) {
  refuse_hostile_spec(text, origin);
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    spec_error(origin, &e.source(), fmt::format("not valid TOML: {}", e.description()));
  }
  ElectionSpec spec;
  static const std::set<std::string> kTop = {"title", "layout", "contest", "columns", "choices", "extras",
                                             "relations", "rule", "format", "long", "postal"};
  for (const auto& [k, v] : root)
    if (!kTop.count(std::string(k.str())))
      spec_error(origin, &v.source(), fmt::format("unknown key '{}' (known: title, layout, contest, columns, "
                                                  "choices, extras, relations, rule, format, long, postal)",
                                                  k.str()));
  if (auto n = root.get("title")) spec.title = get_string(*n, origin, "title");
  if (auto n = root.get("layout")) spec.layout = get_string(*n, origin, "layout");
  if (auto n = root.get("contest")) spec.contest = get_string(*n, origin, "contest");

  parse_columns(root, origin, spec);

  if (auto n = root.get("long")) spec.long_format = parse_long(*n, origin);
  if (auto n = root.get("postal")) spec.postal = parse_postal(*n, origin);
  parse_choices(root, origin, spec);
  parse_extras_and_relations(root, origin, spec);
  parse_rule(root, origin, spec);
  parse_format(root, origin, spec);
  return spec;
}

ElectionSpec load_spec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path}, "cannot open the spec file");
  std::string text(kMaxSpecBytes + 1, '\0');  // one byte more than accepted: enough to refuse it
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return parse_spec(text, path);
}

std::string write_spec(const ElectionSpec& s) {
  std::string o;
  o += "# tallyscope election spec: maps the file's columns to roles. Edit and pass with --spec.\n";
  // A note names columns: a header may hold a line break (legal in a quoted CSV field), which
  // must not end the comment and turn the rest of the header into live TOML.
  for (const auto& n : s.notes) o += "# note: " + printable(n) + "\n";
  if (!s.title.empty()) o += "title = " + quote(s.title) + "\n";
  if (!s.layout.empty()) o += "layout = " + quote(s.layout) + "\n";
  if (!s.contest.empty()) o += "contest = " + quote(s.contest) + "  # the race read (see contest in [columns])\n";
  auto list = [](const std::vector<std::string>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quote(v[i]);
    return out + "]";
  };
  if (!s.long_format || !s.choices.empty()) {
    o += s.long_format ? "\n# Choices: the labels of the choice column to read ({ name, column } to rename).\nchoices = [\n"
                       : "\n# Choices: columns with each candidate's, list's or answer's votes ({ name, column } to "
                         "rename).\nchoices = [\n";
    for (const auto& c : s.choices) {
      if (c.name == c.column) o += "  " + quote(c.column) + ",\n";
      else o += "  { name = " + quote(c.name) + ", column = " + quote(c.column) + " },\n";
    }
    o += "]\n";
  }
  o += "\n[columns]\n";
  o += "id = " + (s.id.size() == 1 ? quote(s.id[0]) : list(s.id)) + "  # sheet id (several columns are joined with '/')\n";
  o += "geography = " + list(s.geography) + "  # coarse to fine\n";
  auto opt = [&](const char* key, const std::optional<std::string>& v, const char* what) {
    if (v) o += fmt::format("{} = {}  # {}\n", key, quote(*v), what);
    else o += fmt::format("# {} = \"...\"  # {}\n", key, what);
  };
  opt("registered", s.registered, "registered voters");
  opt("blank", s.blank, "blank ballots");
  opt("invalid", s.invalid, "invalid / null ballots");
  opt("ballots", s.ballots, "declared ballots cast (checked against valid + blank + invalid)");
  opt("valid", s.valid, "declared valid votes (checked against the sum of the choices)");
  opt("latitude", s.latitude, "polling place latitude");
  opt("longitude", s.longitude, "polling place longitude");
  opt("timestamp", s.timestamp, "when the sheet was counted or verified (ISO 8601)");
  if (!s.timezone.empty()) o += "timezone = " + quote(s.timezone) + "  # for timestamps without a zone\n";
  if (s.contest_column) o += "contest = " + quote(*s.contest_column) + "  # the column naming each row's race\n";
  if (s.long_format) {
    o += "\n# A long file: one row per sheet and choice.\n[long]\n";
    o += "choice = " + quote(s.long_format->choice) + "  # the column naming each row's choice\n";
    o += "votes = " + quote(s.long_format->votes) + "  # the column holding its votes\n";
    if (!s.long_format->roles.empty()) {
      o += "# Protocol lines written as rows: labels of the choice column (or of the contest column).\n[long.roles]\n";
      for (const auto& [role, labels] : s.long_format->roles) o += role + " = " + list(labels) + "\n";
    }
  }
  if (s.postal) {
    o += "\n# Postal-vote districts: no registered voters of their own (theirs are on other sheets).\n[postal]\n";
    o += "column = " + quote(s.postal->column) + "\nvalues = " + list(s.postal->values) + "\n";
  }
  if (!s.extras.empty()) {
    o += "\n# Further protocol lines, by a symbol the relations below can use.\n[extras]\n";
    for (const auto& e : s.extras) o += e.name + " = " + quote(e.column) + "\n";
  }
  if (!s.relations.empty()) {
    o += "\n# Control relations that must hold on every sheet (symbols: the extras, registered, ballots, valid,\n"
         "# blank, invalid, choices = the sum of all choices).\n";
    for (const auto& r : s.relations)
      o += "[[relations]]\nname = " + quote(r.name) + "\nequation = " + quote(r.equation) + "\n";
  }
  o += "\n# " + s.rule.describe() + "\n[rule]\n";
  o += "kind = " + quote(to_string(s.rule.kind)) + "  # plurality | majority | threshold\n";
  o += "base = " + quote(to_string(s.rule.base)) + "  # shares of: valid | ballots\n";
  if (s.rule.kind != ContestRule::Kind::kPlurality) o += fmt::format("majority = {}\n", s.rule.majority);
  if (s.rule.kind == ContestRule::Kind::kThreshold)
    o += fmt::format("min_share = {}\nmin_lead = {}\n", s.rule.min_share, s.rule.min_lead);
  o += "\n[format]\n";
  std::string d = s.delimiter == '\t' ? "\\t" : std::string(1, s.delimiter ? s.delimiter : ',');
  if (s.delimiter) o += "delimiter = " + quote(d) + "\n";
  else o += "# delimiter = \",\"  # detected when absent\n";
  o += "encoding = " + quote(s.encoding) + "  # auto | utf-8 | windows-1252 | latin1\n";
  return o;
}

}  // namespace tallyscope
