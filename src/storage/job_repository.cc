#include "storage/job_repository.h"

namespace pasip::storage {
namespace {

constexpr char kJobColumns[] =
    "id, kind, payload, unique_key, run_at, attempts, max_attempts, last_error, state, "
    "finished_at";

jobs::JobStatus ToStatus(const Row& r) {
  jobs::JobStatus s;
  s.job.id = r.Int(0);
  s.job.kind = r.Text(1);
  s.job.payload = r.Text(2);
  s.job.unique_key = r.OptText(3).value_or("");
  s.job.run_at = r.Time(4);
  s.job.attempts = static_cast<int>(r.Int(5));
  s.job.max_attempts = static_cast<int>(r.Int(6));
  s.job.last_error = r.Text(7);
  const std::string state = r.Text(8);
  s.state = state == "done"      ? jobs::JobState::kDone
            : state == "failed"  ? jobs::JobState::kFailed
            : state == "running" ? jobs::JobState::kRunning
                                 : jobs::JobState::kPending;
  s.finished_at = r.OptTime(9);
  return s;
}

}  // namespace

Result<std::int64_t> SqlJobQueue::Enqueue(const jobs::Job& job) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      rows,
      c->Query("INSERT INTO jobs (kind, payload, unique_key, run_at, max_attempts, "
               "created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING "
               "RETURNING id",
               {job.kind, job.payload, job.unique_key.empty() ? Value() : Value(job.unique_key),
                job.run_at, job.max_attempts, SystemClock().Now()}));
  return rows.empty() ? 0 : rows.front().Int(0);
}

Result<std::optional<jobs::Job>> SqlJobQueue::Claim(const std::string& worker, TimePoint now,
                                                    std::chrono::seconds lease) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  // A job is due when pending, or running with an expired lease (its worker died).
  const std::string lock = db_.dialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
  PASIP_ASSIGN_OR_RETURN(
      row, c->QueryOne("SELECT id FROM jobs WHERE run_at <= ? AND (state = 'pending' OR "
                       "(state = 'running' AND locked_until < ?)) ORDER BY run_at, id LIMIT 1" +
                           lock,
                       {now, now}));
  if (!row) return std::optional<jobs::Job>();
  const std::int64_t id = row->Int(0);
  PASIP_TRY(
      c->Execute("UPDATE jobs SET state = 'running', locked_by = ?, locked_until = ? "
                 "WHERE id = ?",
                 {worker, now + lease, id}));
  PASIP_ASSIGN_OR_RETURN(
      full, c->QueryOne(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?", {id}));
  PASIP_TRY(tx.Commit());
  if (!full) return std::optional<jobs::Job>();
  return std::optional<jobs::Job>(ToStatus(*full).job);
}

Status SqlJobQueue::Complete(std::int64_t id, TimePoint now) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(
      c->Execute("UPDATE jobs SET state = 'done', finished_at = ?, locked_by = NULL, "
                 "locked_until = NULL, attempts = attempts + 1 WHERE id = ?",
                 {now, id}));
  return Ok();
}

Status SqlJobQueue::Retry(std::int64_t id, TimePoint run_at, const std::string& error) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(
      c->Execute("UPDATE jobs SET state = 'pending', run_at = ?, attempts = attempts + 1, "
                 "last_error = ?, locked_by = NULL, locked_until = NULL WHERE id = ?",
                 {run_at, error.substr(0, 500), id}));
  return Ok();
}

Status SqlJobQueue::Fail(std::int64_t id, TimePoint now, const std::string& error) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(
      c->Execute("UPDATE jobs SET state = 'failed', finished_at = ?, "
                 "attempts = attempts + 1, last_error = ?, locked_by = NULL, "
                 "locked_until = NULL WHERE id = ?",
                 {now, error.substr(0, 500), id}));
  return Ok();
}

Result<std::vector<jobs::JobStatus>> SqlJobQueue::Recent(int limit) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      rows, c->Query(std::string("SELECT ") + kJobColumns + " FROM jobs ORDER BY id DESC LIMIT ?",
                     {limit}));
  std::vector<jobs::JobStatus> out;
  for (const Row& r : rows) out.push_back(ToStatus(r));
  return out;
}

Result<std::int64_t> SqlJobQueue::Prune(TimePoint before) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  return c->Execute("DELETE FROM jobs WHERE state IN ('done', 'failed') AND finished_at < ?",
                    {before});
}

}  // namespace pasip::storage
