// Administration of user accounts: list and search, creation, edition of the name, e-mail
// and roles, disabling and re-enabling, provisional password, second-factor reset. The
// account service validates and audits every change.
#include <map>

#include "core/text.h"
#include "web/pages.h"

namespace pasip::web {
namespace {

using identity::Action;
using identity::Membership;
using identity::User;

constexpr char kUsers[] = "/admin/utilisateurs";

std::vector<Option> RoleOptions() {
  std::vector<Option> options;
  for (identity::Role role : identity::kAllRoles) {
    options.push_back(
        {std::string(identity::RoleName(role)), std::string(identity::RoleLabel(role))});
  }
  return options;
}

// Organisations and sites offered in the forms, and organisation names by id.
struct Choices {
  std::vector<Option> organisations;
  std::vector<Option> sites;
  std::map<identity::OrganisationId, std::string> organisation_names;
};

Result<Choices> LoadChoices(Services& services) {
  PASIP_ASSIGN_OR_RETURN(organisations, services.identity.ListOrganisations({}));
  PASIP_ASSIGN_OR_RETURN(sites, services.identity.ListSites({}));
  Choices choices;
  for (const identity::Organisation& o : organisations) {
    choices.organisation_names[o.id] = o.name;
    choices.organisations.push_back(OrganisationOption(o));
  }
  for (const identity::Site& s : sites) {
    choices.sites.push_back({std::to_string(s.id),
                             s.name + " (" + choices.organisation_names[s.organisation_id] + ")"});
  }
  return choices;
}

std::string RolesText(const User& user,
                      const std::map<identity::OrganisationId, std::string>& names) {
  std::string out;
  for (const Membership& m : user.memberships) {
    if (!out.empty()) out += " ; ";
    const auto it = names.find(m.organisation_id);
    out += std::string(identity::RoleLabel(m.role)) + " — " +
           (it != names.end() ? it->second : std::string("organisation inconnue"));
  }
  return out.empty() ? std::string("Aucun rôle") : out;
}

std::vector<identity::SiteId> SiteIds(const std::vector<std::string>& values) {
  std::vector<identity::SiteId> ids;
  for (const std::string& v : values) {
    if (auto id = ParseId(v)) ids.push_back(*id);
  }
  return ids;
}

std::vector<std::string> SiteValues(const Membership& m) {
  std::vector<std::string> values;
  for (identity::SiteId id : m.site_ids) values.push_back(std::to_string(id));
  return values;
}

// The `email` and `display_name` fields of the creation and edit forms.
void SetEmailAndNameFields(Data& d, const std::string& email, const std::string& display_name,
                           std::string name_hint, const FormErrors& errors) {
  d.set("email", Field({.name = "email",
                        .label = "Adresse e-mail",
                        .value = email,
                        .type = "email",
                        .autocomplete = "off",
                        .required = true},
                       errors));
  d.set("display_name", Field({.name = "display_name",
                               .label = "Nom affiché",
                               .value = display_name,
                               .autocomplete = "off",
                               .hint = std::move(name_hint),
                               .required = true},
                              errors));
}

// ---- List ----

Response UserList(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const ListSearch search = ListSearchOf(request);
  identity::UserQuery query;
  query.text = search.text;
  query.organisation_id = search.organisation_id;
  auto users = c.services.identity.ListUsers(query);
  if (!users) return ErrorResponse(c, request, users.error());
  auto choices = LoadChoices(c.services);
  if (!choices) return ErrorResponse(c, request, choices.error());

  Data d = Object();
  d.set("q", query.text);
  d.set("can_write", Allowed(caller, Action::kUsersWrite));
  d.set("organisation_filter", OrganisationFilter(search, choices->organisations));
  Data list = List();
  for (const User& u : *users) {
    Data item = Object();
    item.set("id", std::to_string(u.id));
    item.set("name", u.display_name);
    item.set("email", u.email);
    item.set("roles", RolesText(u, choices->organisation_names));
    item.set("has_totp", u.HasTotp());
    item.set("disabled", u.disabled);
    list.push_back(item);
  }
  d.set("users", list);
  d.set("count", std::to_string(users->size()));
  d.set("empty", users->empty());
  d.set("limited", static_cast<int>(users->size()) >= query.limit);
  return c.renderer.Page(200, caller, {"Comptes", request.path, NoticeFromQuery(request)}, "users",
                         std::move(d));
}

// ---- Creation ----

struct NewUserForm {
  identity::NewUser user;
  std::string organisation_id;
  std::string role;
  std::vector<std::string> site_ids;
};

Response NewUserPage(PageContext& c, const Request& request, int status, const NewUserForm& form,
                     const FormErrors& errors) {
  auto choices = LoadChoices(c.services);
  if (!choices) return ErrorResponse(c, request, choices.error());
  Data d = Object();
  d.set("form", errors.Summary());
  SetEmailAndNameFields(d, form.user.email, form.user.display_name,
                        "Le prénom et le nom, tels que les collègues les voient.", errors);
  d.set("password", Field({.name = "password",
                           .label = "Mot de passe provisoire",
                           .type = "password",
                           .autocomplete = "new-password",
                           .hint = "Au moins 12 caractères. Transmettez-le à la personne par un "
                                   "moyen sûr ; elle pourra le changer dans « Mon compte ».",
                           .required = true},
                          errors));
  d.set("organisation", Select({.name = "organisation_id",
                                .label = "Organisation",
                                .options = choices->organisations,
                                .selected = {form.organisation_id},
                                .empty_label = "Choisir une organisation",
                                .required = true},
                               errors));
  d.set("role", Select({.name = "role",
                        .label = "Rôle",
                        .options = RoleOptions(),
                        .selected = {form.role},
                        .empty_label = "Choisir un rôle",
                        .required = true},
                       errors));
  d.set("sites", Select({.name = "site_ids",
                         .label = "Lieux d'exercice (facultatif)",
                         .options = choices->sites,
                         .selected = form.site_ids,
                         .hint = "Sans choix, la personne travaille dans tous les lieux de son "
                                 "organisation. Pour en choisir plusieurs, maintenez la touche "
                                 "Ctrl enfoncée.",
                         .multiple = true},
                        errors));
  return c.renderer.Page(status, CallerOf(request), {"Créer un compte", request.path, {}},
                         "user_new", std::move(d));
}

Response UserNew(PageContext& c, Request& request) { return NewUserPage(c, request, 200, {}, {}); }

Response UserCreate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto body = request.Form();
  if (!body) return ErrorResponse(c, request, body.error());
  NewUserForm form;
  form.user.email = body->GetOr("email");
  form.user.display_name = body->GetOr("display_name");
  form.user.password = body->GetOr("password");
  form.organisation_id = body->GetOr("organisation_id");
  form.role = body->GetOr("role");
  form.site_ids = body->GetAll("site_ids");

  FormErrors errors;
  // The service stops at the first error; check the simple fields here too so that the
  // person sees every mistake at once, in the order of the form.
  const std::string_view email = text::Trim(form.user.email);
  if (email.empty()) {
    errors.Add("email", "Indiquez une adresse e-mail.");
  } else if (!text::LooksLikeEmail(email)) {
    errors.Add("email", "L'adresse e-mail n'est pas valide.");
  }
  if (text::Trim(form.user.display_name).empty()) errors.Add("display_name", "Indiquez un nom.");
  if (auto valid = identity::AccountService::ValidatePassword(form.user.password, "password");
      !valid) {
    errors.Add(valid.error());
  }
  const auto organisation_id = ParseId(form.organisation_id);
  const auto role = identity::ParseRole(form.role);
  if (!organisation_id) errors.Add("organisation_id", "Choisissez l'organisation de la personne.");
  if (!role) errors.Add("role", "Choisissez le rôle de la personne.");
  if (!errors.empty()) return NewUserPage(c, request, 422, form, errors);

  form.user.memberships.push_back({*organisation_id, *role, SiteIds(form.site_ids)});
  auto created = c.services.accounts.CreateUser(form.user, caller.audit);
  if (!created) {
    return FormFailure(c, request, created.error(), [&](int status, const FormErrors& errors) {
      return NewUserPage(c, request, status, form, errors);
    });
  }
  return Response::Redirect(std::string(kUsers) + "/" + std::to_string(created->id) + "?fait=cree");
}

// ---- One account ----

Result<User> FindUser(PageContext& c, const Request& request) {
  return FindByPathId<User>(request, "Ce compte n'existe pas.",
                            [&](auto id) { return c.services.identity.FindUser(id); });
}

// The account's page; `user` carries the values to show in the edit form (the stored ones,
// or those just submitted when they were refused).
Response UserPage(PageContext& c, const Request& request, int status, const User& user,
                  const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  auto choices = LoadChoices(c.services);
  if (!choices) return ErrorResponse(c, request, choices.error());
  const std::string base = std::string(kUsers) + "/" + std::to_string(user.id);
  Data d = Object();
  d.set("form", errors.Summary());
  d.set("base", base);
  d.set("can_write", Allowed(caller, Action::kUsersWrite));
  d.set("can_audit", Allowed(caller, Action::kAuditRead));
  d.set("id", std::to_string(user.id));
  d.set("disabled", user.disabled);
  d.set("is_self", user.id == caller.principal.user_id);
  d.set("has_totp", user.HasTotp());
  d.set("totp_required", user.RequiresSecondFactor());
  d.set("created", FormatParis(user.created_at));
  d.set("email_value", user.email);
  d.set("roles_text", RolesText(user, choices->organisation_names));
  SetEmailAndNameFields(d, user.email, user.display_name, "", errors);

  // One row per role held, and an empty row to add one.
  Data rows = List();
  const std::size_t count = user.memberships.size() + 1;
  for (std::size_t i = 0; i < count; ++i) {
    const bool existing = i < user.memberships.size();
    const Membership m = existing ? user.memberships[i] : Membership{};
    const std::string suffix = "_" + std::to_string(i);
    Data row = Object();
    row.set("legend",
            existing ? "Rôle n° " + std::to_string(i + 1) : std::string("Ajouter un rôle"));
    row.set("organisation",
            Select({.name = "organisation_id" + suffix,
                    .label = "Organisation",
                    .options = choices->organisations,
                    .selected = {existing ? std::to_string(m.organisation_id) : std::string()},
                    .empty_label = existing ? "Aucune : retirer ce rôle" : "Aucune"},
                   errors));
    row.set(
        "role",
        Select({.name = "role" + suffix,
                .label = "Rôle",
                .options = RoleOptions(),
                .selected = {existing ? std::string(identity::RoleName(m.role)) : std::string()},
                .empty_label = "Choisir un rôle"},
               errors));
    row.set("sites", Select({.name = "site_ids" + suffix,
                             .label = "Lieux d'exercice (facultatif)",
                             .options = choices->sites,
                             .selected = SiteValues(m),
                             .hint = "Sans choix : tous les lieux de l'organisation.",
                             .multiple = true},
                            errors));
    rows.push_back(row);
  }
  d.set("rows", rows);
  d.set("row_count", std::to_string(count));
  d.set("reset_password", Field({.name = "password",
                                 .label = "Nouveau mot de passe provisoire",
                                 .type = "password",
                                 .autocomplete = "new-password",
                                 .hint = "Au moins 12 caractères. Les sessions ouvertes de la "
                                         "personne seront fermées.",
                                 .required = true},
                                errors));
  return c.renderer.Page(status, caller,
                         {user.display_name, request.path, NoticeFromQuery(request)}, "user",
                         std::move(d));
}

Response UserShow(PageContext& c, Request& request) {
  auto user = FindUser(c, request);
  if (!user) return ErrorResponse(c, request, user.error());
  return UserPage(c, request, 200, *user, {});
}

// Re-renders the account page with `error` when it concerns the form, else an error page.
Response AfterFailure(PageContext& c, const Request& request, const User& shown,
                      const Error& error) {
  // Membership errors name the creation form's fields; here they go in the summary only.
  Error summary_error = error;
  if (error.field == "organisation_id" || error.field == "site_ids") summary_error.field.clear();
  return FormFailure(c, request, summary_error, [&](int status, const FormErrors& errors) {
    return UserPage(c, request, status, shown, errors);
  });
}

Response UserUpdate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto user = FindUser(c, request);
  if (!user) return ErrorResponse(c, request, user.error());
  auto body = request.Form();
  if (!body) return ErrorResponse(c, request, body.error());

  User shown = *user;
  shown.email = body->GetOr("email");
  shown.display_name = body->GetOr("display_name");
  shown.memberships.clear();
  FormErrors errors;
  const auto rows = ParseId(body->GetOr("rows")).value_or(0);
  for (std::int64_t i = 0; i < std::min<std::int64_t>(rows, 50); ++i) {
    const std::string suffix = "_" + std::to_string(i);
    const auto organisation_id = ParseId(body->GetOr("organisation_id" + suffix));
    if (!organisation_id) continue;  // "Aucune": the row is removed or left empty
    const auto role = identity::ParseRole(body->GetOr("role" + suffix));
    if (!role) {
      errors.Add("role" + suffix, "Choisissez le rôle pour cette organisation.");
      continue;
    }
    shown.memberships.push_back(
        {*organisation_id, *role, SiteIds(body->GetAll("site_ids" + suffix))});
  }
  if (!errors.empty()) return UserPage(c, request, 422, shown, errors);
  auto updated = c.services.accounts.UpdateUser(user->id, shown.email, shown.display_name,
                                                shown.memberships, caller.audit);
  if (!updated) return AfterFailure(c, request, shown, updated.error());
  return Response::Redirect(std::string(kUsers) + "/" + std::to_string(user->id) +
                            "?fait=enregistre");
}

Response SetDisabled(PageContext& c, Request& request, bool disabled) {
  const identity::Caller& caller = CallerOf(request);
  auto user = FindUser(c, request);
  if (!user) return ErrorResponse(c, request, user.error());
  auto done = c.services.accounts.SetDisabled(user->id, disabled, caller.audit);
  if (!done) return AfterFailure(c, request, *user, done.error());
  return Response::Redirect(std::string(kUsers) + "/" + std::to_string(user->id) +
                            (disabled ? "?fait=desactive" : "?fait=reactive"));
}

Response UserDisable(PageContext& c, Request& request) { return SetDisabled(c, request, true); }
Response UserEnable(PageContext& c, Request& request) { return SetDisabled(c, request, false); }

Response UserResetPassword(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto user = FindUser(c, request);
  if (!user) return ErrorResponse(c, request, user.error());
  auto body = request.Form();
  if (!body) return ErrorResponse(c, request, body.error());
  auto done = c.services.accounts.ResetPassword(user->id, body->GetOr("password"), caller.audit);
  if (!done) return AfterFailure(c, request, *user, done.error());
  return Response::Redirect(std::string(kUsers) + "/" + std::to_string(user->id) +
                            "?fait=mot-de-passe-provisoire");
}

Response UserResetSecondFactor(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto user = FindUser(c, request);
  if (!user) return ErrorResponse(c, request, user.error());
  auto done = c.services.accounts.ResetSecondFactor(user->id, caller.audit);
  if (!done) return AfterFailure(c, request, *user, done.error());
  return Response::Redirect(std::string(kUsers) + "/" + std::to_string(user->id) +
                            "?fait=second-facteur-reinitialise");
}

}  // namespace

void RegisterUserPages(http::Router& router, const std::shared_ptr<PageContext>& context) {
  constexpr char kRead[] = "users.read";
  constexpr char kWrite[] = "users.write";
  router.Add(Method::kGet, kUsers, RouteKind::kPage, kRead, Bind(context, UserList));
  router.Add(Method::kGet, "/admin/utilisateurs/nouveau", RouteKind::kPage, kWrite,
             Bind(context, UserNew));
  router.Add(Method::kPost, kUsers, RouteKind::kPage, kWrite, Bind(context, UserCreate));
  router.Add(Method::kGet, "/admin/utilisateurs/{id}", RouteKind::kPage, kRead,
             Bind(context, UserShow));
  router.Add(Method::kPost, "/admin/utilisateurs/{id}", RouteKind::kPage, kWrite,
             Bind(context, UserUpdate));
  router.Add(Method::kPost, "/admin/utilisateurs/{id}/desactiver", RouteKind::kPage, kWrite,
             Bind(context, UserDisable));
  router.Add(Method::kPost, "/admin/utilisateurs/{id}/reactiver", RouteKind::kPage, kWrite,
             Bind(context, UserEnable));
  router.Add(Method::kPost, "/admin/utilisateurs/{id}/mot-de-passe", RouteKind::kPage, kWrite,
             Bind(context, UserResetPassword));
  router.Add(Method::kPost, "/admin/utilisateurs/{id}/second-facteur", RouteKind::kPage, kWrite,
             Bind(context, UserResetSecondFactor));
}

}  // namespace pasip::web
