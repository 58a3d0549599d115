// The job queue port: durable, database-backed work items (reminders, expiries, purges,
// outgoing e-mail, clean-ups) that any server instance may take.
//
// A job is claimed with a lease: the claiming worker must finish (Complete) or give up
// (Retry/Fail) before the lease ends, else another worker may claim it again. On
// PostgreSQL claims use FOR UPDATE SKIP LOCKED, so several instances never take the same
// job. Unique keys make scheduling idempotent across instances ("audit.retention@2026-11-22"
// is enqueued once whoever enqueues it). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace pasip::jobs {

struct Job {
  std::int64_t id = 0;
  std::string kind;     // "sessions.cleanup", "audit.retention"…
  std::string payload;  // kind-specific text (JSON or an id), never personal data in clear
  std::string unique_key;
  TimePoint run_at{};
  int attempts = 0;  // attempts already made before this one
  int max_attempts = 5;
  std::string last_error;
};

enum class JobState { kPending, kRunning, kDone, kFailed };

struct JobStatus {
  Job job;
  JobState state = JobState::kPending;
  std::optional<TimePoint> finished_at;
};

class Queue {
 public:
  virtual ~Queue() = default;
  // Returns the new id, or 0 when a job with the same non-empty unique_key exists.
  virtual Result<std::int64_t> Enqueue(const Job& job) = 0;
  // Claims the oldest due job (run_at <= now) not leased by someone else.
  virtual Result<std::optional<Job>> Claim(const std::string& worker, TimePoint now,
                                           std::chrono::seconds lease) = 0;
  virtual Status Complete(std::int64_t id, TimePoint now) = 0;
  // Puts the job back for `run_at`, counting the attempt and keeping the error text.
  virtual Status Retry(std::int64_t id, TimePoint run_at, const std::string& error) = 0;
  // Gives up for good.
  virtual Status Fail(std::int64_t id, TimePoint now, const std::string& error) = 0;
  virtual Result<std::vector<JobStatus>> Recent(int limit) = 0;
  // Removes finished jobs older than `before`.
  virtual Result<std::int64_t> Prune(TimePoint before) = 0;
};

}  // namespace pasip::jobs
