// The audit log store: a separate SQLite file, or the PostgreSQL schema `audit` (see the
// "audit" migration series). Appends and searches only; retention deletes through the
// guarded path (a trigger refuses any update, and deletion of entries under 180 days).
// Thread-safe.
#pragma once

#include "domain/audit/audit.h"
#include "storage/database.h"

namespace pasip::storage {

class SqlAuditStore final : public audit::Store {
 public:
  explicit SqlAuditStore(Database& db) : db_(db) {}
  Status Append(const audit::Entry& entry) override;
  Result<std::vector<audit::Entry>> Search(const audit::Query& query) override;
  Result<std::int64_t> DeleteBefore(TimePoint before) override;

 private:
  std::string Table() const;
  Database& db_;
};

}  // namespace pasip::storage
