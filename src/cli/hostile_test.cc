// Hostile input through every command: a corpus of malformed, truncated, oversized and
// adversarial files (generated here, in a temporary folder) is run through the built binary
// with a per-run timeout. Every run must end with exit code 0, 1 or 2, say why on stderr when it
// is 2, never hang, never raise a signal, never print a sanitizer report (the suite also runs
// under ASan/UBSan), and never accept a file it could only read in part.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "analysis/simulate/simulate.h"
#include "io/csv_reader.h"
#include "io/xlsx_writer.h"
#include "io/zip_archive.h"
#include "stats/random.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

// The commands and how each takes a file. {F}: the hostile file; {G}: a well-formed simulated
// election; {O}: an output path. A new command is one line here. What the command reads of {F}:
// every row and its votes, every row but only ids and times (an arrival file), or only the header
// and the first rows (so it may accept a file whose later rows are broken). Every input of every
// command is here: the count, and each further file (snapshots, baselines, partial counts, the
// count compared with, arrival times).
enum class Reads { kVotes, kIdsAndTimes, kHead };
struct Pattern {
  const char* name;
  const char* args;
  Reads reads;
};
const Pattern kCommands[] = {
    {"summary", "summary {F} --json", Reads::kVotes},
    {"check", "check {F} --json", Reads::kVotes},
    {"inspect", "inspect {F}", Reads::kHead},
    {"compare_first", "compare {F} {G} --json", Reads::kVotes},
    {"compare_second", "compare {G} {F} --json", Reads::kVotes},
    {"progression_final", "progression {F} --arrival {G} --placebos 3 --json", Reads::kVotes},
    {"progression_arrival", "progression {G} --arrival {F} --placebos 3 --json", Reads::kIdsAndTimes},
    {"project_partial", "project {F} --universe {G} --draws 20 --json", Reads::kVotes},
    {"project_universe", "project {G} --universe {F} --draws 20 --json", Reads::kVotes},
    {"project_backtest", "project --backtest {F} --arrival {F} --draws 20 --points 0.5 --json", Reads::kVotes},
    {"simulate_like", "simulate --like {F} --out {O} --json", Reads::kVotes},
    {"report", "report {F} -o {O} --draws 20 --backtest-draws 20", Reads::kVotes},
    {"forensics", "forensics {F} --replicates 20 --json", Reads::kVotes},
    {"forensics_by", "forensics {F} --by region --replicates 20 --json", Reads::kVotes},
    {"calibrate", "calibrate {F} --runs 1 --replicates 10 --json", Reads::kVotes},
    {"inspect_json", "inspect {F} --json", Reads::kHead},
    {"progression_early", "progression {G} --early {F} --placebos 3 --json", Reads::kVotes},
    {"progression_baseline", "progression {G} --arrival {G} --baseline {F} --placebos 3 --json", Reads::kVotes},
    {"project_baseline", "project {G} --universe {G} --baseline {F} --draws 20 --json", Reads::kVotes},
    {"report_early", "report {G} -o {O} --early {F} --draws 20 --backtest-draws 20 --forensics-replicates 0",
     Reads::kVotes},
    {"report_partial", "report {G} -o {O} --partial {F} --draws 20 --backtest-draws 20 --forensics-replicates 0",
     Reads::kVotes},
    {"report_baseline",
     "report {G} -o {O} --arrival {G} --baseline {F} --draws 20 --backtest-draws 20 --forensics-replicates 0",
     Reads::kVotes},
    {"report_arrival", "report {G} -o {O} --arrival {F} --draws 20 --backtest-draws 20 --forensics-replicates 0",
     Reads::kIdsAndTimes},
    {"report_compare_with",
     "report {G} -o {O} --compare-with {F} --draws 20 --backtest-draws 20 --forensics-replicates 0", Reads::kVotes},
    {"report_flagged", "report {F} -o {O} --flagged-csv {O}.flagged.csv --json-out {O}.json --draws 20 "
                       "--backtest-draws 20 --forensics-replicates 20", Reads::kVotes},
};

// Which commands must refuse the file (exit 2): accepting it would be silent truncation or worse.
// kAny: broken as a file (bytes, quoting, gzip, shape, times), so any command that reads every
// row; kVotes: a broken count or coordinate, so the commands that read votes; kNone: usable, or a
// matter for `check`.
enum Fail { kNone, kVotes, kAny };
struct Hostile {
  std::string name;
  std::string bytes;
  Fail must_fail;
};

std::string random_bytes(size_t n, uint64_t seed) {
  Rng r(seed, 0);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(r.next() & 0xFF);
  return s;
}

// Thirty good rows, then `last` (so that a bad cell cannot turn a column into text for the guess).
std::string good_csv(const std::string& last = "") {
  std::string s = "id,place,A,B\n";
  for (int i = 1; i <= 30; ++i) s += std::to_string(i) + ",P" + std::to_string(i % 4) + "," + std::to_string(i) + ",7\n";
  return s + last;
}

std::string simulated_csv(size_t units) {
  SimulationOptions o;
  o.units = units;
  o.seed = 99;
  o.threads = 1;
  std::string out;
  write_simulated_csv(simulate(o), [&](std::string_view c) { out.append(c); });
  return out;
}

// Replaces the n-th field of the second line (the first data row).
std::string replace_in_first_row(std::string csv, size_t field, const std::string& value) {
  size_t start = csv.find('\n') + 1;
  for (size_t f = 0; f < field; ++f) start = csv.find(',', start) + 1;
  size_t end = csv.find_first_of(",\n", start);
  return csv.replace(start, end - start, value);
}

// A CSV text as a workbook; a workbook around a worksheet's <sheetData> content.
std::string hostile_xlsx(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  CsvReader reader(open_memory(csv));
  CsvRecord rec;
  while (reader.next(rec)) rows.emplace_back(rec.fields.begin(), rec.fields.end());
  return write_xlsx({{"Sheet1", rows}});
}

std::string hostile_xlsx_sheet(const std::string& sheet_data) {
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  return write_zip({{"xl/workbook.xml", "<workbook xmlns:r=\"" + rel + "\"><sheets><sheet name=\"S\" r:id=\"rId1\"/>"
                                        "</sheets></workbook>"},
                    {"xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Type=\"" + rel +
                                                       "/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"},
                    {"xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + sheet_data + "</sheetData></worksheet>"}});
}

std::vector<Hostile> corpus() {
  using testing::gzip_bytes;
  std::vector<Hostile> c;
  const std::string good = good_csv();
  const std::string sim = simulated_csv(40);
  c.push_back({"empty", "", kAny});
  c.push_back({"header_only", "id,place,A,B\n", kAny});
  c.push_back({"simulated_header_only", sim.substr(0, sim.find('\n') + 1), kAny});
  c.push_back({"random_bytes", random_bytes(64 << 10, 1), kAny});
  c.push_back({"gzip_of_random_bytes", gzip_bytes(random_bytes(64 << 10, 2)), kAny});
  c.push_back({"elf_header", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16) + random_bytes(4096, 3), kAny});
  c.push_back({"nul_in_field", std::string("id,place,A,B\n1,P\0x,3,4\n2,Q,5,6\n", 30), kAny});
  c.push_back({"nul_only", std::string(4096, '\0'), kAny});
  c.push_back({"gzip_of_nuls", gzip_bytes(std::string(4 << 20, '\0')), kAny});
  std::string gz = gzip_bytes(good);
  c.push_back({"truncated_gzip", gz.substr(0, gz.size() / 2), kAny});
  c.push_back({"gzip_without_trailer", gz.substr(0, gz.size() - 8), kAny});
  c.push_back({"fake_gzip", std::string("\x1f\x8b\x08\x00", 4) + random_bytes(2000, 4), kAny});
  c.push_back({"gzip_magic_only", std::string("\x1f\x8b", 2), kAny});
  c.push_back({"gzip_then_garbage", gz + "garbage after the stream", kAny});
  c.push_back({"unterminated_quote", "id,place,A,B\n1,\"P,3,4\n2,Q,5,6\n", kAny});
  c.push_back({"quote_inside_field", "id,place,A,B\n1,P\"x\",3,4\n2,Q,5,6\n", kNone});
  c.push_back({"field_2mb", "id,place,A,B\n1," + std::string(2 << 20, 'x') + ",3,4\n2,Q,5,6\n", kNone});
  {
    std::string wide;
    for (int i = 0; i < 20000; ++i) wide += (i ? ",c" : "c") + std::to_string(i);
    wide += "\n";
    for (int r = 0; r < 3; ++r) {
      for (int i = 0; i < 20000; ++i) wide += (i ? "," : "") + std::to_string((i + r) % 10);
      wide += "\n";
    }
    c.push_back({"columns_20000", wide, kNone});
  }
  c.push_back({"columns_200001", std::string(200000, ',') + "\n" + std::string(200000, ',') + "\n", kAny});
  c.push_back({"ragged_short", "id,place,A,B\n1,P,3,4\n2,Q,5\n3,R,1,2\n", kAny});
  c.push_back({"ragged_long", "id,place,A,B\n1,P,3,4\n2,Q,5,6,7\n", kAny});
  c.push_back({"count_overflow", good_csv("31,P,99999999999999999999,4\n"), kVotes});
  c.push_back({"int64_max_counts", good_csv("31,P,9223372036854775807,9223372036854775807\n"), kVotes});
  c.push_back({"largest_counts", "id,place,A,B\n1,P,1000000000000,1000000000000\n2,Q,5,6\n", kNone});
  c.push_back({"negative_count", good_csv("31,P,-3,4\n"), kVotes});
  c.push_back({"fractional_count", good_csv("31,P,3.5,4\n"), kVotes});
  c.push_back({"simulated_negative_vote", replace_in_first_row(sim, 8, "-1"), kVotes});
  c.push_back({"duplicate_ids", "id,place,A,B\n1,P,3,4\n1,P,5,6\n2,Q,1,1\n", kNone});
  c.push_back({"mixed_encodings", "id,place,A,B\n1,Pe\xc3\xb1" "a,3,4\n2,Pe\xf1" "a,5,6\n", kNone});
  c.push_back({"bom_only", "\xEF\xBB\xBF", kAny});
  c.push_back({"utf16_bom", std::string("\xFF\xFEi\0d\0,\0A\0\n\0", 12), kAny});
  c.push_back({"cr_line_ends", "id,place,A,B\r1,P,3,4\r2,Q,5,6\r", kNone});
  c.push_back({"blank_lines_only", std::string(10000, '\n'), kAny});
  c.push_back({"delimiters_only", ",,,,\n,,,,\n,,,,\n", kAny});
  c.push_back({"one_column", "x\n1\n2\n", kNone});
  c.push_back({"all_zero_votes", "id,place,A,B\n1,P,0,0\n2,Q,0,0\n", kNone});
  c.push_back({"long_header_name", "id," + std::string(100000, 'h') + ",A\n1,2,3\n", kNone});
  c.push_back({"simulated_bad_time", replace_in_first_row(sim, 13, "not-a-time"), kAny});
  c.push_back({"simulated_bad_latitude", replace_in_first_row(sim, 4, "123.0"), kVotes});
  c.push_back({"simulated_huge_registered", replace_in_first_row(sim, 6, "9223372036854775807"), kVotes});
  c.push_back({"good_gzip", gz, kNone});
  {  // a decompression bomb: 24 MB of rows from 25 KB (issue 15 item 9)
    std::string rows = "id,A\n";
    while (rows.size() < (24u << 20)) rows += "1,2\n1,2\n1,2\n1,2\n";
    c.push_back({"gzip_bomb", gzip_bytes(rows), kAny});
  }
  // XLSX, read by its zip signature whatever the name (these files are called .csv).
  const std::string book = hostile_xlsx(good);
  c.push_back({"xlsx_good", book, kNone});
  c.push_back({"xlsx_truncated", book.substr(0, book.size() / 2), kAny});
  c.push_back({"xlsx_zip_bomb", hostile_xlsx_sheet("<row r=\"1\"><c t=\"inlineStr\"><is><t>id</t></is></c></row>" +
                                                   std::string(16u << 20, ' ')), kAny});
  c.push_back({"xlsx_bad_shared_string", hostile_xlsx_sheet("<row><c t=\"s\"><v>99</v></c></row>"), kAny});
  c.push_back({"xlsx_malformed_xml", hostile_xlsx_sheet("<row><c><v>1</v></row>"), kAny});
  c.push_back({"zip_without_workbook", write_zip({{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}}), kAny});
  return c;
}

class Hostile_ : public ::testing::TestWithParam<Pattern> {};

// Runs the command over the whole corpus: plain, or under an address-space limit.
void run_corpus(const Pattern& p, long long address_space_kib) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("tallyscope-hostile-" + std::to_string(getpid()) + "-" + p.name);
  fs::create_directories(dir);
  const std::string good = (dir / "good.csv").string();
  std::ofstream(good, std::ios::binary) << simulated_csv(300);
  for (const Hostile& h : corpus()) {
    const std::string file = (dir / (h.name + ".csv")).string();
    std::ofstream(file, std::ios::binary) << h.bytes;
    std::string args = p.args;
    for (auto [key, value] : {std::pair<std::string, std::string>{"{F}", file}, {"{G}", good},
                              {"{O}", (dir / "out.csv").string()}})
      for (size_t at; (at = args.find(key)) != std::string::npos;) args.replace(at, key.size(), value);
    auto r = address_space_kib > 0 ? testing::run_cli_limited(args, 60, address_space_kib) : testing::run_cli(args, 60);
    SCOPED_TRACE(std::string(p.name) + " on " + h.name + ": " + args +
                 (address_space_kib > 0 ? " (ulimit -v " + std::to_string(address_space_kib) + ")" : ""));
    EXPECT_FALSE(r.timed_out) << "hung";
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2) << "exit " << r.exit_code << "\n" << r.err;
    if (r.exit_code == 2) {
      EXPECT_FALSE(r.err.empty()) << "exit 2 without a message";
    }
    EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("runtime error"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    const bool refuse = (h.must_fail == kAny && p.reads != Reads::kHead) || (h.must_fail == kVotes && p.reads == Reads::kVotes);
    if (refuse) {
      EXPECT_EQ(r.exit_code, 2) << "accepted a broken file\n" << r.out.substr(0, 500);
    }
  }
  fs::remove_all(dir);
}

TEST_P(Hostile_, EveryFileEndsCleanly) { run_corpus(GetParam(), 0); }

// The same corpus with the address space limited to 4,000,000 KiB (`ulimit -v`, issue 15): every
// command still ends with 0, 1 or 2 and a message, never killed for memory. Not under the
// sanitizers, whose shadow memory alone maps terabytes of address space.
#if defined(__SANITIZE_ADDRESS__)
#define TALLYSCOPE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TALLYSCOPE_ASAN 1
#endif
#endif
TEST_P(Hostile_, EveryFileEndsCleanlyWithinFourGigabytes) {
#ifdef TALLYSCOPE_ASAN
  GTEST_SKIP() << "AddressSanitizer maps terabytes of shadow memory: no address-space limit under it";
#else
  run_corpus(GetParam(), 4000000);
#endif
}

INSTANTIATE_TEST_SUITE_P(Cli, Hostile_, ::testing::ValuesIn(kCommands),
                         [](const ::testing::TestParamInfo<Pattern>& i) { return std::string(i.param.name); });

// The resource caps, through the command line.
TEST(CliLimits, CapsGiveClearErrors) {
  using testing::run_cli;
  using testing::temp_file;
  std::string big_field = temp_file("id,place,A,B\n1," + std::string(5000, 'x') + ",3,4\n2,Q,5,6\n");
  auto r = run_cli("summary " + big_field + " --max-field-bytes 1000");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("1000"), std::string::npos) << r.err;
  EXPECT_EQ(run_cli("summary " + big_field).exit_code, 0);  // within the default cap

  std::string wide_csv;
  for (int i = 0; i < 300; ++i) wide_csv += (i ? ",c" : "c") + std::to_string(i);
  wide_csv += "\n";
  for (int i = 0; i < 300; ++i) wide_csv += (i ? ",1" : "1");
  wide_csv += "\n";
  std::string wide = temp_file(wide_csv);
  r = run_cli("check " + wide + " --max-columns 100");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("100"), std::string::npos) << r.err;

  std::string sim = temp_file(simulated_csv(500));
  r = run_cli("summary " + sim + " --max-file-bytes 10000");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("10000"), std::string::npos) << r.err;
  std::string gz = temp_file(testing::gzip_bytes(simulated_csv(500)), ".csv.gz");
  r = run_cli("summary " + gz + " --max-file-bytes 10000");  // the cap is on decompressed bytes
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("10000"), std::string::npos) << r.err;
  EXPECT_EQ(run_cli("summary " + gz + " --max-file-bytes 100000000").exit_code, 0);

  // A gzip bomb is refused by default, naming the option that raises the cap (issue 15 item 9).
  std::string rows = "id,A\n";
  while (rows.size() < (24u << 20)) rows += "1,2\n1,2\n1,2\n1,2\n";
  const std::string bomb = temp_file(testing::gzip_bytes(rows), ".csv.gz");
  r = run_cli("summary " + bomb);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--max-gzip-ratio"), std::string::npos) << r.err;
  EXPECT_NE(run_cli("summary --help").out.find("--max-gzip-ratio"), std::string::npos);

  // A spec with a deeply dotted key (80 KB) crashed inside toml++ (issue 15 item 12).
  std::string deep = "title = \"x\"\n";
  for (int i = 0; i < 40000; ++i) deep += "a.";
  const std::string spec = temp_file(deep + "a = 1\n", ".toml");
  r = run_cli("summary " + sim + " --spec " + spec);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(spec + ":2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dotted components"), std::string::npos) << r.err;
  // XLSX: the zip caps name their options; a sheet that is not there is named with those that are.
  std::string sheet = "<row r=\"1\"><c t=\"inlineStr\"><is><t>id</t></is></c><c t=\"inlineStr\"><is><t>A</t></is></c>"
                      "</row>" + std::string(4u << 20, ' ') + "<row r=\"2\"><c><v>1</v></c><c><v>5</v></c></row>";
  std::string zbomb = temp_file(hostile_xlsx_sheet(sheet), ".xlsx");
  r = run_cli("summary " + zbomb);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--max-zip-ratio"), std::string::npos) << r.err;
  r = run_cli("summary " + zbomb + " --max-zip-entry-bytes 1000000 --max-zip-ratio 100000");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--max-zip-entry-bytes"), std::string::npos) << r.err;
  std::string book = temp_file(hostile_xlsx(simulated_csv(50)), ".xlsx");
  EXPECT_EQ(run_cli("summary " + book).exit_code, 0);
  EXPECT_EQ(run_cli("summary " + book + " --sheet 1").exit_code, 0);
  r = run_cli("summary " + book + " --sheet Results");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no sheet 'Results' (its sheets: 1 'Sheet1')"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

// Names and ids reach the terminal with their controls shown visibly (issue 15 items 2 and 3): no
// escape sequence, no bidi override, no line that an id's line break planted.
TEST(CliText, NamesAndIdsCannotDriveTheTerminal) {
  using testing::run_cli;
  const std::string fake = "7\n  outcome       Z wins";
  std::string csv = "id,place,\"A \x1b]0;owned\x07\x1b[2J\",\"B \u202E 12.33\"\n";
  csv += "\"" + fake + "\",P,3,4\n\"" + fake + "\",P,3,4\n2,Q\xc2\x9b,5,6\n3,R,1,0\n";
  const std::string file = testing::temp_file(csv);
  for (const std::string cmd : {"summary {F}", "check {F}", "compare {F} {F}", "summary {F} --spec /nonexistent"}) {
    std::string args = cmd;
    for (size_t at; (at = args.find("{F}")) != std::string::npos;) args.replace(at, 3, file);
    auto r = run_cli(args);
    SCOPED_TRACE(args + "\n" + r.out + r.err);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2);
    for (const std::string& text : {r.out, r.err}) {
      EXPECT_EQ(text.find('\x1b'), std::string::npos);
      EXPECT_EQ(text.find('\x07'), std::string::npos);
      EXPECT_EQ(text.find("\u202E"), std::string::npos);
      EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos);
      EXPECT_EQ(text.find("\n  outcome       Z wins"), std::string::npos);
    }
  }
  auto r = run_cli("check " + file);
  EXPECT_NE(r.out.find("7\\n  outcome"), std::string::npos) << r.out;  // the id, shown on one line
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

std::string slurp_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Outputs never replace an input or each other, and a failed write leaves no partial file
// (issue 15 items 4 and 5).
TEST(CliOutputs, NeverOverwriteAnInputOrEachOther) {
  using testing::run_cli;
  namespace fs = std::filesystem;
  const std::string data = simulated_csv(60);
  const std::string in = testing::temp_file(data);
  auto r = run_cli("report " + in + " -o " + in);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is the input"), std::string::npos) << r.err;
  EXPECT_EQ(slurp_file(in), data) << "the data was replaced";
  const std::string out = in + ".html";
  r = run_cli("report " + in + " -o " + out + " --json-out " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("name the same file"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  r = run_cli("simulate --units 10 --seed 1 --like " + in + " --out " + in);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(slurp_file(in), data);
}

TEST(CliOutputs, FailedWritesGiveTheReasonAndNoPartialFile) {
  using testing::run_cli;
  namespace fs = std::filesystem;
  auto r = run_cli("simulate --units 200 --seed 1 --out /dev/full");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("usage error"), std::string::npos) << r.err;
  const std::string in = testing::temp_file(simulated_csv(60));
  r = run_cli("report " + in + " -o /dev/full --draws 20 --backtest-draws 20");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  // A file-size limit (as a full disk): the old report stays whole and no temporary file is left.
  const fs::path dir = fs::path(in).concat("-dir");
  fs::create_directories(dir);
  const std::string out = (dir / "report.html").string();
  std::ofstream(out) << "the old report";
  const std::string cmd = "ulimit -f 64; " + testing::binary_path() + " report " + in + " -o " + out +
                          " --draws 20 --backtest-draws 20 2>" + (dir / "err").string();
  const int status = std::system(("bash -c '" + cmd + "'").c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << status;
  EXPECT_NE(slurp_file((dir / "err").string()).find("File too large"), std::string::npos)
      << slurp_file((dir / "err").string());
  EXPECT_EQ(slurp_file(out), "the old report");
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 2u);  // report.html and err
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

// A file name that is not UTF-8 (Latin-1 archives) reaches JSON and HTML as U+FFFD, never as
// "internal error: [json.exception.type_error.316]" (issue 15 item 13).
TEST(CliFileNames, NotUtf8NamesDoNotEndTheOutput) {
  using testing::run_cli;
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(testing::temp_file("", ".d")).concat("-latin1");
  fs::create_directories(dir);
  const std::string file = (dir / "elecci\xf3n.csv").string();
  std::ofstream(file, std::ios::binary) << simulated_csv(80);
  const std::string out = (dir / "r\xe9sultat.html").string();
  for (const std::string& args :
       {"summary " + file + " --json", "check " + file + " --json", "inspect " + file + " --json",
        "compare " + file + " " + file + " --json", "forensics " + file + " --replicates 10 --json",
        "calibrate " + file + " --runs 1 --replicates 10 --json",
        "project " + file + " --universe " + file + " --draws 20 --json",
        "report " + file + " -o " + out + " --json-out " + out + ".json --draws 20 --backtest-draws 20"}) {
    auto r = run_cli(args);
    SCOPED_TRACE(args);
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << " " << r.err;
  }
  EXPECT_TRUE(fs::exists(out));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

// Issue 15 item 14's small defects, through the command line.
TEST(CliSmallDefects, RefusedOrSaid) {
  using testing::run_cli;
  const std::string sim = testing::temp_file(simulated_csv(60));
  auto r = run_cli("check " + sim + " --outlier-z nan");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--outlier-z"), std::string::npos) << r.err;
  EXPECT_EQ(run_cli("check " + sim + " --outlier-z -1").exit_code, 2);
  r = run_cli("forensics " + sim + " --choices A A A --replicates 10");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("more than once"), std::string::npos) << r.err;
  r = run_cli("simulate --units 20 --seed 1 --out " + sim + ".out.csv --close-time 9999-12-31T23:59:59+14:00");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("too late"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(sim + ".out.csv"));
  // --lenient: the message says what the cell held, not that it was empty.
  const std::string bad = testing::temp_file(good_csv("31,P,abc,4\n"));
  r = run_cli("summary " + bad + " --lenient");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("empty count cells"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("'abc'"), std::string::npos) << r.out;
  // Arrival times without a zone: read as UTC, and said.
  const std::string final_count = testing::temp_file(good_csv());
  std::string times = "id,time\n";
  for (int i = 1; i <= 30; ++i) times += std::to_string(i) + ",2024-05-05 20:" + (i < 10 ? "0" : "") + std::to_string(i) + ":00\n";
  r = run_cli("progression " + final_count + " --arrival " + testing::temp_file(times) + " --placebos 3 --json");
  EXPECT_NE(r.err.find("30 arrival times carry no zone and were read as UTC"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tallyscope

namespace tallyscope {
namespace {

// The rest of issue 15 item 14, through the command line.
TEST(CliSmallDefects, ArrivalsAtOneInstantSnapshotNumbersAndChoicesInOneFile) {
  using testing::run_cli;
  const std::string final_count = testing::temp_file(good_csv());
  std::string times = "id,time\n";
  for (int i = 1; i <= 30; ++i) times += std::to_string(i) + ",2024-05-05T20:00:00Z\n";
  // Every arrival at one instant: said so, not "the cutoff leaves no sheet on one side" when no
  // cutoff was given.
  auto r = run_cli("progression " + final_count + " --arrival " + testing::temp_file(times) + " --placebos 3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("every arrival time is the same instant"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("cutoff leaves no sheet"), std::string::npos) << r.err;
  // --cutoff-snapshot is numbered from 1 in its message too.
  auto snapshot = [](int rows) {
    std::string s = "id,place,A,B\n";
    for (int i = 1; i <= rows; ++i) s += std::to_string(i) + ",P" + std::to_string(i % 4) + "," + std::to_string(i) + ",7\n";
    return testing::temp_file(s);
  };
  r = run_cli("progression " + final_count + " --early " + snapshot(10) + " " + snapshot(20) +
              " --cutoff-snapshot 3 --placebos 3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--cutoff-snapshot 3 is outside the 2 snapshots"), std::string::npos) << r.err;
  // A choice present in one file only: a sheet with votes for it differs.
  std::string with_c = "id,place,A,B,C\n";
  for (int i = 1; i <= 30; ++i)
    with_c += std::to_string(i) + ",P" + std::to_string(i % 4) + "," + std::to_string(i) + ",7," + (i == 3 ? "5" : "0") + "\n";
  r = run_cli("compare " + final_count + " " + testing::temp_file(with_c) + " --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["differing"]["count"], 1) << r.out.substr(0, 2000);
  EXPECT_EQ(j["differing"]["sheets"][0]["id"], "3") << r.out.substr(0, 2000);
}

}  // namespace
}  // namespace tallyscope
