#include "domain/audit/audit.h"

namespace pasip::audit {

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return "succes";
    case Outcome::kDenied:
      return "refus";
    case Outcome::kFailure:
      return "echec";
  }
  return "echec";
}

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (Outcome o : {Outcome::kSuccess, Outcome::kDenied, Outcome::kFailure}) {
    if (OutcomeName(o) == name) return o;
  }
  return std::nullopt;
}

Status AuditLog::Record(const Context& context, std::string_view action,
                        std::string_view resource_type, std::string_view resource_id,
                        Outcome outcome) {
  Entry entry;
  entry.at = clock_.Now();
  entry.user_id = context.user_id;
  entry.action = std::string(action);
  entry.resource_type = std::string(resource_type);
  entry.resource_id = std::string(resource_id);
  entry.request_id = context.request_id;
  entry.outcome = outcome;
  return store_.Append(entry);
}

Status AuditLog::Record(const Context& context, std::string_view action,
                        std::string_view resource_type, std::int64_t resource_id, Outcome outcome) {
  return Record(context, action, resource_type, std::to_string(resource_id), outcome);
}

Result<std::int64_t> AuditLog::ApplyRetention(std::chrono::seconds retention) {
  return store_.DeleteBefore(clock_.Now() - retention);
}

}  // namespace pasip::audit
