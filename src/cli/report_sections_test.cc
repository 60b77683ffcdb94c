// The report's observer sections on the embedded example: the comparison with another count
// (--compare-with), the table by region, how the columns were read, and a guessed layout said on
// the first screen. Bolivia 2019 against the 21 October TREP: the 706 sheets whose numbers changed.
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <iterator>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace tallyscope {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

struct Report {
  int exit_code;
  std::string err, html;
  nlohmann::json json;
};

Report run_report(const std::string& args) {
  const std::string html = testing::temp_file(""), json = testing::temp_file("");
  auto r = testing::run_cli(fmt::format("report {} --forensics-replicates 0 --draws 100 -o {} --json-out {}", args, html,
                                        json));
  Report o{r.exit_code, r.err, read_all(html), nlohmann::json()};
  if (r.exit_code == 0) o.json = nlohmann::json::parse(read_all(json));
  return o;
}

TEST(ReportSections, ComparisonRegionsAndReading) {
  const std::string partial = testing::source_dir() + "/examples/example-partial.csv";
  Report r = run_report(fmt::format("{} --spec {} --compare-with {}", testing::kExample, testing::kExampleSpec, partial));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The partial count holds 231 of the 311 sheets, with the same numbers.
  const auto& c = r.json["comparison"];
  EXPECT_EQ(c["common"], 231);
  EXPECT_EQ(c["only_in_b"]["count"], 80);
  EXPECT_EQ(c["only_in_a"]["count"], 0);
  EXPECT_NE(r.html.find("<section id=\"comparison\" class=\"status-ok\""), std::string::npos);
  EXPECT_NE(r.html.find("Compared with example-partial.csv: 0 sheets in both counts have different numbers"),
            std::string::npos);
  // The table by region: every sheet in one region of the first level.
  const auto& t = r.json["regions"];
  size_t sheets = 0;
  for (const auto& row : t["rows"]) sheets += row["sheets"].get<size_t>();
  EXPECT_EQ(sheets, 311u);
  EXPECT_NE(r.html.find("<section id=\"regions\" class=\"status-ok\""), std::string::npos);
  // How the columns were read: from the spec, every choice listed.
  EXPECT_FALSE(r.json["reading"]["guessed"].get<bool>());
  EXPECT_GT(r.json["reading"]["columns"].size(), 5u);
  EXPECT_NE(r.html.find("How the count's columns were read"), std::string::npos);
  EXPECT_EQ(r.html.find("id=\"guessed-layout\""), std::string::npos);
  // Without the spec the layout is guessed, and the first screen says so.
  Report g = run_report(testing::kExample);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_TRUE(g.json["reading"]["guessed"].get<bool>());
  const size_t said = g.html.find("id=\"guessed-layout\""), first_section = g.html.find("<section id=\"summary\"");
  EXPECT_NE(said, std::string::npos);
  EXPECT_LT(said, first_section);
  // A level that does not exist is named in the section's reason, not a failed run.
  Report bad = run_report(fmt::format("{} --spec {} --regions county", testing::kExample, testing::kExampleSpec));
  ASSERT_EQ(bad.exit_code, 0) << bad.err;
  EXPECT_NE(bad.json["regions"]["reason"].get<std::string>().find("no geography level 'county'"), std::string::npos);
}

// The forensic battery's target is selectable in the report, and each tested choice gets its own
// fingerprint and model fits (not only the leader's).
TEST(ReportSections, ForensicChoicesAreSelectable) {
  const std::string html = testing::temp_file(""), json = testing::temp_file("");
  auto run = testing::run_cli(fmt::format(
      "report {} --spec {} --forensics-replicates 20 --forensics-choices 'Movimiento Azul' --forensics-choices "
      "'Alianza Verde' --draws 100 --backtest-draws 0 -o {} --json-out {}",
      testing::kExample, testing::kExampleSpec, html, json));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json j = nlohmann::json::parse(read_all(json));
  const auto& f = j["forensics"];
  ASSERT_EQ(f["choices"].size(), 2u);
  EXPECT_EQ(f["choices"][0], "Movimiento Azul");
  EXPECT_EQ(f["choices"][1], "Alianza Verde");
  ASSERT_EQ(f["model_fits"].size(), 2u);
  EXPECT_EQ(f["model_fits"][0]["klimek"]["choice"], "Movimiento Azul");
  EXPECT_EQ(f["model_fits"][1]["shpilkin"]["choice"], "Alianza Verde");
  const std::string page = read_all(html);
  EXPECT_NE(page.find("id=\"chart-fingerprint-0\""), std::string::npos);
  EXPECT_NE(page.find("id=\"chart-fingerprint-1\""), std::string::npos);
  EXPECT_NE(page.find("fitted to Movimiento Azul&#39;s fingerprint"), std::string::npos);
  EXPECT_NE(page.find("fitted to Alianza Verde&#39;s fingerprint"), std::string::npos);
  EXPECT_EQ(page.find("fitted to Frente Popular&#39;s fingerprint"), std::string::npos);
  // A choice the count does not have is an input error.
  auto bad = testing::run_cli(fmt::format("report {} --spec {} --forensics-choices Nobody -o {}", testing::kExample,
                                          testing::kExampleSpec, testing::temp_file("")));
  EXPECT_NE(bad.exit_code, 0);
}

// --flagged-csv lists the sheets behind a within-place forensic flag: on a simulated count with
// extreme stuffing in 2% of the sheets the tail-symmetry test flags and its sheets are listed (most
// of them stuffed, by the file's own sim_stuffed truth); on the same count without stuffing the
// test does not flag and no forensic row is written.
TEST(ReportSections, FlaggedCsvListsWithinPlaceFlagsOnlyWhenTheTestFlags) {
  auto rows_of = [](double fraud, size_t& forensic, size_t& stuffed) {
    const std::string sim = testing::temp_file("", ".csv"), csv = testing::temp_file(""), html = testing::temp_file("");
    auto s = testing::run_cli(fmt::format("simulate --out {} --units 12000 --seed 4 --fraud-kind extreme --fraud-share {}",
                                          sim, fraud));
    ASSERT_EQ(s.exit_code, 0) << s.err;
    auto r = testing::run_cli(fmt::format("report {} --forensics-replicates 50 --draws 100 --backtest-draws 0 -o {} "
                                          "--flagged-csv {}",
                                          sim, html, csv));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The truth per sheet id, from the simulated file (id first, sim_stuffed by name).
    std::map<std::string, bool> truth;
    {
      std::istringstream in(read_all(sim));
      std::string line;
      std::getline(in, line);
      std::vector<std::string> head;
      for (std::istringstream h(line); std::getline(h, line, ',');) head.push_back(line);
      const size_t col = static_cast<size_t>(std::find(head.begin(), head.end(), "sim_stuffed") - head.begin());
      ASSERT_LT(col, head.size());
      while (std::getline(in, line)) {
        std::vector<std::string> f;
        for (std::istringstream l(line); std::getline(l, line, ',');) f.push_back(line);
        if (f.size() > col) truth[f[0]] = f[col] != "0" && !f[col].empty();
      }
    }
    forensic = stuffed = 0;
    std::istringstream in(read_all(csv));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "sheet_id,line,place,severity,finding,message");
    while (std::getline(in, line)) {
      if (line.find(",forensic,within_place_tail,") == std::string::npos) continue;
      ++forensic;
      stuffed += truth[line.substr(0, line.find(','))];
      EXPECT_NE(line.find("a sheet to look at, not a finding of fraud"), std::string::npos);
    }
  };
  size_t forensic = 0, stuffed = 0;
  rows_of(0.02, forensic, stuffed);
  EXPECT_GT(forensic, 100u);
  EXPECT_GT(10 * stuffed, 8 * forensic) << stuffed << " stuffed of " << forensic;
  // The README quotes these figures (the same seed and options give the same file).
  std::string readme = read_all(testing::source_dir() + "/README.md");
  for (char& c : readme)
    if (c == '\n') c = ' ';
  const std::string claim = fmt::format("{} of the {} sheets listed are stuffed ones", stuffed, forensic);
  EXPECT_NE(readme.find(claim), std::string::npos) << "README should say: " << claim;
  rows_of(0, forensic, stuffed);
  EXPECT_EQ(forensic, 0u);
}

TEST(ReportSections, Bolivia2019AgainstTheTrepOf21October) {
  TALLYSCOPE_REQUIRE_SHARED(final_count, "bolivia-2019/computo-final.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(trep, "bolivia-2019/trep-2019-10-21T18-29-53.csv.gz");
  Report r = run_report(fmt::format("{} --compare-with {}", final_count, trep));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto& c = r.json["comparison"];
  EXPECT_EQ(c["common"], 32806);
  EXPECT_EQ(c["differing"]["count"], 706);
  EXPECT_EQ(c["differing"]["sheets"].size(), 706u);  // every one, with its id, in the JSON
  EXPECT_EQ(c["only_in_b"]["count"], 1749);
  EXPECT_NE(r.html.find("706 sheets in both counts have different numbers"), std::string::npos);
  EXPECT_NE(r.html.find("What changed (other → this count)"), std::string::npos);
}

// --flagged-csv on the Venezuelan actas: every sheet with an integrity finding, with the link to
// its photograph from the file's URL column.
TEST(ReportSections, FlaggedSheetsOfTheVenezuelanActasWithTheirPhotographs) {
  TALLYSCOPE_REQUIRE_SHARED(actas, "venezuela-2024/RESULTADOS_2024_CSV_V1.csv.gz");
  const std::string spec = testing::temp_file(
      "choices = [\"EG\", \"NM\", \"LM\", \"JABE\", \"JOBR\", \"AE\", \"CF\", \"DC\", \"EM\", \"BERA\"]\n"
      "[columns]\nid = [\"CENTRO\", \"MESA\"]\ngeography = [\"EDO\", \"MUN\", \"PAR\", \"CENTRO\"]\n"
      "registered = \"RE\"\ninvalid = \"VOTOS_NULOS\"\nvalid = \"VOTOS_VALIDOS\"\n");
  const std::string csv = testing::temp_file("");
  Report r = run_report(fmt::format("{} --spec {} --flagged-csv {}", actas, spec, csv));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = read_all(csv);
  ASSERT_EQ(text.substr(0, text.find('\n')), "sheet_id,line,place,severity,finding,message,link");
  size_t rows = 0, linked = 0;
  for (size_t at = text.find('\n') + 1; at < text.size(); at = text.find('\n', at) + 1) {
    const std::string line = text.substr(at, text.find('\n', at) - at);
    ++rows;
    linked += line.find(",https://static.resultadosconvzla.com/") != std::string::npos;
  }
  EXPECT_GT(rows, 0u);
  EXPECT_EQ(linked, rows) << text.substr(0, 2000);
}

}  // namespace
}  // namespace tallyscope
