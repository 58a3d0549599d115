#include "jobs/worker.h"

#include <algorithm>
#include <cstdio>

namespace pasip::jobs {

Worker::Worker(Queue& queue, const Clock& clock, std::string name)
    : queue_(queue), clock_(clock), name_(std::move(name)) {}

Worker::~Worker() { Stop(); }

void Worker::Register(std::string kind, JobHandler handler) {
  handlers_[std::move(kind)] = std::move(handler);
}

void Worker::Schedule(Periodic periodic) { periodic_.push_back(std::move(periodic)); }

void Worker::AddTicker(std::string name, std::function<Status()> tick) {
  tickers_.emplace_back(std::move(name), std::move(tick));
}

std::chrono::seconds Worker::Backoff(int attempt) {
  const int exponent = std::clamp(attempt - 1, 0, 20);
  const std::int64_t seconds = std::min<std::int64_t>(60LL << exponent, 6 * 3600);
  return std::chrono::seconds(seconds);
}

Status Worker::EnqueuePeriodic() {
  const std::int64_t now = ToUnixSeconds(clock_.Now());
  for (const Periodic& p : periodic_) {
    const std::int64_t every = std::max<std::int64_t>(1, p.every.count());
    const std::int64_t slot = now - now % every;
    Job job;
    job.kind = p.kind;
    job.run_at = FromUnixSeconds(slot);
    job.unique_key = p.kind + "@" + std::to_string(slot);
    PASIP_TRY(queue_.Enqueue(job));
  }
  return Ok();
}

Result<int> Worker::RunOnce() {
  PASIP_TRY(EnqueuePeriodic());
  int ran = 0;
  while (true) {
    PASIP_ASSIGN_OR_RETURN(claimed, queue_.Claim(name_, clock_.Now(), std::chrono::minutes(10)));
    if (!claimed) break;
    const Job& job = *claimed;
    ++ran;
    const auto handler = handlers_.find(job.kind);
    Status result = handler == handlers_.end()
                        ? Status(Fail(Internal("Aucun traitement pour « " + job.kind + " ».")))
                        : handler->second(job);
    if (result) {
      PASIP_TRY(queue_.Complete(job.id, clock_.Now()));
    } else if (job.attempts + 1 >= job.max_attempts) {
      PASIP_TRY(queue_.Fail(job.id, clock_.Now(), result.error().ToString()));
    } else {
      PASIP_TRY(queue_.Retry(job.id, clock_.Now() + Backoff(job.attempts + 1),
                             result.error().ToString()));
    }
  }
  for (const auto& [name, tick] : tickers_) {
    Status ticked = tick();
    if (!ticked) {
      std::fprintf(stderr, "jobs: %s: %s\n", name.c_str(), ticked.error().ToString().c_str());
    }
  }
  return ran;
}

void Worker::Start(std::chrono::milliseconds poll) {
  thread_ = std::thread([this, poll] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      auto ran = RunOnce();
      if (!ran) std::fprintf(stderr, "jobs: %s\n", ran.error().ToString().c_str());
      lock.lock();
      wake_.wait_for(lock, poll, [this] { return stopping_; });
    }
  });
}

void Worker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pasip::jobs
