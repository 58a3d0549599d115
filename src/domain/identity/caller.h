// Who is calling, for one request: the signed-in user and session (if any), the
// principal the policy judges, and the context audit entries are written with.
// Built by the application's request pipeline, read by API and page handlers.
#pragma once

#include <optional>
#include <string>

#include "domain/audit/audit.h"
#include "domain/identity/accounts.h"
#include "domain/identity/policy.h"

namespace pasip::identity {

struct Caller {
  std::optional<AuthenticatedSession> auth;
  Principal principal;
  audit::Context audit;
  std::string token;  // the session cookie's value, when signed in
  // The anti-CSRF token forms must echo in their `csrf` field: the session's when signed
  // in, else the pre-session cookie's (double submit), set by the pipeline.
  std::string csrf_token;

  bool signed_in() const { return auth.has_value(); }
};

}  // namespace pasip::identity
