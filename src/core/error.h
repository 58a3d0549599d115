// Protocol-neutral errors shared by every layer.
//
// An Error carries a code (after abseil's canonical codes), a message in French meant for
// the person who caused it, and optionally the name of the field at fault. The HTTP layer
// maps codes to statuses in exactly one table (api/problem.h); nothing else does.
#pragma once

#include <string>
#include <string_view>

namespace pasip {

enum class ErrorCode {
  kInvalidArgument,     // the input is malformed or out of range
  kNotFound,            // no such resource, or the caller may not know it exists
  kAlreadyExists,       // a unique key is taken
  kFailedPrecondition,  // the state does not allow the operation (e.g. disabled account)
  kPermissionDenied,    // authenticated but not allowed
  kUnauthenticated,     // no valid session or credentials
  kResourceExhausted,   // throttled: too many attempts
  kUnavailable,         // a dependency (database, SMTP) cannot be reached now
  kInternal,            // a bug or broken infrastructure
};

// Stable lower-case name ("invalid_argument"…), used in logs and problem+json bodies.
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // French, plain words, safe to show to the user
  std::string field;    // the input field at fault, empty when none

  std::string ToString() const;
};

Error InvalidArgument(std::string message, std::string field = {});
Error NotFound(std::string message);
Error AlreadyExists(std::string message, std::string field = {});
Error FailedPrecondition(std::string message);
Error PermissionDenied(std::string message = "Vous n'avez pas accès à cette ressource.");
Error Unauthenticated(std::string message = "Veuillez vous connecter.");
Error ResourceExhausted(std::string message);
Error Unavailable(std::string message);
Error Internal(std::string message);

}  // namespace pasip
