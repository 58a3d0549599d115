#include "core/error.h"

namespace pasip {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kFailedPrecondition:
      return "failed_precondition";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kResourceExhausted:
      return "resource_exhausted";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::string Error::ToString() const {
  std::string out(ErrorCodeName(code));
  out += ": ";
  out += message;
  if (!field.empty()) {
    out += " (champ « " + field + " »)";
  }
  return out;
}

Error InvalidArgument(std::string message, std::string field) {
  return {ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
}
Error NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message), {}}; }
Error AlreadyExists(std::string message, std::string field) {
  return {ErrorCode::kAlreadyExists, std::move(message), std::move(field)};
}
Error FailedPrecondition(std::string message) {
  return {ErrorCode::kFailedPrecondition, std::move(message), {}};
}
Error PermissionDenied(std::string message) {
  return {ErrorCode::kPermissionDenied, std::move(message), {}};
}
Error Unauthenticated(std::string message) {
  return {ErrorCode::kUnauthenticated, std::move(message), {}};
}
Error ResourceExhausted(std::string message) {
  return {ErrorCode::kResourceExhausted, std::move(message), {}};
}
Error Unavailable(std::string message) { return {ErrorCode::kUnavailable, std::move(message), {}}; }
Error Internal(std::string message) { return {ErrorCode::kInternal, std::move(message), {}}; }

}  // namespace pasip
