// The audit log (journal des accès, security.md S3): who did what to which record, when,
// with which outcome — and never any personal content (no names, no free text).
//
// Entries go to an append-only store kept apart from the business tables. Modules record
// reads and writes of person-level data in one line through AuditLog:
//   audit.Record(ctx, "read", "person", person_id);
// AuditLog is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace pasip::audit {

enum class Outcome { kSuccess, kDenied, kFailure };
std::string_view OutcomeName(Outcome outcome);  // "succes", "refus", "echec"
std::optional<Outcome> ParseOutcome(std::string_view name);

struct Entry {
  std::int64_t id = 0;
  TimePoint at{};
  std::int64_t user_id = 0;   // 0 = anonymous or system
  std::string action;         // "read", "create", "update", "sign_in"…
  std::string resource_type;  // "person", "user", "session"…
  std::string resource_id;    // an identifier, never a name
  std::string request_id;
  Outcome outcome = Outcome::kSuccess;
};

struct Query {
  std::optional<std::int64_t> user_id;
  std::string action;
  std::string resource_type;
  std::string resource_id;
  std::optional<TimePoint> from;
  std::optional<TimePoint> to;
  std::optional<std::int64_t> before_id;  // keyset pagination: entries with a smaller id
  int limit = 100;
};

// Implemented in storage: a separate SQLite file, or a PostgreSQL schema the application
// role may only INSERT into and SELECT from.
class Store {
 public:
  virtual ~Store() = default;
  virtual Status Append(const Entry& entry) = 0;
  // Newest first.
  virtual Result<std::vector<Entry>> Search(const Query& query) = 0;
  // Retention: removes entries older than `before`; returns how many.
  virtual Result<std::int64_t> DeleteBefore(TimePoint before) = 0;
};

// Who acts, for the entries a request produces.
struct Context {
  std::int64_t user_id = 0;
  std::string request_id;
};

class AuditLog {
 public:
  AuditLog(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Fails only if the store fails; callers handling person-level data must then fail too
  // (no untraced access).
  Status Record(const Context& context, std::string_view action, std::string_view resource_type,
                std::string_view resource_id, Outcome outcome = Outcome::kSuccess);
  Status Record(const Context& context, std::string_view action, std::string_view resource_type,
                std::int64_t resource_id, Outcome outcome = Outcome::kSuccess);

  Result<std::vector<Entry>> Search(const Query& query) { return store_.Search(query); }
  // Deletes entries older than `retention` before now.
  Result<std::int64_t> ApplyRetention(std::chrono::seconds retention);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace pasip::audit
