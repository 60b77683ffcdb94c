// Benchmarks of reading and of the foundation commands. Run:
//   build/release/tallyscope_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <fmt/format.h>

#include "analysis/analysis.h"
#include "io/io.h"
#include "model/model.h"

namespace tallyscope {
namespace {

// A Russia-like protocol file: 3 text columns, 20 counts, a URL; about 340 bytes a row.
const std::string& synthetic_csv() {
  static const std::string csv = [] {
    std::mt19937_64 rng(42);
    std::string s = "region,tik,uik";
    for (int c = 0; c < 20; ++c) s += fmt::format(",count{}", c);
    s += ",url\n";
    for (int r = 0; r < 150000; ++r) {
      s += fmt::format("\"Region {}\",\"{} Territorial\",{}", r / 1800, r / 55, r);
      for (int c = 0; c < 20; ++c) s += fmt::format(",{}", rng() % 3000);
      s += ",http://www.vybory.izbirkom.ru/region/izbirkom?action=show&root=12000009&tvd=2012000364371&vrn=1001\n";
    }
    return s;
  }();
  return csv;
}

void BM_CsvReadMemory(benchmark::State& state) {
  const std::string& csv = synthetic_csv();
  size_t fields = 0;
  for (auto _ : state) {
    CsvReader reader(open_memory(csv));
    CsvRecord rec;
    while (reader.next(rec)) fields += rec.fields.size();
  }
  benchmark::DoNotOptimize(fields);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * csv.size()));
}
BENCHMARK(BM_CsvReadMemory)->Unit(benchmark::kMillisecond);

std::string synthetic_file() {
  static const std::string path = [] {
    auto p = std::filesystem::temp_directory_path() / "tallyscope-bench.csv";
    std::ofstream(p, std::ios::binary) << synthetic_csv();
    return p.string();
  }();
  return path;
}

void BM_LoadElectionFile(benchmark::State& state) {
  std::string path = synthetic_file();
  LoadOptions o;
  std::string spec = "choices = [";
  for (int c = 1; c < 20; ++c) spec += std::string(c > 1 ? ", " : "") + "\"count" + std::to_string(c) + "\"";
  spec += "]\n[columns]\nid = [\"region\", \"tik\", \"uik\"]\ngeography = [\"region\", \"tik\"]\nregistered = \"count0\"\n";
  o.spec = parse_spec(spec, "bench");
  for (auto _ : state) {
    Election e = load_election(path, o);
    benchmark::DoNotOptimize(e.sheets());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * synthetic_csv().size()));
}
BENCHMARK(BM_LoadElectionFile)->Unit(benchmark::kMillisecond);

std::string shared(const char* rel) {
  auto p = std::filesystem::path(TALLYSCOPE_SOURCE_DIR) / ".." / "shared" / "data" / rel;
  return std::filesystem::exists(p) ? p.string() : "";
}

void BM_SummaryRussia2018(benchmark::State& state) {
  std::string path = shared("russia-2018/2018.csv.gz");
  if (path.empty()) {
    state.SkipWithError("../shared/data absent");
    return;
  }
  for (auto _ : state) {
    Summary s = summarize(load_election(path));
    benchmark::DoNotOptimize(s.valid);
  }
}
BENCHMARK(BM_SummaryRussia2018)->Unit(benchmark::kMillisecond);

void BM_CheckRussia2018(benchmark::State& state) {
  std::string path = shared("russia-2018/2018.csv.gz");
  if (path.empty()) {
    state.SkipWithError("../shared/data absent");
    return;
  }
  Election e = load_election(path);
  for (auto _ : state) {
    IntegrityReport r = check_integrity(e);
    benchmark::DoNotOptimize(r.findings.size());
  }
}
BENCHMARK(BM_CheckRussia2018)->Unit(benchmark::kMillisecond);

// The whole progression analysis on Bolivia 2019: verification times, a 19:40:57 cutoff, 200
// placebo cutoffs, fixed effects at every level, the 2016 baseline (issue 3's target: < 2 s).
void BM_ProgressionBolivia2019(benchmark::State& state) {
  std::string f = shared("bolivia-2019/computo-final.csv.gz"), t = shared("bolivia-2019/trep-verification-times.csv.gz"),
              b = shared("bolivia-2016/referendum-2016-02-21.csv.gz");
  if (f.empty() || t.empty() || b.empty()) {
    state.SkipWithError("../shared/data absent");
    return;
  }
  Election fc = load_election(f), base = load_election(b);
  Arrival a = read_arrival_times(t, fc);
  ProgressionOptions o;
  o.cutoff_ms = 1571614857000;
  o.threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    ProgressionResult r = analyze_progression(fc, a, o, &base);
    benchmark::DoNotOptimize(r.rd.placebos.size());
  }
}
BENCHMARK(BM_ProgressionBolivia2019)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Projection from the 19:40:57 TREP onto the final count: 2,000 draws of the donor method, with
// the drift term from the verification times (issue 4's target: < 1 s), and without it.
void BM_ProjectBolivia2019(benchmark::State& state) {
  std::string p = shared("bolivia-2019/trep-2019-10-20T19-40-57.csv.gz"), f = shared("bolivia-2019/computo-final.csv.gz"),
              t = shared("bolivia-2019/trep-verification-times.csv.gz");
  if (p.empty() || f.empty() || t.empty()) {
    state.SkipWithError("../shared/data absent");
    return;
  }
  Election partial = load_election(p), fc = load_election(f);
  Universe u = universe_of(fc);
  Arrival a = read_arrival_times(t, fc);
  ProjectionOptions o;
  o.draws = 2000;
  o.threads = 2;
  const bool drift = state.range(0) != 0;
  if (!drift) o.drift = DriftMode::kNone;
  for (auto _ : state) {
    ProjectionResult r = project(partial, u, partial.spec().rule, o, drift ? &a : nullptr);
    benchmark::DoNotOptimize(r.margin.median);
  }
}
BENCHMARK(BM_ProjectBolivia2019)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// The backtest over the verification times: 16 points (20%, 25%, ..., 95%) x 2,000 draws, each
// with its drift replays (issue 4's target: < 10 s).
void BM_BacktestBolivia2019(benchmark::State& state) {
  std::string f = shared("bolivia-2019/computo-final.csv.gz"), t = shared("bolivia-2019/trep-verification-times.csv.gz");
  if (f.empty() || t.empty()) {
    state.SkipWithError("../shared/data absent");
    return;
  }
  Election fc = load_election(f);
  Arrival a = read_arrival_times(t, fc);
  ProjectionOptions o;
  o.draws = 2000;
  o.threads = 2;
  std::vector<double> points;
  for (int k = 20; k <= 95; k += 5) points.push_back(k / 100.0);
  for (auto _ : state) {
    BacktestResult b = backtest(fc, a, points, o);
    benchmark::DoNotOptimize(b.coverage);
  }
}
BENCHMARK(BM_BacktestBolivia2019)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace tallyscope
