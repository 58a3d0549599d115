// The public home page, sign-in, second factor (check and enrolment), sign-out and the
// dashboard.
#include <map>

#include "domain/identity/totp.h"
#include "http/cookie.h"
#include "web/pages.h"
#include "web/qr.h"

namespace pasip::web {
namespace {

// Sets the session cookie (`__Host-`, Secure unless configured otherwise, HttpOnly, Lax).
void SetSessionCookie(PageContext& c, Response& response, const std::string& token) {
  http::CookieSpec cookie;
  cookie.name = kSessionCookie;
  cookie.value = token;
  cookie.http_only = true;
  cookie.secure = c.renderer.options().secure_cookies;
  cookie.same_site = "Lax";
  response.headers.emplace("Set-Cookie", http::SetCookieValue(cookie));
}

constexpr char kDashboard[] = "/tableau-de-bord";
constexpr char kSecondFactorCheck[] = "/connexion/second-facteur";
constexpr char kEnrolment[] = "/compte/second-facteur/activation";
constexpr std::size_t kHomeSitesShown = 100;

// `path` followed by ?retour=… when a return path was given.
std::string WithReturn(std::string_view path, const std::optional<std::string>& retour) {
  std::string out(path);
  if (retour) out += "?retour=" + UrlEncode(*retour);
  return out;
}

std::optional<std::string> ReturnOf(const Request& request) {
  if (request.method == Method::kPost) {
    auto form = request.Form();
    if (form) return SafeReturnPath(form->GetOr("retour"));
    return std::nullopt;
  }
  return SafeReturnPath(request.query.GetOr("retour"));
}

void SetReturn(Data& data, const std::optional<std::string>& retour) {
  data.set("has_retour", retour.has_value());
  data.set("retour", retour.value_or(""));
}

// ---- Home ----

Response Home(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  Data d = Object();
  d.set("deployment_name", c.renderer.options().deployment_name);
  d.set("signed_in", caller.signed_in());

  // The sites of the network, so that a visitor knows where to go until the finder exists.
  Data sites = List();
  std::size_t shown = 0;
  auto organisations = c.services.identity.ListOrganisations({});
  auto found = c.services.identity.ListSites({});
  if (found && organisations) {
    std::map<identity::OrganisationId, std::string> names;
    for (const identity::Organisation& o : *organisations) {
      if (o.active) names[o.id] = o.name;
    }
    for (const identity::Site& site : *found) {
      if (!site.active || !names.contains(site.organisation_id)) continue;
      if (++shown > kHomeSitesShown) break;
      Data item = Object();
      item.set("name", site.name);
      item.set("organisation", names[site.organisation_id]);
      item.set("has_address", !site.address.empty());
      item.set("address", site.address);
      sites.push_back(item);
    }
  }
  d.set("has_sites", shown > 0);
  d.set("sites", sites);
  d.set("finder", FinderFormData(c, request));
  return c.renderer.Page(200, caller, {"Un accueil social près de chez vous", request.path, {}},
                         "home", std::move(d));
}

// ---- Sign-in ----

Response SignInForm(PageContext& c, const Request& request, int status, std::string_view email,
                    const std::optional<std::string>& retour, const FormErrors& errors) {
  Data d = Object();
  d.set("form", errors.Summary());
  SetReturn(d, retour);
  d.set("email", Field({.name = "email",
                        .label = "Adresse e-mail",
                        .value = std::string(email),
                        .type = "email",
                        .autocomplete = "username",
                        .required = true},
                       errors));
  d.set("password", Field({.name = "password",
                           .label = "Mot de passe",
                           .type = "password",
                           .autocomplete = "current-password",
                           .required = true},
                          errors));
  return c.renderer.Page(status, CallerOf(request), {"Connexion", request.path, {}}, "sign_in",
                         std::move(d));
}

Response SignInGet(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const std::optional<std::string> retour = ReturnOf(request);
  if (caller.signed_in() && !caller.principal.SecondFactorPending()) {
    return Response::Redirect(retour.value_or(kDashboard));
  }
  return SignInForm(c, request, 200, "", retour, {});
}

Response SignInPost(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  const std::optional<std::string> retour = SafeReturnPath(form->GetOr("retour"));

  identity::SignInRequest sign_in;
  sign_in.email = form->GetOr("email");
  sign_in.password = form->GetOr("password");
  sign_in.remote_address = request.remote_address;
  sign_in.user_agent = std::string(request.Header("User-Agent"));
  auto result = c.services.accounts.SignIn(sign_in, caller.audit);
  if (!result) {
    return FormFailure(c, request, result.error(), [&](int status, const FormErrors& errors) {
      return SignInForm(c, request, status, sign_in.email, retour, errors);
    });
  }
  // A new session replaces the one this browser may still hold (new id at every sign-in).
  if (!caller.token.empty()) (void)c.services.accounts.SignOut(caller.token, caller.audit);

  std::string destination = retour.value_or(kDashboard);
  if (result->enrolment_pending) {
    destination = WithReturn(kEnrolment, retour);
  } else if (result->second_factor_pending) {
    destination = WithReturn(kSecondFactorCheck, retour);
  }
  Response response = Response::Redirect(destination);
  SetSessionCookie(c, response, result->token);
  return response;
}

// ---- Second factor: check ----
// Passing the second factor replaces the session (AccountService::VerifySecondFactor): the
// answer carries the new cookie.

Data CodeField(const FormErrors& errors, std::string hint) {
  return Field({.name = "code",
                .label = "Code à 6 chiffres",
                .autocomplete = "one-time-code",
                .hint = std::move(hint),
                .inputmode = "numeric",
                .required = true},
               errors);
}

Response SecondFactorForm(PageContext& c, const Request& request, int status,
                          const std::optional<std::string>& retour, const FormErrors& errors) {
  Data d = Object();
  d.set("form", errors.Summary());
  SetReturn(d, retour);
  d.set("code", CodeField(errors,
                          "Le code affiché par votre application d'authentification. Si vous "
                          "n'avez plus votre téléphone, saisissez un de vos codes de secours "
                          "(forme xxxx-xxxx)."));
  return c.renderer.Page(status, CallerOf(request),
                         {"Vérification en deux étapes", request.path, {}}, "second_factor",
                         std::move(d));
}

Response SecondFactorGet(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const std::optional<std::string> retour = ReturnOf(request);
  if (!caller.signed_in()) return Response::Redirect("/connexion");
  if (!caller.auth->user.HasTotp()) return Response::Redirect(WithReturn(kEnrolment, retour));
  if (caller.auth->session.second_factor_verified) {
    return Response::Redirect(retour.value_or(kDashboard));
  }
  return SecondFactorForm(c, request, 200, retour, {});
}

Response SecondFactorPost(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  if (!caller.signed_in()) return Response::Redirect("/connexion");
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  const std::optional<std::string> retour = SafeReturnPath(form->GetOr("retour"));
  identity::AuthenticatedSession auth = *caller.auth;
  auto verified = c.services.accounts.VerifySecondFactor(auth, form->GetOr("code"), caller.audit);
  if (!verified) {
    const Error& error = verified.error();
    if (error.code == ErrorCode::kFailedPrecondition) {
      return Response::Redirect(WithReturn(kEnrolment, retour));
    }
    return FormFailure(c, request,
                       error.field.empty() ? Error{error.code, error.message, "code"} : error,
                       [&](int status, const FormErrors& errors) {
                         return SecondFactorForm(c, request, status, retour, errors);
                       });
  }
  Response response = Response::Redirect(retour.value_or(kDashboard));
  SetSessionCookie(c, response, *verified);
  return response;
}

// ---- Second factor: enrolment ----

// "ABCD EFGH …": easier to copy by hand; the spaces are ignored by authenticator apps.
std::string GroupByFour(std::string_view secret) {
  std::string out;
  for (std::size_t i = 0; i < secret.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back(' ');
    out.push_back(secret[i]);
  }
  return out;
}

Response EnrolmentForm(PageContext& c, const Request& request, int status,
                       const std::string& secret, const std::optional<std::string>& retour,
                       const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  const Options& options = c.renderer.options();
  auto svg = QrCodeSvg(identity::TotpUri(options.deployment_name, caller.auth->user.email, secret),
                       "QR code à scanner avec votre application d'authentification");
  if (!svg) return ErrorResponse(c, request, svg.error());
  Data d = Object();
  d.set("form", errors.Summary());
  SetReturn(d, retour);
  d.set("qr_svg", *svg);
  d.set("secret", secret);
  d.set("secret_grouped", GroupByFour(secret));
  d.set("replacing", caller.auth->user.HasTotp());
  d.set("code",
        CodeField(errors, "Le code que votre application affiche après l'ajout du compte."));
  return c.renderer.Page(status, caller,
                         {"Activer la vérification en deux étapes", request.path, {}}, "totp_enrol",
                         std::move(d));
}

Response EnrolmentGet(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const std::optional<std::string> retour = ReturnOf(request);
  if (!caller.signed_in()) return Response::Redirect("/connexion");
  if (caller.auth->user.HasTotp() && !caller.auth->session.second_factor_verified) {
    return Response::Redirect(WithReturn(kSecondFactorCheck, retour));
  }
  return EnrolmentForm(c, request, 200, identity::NewTotpSecret(), retour, {});
}

Response EnrolmentPost(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  if (!caller.signed_in()) return Response::Redirect("/connexion");
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  const std::optional<std::string> retour = SafeReturnPath(form->GetOr("retour"));
  std::string secret = form->GetOr("secret");
  identity::AuthenticatedSession auth = *caller.auth;
  auto enrolled =
      c.services.accounts.ConfirmTotpEnrolment(auth, secret, form->GetOr("code"), caller.audit);
  if (!enrolled) {
    const Error& error = enrolled.error();
    if (error.code == ErrorCode::kFailedPrecondition) {
      return Response::Redirect(WithReturn(kSecondFactorCheck, retour));
    }
    if (!IsFormError(error)) return ErrorResponse(c, request, error);
    FormErrors errors;
    if (error.field == "code") {
      errors.Add(error);
    } else {
      // The hidden key was altered: start again with a new one.
      errors.Add("", error.message + " Une nouvelle clé vous est proposée.");
      secret = identity::NewTotpSecret();
    }
    return EnrolmentForm(c, request, FormErrorStatus(error), secret, retour, errors);
  }
  Data d = Object();
  Data list = List();
  for (const std::string& code : enrolled->recovery_codes) list.push_back(Text(code));
  d.set("codes", list);
  d.set("next", retour.value_or(kDashboard));
  // The page belongs to the new session: its forms carry the new CSRF token.
  identity::Caller renewed = caller;
  renewed.principal = auth.ToPrincipal();
  renewed.csrf_token = auth.session.csrf_token;
  renewed.token = enrolled->token;
  renewed.auth = auth;
  Response response =
      c.renderer.Page(200, renewed, {"Vérification en deux étapes activée", request.path, {}},
                      "recovery_codes", std::move(d));
  SetSessionCookie(c, response, enrolled->token);
  return response;
}

// ---- Sign-out ----

Response SignOutPost(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  if (!caller.token.empty()) (void)c.services.accounts.SignOut(caller.token, caller.audit);
  return SignedOutRedirect(c);
}

// ---- Dashboard ----

struct Shortcut {
  std::string_view label;
  std::string_view href;
  std::string_view description;
  identity::Action action;
};

constexpr Shortcut kShortcuts[] = {
    {"Accueillir le public", "/accueil",
     "Compter les passages, la file d'attente et l'écran de la salle d'attente.",
     identity::Action::kReceptionDesk},
    {"Suivre les orientations", "/orientations",
     "Les orientations envoyées aux partenaires, leurs réponses, rendez-vous et alertes.",
     identity::Action::kOrientationsWrite},
    {"Orientations reçues", "/orientations/recues",
     "Les personnes orientées vers votre structure : répondre, fixer un rendez-vous, noter la "
     "venue.",
     identity::Action::kOrientationsAnswer},
    {"Mesures des orientations", "/orientations/mesures",
     "Délais de réponse, acceptations et personnes reçues, par partenaire, service ou lieu.",
     identity::Action::kOrientationsMeasures},
    {"Gérer les comptes", "/admin/utilisateurs",
     "Créer, modifier ou désactiver les comptes des professionnels.", identity::Action::kUsersRead},
    {"Créer un compte", "/admin/utilisateurs/nouveau",
     "Ouvrir un compte pour une nouvelle personne.", identity::Action::kUsersWrite},
    {"Gérer les organisations", "/admin/organisations",
     "Les institutions du réseau : CCAS, Département, France services, associations…",
     identity::Action::kOrganisationsRead},
    {"Gérer les lieux d'accueil", "/admin/sites", "Les lieux d'accueil de chaque organisation.",
     identity::Action::kOrganisationsRead},
    {"Consulter le journal d'audit", "/admin/journal", "Qui a fait quoi, et quand.",
     identity::Action::kAuditRead},
    {"Chercher dans l'annuaire", "/annuaire",
     "Les lieux d'accueil et les services du territoire, avec leurs référents.",
     identity::Action::kDashboard},
    {"Ajouter un lieu à l'annuaire", "/annuaire/structures/nouvelle",
     "Décrire un lieu d'accueil, ses horaires et ses services.", identity::Action::kDirectoryWrite},
    {"Fiches de l'annuaire à mettre à jour", "/annuaire/a-mettre-a-jour",
     "Les fiches les moins complètes ou les plus anciennes d'abord.",
     identity::Action::kDirectoryWrite},
};

Response Dashboard(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  if (!caller.signed_in()) return Response::Redirect("/connexion");
  const identity::User& user = caller.auth->user;
  Data d = Object();
  d.set("name", user.display_name);
  SetMemberships(d, c.services, user);
  Data shortcuts = List();
  for (const Shortcut& s : kShortcuts) {
    if (!Allowed(caller, s.action)) continue;
    Data item = Object();
    item.set("label", std::string(s.label));
    item.set("href", std::string(s.href));
    item.set("description", std::string(s.description));
    shortcuts.push_back(item);
  }
  d.set("shortcuts", shortcuts);
  d.set("second_factor_off", !user.HasTotp());
  return c.renderer.Page(200, caller, {"Tableau de bord", request.path, NoticeFromQuery(request)},
                         "dashboard", std::move(d));
}

}  // namespace

void RegisterSessionPages(http::Router& router, const std::shared_ptr<PageContext>& context) {
  router.Add(Method::kGet, "/", RouteKind::kPage, "public", Bind(context, Home));
  router.Add(Method::kGet, "/connexion", RouteKind::kPage, "session.sign_in",
             Bind(context, SignInGet));
  router.Add(Method::kPost, "/connexion", RouteKind::kPage, "session.sign_in",
             Bind(context, SignInPost));
  router.Add(Method::kGet, kSecondFactorCheck, RouteKind::kPage, "session.second_factor",
             Bind(context, SecondFactorGet));
  router.Add(Method::kPost, kSecondFactorCheck, RouteKind::kPage, "session.second_factor",
             Bind(context, SecondFactorPost));
  router.Add(Method::kGet, kEnrolment, RouteKind::kPage, "session.second_factor",
             Bind(context, EnrolmentGet));
  router.Add(Method::kPost, kEnrolment, RouteKind::kPage, "session.second_factor",
             Bind(context, EnrolmentPost));
  router.Add(Method::kPost, "/deconnexion", RouteKind::kPage, "session.second_factor",
             Bind(context, SignOutPost));
  router.Add(Method::kGet, kDashboard, RouteKind::kPage, "dashboard", Bind(context, Dashboard));
}

}  // namespace pasip::web
