// Runs queued jobs: a worker thread claims due jobs from the database queue and runs the
// handler registered for their kind; a scheduler enqueues periodic jobs (daily, hourly)
// under unique keys so that several server instances schedule each occurrence once.
//
// A handler that fails is retried with exponential backoff (1 min, 2, 4… capped at 6 h)
// until max_attempts, then marked failed. Thread-safe: Register before Start.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/jobs/queue.h"

namespace pasip::jobs {

using JobHandler = std::function<Status(const Job&)>;

struct Periodic {
  std::string kind;
  std::chrono::seconds every;  // e.g. 1 h or 24 h; occurrences are aligned on multiples
};

class Worker {
 public:
  Worker(Queue& queue, const Clock& clock, std::string name);
  ~Worker();

  void Register(std::string kind, JobHandler handler);
  void Schedule(Periodic periodic);
  // Work done at every RunOnce besides the queued jobs, for what keeps its own leases and must
  // not wait for a periodic slot (the mail outbox: e-mails leave within one poll). A failing
  // ticker is reported on standard error and does not stop the others nor the jobs.
  void AddTicker(std::string name, std::function<Status()> tick);

  // Enqueues the periodic jobs due now, claims and runs due jobs until none is left, then
  // runs the tickers. Returns how many jobs ran (for tests and `pasip jobs run`).
  Result<int> RunOnce();
  // Runs RunOnce every `poll` on a background thread until Stop().
  void Start(std::chrono::milliseconds poll = std::chrono::milliseconds(5000));
  void Stop();

  // Backoff before attempt number `attempt` (1-based) is retried.
  static std::chrono::seconds Backoff(int attempt);

 private:
  Status EnqueuePeriodic();

  Queue& queue_;
  const Clock& clock_;
  std::string name_;
  std::map<std::string, JobHandler> handlers_;
  std::vector<Periodic> periodic_;
  std::vector<std::pair<std::string, std::function<Status()>>> tickers_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace pasip::jobs
