// The page groups (internal to src/web/). Each adds its routes to the router, with the
// policy action every route declares; handlers share one PageContext.
#pragma once

#include <memory>

#include "http/router.h"
#include "web/page.h"

namespace pasip::web {

// The HTTP names every page group uses.
using http::Method;
using http::Request;
using http::Response;
using http::RouteKind;

// Binds a page function to the shared context.
template <typename Function>
http::Handler Bind(const std::shared_ptr<PageContext>& context, Function function) {
  return [context, function](http::Request& request) { return function(*context, request); };
}

// /, /connexion, /connexion/second-facteur, /compte/second-facteur/activation,
// /deconnexion, /tableau-de-bord.
void RegisterSessionPages(http::Router& router, const std::shared_ptr<PageContext>& context);
// /compte and its forms.
void RegisterAccountPages(http::Router& router, const std::shared_ptr<PageContext>& context);
// /admin/organisations and /admin/sites.
void RegisterOrganisationPages(http::Router& router, const std::shared_ptr<PageContext>& context);
// /admin/utilisateurs.
void RegisterUserPages(http::Router& router, const std::shared_ptr<PageContext>& context);
// /admin/journal.
void RegisterAuditPages(http::Router& router, const std::shared_ptr<PageContext>& context);
// /annuaire: the finder, the commune suggestions, the page of a structure; and the editing
// pages (RegisterDirectoryFormPages, called by it): structures, services, opening-hours
// check, "à mettre à jour".
void RegisterDirectoryPages(http::Router& router, const std::shared_ptr<PageContext>& context);
void RegisterDirectoryFormPages(http::Router& router, const std::shared_ptr<PageContext>& context);

// Reception, the site desk (reception_pages.cc): /accueil (choice of site), /accueil/{id}
// (quick count, batch entry, today's passages and their correction, the queue), the
// waiting-room display /accueil/{id}/salle and the waiting-time statistics.
void RegisterReceptionPages(http::Router& router, const std::shared_ptr<PageContext>& context);
// Person files (person_pages.cc): /personnes (search, creation with duplicate proposals),
// /personnes/{id} (file, timeline, notes, consents, edit, merge, export) and the
// administrators' /admin/conservation (retention settings, purge log, exports).
void RegisterPersonPages(http::Router& router, const std::shared_ptr<PageContext>& context);
// Orientations (orientation_pages.cc): /orientations (the orienting agent's list, creation
// from a passage or a person file, detail with history and step forms, liaison form,
// measures), /orientations/recues (the partner inbox), /notifications, and the pages of
// partners without an account under /lien/ (signed link, one-time code, link session).
void RegisterOrientationPages(http::Router& router, const std::shared_ptr<PageContext>& context);

// Data for the _finder_form partial (the search form "Où être accueilli ?"), filled from the
// request's query, for pages that show the finder (the home page).
Data FinderFormData(PageContext& context, const http::Request& request);

}  // namespace pasip::web
