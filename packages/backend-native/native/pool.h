// A tiny fork-join pool for the non-BLAS kernels: the caller thread takes chunk 0, sleeping worker
// threads take the rest. Workers block on a condition variable (no spinning), so they never steal
// a core from OpenBLAS's own threads between calls. Small loops run inline (see parallel_for).
// An exception thrown by a chunk (std::bad_alloc of a scratch buffer, say) is caught on the
// thread that ran it and rethrown by `run` on the caller once every chunk has finished.
// `resize(n)` replaces the workers (between jobs: it waits for a running job to finish), so the
// thread budget can be set after load (the addon's `setThreads`).
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace jnat {

class Pool {
 public:
  explicit Pool(int threads);
  ~Pool();
  int size() const { return threads_; }
  // Runs f(t) for t in [0, n) with n <= size(); f(0) on the caller. Returns when all finished,
  // rethrowing the first exception a chunk threw. Concurrent or nested calls run inline.
  void run(int n, const std::function<void(int)>& f);
  // Stops the workers and starts threads - 1 new ones (threads clamped to [1, kMaxThreads]).
  void resize(int threads);
  static constexpr int kMaxThreads = 256;

 private:
  void start(int threads);
  void stopAll();
  void loop(int id, uint64_t seen);
  std::atomic<int> threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* job_ = nullptr;
  int jobN_ = 0;
  uint64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::mutex runMu_;
};

Pool& pool();

// Splits [0, n) into contiguous ranges and runs f(begin, end) on them in parallel when the work
// (n * costPerItem) is large enough to pay for waking a thread; otherwise runs f(0, n) inline.
template <typename F>
inline void parallel_for(int64_t n, int64_t costPerItem, F f) {
  const int64_t kMinWork = 1 << 15;
  Pool& p = pool();
  int64_t work = n * std::max<int64_t>(costPerItem, 1);
  int parts = (int)std::min<int64_t>(p.size(), std::max<int64_t>(1, work / kMinWork));
  parts = (int)std::min<int64_t>(parts, n);
  if (parts <= 1) {
    if (n > 0) f((int64_t)0, n);
    return;
  }
  std::function<void(int)> job = [&](int t) {
    int64_t b = n * t / parts, e = n * (t + 1) / parts;
    if (e > b) f(b, e);
  };
  p.run(parts, job);
}

}  // namespace jnat
