// The directory's JSON API (annuaire de l'offre): search of structures and services with
// French parameters (text, référentiel filters, place and radius, open at an instant, keyset
// pages, facet counts), records in the caller's view, writes under the directory policy,
// commune autocompletion, the data·inclusion v1 export, and the opening-hours checker used
// by the editing forms. Query-string mistakes answer 400, body mistakes 422 (problem+json
// naming the parameter or member in French).
#pragma once

#include "domain/services.h"
#include "http/router.h"

namespace pasip::api {

// Adds the /api/v1/structures, /services, /communes, /data-inclusion/… and
// /horaires/verifier routes. `services` must outlive the router.
void RegisterDirectoryRoutes(http::Router& router, Services& services);

}  // namespace pasip::api
