#include "domain/audit/audit.h"

#include <gtest/gtest.h>

namespace pasip::audit {
namespace {

class MemoryStore : public Store {
 public:
  Status Append(const Entry& e) override {
    entries.push_back(e);
    entries.back().id = static_cast<std::int64_t>(entries.size());
    return Ok();
  }
  Result<std::vector<Entry>> Search(const Query&) override { return entries; }
  Result<std::int64_t> DeleteBefore(TimePoint before) override {
    const auto n = std::erase_if(entries, [&](const Entry& e) { return e.at < before; });
    return static_cast<std::int64_t>(n);
  }
  std::vector<Entry> entries;
};

TEST(AuditLog, RecordsOneEntryWithContextAndClock) {
  MemoryStore store;
  ManualClock clock(*ParseIso("2026-11-22T10:00:00Z"));
  AuditLog log(store, clock);
  ASSERT_TRUE(log.Record({42, "req-1"}, "read", "person", 7));
  ASSERT_EQ(store.entries.size(), 1u);
  const Entry& e = store.entries[0];
  EXPECT_EQ(e.user_id, 42);
  EXPECT_EQ(e.request_id, "req-1");
  EXPECT_EQ(e.action, "read");
  EXPECT_EQ(e.resource_type, "person");
  EXPECT_EQ(e.resource_id, "7");
  EXPECT_EQ(e.at, clock.Now());
  EXPECT_EQ(e.outcome, Outcome::kSuccess);
}

TEST(AuditLog, RetentionRemovesOnlyOlderEntries) {
  MemoryStore store;
  ManualClock clock(*ParseIso("2025-01-01T00:00:00Z"));
  AuditLog log(store, clock);
  ASSERT_TRUE(log.Record({1, "a"}, "read", "person", 1));
  clock.Advance(std::chrono::hours(24 * 200));
  ASSERT_TRUE(log.Record({1, "b"}, "read", "person", 2));
  clock.Advance(std::chrono::hours(24 * 200));
  const auto removed = log.ApplyRetention(std::chrono::hours(24 * 365));
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 1);
  ASSERT_EQ(store.entries.size(), 1u);
  EXPECT_EQ(store.entries[0].request_id, "b");
}

TEST(AuditLog, OutcomeNamesRoundTrip) {
  for (Outcome o : {Outcome::kSuccess, Outcome::kDenied, Outcome::kFailure}) {
    EXPECT_EQ(ParseOutcome(OutcomeName(o)), o);
  }
  EXPECT_FALSE(ParseOutcome("autre"));
}

}  // namespace
}  // namespace pasip::audit
