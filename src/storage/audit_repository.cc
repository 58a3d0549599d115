#include "storage/audit_repository.h"

namespace pasip::storage {

std::string SqlAuditStore::Table() const {
  return db_.dialect() == Dialect::kPostgres ? "audit.log" : "audit_log";
}

Status SqlAuditStore::Append(const audit::Entry& e) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute("INSERT INTO " + Table() +
                           " (at, user_id, action, resource_type, resource_id, request_id, "
                           "outcome) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       {e.at, e.user_id, e.action, e.resource_type, e.resource_id, e.request_id,
                        audit::OutcomeName(e.outcome)}));
  return Ok();
}

Result<std::vector<audit::Entry>> SqlAuditStore::Search(const audit::Query& q) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  const std::int64_t kNoBound = 0;
  const Value params[] = {q.user_id.has_value(),
                          q.user_id.value_or(0),
                          q.action,
                          q.action,
                          q.resource_type,
                          q.resource_type,
                          q.resource_id,
                          q.resource_id,
                          q.from.has_value(),
                          q.from ? ToUnixSeconds(*q.from) : kNoBound,
                          q.to.has_value(),
                          q.to ? ToUnixSeconds(*q.to) : kNoBound,
                          q.before_id.has_value(),
                          q.before_id.value_or(0),
                          std::max(1, std::min(q.limit, 1000))};
  PASIP_ASSIGN_OR_RETURN(
      rows,
      c->Query("SELECT id, at, user_id, action, resource_type, resource_id, request_id, outcome "
               "FROM " +
                   Table() +
                   " WHERE (? = 0 OR user_id = ?) AND (? = '' OR action = ?) "
                   "AND (? = '' OR resource_type = ?) AND (? = '' OR resource_id = ?) "
                   "AND (? = 0 OR at >= ?) AND (? = 0 OR at < ?) AND (? = 0 OR id < ?) "
                   "ORDER BY id DESC LIMIT ?",
               params));
  std::vector<audit::Entry> out;
  for (const Row& r : rows) {
    audit::Entry e;
    e.id = r.Int(0);
    e.at = r.Time(1);
    e.user_id = r.Int(2);
    e.action = r.Text(3);
    e.resource_type = r.Text(4);
    e.resource_id = r.Text(5);
    e.request_id = r.Text(6);
    e.outcome = audit::ParseOutcome(r.Text(7)).value_or(audit::Outcome::kFailure);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::int64_t> SqlAuditStore::DeleteBefore(TimePoint before) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  if (db_.dialect() == Dialect::kPostgres) {
    // The application role may not DELETE: it purges through the owner's function.
    PASIP_ASSIGN_OR_RETURN(row, c->QueryOne("SELECT audit.purge(?)", {before}));
    return row ? row->Int(0) : 0;
  }
  return c->Execute("DELETE FROM audit_log WHERE at < ?", {before});
}

}  // namespace pasip::storage
