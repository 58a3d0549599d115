// Server-rendered HTML pages (French), with Mustache templates embedded in the binary.
//
// RegisterPages adds every page route to the router, each declaring its policy action.
// Handlers read the caller (identity::Caller) from Request::context, set by the
// application's pipeline, which has already checked access and the anti-CSRF token of
// every state-changing form (field `csrf`). Pages are themed per deployment.
#pragma once

#include <string>

#include "domain/identity/caller.h"
#include "domain/services.h"
#include "http/cookie.h"
#include "http/message.h"
#include "http/router.h"
#include "http/static_files.h"

namespace pasip::web {

struct Options {
  std::string deployment_name = "pasip";
  std::string deployment_logo_url;  // empty: no logo
  std::string public_base_url;      // "https://accueil.exemple.fr"
  bool demo = false;                // shows a "démonstration" banner
  bool secure_cookies = true;
  const http::StaticFiles* assets = nullptr;  // for fingerprinted URLs
};

void RegisterPages(http::Router& router, Services& services, const Options& options);

// A French error page (403, 404, 405, 500…) in the deployment's layout.
http::Response ErrorPage(int status, const identity::Caller* caller, const Options& options,
                         const std::string& request_id);

using http::kCsrfCookie;
using http::kSessionCookie;

}  // namespace pasip::web
