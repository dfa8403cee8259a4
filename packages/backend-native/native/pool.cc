// Fork-join pool implementation (see pool.h). Thread count: JEPA_NATIVE_THREADS, else the
// hardware concurrency.
#include "pool.h"

#include <cstdlib>

namespace jnat {

Pool::Pool(int threads) : threads_(std::max(1, threads)) {
  for (int i = 1; i < threads_; ++i) workers_.emplace_back([this, i] { loop(i); });
}

Pool::~Pool() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void Pool::loop(int id) {
  uint64_t seen = 0;
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
  const char* e = std::getenv("JEPA_NATIVE_THREADS");
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
