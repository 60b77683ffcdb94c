// End-to-end tests of the command line: exit codes, --help, --json keys, messages.
#include <fmt/format.h>
#include <cstdio>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace tallyscope {
namespace {

using testing::run_cli;
using testing::temp_file;

using testing::kExample;
using testing::kExampleSpec;

TEST(Cli, HelpOnEveryCommand) {
  for (const char* cmd : {"", "summary", "check", "compare", "inspect", "progression", "project", "simulate",
                          "report", "forensics", "calibrate"}) {
    auto r = run_cli(std::string(cmd) + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd << ": " << r.out;
  }
}

// With no arguments the command prints its command list (and exits 0, as --help does).
TEST(Cli, NoArgumentsListsTheCommands) {
  auto r = run_cli("");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"summary", "check", "compare", "inspect", "progression", "project", "simulate", "report",
                          "forensics", "calibrate"})
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd << ": " << r.out;
}

TEST(Cli, UsageErrorsExit2) {
  EXPECT_EQ(run_cli("frobnicate").exit_code, 2);
  EXPECT_EQ(run_cli("summary").exit_code, 2);
  EXPECT_EQ(run_cli("summary /no/such/file.csv").exit_code, 2);
  EXPECT_EQ(run_cli("summary " + kExample + " --encoding ebcdic").exit_code, 2);
  EXPECT_EQ(run_cli("check " + kExample + " --fail-on sometimes").exit_code, 2);
}

TEST(Cli, SummaryJsonOfTheExample) {
  auto r = run_cli("summary " + kExample + " --spec " + kExampleSpec + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"units", "registered", "valid", "blank", "invalid", "choices", "margin", "outcome"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["units"], 311);
  EXPECT_EQ(j["choices"][0]["name"], "Frente Popular");
  EXPECT_EQ(j["outcome"]["decided"], false);  // runoff under the threshold rule
  double sum = 0;
  for (const auto& c : j["choices"]) sum += c["share"].get<double>();
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

TEST(Cli, GuessIsAnnouncedOnStderr) {
  auto r = run_cli("summary " + kExample);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("guessed"), std::string::npos);
}

TEST(Cli, CheckExitsOneOnErrors) {
  auto r = run_cli("check " + kExample + " --spec " + kExampleSpec + " --json");
  EXPECT_EQ(r.exit_code, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["errors"], 1);  // the sheet with more ballots than registered voters
  auto never = run_cli("check " + kExample + " --spec " + kExampleSpec + " --fail-on never");
  EXPECT_EQ(never.exit_code, 0);
  auto clean = run_cli("check " + temp_file("id,A,B\n1,3,4\n2,5,1\n"));
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
}

TEST(Cli, MalformedInputExit2WithLocation) {
  std::string csv = "id,place,A,B\n";
  for (int i = 1; i <= 20; ++i) csv += std::to_string(i) + ",P," + (i == 7 ? "x" : "3") + ",4\n";
  std::string path = temp_file(csv);
  auto r = run_cli("summary " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path + ":8:3 (column 'A')"), std::string::npos) << r.err;
  auto lenient = run_cli("check " + path + " --lenient --json");
  EXPECT_EQ(lenient.exit_code, 1) << lenient.err;
  EXPECT_NE(lenient.out.find("unreadable_count"), std::string::npos);
  std::string gz = temp_file(testing::gzip_bytes("id,A\n1,2\n").substr(0, 12), ".csv.gz");
  auto trunc = run_cli("summary " + gz);
  EXPECT_EQ(trunc.exit_code, 2);
  EXPECT_NE(trunc.err.find("gzip"), std::string::npos) << trunc.err;
}

TEST(Cli, InspectPrintsASpecThatReadsTheFile) {
  auto r = run_cli("inspect " + kExample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[columns]"), std::string::npos);
  std::string spec = temp_file(r.out, ".toml");
  auto s = run_cli("summary " + kExample + " --spec " + spec + " --json");
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(nlohmann::json::parse(s.out)["units"], 311);
}

TEST(Cli, CompareTakesAnEncodingPerInput) {
  std::string a = temp_file("id,place,A,B\n1,Pe\xC3\xB1" "a,3,4\n2,Q,5,1\n");
  std::string b = temp_file("id,place,A,B\n1,Pe\xF1" "a,3,4\n2,Q,5,1\n");
  auto r = run_cli("compare " + a + " " + b + " --encoding utf-8 --encoding-b windows-1252 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["renamed_places"], 0) << r.out;
  EXPECT_EQ(run_cli("compare " + a + " " + b + " --encoding-b klingon").exit_code, 2);
}

TEST(Cli, CompareJson) {
  std::string a = temp_file("id,A,B\n1,3,4\n2,5,1\n");
  std::string b = temp_file("id,A,B\n1,3,5\n3,5,1\n");
  auto r = run_cli("compare " + a + " " + b + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["only_in_a"]["count"], 1);
  EXPECT_EQ(j["only_in_b"]["count"], 1);
  EXPECT_EQ(j["differing"]["count"], 1);
  EXPECT_EQ(j["net_effect"]["B"], 1);
}

TEST(Cli, ProgressionBadInputExit2) {
  std::string final_count = temp_file("id,place,A,B\n1,P,5,3\n2,P,4,4\n3,Q,1,9\n4,Q,2,2\n");
  auto run = [&](const std::string& times, const std::string& extra = "") {
    return run_cli("progression " + final_count + " --arrival " + temp_file(times) + " --placebos 0 " + extra);
  };
  const std::string ok = "id,time\n1,2020-01-01T08:00:00Z\n2,2020-01-01T08:01:00Z\n3,2020-01-01T12:00:00Z\n";
  EXPECT_EQ(run(ok).exit_code, 0) << run(ok).err;
  auto unknown = run("id,time\n1,2020-01-01T08:00:00Z\n9,2020-01-01T08:01:00Z\n");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find(":3:1"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("not in the final count"), std::string::npos);
  auto dup = run("id,time\n1,2020-01-01T08:00:00Z\n1,2020-01-01T08:01:00Z\n");
  EXPECT_EQ(dup.exit_code, 2);
  EXPECT_NE(dup.err.find("repeats"), std::string::npos) << dup.err;
  auto bad_time = run("id,time\n1,2020-01-01T08:00:00Z\n2,yesterday\n");
  EXPECT_EQ(bad_time.exit_code, 2);
  EXPECT_NE(bad_time.err.find(":3:2"), std::string::npos) << bad_time.err;
  auto outside = run(ok, "--cutoff 2021-01-01T00:00:00Z");
  EXPECT_EQ(outside.exit_code, 2);
  EXPECT_NE(outside.err.find("outside"), std::string::npos) << outside.err;
  EXPECT_EQ(run(ok, "--cutoff not-a-time").exit_code, 2);
  EXPECT_EQ(run(ok, "--cutoff 2020-01-01T08:01:00Z --cutoff-share 0.5").exit_code, 2);
  EXPECT_EQ(run(ok, "--cutoff-share -0.5").exit_code, 2);
  EXPECT_EQ(run(ok, "--cutoff-snapshot 1").exit_code, 2);
  EXPECT_EQ(run_cli("progression " + final_count).exit_code, 2);  // no arrival data
  auto j = run(ok, "--json --cutoff 2020-01-01T08:01:00Z");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto parsed = nlohmann::json::parse(j.out);
  for (const char* k : {"composition", "naive", "rd", "trajectory"}) EXPECT_TRUE(parsed.contains(k)) << k;
  EXPECT_EQ(parsed["cutoff"]["early"], 2);
}

TEST(CliShared, ProgressionBolivia2019) {
  TALLYSCOPE_REQUIRE_SHARED(final_count, "bolivia-2019/computo-final.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(trep, "bolivia-2019/trep-2019-10-20T19-40-57.csv.gz");
  TALLYSCOPE_REQUIRE_SHARED(base, "bolivia-2016/referendum-2016-02-21.csv.gz");
  auto r = run_cli("progression " + final_count + " --early " + trep + " --baseline " + base + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["composition"][0]["level"], "none");
  EXPECT_NEAR(j["composition"][0]["gap_points"].get<double>(), 16.273665, 5e-6);
  EXPECT_EQ(j["rd"]["available"], false);
  EXPECT_EQ(j["baseline"]["choices"][0], "SÍ");
}

TEST(CliShared, InspectRecognisesKnownLayouts) {
  TALLYSCOPE_REQUIRE_SHARED(russia, "russia-2018/2018.csv.gz");
  auto r = run_cli("inspect " + russia);
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("layout = \"russia-cec\""), std::string::npos);
  EXPECT_NE(r.out.find("ballot_accounting"), std::string::npos);
}

// project: a partial count of the example (its first 200 sheets) onto the whole example (whose
// sheet ids are unique, as a universe's must be), with an arrival file for the drift term; the drift term required without an order is a usage error.
TEST(Cli, ProjectTheExample) {
  std::ifstream in(kExample, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string part, universe, times = "sheet_id,verified_at\n";
  size_t line = 0, pos = 0;
  while (pos < all.size()) {
    size_t end = all.find('\n', pos);
    std::string row = all.substr(pos, end - pos + 1);
    if (line <= 200) part += row;
    if (line <= 311) universe += row;
    else break;
    if (line > 0)
      times += fmt::format("{},2024-05-05T{:02d}:{:02d}:00Z\n", row.substr(0, row.find(',')), 18 + line / 60, line % 60);
    ++line;
    pos = end + 1;
  }
  const std::string partial = temp_file(part), arrival = temp_file(times), all_sheets = temp_file(universe);
  const std::string base = "project " + partial + " --universe " + all_sheets + " --spec " + kExampleSpec +
                           " --universe-spec " + kExampleSpec + " --draws 500";
  auto r = run_cli(base + " --arrival " + arrival + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"margin", "p_decided", "choices", "counted_units", "uncounted_units", "method", "drift"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["counted_units"], 200);
  EXPECT_EQ(j["uncounted_units"], 111);
  EXPECT_EQ(j["drift"]["kind"], "replay");
  EXPECT_EQ(j["margin"]["level"], 0.9);
  EXPECT_LE(j["margin"]["lo"].get<double>(), j["margin"]["median"].get<double>());
  auto no_order = run_cli(base + " --drift replay");
  EXPECT_EQ(no_order.exit_code, 2);
  EXPECT_NE(no_order.err.find("drift"), std::string::npos) << no_order.err;
  auto text = run_cli(base + " --drift none");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("P(decided in this round)"), std::string::npos) << text.out;
  EXPECT_EQ(run_cli(base + " --baseline /no/such/file.csv").exit_code, 2);
}

TEST(Cli, SimulateWritesAFileEveryCommandReads) {
  std::string out = temp_file("", ".csv.gz");
  auto r = run_cli("simulate --units 2000 --seed 3 --fraud-share 0.1 --round-share 0.1 --late-bias 0.05 --out " + out +
                   " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"seed", "units", "regions", "places", "choices", "leader", "turnout", "turnout_sd",
                        "leader_share", "leader_share_sd", "stuffed_units", "stuffed_extreme_units", "rounded_units",
                        "late_units", "late_leader_share", "early_leader_share", "file", "bytes"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["units"], 2000);
  EXPECT_EQ(j["leader"], "Party A");
  EXPECT_GT(j["stuffed_units"].get<int>(), 150);
  EXPECT_LT(j["stuffed_units"].get<int>(), 250);
  auto s = run_cli("summary " + out + " --json");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(s.err.find("guessed"), std::string::npos) << s.err;  // a known layout
  EXPECT_EQ(nlohmann::json::parse(s.out)["units"], 2000);
  EXPECT_LE(run_cli("check " + out).exit_code, 1);
  auto p = run_cli("progression " + out + " --arrival " + out + " --placebos 5 --json");
  EXPECT_EQ(p.exit_code, 0) << p.err;
  auto like = temp_file("", ".csv");
  auto l = run_cli("simulate --like " + out + " --seed 4 --out " + like + " --json");
  ASSERT_EQ(l.exit_code, 0) << l.err;
  EXPECT_EQ(nlohmann::json::parse(l.out)["units"], 2000);
  EXPECT_EQ(run_cli("simulate --units 10 --fraud-share 2 --out " + like).exit_code, 2);
  EXPECT_EQ(run_cli("simulate --units 10 --fraud-kind medium --out " + like).exit_code, 2);
  EXPECT_EQ(run_cli("simulate --units 10").exit_code, 2);  // --out is required
  auto bad_dir = run_cli("simulate --units 10 --out /no/such/dir/x.csv");
  EXPECT_EQ(bad_dir.exit_code, 2);
  EXPECT_NE(bad_dir.err.find("cannot create"), std::string::npos) << bad_dir.err;
}

// --inject manipulates a copy of a real file: the copy reads back with the truth columns, the
// forensic battery flags the stuffing within places, and the options that make no sense are
// usage errors.
TEST(Cli, SimulateInjectsIntoACopyOfARealFile) {
  std::string real = temp_file("", ".csv");
  ASSERT_EQ(run_cli("simulate --units 8000 --places 1500 --seed 2 --out " + real).exit_code, 0);
  std::string copy = temp_file("", ".csv");
  auto r = run_cli("simulate --like " + real + " --inject stuffing --share 0.03 --seed 5 --out " + copy + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["injected_into"], real);
  EXPECT_NEAR(j["stuffed_units"].get<double>(), 240, 60);
  auto f = run_cli("forensics " + copy + " --replicates 100 --json");
  ASSERT_LE(f.exit_code, 1) << f.err;
  bool tail_flagged = false;
  const auto fj = nlohmann::json::parse(f.out);
  for (const auto& t : fj["tests"])
    if (t["id"] == "within_place_tail_symmetry" && t["flag"] == true) tail_flagged = true;
  EXPECT_TRUE(tail_flagged) << f.out.substr(0, 2000);
  EXPECT_EQ(run_cli("simulate --inject stuffing --share 0.02 --out " + copy).exit_code, 2);  // no --like
  EXPECT_EQ(run_cli("simulate --like " + real + " --inject stuffing --out " + copy).exit_code, 2);  // no --share
  EXPECT_EQ(run_cli("simulate --like " + real + " --inject stuffing --share 0.02 --fraud-share 0.1 --out " + copy)
                .exit_code,
            2);
  EXPECT_EQ(run_cli("simulate --like " + real + " --share 0.02 --out " + copy).exit_code, 2);  // no --inject
  EXPECT_EQ(run_cli("simulate --like " + real + " --inject bribery --share 0.02 --out " + copy).exit_code, 2);
  EXPECT_EQ(run_cli("simulate --like " + real + " --inject rewrite --share 0.02 --out " + real).exit_code, 2);
}

// A result that rests on a guessed layout says so on stdout, in every command's JSON (with the
// mapping it guessed) and in its text, not only on stderr.
TEST(Cli, GuessedLayoutIsOnStdoutAndInJson) {
  std::string csv = "id,district,registered,Ana,Bruno\n";
  for (int i = 0; i < 60; ++i)
    csv += std::to_string(1000 + i) + ",D" + std::to_string(i % 3) + "," + std::to_string(300 + i) + "," +
           std::to_string(100 + i % 7) + "," + std::to_string(90 + i % 11) + "\n";
  const std::string f = temp_file(csv);
  for (const std::string& cmd : {"check " + f, "forensics " + f + " --replicates 10", "compare " + f + " " + f}) {
    auto j = run_cli(cmd + " --json");
    ASSERT_LE(j.exit_code, 1) << cmd << ": " << j.err;
    const auto out = nlohmann::json::parse(j.out);
    EXPECT_TRUE(out["guessed_layout"].get<bool>()) << cmd;
    ASSERT_FALSE(out["inputs"].empty()) << cmd;
    EXPECT_EQ(out["inputs"][0]["layout"], "guess") << cmd;
    EXPECT_TRUE(out["inputs"][0]["mapping"].is_object()) << cmd;
    auto t = run_cli(cmd);
    EXPECT_EQ(t.out.rfind("NOTE: ", 0), 0u) << cmd << ": " << t.out.substr(0, 300);
  }
  // A known layout says it is not guessed.
  auto k = run_cli("check " + kExample + " --spec " + kExampleSpec + " --json");
  ASSERT_LE(k.exit_code, 1) << k.err;
  EXPECT_FALSE(nlohmann::json::parse(k.out)["guessed_layout"].get<bool>());
}

// A folder and a list of files are counts wherever a file is: summary says how many files it read,
// a missing list is a usage error, and the report records the folder as one input whose digest is
// that of the `sha256sum` listing of its files.
TEST(Cli, AFolderOrAListIsOneCount) {
  const std::string a = temp_file("id,A,B\ns1,3,4\n"), b = temp_file("id,B,A\ns2,1,2\n");
  const std::string list = temp_file(a + "\n" + b + "\n", ".list");
  auto r = run_cli("summary --json @" + list);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["files"], 2);
  EXPECT_EQ(j["units"], 2);
  EXPECT_EQ(j["valid"], 10);
  ASSERT_FALSE(j["layout_notes"].empty());
  r = run_cli("summary --spec " + temp_file("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\n", ".toml") + " @" + list);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("files                      2   read as one count"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  read          read 2 files of @" + list + " as one count"), std::string::npos) << r.out;
  r = run_cli("summary @/nonexistent.list");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the list of files"), std::string::npos) << r.err;
  const std::string html = temp_file("", ".html");
  r = run_cli("report @" + list + " -o " + html + " --forensics-replicates 20");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("count (2 files)"), std::string::npos);
  // Computed independently, by coreutils: sha256sum's listing of the files, hashed.
  std::string expected;
  if (std::FILE* p = popen(("sha256sum " + a + " " + b + " | sha256sum").c_str(), "r")) {
    char buf[128] = {};
    if (std::fgets(buf, sizeof buf, p)) expected.assign(buf, 64);
    pclose(p);
  }
  ASSERT_EQ(expected.size(), 64u);
  EXPECT_NE(page.find(expected), std::string::npos) << expected;
}

}  // namespace
}  // namespace tallyscope
