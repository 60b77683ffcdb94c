// Runs independent tasks over threads. Results must not depend on the thread count: each task
// writes only its own slot and draws random numbers from its own (seed, task) stream.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace tallyscope::stats {

// The threads to use for `n` tasks when asked for `threads` (0: all cores; at most 4 per core).
inline unsigned thread_count(size_t n, unsigned threads) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads ? threads : cores, 4 * cores);
  return static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(1, n)));
}

// Calls f(i) for i in [0, n), task i on thread i % threads; an exception in any call is rethrown
// here after all threads have joined (the first by thread order).
template <class F>
void parallel_for(size_t n, unsigned threads, F&& f) {
  threads = thread_count(n, threads);
  std::vector<std::exception_ptr> failures(threads);
  auto run = [&](unsigned t) {
    try {
      for (size_t i = t; i < n; i += threads) f(i);
    } catch (...) {
      failures[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run, t);
  run(0);
  for (auto& th : pool) th.join();
  for (const auto& e : failures)
    if (e) std::rethrow_exception(e);
}

}  // namespace tallyscope::stats
