// Benchmarks of the forensic battery on the Russian 2018 protocols (97,699 stations). Run:
//   build/release/tallyscope_bench --benchmark_filter=Forensics
#include <benchmark/benchmark.h>

#include <string>

#include "analysis/analysis.h"
#include "model/model.h"

namespace tallyscope {
namespace {

const Election* russia() {
  static const Election* e = [] {
    const std::string path = std::string(TALLYSCOPE_SOURCE_DIR) + "/../shared/data/russia-2018/2018.csv.gz";
    try {
      return new Election(load_election(path));
    } catch (const std::exception&) {
      return static_cast<Election*>(nullptr);
    }
  }();
  return e;
}

// The whole battery: turnout and the two leading candidates, 1,000 replicates, distribution tests,
// fingerprints, Klimek's fit and Shpilkin's estimate.
void BM_ForensicsRussia2018(benchmark::State& state) {
  const Election* e = russia();
  if (!e) return state.SkipWithError("../shared/data/russia-2018/2018.csv.gz not found");
  ForensicsOptions o;
  o.replicates = 1000;
  o.threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(run_forensics(*e, o).tests.size());
}
BENCHMARK(BM_ForensicsRussia2018)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);

// The integer-percentage Monte Carlo alone: turnout and the leader, 1,000 replicates.
void BM_ForensicsIntegerPercentRussia2018(benchmark::State& state) {
  const Election* e = russia();
  if (!e) return state.SkipWithError("../shared/data/russia-2018/2018.csv.gz not found");
  ForensicsOptions o;
  o.replicates = 1000;
  o.leading = 1;
  o.digit_tests = false;
  o.distribution_tests = false;
  o.fits = false;
  o.threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(run_forensics(*e, o).tests.size());
}
BENCHMARK(BM_ForensicsIntegerPercentRussia2018)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace tallyscope
