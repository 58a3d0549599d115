// The job queue on the business database (table `jobs`). Claims are atomic: on PostgreSQL
// with FOR UPDATE SKIP LOCKED, on SQLite inside an immediate (write-locked) transaction.
// Thread-safe, and safe with several server instances on one PostgreSQL database.
#pragma once

#include "domain/jobs/queue.h"
#include "storage/database.h"

namespace pasip::storage {

class SqlJobQueue final : public jobs::Queue {
 public:
  explicit SqlJobQueue(Database& db) : db_(db) {}
  Result<std::int64_t> Enqueue(const jobs::Job& job) override;
  Result<std::optional<jobs::Job>> Claim(const std::string& worker, TimePoint now,
                                         std::chrono::seconds lease) override;
  Status Complete(std::int64_t id, TimePoint now) override;
  Status Retry(std::int64_t id, TimePoint run_at, const std::string& error) override;
  Status Fail(std::int64_t id, TimePoint now, const std::string& error) override;
  Result<std::vector<jobs::JobStatus>> Recent(int limit) override;
  Result<std::int64_t> Prune(TimePoint before) override;

 private:
  Database& db_;
};

}  // namespace pasip::storage
