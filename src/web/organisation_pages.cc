// Administration of organisations (institutions) and their sites (lieux d'accueil): lists
// with search, creation and edition. Coordination reads; administrators also write.
#include <charconv>
#include <map>

#include "core/text.h"
#include "web/pages.h"

namespace pasip::web {
namespace {

using identity::Action;
using identity::Organisation;
using identity::Site;

// ---- Organisations ----

std::vector<Option> KindOptions() {
  std::vector<Option> options;
  for (const auto& [value, label] : identity::OrganisationKinds()) {
    options.push_back({std::string(value), std::string(label)});
  }
  return options;
}

Result<std::vector<Option>> OrganisationOptions(Services& services) {
  PASIP_ASSIGN_OR_RETURN(organisations, services.identity.ListOrganisations({}));
  std::vector<Option> options;
  for (const Organisation& o : organisations) options.push_back(OrganisationOption(o));
  return options;
}

Response OrganisationList(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  identity::OrganisationQuery query;
  query.text = std::string(text::Trim(request.query.GetOr("q")));
  auto organisations = c.services.identity.ListOrganisations(query);
  if (!organisations) return ErrorResponse(c, request, organisations.error());
  Data d = Object();
  d.set("q", query.text);
  d.set("searched", !query.text.empty());
  d.set("can_write", Allowed(caller, Action::kOrganisationsWrite));
  Data list = List();
  for (const Organisation& o : *organisations) {
    Data item = Object();
    item.set("id", std::to_string(o.id));
    item.set("name", o.name);
    item.set("kind", std::string(identity::OrganisationKindLabel(o.kind)));
    item.set("has_siret", !o.siret.empty());
    item.set("siret", o.siret);
    item.set("active", o.active);
    list.push_back(item);
  }
  d.set("organisations", list);
  d.set("count", std::to_string(organisations->size()));
  d.set("empty", organisations->empty());
  return c.renderer.Page(200, caller, {"Organisations", request.path, NoticeFromQuery(request)},
                         "organisations", std::move(d));
}

// The creation form (`organisation` has id 0) or the page of an existing organisation.
Response OrganisationPage(PageContext& c, const Request& request, int status,
                          const Organisation& organisation, const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  const bool is_new = organisation.id == 0;
  Data d = Object();
  d.set("form", errors.Summary());
  d.set("is_new", is_new);
  d.set("can_write", Allowed(caller, Action::kOrganisationsWrite));
  d.set("action", is_new ? std::string("/admin/organisations")
                         : "/admin/organisations/" + std::to_string(organisation.id));
  d.set("id", std::to_string(organisation.id));
  d.set("name_value", organisation.name);
  d.set("kind_label", std::string(identity::OrganisationKindLabel(organisation.kind)));
  d.set("siret_value",
        organisation.siret.empty() ? std::string("Non renseigné") : organisation.siret);
  d.set("is_active", organisation.active);
  d.set("name",
        Field({.name = "name", .label = "Nom", .value = organisation.name, .required = true},
              errors));
  d.set("kind", Select({.name = "kind",
                        .label = "Type d'organisation",
                        .options = KindOptions(),
                        .selected = {organisation.kind},
                        .empty_label = "Choisir un type",
                        .required = true},
                       errors));
  d.set("siret", Field({.name = "siret",
                        .label = "SIRET (facultatif)",
                        .value = organisation.siret,
                        .hint = "14 chiffres, sans espace.",
                        .inputmode = "numeric"},
                       errors));
  d.set("active", Checkbox("active", "Organisation active", organisation.active));

  Data sites = List();
  Data users = List();
  if (!is_new) {
    identity::SiteQuery site_query;
    site_query.organisation_id = organisation.id;
    auto found = c.services.identity.ListSites(site_query);
    if (!found) return ErrorResponse(c, request, found.error());
    for (const Site& s : *found) {
      Data item = Object();
      item.set("id", std::to_string(s.id));
      item.set("name", s.name);
      item.set("address", s.address);
      item.set("commune_code", s.commune_code);
      item.set("active", s.active);
      sites.push_back(item);
    }
    d.set("has_sites", !found->empty());
    if (Allowed(caller, Action::kUsersRead)) {
      identity::UserQuery user_query;
      user_query.organisation_id = organisation.id;
      auto people = c.services.identity.ListUsers(user_query);
      if (!people) return ErrorResponse(c, request, people.error());
      for (const identity::User& u : *people) {
        Data item = Object();
        item.set("id", std::to_string(u.id));
        item.set("name", u.display_name);
        std::string roles;
        for (const identity::Membership& m : u.memberships) {
          if (m.organisation_id != organisation.id) continue;
          if (!roles.empty()) roles += ", ";
          roles += identity::RoleLabel(m.role);
        }
        item.set("roles", roles);
        item.set("disabled", u.disabled);
        users.push_back(item);
      }
      d.set("has_users", !people->empty());
    } else {
      d.set("has_users", false);
    }
  } else {
    d.set("has_sites", false);
    d.set("has_users", false);
  }
  d.set("sites", sites);
  d.set("users", users);
  d.set("can_read_users", Allowed(caller, Action::kUsersRead));
  const std::string title = is_new ? "Nouvelle organisation" : organisation.name;
  return c.renderer.Page(status, caller, {title, request.path, NoticeFromQuery(request)},
                         "organisation", std::move(d));
}

Organisation OrganisationFromForm(const http::FormData& form) {
  Organisation o;
  o.name = std::string(text::Trim(form.GetOr("name")));
  o.kind = form.GetOr("kind");
  o.siret = std::string(text::Trim(form.GetOr("siret")));
  o.active = form.Has("active");
  return o;
}

Response OrganisationNew(PageContext& c, Request& request) {
  return OrganisationPage(c, request, 200, Organisation{}, {});
}

Response OrganisationCreate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  Organisation organisation = OrganisationFromForm(*form);
  organisation.active = true;
  auto created = c.services.organisations.Create(organisation, caller.audit);
  if (!created) {
    return FormFailure(c, request, created.error(), [&](int status, const FormErrors& errors) {
      return OrganisationPage(c, request, status, organisation, errors);
    });
  }
  return Response::Redirect("/admin/organisations/" + std::to_string(created->id) + "?fait=cree");
}

Result<Organisation> FindOrganisation(PageContext& c, const Request& request) {
  return FindByPathId<Organisation>(request, "Cette organisation n'existe pas.", [&](auto id) {
    return c.services.identity.FindOrganisation(id);
  });
}

Response OrganisationShow(PageContext& c, Request& request) {
  auto organisation = FindOrganisation(c, request);
  if (!organisation) return ErrorResponse(c, request, organisation.error());
  return OrganisationPage(c, request, 200, *organisation, {});
}

Response OrganisationUpdate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto existing = FindOrganisation(c, request);
  if (!existing) return ErrorResponse(c, request, existing.error());
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  Organisation organisation = OrganisationFromForm(*form);
  organisation.id = existing->id;
  organisation.created_at = existing->created_at;
  auto updated = c.services.organisations.Update(organisation, caller.audit);
  if (!updated) {
    return FormFailure(c, request, updated.error(), [&](int status, const FormErrors& errors) {
      return OrganisationPage(c, request, status, organisation, errors);
    });
  }
  return Response::Redirect("/admin/organisations/" + std::to_string(organisation.id) +
                            "?fait=enregistre");
}

// ---- Sites ----

// Latitude or longitude in decimal degrees, with a point or a French comma.
std::optional<double> ParseCoordinate(std::string_view text) {
  std::string s(text::Trim(text));
  for (char& ch : s) {
    if (ch == ',') ch = '.';
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::string CoordinateText(const std::optional<double>& value) {
  if (!value) return {};
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *value);
  if (ec != std::errc()) return {};
  std::string s(buf, end);
  for (char& ch : s) {
    if (ch == '.') ch = ',';
  }
  return s;
}

// The site from the form; coordinates that are not numbers are reported in `errors`.
Site SiteFromForm(const http::FormData& form, FormErrors& errors) {
  Site s;
  if (auto id = ParseId(form.GetOr("organisation_id"))) s.organisation_id = *id;
  s.name = std::string(text::Trim(form.GetOr("name")));
  s.address = std::string(text::Trim(form.GetOr("address")));
  s.commune_code = std::string(text::Trim(form.GetOr("commune_code")));
  for (char& ch : s.commune_code) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');  // "2a004" → "2A004"
  }
  s.active = form.Has("active");
  const std::string latitude(text::Trim(form.GetOr("latitude")));
  const std::string longitude(text::Trim(form.GetOr("longitude")));
  if (!latitude.empty()) {
    s.latitude = ParseCoordinate(latitude);
    if (!s.latitude)
      errors.Add("latitude", "La latitude doit être un nombre, par exemple 48,1113.");
  }
  if (!longitude.empty()) {
    s.longitude = ParseCoordinate(longitude);
    if (!s.longitude) {
      errors.Add("longitude", "La longitude doit être un nombre, par exemple -1,68.");
    }
  }
  return s;
}

Response SiteList(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const ListSearch search = ListSearchOf(request);
  identity::SiteQuery query;
  query.text = search.text;
  query.organisation_id = search.organisation_id;
  auto sites = c.services.identity.ListSites(query);
  if (!sites) return ErrorResponse(c, request, sites.error());
  auto options = OrganisationOptions(c.services);
  if (!options) return ErrorResponse(c, request, options.error());
  std::map<std::string, std::string> names;
  for (const Option& o : *options) names[o.value] = o.label;

  Data d = Object();
  d.set("q", query.text);
  d.set("can_write", Allowed(caller, Action::kOrganisationsWrite));
  d.set("organisation_filter", OrganisationFilter(search, *options));
  Data list = List();
  for (const Site& s : *sites) {
    Data item = Object();
    item.set("id", std::to_string(s.id));
    item.set("name", s.name);
    item.set("organisation", names[std::to_string(s.organisation_id)]);
    item.set("address", s.address);
    item.set("commune_code", s.commune_code);
    item.set("active", s.active);
    list.push_back(item);
  }
  d.set("sites", list);
  d.set("count", std::to_string(sites->size()));
  d.set("empty", sites->empty());
  return c.renderer.Page(200, caller, {"Lieux d'accueil", request.path, NoticeFromQuery(request)},
                         "sites", std::move(d));
}

Response SitePage(PageContext& c, const Request& request, int status, const Site& site,
                  const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  const bool is_new = site.id == 0;
  auto options = OrganisationOptions(c.services);
  if (!options) return ErrorResponse(c, request, options.error());
  std::string organisation_name;
  for (const Option& o : *options) {
    if (o.value == std::to_string(site.organisation_id)) organisation_name = o.label;
  }
  Data d = Object();
  d.set("form", errors.Summary());
  d.set("is_new", is_new);
  d.set("can_write", Allowed(caller, Action::kOrganisationsWrite));
  d.set("action", is_new ? std::string("/admin/sites") : "/admin/sites/" + std::to_string(site.id));
  d.set("organisation_id", std::to_string(site.organisation_id));
  d.set("organisation_name", organisation_name);
  d.set("name_value", site.name);
  d.set("address_value", site.address.empty() ? std::string("Non renseignée") : site.address);
  d.set("commune_value", site.commune_code);
  d.set("has_coordinates", site.latitude.has_value() && site.longitude.has_value());
  d.set("coordinates_value",
        CoordinateText(site.latitude) + " ; " + CoordinateText(site.longitude));
  d.set("is_active", site.active);
  const std::string selected = site.organisation_id ? std::to_string(site.organisation_id) : "";
  d.set("organisation", Select({.name = "organisation_id",
                                .label = "Organisation",
                                .options = *options,
                                .selected = {selected},
                                .empty_label = "Choisir une organisation",
                                .required = true},
                               errors));
  d.set("name",
        Field({.name = "name", .label = "Nom du lieu", .value = site.name, .required = true},
              errors));
  d.set("address", Field({.name = "address",
                          .label = "Adresse (facultatif)",
                          .value = site.address,
                          .autocomplete = "off"},
                         errors));
  d.set("commune_code", Field({.name = "commune_code",
                               .label = "Code commune INSEE",
                               .value = site.commune_code,
                               .hint = "5 caractères, par exemple 35238 pour Rennes (ce n'est pas "
                                       "le code postal).",
                               .required = true},
                              errors));
  d.set("latitude", Field({.name = "latitude",
                           .label = "Latitude (facultatif)",
                           .value = CoordinateText(site.latitude),
                           .hint = "En degrés décimaux, par exemple 48,1113.",
                           .inputmode = "decimal"},
                          errors));
  d.set("longitude", Field({.name = "longitude",
                            .label = "Longitude (facultatif)",
                            .value = CoordinateText(site.longitude),
                            .hint = "En degrés décimaux, par exemple -1,68.",
                            .inputmode = "decimal"},
                           errors));
  d.set("active", Checkbox("active", "Lieu ouvert", site.active));
  const std::string title = is_new ? "Nouveau lieu d'accueil" : site.name;
  return c.renderer.Page(status, caller, {title, request.path, NoticeFromQuery(request)}, "site",
                         std::move(d));
}

Response SiteNew(PageContext& c, Request& request) {
  Site site;
  if (auto id = ParseId(request.query.GetOr("organisation_id"))) site.organisation_id = *id;
  return SitePage(c, request, 200, site, {});
}

Response SiteCreate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  FormErrors errors;
  Site site = SiteFromForm(*form, errors);
  site.active = true;
  if (site.organisation_id == 0) {
    errors.Add("organisation_id", "Choisissez l'organisation dont dépend le lieu.");
  }
  if (!errors.empty()) return SitePage(c, request, 422, site, errors);
  auto created = c.services.organisations.CreateSite(site, caller.audit);
  if (!created) {
    return FormFailure(c, request, created.error(), [&](int status, const FormErrors& errors) {
      return SitePage(c, request, status, site, errors);
    });
  }
  return Response::Redirect("/admin/sites/" + std::to_string(created->id) + "?fait=cree");
}

Result<Site> FindSite(PageContext& c, const Request& request) {
  return FindByPathId<Site>(request, "Ce lieu n'existe pas.",
                            [&](auto id) { return c.services.identity.FindSite(id); });
}

Response SiteShow(PageContext& c, Request& request) {
  auto site = FindSite(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  return SitePage(c, request, 200, *site, {});
}

Response SiteUpdate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto existing = FindSite(c, request);
  if (!existing) return ErrorResponse(c, request, existing.error());
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  FormErrors errors;
  Site site = SiteFromForm(*form, errors);
  site.id = existing->id;
  site.organisation_id = existing->organisation_id;  // a site does not change organisation
  if (!errors.empty()) return SitePage(c, request, 422, site, errors);
  auto updated = c.services.organisations.UpdateSite(site, caller.audit);
  if (!updated) {
    return FormFailure(c, request, updated.error(), [&](int status, const FormErrors& errors) {
      return SitePage(c, request, status, site, errors);
    });
  }
  return Response::Redirect("/admin/sites/" + std::to_string(site.id) + "?fait=enregistre");
}

}  // namespace

void RegisterOrganisationPages(http::Router& router, const std::shared_ptr<PageContext>& context) {
  constexpr char kRead[] = "organisations.read";
  constexpr char kWrite[] = "organisations.write";
  router.Add(Method::kGet, "/admin/organisations", RouteKind::kPage, kRead,
             Bind(context, OrganisationList));
  router.Add(Method::kGet, "/admin/organisations/nouvelle", RouteKind::kPage, kWrite,
             Bind(context, OrganisationNew));
  router.Add(Method::kPost, "/admin/organisations", RouteKind::kPage, kWrite,
             Bind(context, OrganisationCreate));
  router.Add(Method::kGet, "/admin/organisations/{id}", RouteKind::kPage, kRead,
             Bind(context, OrganisationShow));
  router.Add(Method::kPost, "/admin/organisations/{id}", RouteKind::kPage, kWrite,
             Bind(context, OrganisationUpdate));
  router.Add(Method::kGet, "/admin/sites", RouteKind::kPage, kRead, Bind(context, SiteList));
  router.Add(Method::kGet, "/admin/sites/nouveau", RouteKind::kPage, kWrite,
             Bind(context, SiteNew));
  router.Add(Method::kPost, "/admin/sites", RouteKind::kPage, kWrite, Bind(context, SiteCreate));
  router.Add(Method::kGet, "/admin/sites/{id}", RouteKind::kPage, kRead, Bind(context, SiteShow));
  router.Add(Method::kPost, "/admin/sites/{id}", RouteKind::kPage, kWrite,
             Bind(context, SiteUpdate));
}

}  // namespace pasip::web
