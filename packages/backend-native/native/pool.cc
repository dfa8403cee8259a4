// Fork-join pool implementation (see pool.h). Thread count at load: JEPA_THREADS, else the
// hardware concurrency (at most 16); registerNativeBackend then sets the budget shared with
// OpenBLAS through `setThreads` (src/threads.ts), as do --threads and setThreads later.
#include "pool.h"

#include <cstdlib>

namespace jnat {

Pool::Pool(int threads) : threads_(1) { start(threads); }

Pool::~Pool() { stopAll(); }

// Starts the workers; each begins at the current generation so it waits for the next job.
void Pool::start(int threads) {
  int t = std::min(std::max(1, threads), kMaxThreads);
  uint64_t gen;
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = false;
    gen = generation_;
  }
  for (int i = 1; i < t; ++i) workers_.emplace_back([this, i, gen] { loop(i, gen); });
  threads_ = t;
}

void Pool::stopAll() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
  threads_ = 1;
}

void Pool::resize(int threads) {
  std::lock_guard<std::mutex> exclusive(runMu_);  // no job runs while the workers change
  int t = std::min(std::max(1, threads), kMaxThreads);
  if (t == threads_) return;
  stopAll();
  start(t);
}

void Pool::loop(int id, uint64_t seen) {
  for (;;) {
    const std::function<void(int)>* job;
    int n;
    {
      std::unique_lock<std::mutex> l(mu_);
      wake_.wait(l, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
      n = jobN_;
    }
    if (id < n) {
      try {
        (*job)(id);
      } catch (...) {
        std::lock_guard<std::mutex> g(mu_);
        if (!error_) error_ = std::current_exception();
      }
    }
    {
      std::lock_guard<std::mutex> g(mu_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

void Pool::run(int n, const std::function<void(int)>& f) {
  // One job at a time: a second caller (another thread, or a job calling run) runs inline.
  std::unique_lock<std::mutex> exclusive(runMu_, std::try_to_lock);
  if (n <= 1 || workers_.empty() || !exclusive.owns_lock()) {
    for (int t = 0; t < n; ++t) f(t);
    return;
  }
  {
    std::lock_guard<std::mutex> g(mu_);
    job_ = &f;
    jobN_ = n;
    pending_ = (int)workers_.size();
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  std::exception_ptr mine;
  try {
    f(0);
  } catch (...) {
    mine = std::current_exception();
  }
  // Wait for every worker even when chunk 0 threw: the job lives on this stack frame.
  std::unique_lock<std::mutex> l(mu_);
  done_.wait(l, [&] { return pending_ == 0; });
  job_ = nullptr;
  std::exception_ptr theirs = error_;
  error_ = nullptr;
  l.unlock();
  if (mine) std::rethrow_exception(mine);
  if (theirs) std::rethrow_exception(theirs);
}

static int defaultThreads() {
  const char* e = std::getenv("JEPA_THREADS");
  if (e != nullptr) {
    int v = std::atoi(e);
    if (v > 0) return v;
  }
  unsigned h = std::thread::hardware_concurrency();
  return h == 0 ? 1 : (int)std::min(h, 16u);
}

Pool& pool() {
  static Pool p(defaultThreads());
  return p;
}

}  // namespace jnat
