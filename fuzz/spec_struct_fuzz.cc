// libFuzzer target, structure-aware: the input drives a generator of election specs (TOML with the
// spec's own tables and keys, values drawn from the fixed table's column names, hostile strings,
// edge numbers and relation equations), so that fuzzing spends its time inside the spec's meaning
// rather than in TOML syntax (fuzz_spec covers the syntax). Each spec that parses must write out
// as a spec that parses back to the same text, and reading a fixed small table with it must end
// in an Election or an InputError/UsageError (the table repeats two headers, so names by
// occurrence, 'A#2', are reached too); with an Election, every relation is evaluated on
// every sheet and the rule decides the totals.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "io/error.h"
#include "model/load.h"
#include "model/rule.h"
#include "model/spec.h"

namespace {

const char* const kTable =
    "id,region,place,reg,A,B,C,blank,null,lat,lon,t,contest,x1,x2,kind,A,B\n"
    "1,R1,P1,100,30,20,5,2,1,-16.5,-68.1,2020-10-18T20:00:00-04:00,PRES,10,20,U,52.6,35.1\n"
    "2,R1,P1,120,40,25,1,0,3,-16.6,-68.2,2020-10-18T20:05:00-04:00,PRES,11,21,U,60.6,37.9\n"
    "3,R2,P2,90,10,50,0,1,0,,,2020-10-18T21:00:00-04:00,DIP,12,22,W,16.4,82.0\n"
    "4,R2,P3,0,5,6,7,0,0,-17.0,-66.0,2020-10-18T22:00:00-04:00,PRES,,23,W,27.8,33.3\n";

const std::vector<std::string> kColumns = {"id",   "region", "place", "reg", "A",  "B",  "C",      "blank",
                                           "null", "lat",    "lon",   "t",   "contest", "x1", "x2", "kind"};

// The fixed table, written once to a temporary file (the loader reads paths).
const std::string& table_path() {
  static const std::string path = [] {
    std::string p = "/tmp/tallyscope-spec-struct-" + std::to_string(getpid()) + ".csv";
    std::ofstream(p, std::ios::binary) << kTable;
    return p;
  }();
  return path;
}

// A TOML basic string holding `raw`, escaped (quotes, backslashes, controls as \uXXXX).
std::string quoted(const std::string& raw) {
  std::string o = "\"";
  for (unsigned char c : raw) {
    if (c == '"' || c == '\\') o += '\\', o += static_cast<char>(c);
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
    } else o += static_cast<char>(c);
  }
  return o + "\"";
}

struct Gen {
  FuzzedDataProvider& in;

  // A column name most of the time; otherwise something hostile or odd.
  std::string name() {
    switch (in.ConsumeIntegralInRange<int>(0, 9)) {
      case 0: return in.ConsumeRandomLengthString(24);
      case 1: return "";
      case 2: return std::string("\xE2\x80\xAE") + kColumns[in.ConsumeIntegralInRange<size_t>(0, kColumns.size() - 1)];
      case 3: return kColumns[in.ConsumeIntegralInRange<size_t>(0, kColumns.size() - 1)] + " ";
      case 4:  // a column by its occurrence (A and B are repeated, as in Germany's downloads)
        return kColumns[in.ConsumeIntegralInRange<size_t>(0, kColumns.size() - 1)] + "#" +
               std::to_string(in.ConsumeIntegralInRange<int>(0, 3));
      default: return kColumns[in.ConsumeIntegralInRange<size_t>(0, kColumns.size() - 1)];
    }
  }
  std::string number() {
    static const char* const edge[] = {"0.5", "0.4", "0.1", "-0.0", "0", "1", "1.0000001", "-1", "nan", "inf",
                                       "-inf", "1e308", "5e-324", "0.49999999999999994", "2", "100"};
    if (in.ConsumeBool()) return edge[in.ConsumeIntegralInRange<size_t>(0, std::size(edge) - 1)];
    return std::to_string(in.ConsumeFloatingPoint<double>());
  }
  std::string names(size_t most) {
    std::string o = "[";
    const size_t n = in.ConsumeIntegralInRange<size_t>(0, most);
    for (size_t i = 0; i < n; ++i) o += (i ? ", " : "") + quoted(name());
    return o + "]";
  }
  std::string equation() {
    static const char* const symbols[] = {"x", "y", "registered", "ballots", "valid", "blank", "invalid", "A", "zz"};
    std::string e;
    const size_t terms = in.ConsumeIntegralInRange<size_t>(1, 5);
    for (size_t i = 0; i < terms; ++i) {
      if (i) e += in.ConsumeBool() ? " + " : " - ";
      if (in.ConsumeBool()) e += std::to_string(in.ConsumeIntegralInRange<int64_t>(-5, 4000000000000000000)) + "*";
      e += symbols[in.ConsumeIntegralInRange<size_t>(0, std::size(symbols) - 1)];
    }
    e += " = ";
    e += in.ConsumeBool() ? "valid" : symbols[in.ConsumeIntegralInRange<size_t>(0, std::size(symbols) - 1)];
    if (in.ConsumeIntegralInRange<int>(0, 15) == 0) e += in.ConsumeRandomLengthString(8);
    return e;
  }

  std::string spec() {
    std::string t;
    if (in.ConsumeBool()) t += "title = " + quoted(in.ConsumeRandomLengthString(40)) + "\n";
    if (in.ConsumeBool()) {
      t += "choices = [";
      const size_t n = in.ConsumeIntegralInRange<size_t>(0, 4);
      for (size_t i = 0; i < n; ++i) {
        t += i ? ", " : "";
        t += in.ConsumeBool() ? quoted(name()) : "{ name = " + quoted(name()) + ", column = " + quoted(name()) + " }";
      }
      t += "]\n";
    }
    if (in.ConsumeIntegralInRange<int>(0, 3) == 0) t += "contest = " + quoted(in.ConsumeBool() ? "PRES" : name()) + "\n";
    if (in.ConsumeIntegralInRange<int>(0, 3) == 0) t += "timezone = " + quoted(in.ConsumeBool() ? "-04:00" : name()) + "\n";
    t += "[columns]\n";
    t += "id = " + (in.ConsumeBool() ? quoted(in.ConsumeBool() ? "id" : name()) : names(3)) + "\n";
    if (in.ConsumeBool()) t += "geography = " + names(3) + "\n";
    for (const char* role : {"registered", "blank", "invalid", "ballots", "valid", "latitude", "longitude", "timestamp",
                             "contest"})
      if (in.ConsumeIntegralInRange<int>(0, 2) == 0) t += std::string(role) + " = " + quoted(name()) + "\n";
    if (in.ConsumeBool()) {
      static const char* const kinds[] = {"plurality", "majority", "threshold", "proportional", ""};
      t += "[rule]\nkind = " + quoted(kinds[in.ConsumeIntegralInRange<size_t>(0, std::size(kinds) - 1)]) + "\n";
      if (in.ConsumeBool()) t += std::string("base = ") + (in.ConsumeBool() ? "\"valid\"" : "\"ballots\"") + "\n";
      for (const char* k : {"majority", "min_share", "min_lead"})
        if (in.ConsumeBool()) t += std::string(k) + " = " + number() + "\n";
    }
    if (in.ConsumeBool()) {
      t += "[extras]\n";
      const size_t n = in.ConsumeIntegralInRange<size_t>(1, 3);
      for (size_t i = 0; i < n; ++i) t += (i % 2 ? "y" : "x") + std::string(i > 1 ? "2" : "") + " = " + quoted(name()) + "\n";
    }
    const size_t relations = in.ConsumeIntegralInRange<size_t>(0, 3);
    for (size_t i = 0; i < relations; ++i)
      t += "[[relations]]\nname = " + quoted(in.ConsumeRandomLengthString(12)) + "\nequation = " + quoted(equation()) + "\n";
    if (in.ConsumeIntegralInRange<int>(0, 4) == 0) {
      t += "[long]\nchoice = " + quoted(name()) + "\nvotes = " + quoted(name()) + "\n";
      if (in.ConsumeBool()) t += "[long.roles]\nregistered = " + (in.ConsumeBool() ? quoted(name()) : names(2)) + "\n";
    }
    if (in.ConsumeIntegralInRange<int>(0, 4) == 0) t += "[postal]\ncolumn = " + quoted(name()) + "\nvalues = " + names(2) + "\n";
    if (in.ConsumeIntegralInRange<int>(0, 4) == 0) {
      static const char* const delims[] = {",", ";", "\t", "|", "", ",,"};
      t += "[format]\ndelimiter = " + quoted(delims[in.ConsumeIntegralInRange<size_t>(0, std::size(delims) - 1)]) + "\n";
    }
    return t;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tallyscope;
  FuzzedDataProvider in(data, size);
  Gen g{in};
  const std::string text = g.spec();
  ElectionSpec s;
  try {
    s = parse_spec(text, "struct.toml");
  } catch (const InputError&) {
    return 0;
  } catch (const UsageError&) {
    return 0;
  }
  // What parses must write out as a spec that parses back to the same text.
  const std::string once = write_spec(s);
  try {
    if (write_spec(parse_spec(once, "written.toml")) != once) std::abort();
  } catch (const InputError&) {
    std::abort();  // the writer wrote what its own parser refuses
  } catch (const UsageError&) {
    std::abort();
  }
  try {
    LoadOptions o;
    o.spec = s;
    o.lenient = in.ConsumeBool();
    Election e = load_election(table_path(), o);
    for (const auto& r : e.spec().relations)
      for (size_t sheet = 0; sheet < e.sheets(); ++sheet)
        for (const auto& term : r.terms) (void)e.symbol_value(term.symbol, sheet);
    std::vector<ChoiceVotes> totals;
    int64_t valid = 0;
    for (const auto& c : e.choices()) {
      int64_t sum = 0;
      for (size_t sheet = 0; sheet < e.sheets(); ++sheet) sum += c.or_zero(sheet);
      totals.push_back({c.name, sum});
      valid += sum;
    }
    (void)decide(e.spec().rule, totals, valid);
  } catch (const InputError&) {
  } catch (const UsageError&) {
  }
  return 0;
}
