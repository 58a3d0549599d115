// The orientation JSON API: create an orientation from a passage or a person file (draft or
// sent at once), edit a draft, the orienting agent's list and the partner's inbox, the
// detail with its history, the lifecycle's steps as explicit action routes (envoyer,
// accepter, refuser, reorienter, rendez-vous, issue, annuler, relancer, cloturer), the
// liaison form, the measures (counts only, small cells null), and the caller's in-app
// notifications and digest preference. Unauthenticated calls answer 401; an orientation
// the caller holds no relation to answers 404 (security.md S1); an impossible step 409.
#pragma once

#include "domain/services.h"
#include "http/router.h"

namespace pasip::api {

// Adds /api/v1/orientations… and /api/v1/notifications…. `services` must outlive the router.
void RegisterOrientationRoutes(http::Router& router, Services& services);

}  // namespace pasip::api
