// Same input, options and seed: byte-identical output, whatever --threads and however often it
// is run. Each command that parallelises is run with --threads 1, --threads 2 and --threads 2
// again, and the bytes compared.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "testing/testing.h"

namespace tallyscope {
namespace {

using testing::run_cli;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `args` (with {T} replaced by the thread count) three times; returns the three stdouts.
void expect_same_output(const std::string& args) {
  std::string outs[3];
  const char* threads[3] = {"1", "2", "2"};
  for (int i = 0; i < 3; ++i) {
    std::string a = args;
    a.replace(a.find("{T}"), 3, threads[i]);
    auto r = run_cli(a, 120);
    ASSERT_EQ(r.exit_code, 0) << a << "\n" << r.err;
    outs[i] = r.out;
  }
  EXPECT_FALSE(outs[0].empty());
  EXPECT_EQ(outs[0], outs[1]) << args << ": --threads 1 and 2 differ";
  EXPECT_EQ(outs[1], outs[2]) << args << ": two runs differ";
}

std::string simulated_file(const std::string& name, const std::string& options) {
  std::string path = testing::temp_file("", name);
  auto r = run_cli("simulate " + options + " --out " + path + " --threads 2 --json", 120);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path;
}

TEST(Determinism, SimulateWritesTheSameBytes) {
  for (const char* suffix : {".csv", ".csv.gz"}) {
    std::string files[3];
    const char* threads[3] = {"1", "2", "2"};
    for (int i = 0; i < 3; ++i) {
      files[i] = testing::temp_file("", suffix);
      auto r = run_cli(std::string("simulate --units 20000 --seed 4 --fraud-share 0.05 --round-share 0.05 ") +
                           "--late-bias 0.08 --threads " + threads[i] + " --out " + files[i] + " --json",
                       120);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    std::string a = slurp(files[0]);
    EXPECT_GT(a.size(), 100000u);
    EXPECT_EQ(a, slurp(files[1])) << suffix;
    EXPECT_EQ(a, slurp(files[2])) << suffix;
  }
  // And another seed gives another file.
  std::string x = testing::temp_file("", ".csv"), y = testing::temp_file("", ".csv");
  ASSERT_EQ(run_cli("simulate --units 500 --seed 1 --out " + x).exit_code, 0);
  ASSERT_EQ(run_cli("simulate --units 500 --seed 2 --out " + y).exit_code, 0);
  EXPECT_NE(slurp(x), slurp(y));
}

TEST(Determinism, Progression) {
  std::string f = simulated_file(".csv", "--units 6000 --seed 12 --late-bias 0.06");
  expect_same_output("progression " + f + " --arrival " + f + " --placebos 30 --json --threads {T}");
}

TEST(Determinism, ProjectAndBacktest) {
  std::string f = simulated_file(".csv", "--units 6000 --seed 13 --late-bias 0.06");
  // The partial count: the first 2,000 sheets of the file.
  std::string all = slurp(f), partial;
  size_t pos = 0;
  for (int line = 0; line < 2001; ++line) pos = all.find('\n', pos) + 1;
  std::string p = testing::temp_file(all.substr(0, pos), ".csv");
  expect_same_output("project " + p + " --universe " + f + " --draws 300 --seed 5 --json --threads {T}");
  expect_same_output("project " + p + " --universe " + f + " --method ratio --draws 300 --json --threads {T}");
  expect_same_output("project --backtest " + f + " --arrival " + f +
                     " --draws 100 --points 0.5 --points 0.8 --json --threads {T}");
}

TEST(Determinism, SummaryAndCheckRunTwice) {
  std::string f = simulated_file(".csv.gz", "--units 3000 --seed 14 --fraud-share 0.1");
  for (const char* cmd : {"summary", "check"}) {
    auto a = run_cli(std::string(cmd) + " " + f + " --json"), b = run_cli(std::string(cmd) + " " + f + " --json");
    EXPECT_LE(a.exit_code, 1) << a.err;
    EXPECT_EQ(a.out, b.out) << cmd;
  }
}

}  // namespace
}  // namespace tallyscope
