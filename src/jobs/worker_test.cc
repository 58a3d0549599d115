#include "jobs/worker.h"

#include <gtest/gtest.h>

#include "storage/job_repository.h"
#include "storage/migrations.h"

namespace pasip::jobs {
namespace {

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::OpenDatabase("sqlite::memory:");
    ASSERT_TRUE(db) << db.error().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(storage::Migrate(*db_, storage::Series::kMain));
    queue_ = std::make_unique<storage::SqlJobQueue>(*db_);
  }

  std::vector<JobStatus> Jobs() { return *queue_->Recent(100); }

  ManualClock clock_{*ParseIso("2026-11-22T10:00:00Z")};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<storage::SqlJobQueue> queue_;
};

TEST_F(WorkerTest, PeriodicJobsRunOncePerSlotEvenWithSeveralWorkers) {
  int runs = 0;
  Worker a(*queue_, clock_, "a");
  Worker b(*queue_, clock_, "b");
  for (Worker* w : {&a, &b}) {
    w->Register("audit.retention", [&](const Job&) -> Status {
      ++runs;
      return Ok();
    });
    w->Schedule({"audit.retention", std::chrono::hours(24)});
  }
  EXPECT_EQ(*a.RunOnce(), 1);
  EXPECT_EQ(*b.RunOnce(), 0);  // same day: the unique key was taken
  EXPECT_EQ(runs, 1);
  clock_.Advance(std::chrono::hours(13));  // 23:00, same day (slots are UTC days)
  EXPECT_EQ(*b.RunOnce(), 0);
  clock_.Advance(std::chrono::hours(1));  // midnight: the next slot
  EXPECT_EQ(*b.RunOnce(), 1);
  EXPECT_EQ(runs, 2);
}

TEST_F(WorkerTest, FailuresAreRetriedWithBackoffThenGivenUp) {
  int attempts = 0;
  Worker w(*queue_, clock_, "w");
  w.Register("sessions.cleanup", [&](const Job&) -> Status {
    ++attempts;
    return Fail(Unavailable("base injoignable"));
  });
  Job job;
  job.kind = "sessions.cleanup";
  job.run_at = clock_.Now();
  job.max_attempts = 3;
  ASSERT_TRUE(queue_->Enqueue(job));

  EXPECT_EQ(*w.RunOnce(), 1);
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(Jobs()[0].state, JobState::kPending);
  EXPECT_NE(Jobs()[0].job.last_error.find("base injoignable"), std::string::npos);
  EXPECT_EQ(*w.RunOnce(), 0);  // not before the backoff
  clock_.Advance(Worker::Backoff(1));
  EXPECT_EQ(*w.RunOnce(), 1);
  clock_.Advance(Worker::Backoff(2));
  EXPECT_EQ(*w.RunOnce(), 1);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(Jobs()[0].state, JobState::kFailed);
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(*w.RunOnce(), 0);
}

TEST_F(WorkerTest, UnknownKindsFailInsteadOfLooping) {
  Worker w(*queue_, clock_, "w");
  Job job;
  job.kind = "inconnu";
  job.run_at = clock_.Now();
  job.max_attempts = 1;
  ASSERT_TRUE(queue_->Enqueue(job));
  EXPECT_EQ(*w.RunOnce(), 1);
  EXPECT_EQ(Jobs()[0].state, JobState::kFailed);
}

TEST_F(WorkerTest, BackoffDoublesUpToSixHours) {
  EXPECT_EQ(Worker::Backoff(1), std::chrono::seconds(60));
  EXPECT_EQ(Worker::Backoff(2), std::chrono::seconds(120));
  EXPECT_EQ(Worker::Backoff(5), std::chrono::seconds(960));
  EXPECT_EQ(Worker::Backoff(30), std::chrono::hours(6));
}

TEST_F(WorkerTest, BackgroundThreadRunsDueJobsAndStops) {
  std::atomic<int> runs{0};
  Worker w(*queue_, clock_, "w");
  w.Register("k", [&](const Job&) -> Status {
    ++runs;
    return Ok();
  });
  Job job;
  job.kind = "k";
  job.run_at = clock_.Now();
  ASSERT_TRUE(queue_->Enqueue(job));
  w.Start(std::chrono::milliseconds(10));
  for (int i = 0; i < 500 && runs == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  w.Stop();
  EXPECT_EQ(runs, 1);
}

TEST_F(WorkerTest, TickersRunAtEveryPassAndAFailureStopsNothing) {
  Worker w(*queue_, clock_, "w");
  int ticks = 0, jobs = 0;
  w.AddTicker("casse", []() -> Status { return Fail(Unavailable("indisponible")); });
  w.AddTicker("compte", [&]() -> Status {
    ++ticks;
    return Ok();
  });
  w.Register("audit.retention", [&](const Job&) -> Status {
    ++jobs;
    return Ok();
  });
  w.Schedule({"audit.retention", std::chrono::hours(24)});
  EXPECT_EQ(*w.RunOnce(), 1);
  EXPECT_EQ(*w.RunOnce(), 0);
  EXPECT_EQ(ticks, 2);
  EXPECT_EQ(jobs, 1);
}

}  // namespace
}  // namespace pasip::jobs
