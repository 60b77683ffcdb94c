// XLSX input through the loading pipeline: a workbook reads exactly as the same table in CSV.
#include <fstream>

#include <gtest/gtest.h>

#include "io/csv_reader.h"
#include "io/error.h"
#include "io/xlsx_writer.h"
#include "model/load.h"
#include "model/spec.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

using testing::temp_file;

std::vector<std::vector<std::string>> xl_rows_of(const std::string& path, const std::string& sheet = "") {
  CsvOptions o;
  o.sheet = sheet;
  auto reader = CsvReader::open(path, o);
  std::vector<std::vector<std::string>> rows;
  CsvRecord rec;
  while (reader->next(rec)) rows.emplace_back(rec.fields.begin(), rec.fields.end());
  return rows;
}

std::string xl_csv_text(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      bool quote = row[i].find_first_of(",\"\n\r") != std::string::npos;
      if (!quote) {
        out += row[i];
        continue;
      }
      out += '"';
      for (char c : row[i]) out += c == '"' ? std::string("\"\"") : std::string(1, c);
      out += '"';
    }
    out += '\n';
  }
  return out;
}

int64_t xl_total(const CountColumn& c) {
  int64_t t = 0;
  for (size_t i = 0; i < c.values.size(); ++i) t += c.or_zero(i);
  return t;
}

// Two readings of one table agree on every sheet, line and count.
void expect_same_election(const Election& a, const Election& b) {
  EXPECT_EQ(a.spec().layout, b.spec().layout);
  EXPECT_EQ(a.header(), b.header());
  ASSERT_EQ(a.sheets(), b.sheets());
  EXPECT_EQ(a.ids(), b.ids());
  for (size_t i = 0; i < a.sheets(); ++i) ASSERT_EQ(a.line(i), b.line(i)) << i;
  ASSERT_EQ(a.choices().size(), b.choices().size());
  for (size_t c = 0; c < a.choices().size(); ++c) {
    EXPECT_EQ(a.choices()[c].name, b.choices()[c].name);
    EXPECT_EQ(a.choices()[c].values, b.choices()[c].values);
  }
  ASSERT_EQ(a.registered() != nullptr, b.registered() != nullptr);
  if (a.registered()) {
    EXPECT_EQ(a.registered()->values, b.registered()->values);
  }
  EXPECT_EQ(a.valid(), b.valid());
  EXPECT_EQ(a.ballots(), b.ballots());
  EXPECT_EQ(a.latitude(), b.latitude());
}

TEST(LoadXlsx, TheExampleReadsAsItsCsvWithAndWithoutSpec) {
  std::string book = temp_file(write_xlsx({{"Actas", xl_rows_of(testing::kExample)}}), ".xlsx");
  expect_same_election(load_election(testing::kExample), load_election(book));
  LoadOptions o;
  o.spec = load_spec(testing::kExampleSpec);
  Election csv = load_election(testing::kExample, o), xlsx = load_election(book, o);
  expect_same_election(csv, xlsx);
  EXPECT_EQ(xlsx.encoding(), "utf-8");
  // The spec a workbook would be read with names no delimiter; the sheet read is noted.
  EXPECT_EQ(detect_spec(book).delimiter, 0);
  EXPECT_NE(std::find(xlsx.spec().notes.begin(), xlsx.spec().notes.end(), "read the sheet 'Actas' of the workbook"),
            xlsx.spec().notes.end());
}

// The same bad cell gives the same error, at the same line (the row) and column, as in CSV.
TEST(LoadXlsx, ErrorsNameTheSameLineAndColumnAsCsv) {
  const char* spec = "choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\nregistered = \"reg\"\n";
  LoadOptions o;
  o.spec = parse_spec(spec, "spec.toml");
  auto message = [&](const std::string& path) {
    try {
      load_election(path, o);
    } catch (const InputError& e) {
      std::string m = e.what();
      return m.replace(m.find(path), path.size(), "FILE");
    }
    return std::string("no error");
  };
  std::vector<std::vector<std::string>> rows = {{"id", "reg", "A", "B"}, {"1", "10", "3", "4"}, {"2", "10", "x7", "1"}};
  std::string csv = temp_file(xl_csv_text(rows));
  std::string book = temp_file(write_xlsx({{"S", rows}}), ".xlsx");
  EXPECT_EQ(message(book), message(csv));
  EXPECT_EQ(message(book), "FILE:3:3 (column 'A'): the count 'x7' is not a number: a count must be a whole number of "
                           "zero or more (pass --lenient to keep such cells as missing and report them in `check`)");
  rows[2] = {"2", "10", "-1", "1"};
  EXPECT_EQ(message(temp_file(write_xlsx({{"S", rows}}), ".xlsx")), message(temp_file(xl_csv_text(rows))));
  // A missing cell is an empty count (reported by `check`), as an empty CSV field is.
  rows[2] = {"2", "10", "", "1"};
  Election e = load_election(temp_file(write_xlsx({{"S", rows}}), ".xlsx"), o);
  EXPECT_EQ(e.choices()[0].missing, 1u);
}

TEST(LoadXlsx, SheetOptionAndTimestampSerials) {
  const char* spec =
      "choices = [\"A\"]\n[columns]\nid = \"id\"\ntimestamp = \"at\"\ntimezone = \"-04:00\"\n";
  std::vector<std::vector<std::string>> counts = {{"id", "A", "at"}, {"1", "5", "45591.5"}, {"2", "6", "2024-10-26T13:00:00Z"}};
  std::string book = temp_file(write_xlsx({{"Notes", {{"see the other sheet"}}}, {"Counts", counts}}), ".xlsx");
  LoadOptions o;
  o.spec = parse_spec(spec, "spec.toml");
  o.sheet = "Counts";
  Election e = load_election(book, o);
  ASSERT_EQ(e.sheets(), 2u);
  // 45591.5 is 2024-10-26 12:00 local time, 16:00 UTC.
  EXPECT_EQ(e.timestamps_ms()[0], int64_t{1729944000000} + 4 * 3600000);
  EXPECT_EQ(e.timestamps_ms()[1], int64_t{1729944000000} + 3600000);
  o.sheet = "2";
  EXPECT_EQ(load_election(book, o).sheets(), 2u);
  o.sheet = "Missing";
  EXPECT_THROW(load_election(book, o), InputError);
  // The same number in a CSV file is not a time: serials are read only from workbooks.
  o.sheet.clear();
  EXPECT_THROW(load_election(temp_file(xl_csv_text(counts)), o), InputError);
}


// Georgia 2024 (../shared/data/georgia-2024, XLSX only): 3,110 precinct protocols typed in by
// volunteers. The electoral commission's final result: Georgian Dream 53.93% of the valid votes;
// these protocols give 1,120,016 of 2,076,734 party votes, 53.93% (counted with Python's zipfile
// and ElementTree, independently of this reader). Registered voters are the sum of the main list
// (f_01) and the special list (f_03); a spec cannot sum two columns yet (issue 14, item 5), so the
// spec here maps the main list alone: 3,494,146 (the special list holds 135,273 more).
TEST(LoadXlsxShared, Georgia2024ProtocolsWithASpec) {
  TALLYSCOPE_REQUIRE_SHARED(path, "georgia-2024/georgia_parliamentary_elections_nov15_2024.xlsx");
  std::string choices;
  for (const char* p : {"p_3", "p_4", "p_5", "p_6", "p_8", "p_9", "p_10", "p_12", "p_16", "p_17", "p_20", "p_21",
                        "p_23", "p_25", "p_26", "p_27", "p_36"})
    choices += std::string("\"") + p + "\", ";
  LoadOptions o;
  o.spec = parse_spec("choices = [" + choices + "{ name = \"Georgian Dream\", column = \"p_41\" }]\n"
                      "[columns]\nid = [\"district\", \"precinct\"]\ngeography = [\"district\"]\n"
                      "registered = \"f_01\"\ninvalid = \"f_06\"\nballots = \"f_05\"\n", "georgia.toml");
  Election e = load_election(path, o);
  EXPECT_EQ(e.sheets(), 3110u);
  EXPECT_EQ(e.line(0), 2u);
  int64_t party_votes = 0;
  for (const auto& c : e.choices()) party_votes += xl_total(c);
  const CountColumn& gd = e.choices()[static_cast<size_t>(e.find_choice("Georgian Dream"))];
  EXPECT_EQ(xl_total(gd), 1120016);
  EXPECT_EQ(party_votes, 2076734);
  EXPECT_NEAR(100.0 * static_cast<double>(xl_total(gd)) / static_cast<double>(party_votes), 53.93, 0.005);
  EXPECT_EQ(xl_total(*e.registered()), 3494146);
  EXPECT_EQ(xl_total(*e.invalid()), 34955);
  // The second sheet explains the columns: 41 variables and their header.
  EXPECT_EQ(xl_rows_of(path, "2").size(), 42u);
}

// Bolivia 2020 (../shared/data/bolivia-2020/computo-snapshots): the TSE's later exports are XLSX,
// one sheet per race ("Presidente" first). Each reads to the totals of the same table written as
// CSV, and to the figures counted with Python's zipfile and ElementTree on the presidential sheet.
struct BoliviaXlsx {
  const char* file;
  size_t mesas;
  int64_t mas, cc, creemos, valid, registered;
};

TEST(LoadXlsxShared, Bolivia2020XlsxSnapshotsReadAsTheirCsv) {
  const BoliviaXlsx kSnapshots[] = {
      {"exportacion_EG2020_20201019_081834_3851347322436960264.xlsx", 5652, 345085, 440314, 195983, 1001465, 1194915},
      {"exportacion_EG2020_20201019_120834_54581034479203955141603124163.xlsx", 7302, 479934, 559695, 228715, 1294572,
       1546403},
      {"exportacion_EG2020_20201019_160834_85489615154167522751603138281.xlsx", 10102, 700011, 697430, 343252, 1776572,
       2125776},
      {"exportacion_EG2020_20201019_200835_70090574954948281151603152906.xlsx", 12886, 955873, 825601, 428510, 2256029,
       2696145},
      {"exportacion_EG2020_20201020_010835_68718975571814822521603170733.xlsx", 17356, 1420454, 1023840, 504462,
       3011895, 3601986},
      {"exportacion_EG2020_20201020_021835_22649391410013071111603175145.xlsx", 18557, 1548883, 1075654, 530722,
       3222952, 3850979},
  };
  for (const auto& s : kSnapshots) {
    TALLYSCOPE_REQUIRE_SHARED(path, std::string("bolivia-2020/computo-snapshots/") + s.file);
    SCOPED_TRACE(s.file);
    Election xlsx = load_election(path);
    EXPECT_EQ(xlsx.spec().layout, "bolivia-tse-2020");
    EXPECT_EQ(xlsx.sheets(), s.mesas);
    auto total = [&](const char* name) { return xl_total(xlsx.choices()[static_cast<size_t>(xlsx.find_choice(name))]); };
    EXPECT_EQ(total("MAS_IPSP"), s.mas);
    EXPECT_EQ(total("CC"), s.cc);
    EXPECT_EQ(total("CREEMOS"), s.creemos);
    EXPECT_EQ(xl_total(*xlsx.registered()), s.registered);
    int64_t valid = 0;
    for (int64_t v : xlsx.valid()) valid += v;
    EXPECT_EQ(valid, s.valid);
    Election csv = load_election(temp_file(xl_csv_text(xl_rows_of(path))));
    expect_same_election(xlsx, csv);
  }
}

}  // namespace
}  // namespace tallyscope
