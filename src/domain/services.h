// The facade of the domain: every use-case service, as the HTTP API, the pages and the
// command line see them. Owned and wired by app/ (the composition root); the references
// stay valid for the life of the application. New modules add their service here.
#pragma once

#include "core/clock.h"
#include "domain/audit/audit.h"
#include "domain/directory/directory.h"
#include "domain/identity/accounts.h"
#include "domain/identity/organisations.h"
#include "domain/identity/ports.h"
#include "domain/jobs/queue.h"
#include "domain/mail/mail.h"
#include "domain/orientation/orientation.h"
#include "domain/reception/reception.h"
#include "domain/territory/ports.h"

namespace pasip {

struct Services {
  const Clock& clock;
  audit::AuditLog& audit;
  identity::IdentityStore& identity;
  identity::AccountService& accounts;
  identity::OrganisationService& organisations;
  jobs::Queue& jobs;
  territory::TerritoryStore& territory;
  directory::DirectoryService& directory;
  reception::ReceptionService& reception;
  orientation::OrientationService& orientation;
  mail::Outbox& outbox;
};

}  // namespace pasip
