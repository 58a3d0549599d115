// The demo territory: an invented but plausible network in Ille-et-Vilaine (35) — the
// Département, CCAS, France services, an association, a Caf office — with sites in real
// communes (real INSEE codes and coordinates) and one account per role. No real person.
//
// Idempotent: run on a database that already has the demo, it only lists the accounts.
// Demo passwords are fixed and printed (this is a demonstration); admin and social
// accounts get a fixed TOTP secret, printed too, so that any authenticator app works.
#pragma once

#include <string>
#include <vector>

#include "app/application.h"

namespace pasip::app {

struct DemoAccount {
  std::string role;
  std::string email;
  std::string password;
  std::string totp_secret;  // empty for roles without a second factor
};

Result<std::vector<DemoAccount>> CreateDemoTerritory(Application& app);

}  // namespace pasip::app
