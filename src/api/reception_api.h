// The reception JSON API: passages (record, list by site and dates, correct), person files
// (search by name and birth date within what the caller may see, create with duplicate
// proposals, read, edit, notes, consents, merge, right-of-access export) and a site's
// pre-reception queue. Unauthenticated calls answer 401; a person the caller may not see
// answers 404. Filters on sensitive motives (health, violence, justice, disability) are
// refused (security.md S7).
#pragma once

#include "domain/services.h"
#include "http/router.h"

namespace pasip::api {

// Adds /api/v1/passages…, /api/v1/personnes…, /api/v1/sites/{id}/file-attente….
// `services` must outlive the router.
void RegisterReceptionRoutes(http::Router& router, Services& services);

}  // namespace pasip::api
