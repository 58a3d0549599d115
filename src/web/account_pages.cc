// "Mon compte": the signed-in person's details, password change, second factor and open
// sessions.
#include <algorithm>

#include "web/pages.h"

namespace pasip::web {
namespace {

// A short description of a browser from its User-Agent, enough to recognise a session.
std::string BrowserName(std::string_view agent) {
  std::string browser = "Navigateur inconnu";
  if (agent.find("Edg/") != std::string_view::npos) {
    browser = "Edge";
  } else if (agent.find("Firefox/") != std::string_view::npos) {
    browser = "Firefox";
  } else if (agent.find("Chrom") != std::string_view::npos) {
    browser = "Chrome ou Chromium";
  } else if (agent.find("Safari/") != std::string_view::npos) {
    browser = "Safari";
  } else if (!agent.empty()) {
    browser = "Autre programme";
  }
  std::string system;
  if (agent.find("Android") != std::string_view::npos) {
    system = "Android";
  } else if (agent.find("iPhone") != std::string_view::npos ||
             agent.find("iPad") != std::string_view::npos) {
    system = "iOS";
  } else if (agent.find("Windows") != std::string_view::npos) {
    system = "Windows";
  } else if (agent.find("Mac OS") != std::string_view::npos) {
    system = "macOS";
  } else if (agent.find("Linux") != std::string_view::npos) {
    system = "Linux";
  }
  return system.empty() ? browser : browser + " sur " + system;
}

Response AccountPage(PageContext& c, const Request& request, int status, const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  if (!caller.signed_in()) return Response::Redirect("/connexion");
  const identity::AuthenticatedSession& auth = *caller.auth;
  Data d = Object();
  d.set("form", errors.Summary());
  d.set("name", auth.user.display_name);
  d.set("email", auth.user.email);

  SetMemberships(d, c.services, auth.user);
  d.set("has_totp", auth.user.HasTotp());
  d.set("totp_required", auth.user.RequiresSecondFactor());

  d.set("current_password", Field({.name = "current_password",
                                   .label = "Mot de passe actuel",
                                   .type = "password",
                                   .autocomplete = "current-password",
                                   .required = true},
                                  errors));
  d.set("new_password",
        Field({.name = "new_password",
               .label = "Nouveau mot de passe",
               .type = "password",
               .autocomplete = "new-password",
               .hint = "Au moins 12 caractères. Une phrase de plusieurs mots est facile à retenir "
                       "et difficile à deviner.",
               .required = true},
              errors));
  d.set("new_password_confirm", Field({.name = "new_password_confirm",
                                       .label = "Confirmer le nouveau mot de passe",
                                       .type = "password",
                                       .autocomplete = "new-password",
                                       .required = true},
                                      errors));

  auto sessions = c.services.accounts.ListSessions(auth.user.id);
  if (!sessions) return ErrorResponse(c, request, sessions.error());
  std::sort(sessions->begin(), sessions->end(),
            [](const identity::Session& a, const identity::Session& b) {
              return a.last_seen_at > b.last_seen_at;
            });
  Data list = List();
  for (const identity::Session& s : *sessions) {
    Data item = Object();
    item.set("id", s.id);
    item.set("created", FormatParis(s.created_at));
    item.set("last_seen", FormatParis(s.last_seen_at));
    item.set("browser", BrowserName(s.user_agent));
    item.set("current", s.id == auth.session.id);
    list.push_back(item);
  }
  d.set("sessions", list);
  return c.renderer.Page(status, caller, {"Mon compte", request.path, NoticeFromQuery(request)},
                         "account", std::move(d));
}

Response AccountGet(PageContext& c, Request& request) { return AccountPage(c, request, 200, {}); }

Response ChangePasswordPost(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  if (!caller.signed_in()) return Response::Redirect("/connexion");
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  auto changed = c.services.accounts.ChangePassword(
      *caller.auth, form->GetOr("current_password"), form->GetOr("new_password"),
      form->GetOr("new_password_confirm"), caller.audit);
  if (!changed) {
    return FormFailure(c, request, changed.error(), [&](int status, const FormErrors& errors) {
      return AccountPage(c, request, status, errors);
    });
  }
  return Response::Redirect("/compte?fait=mot-de-passe");
}

Response CloseSessionPost(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  if (!caller.signed_in()) return Response::Redirect("/connexion");
  const std::string id(request.PathParam("id"));
  auto closed = c.services.accounts.CloseSession(*caller.auth, id, caller.audit);
  if (!closed) return ErrorResponse(c, request, closed.error());
  if (id == caller.auth->session.id) return SignedOutRedirect(c);
  return Response::Redirect("/compte?fait=session-fermee");
}

}  // namespace

void RegisterAccountPages(http::Router& router, const std::shared_ptr<PageContext>& context) {
  router.Add(Method::kGet, "/compte", RouteKind::kPage, "account.own", Bind(context, AccountGet));
  router.Add(Method::kPost, "/compte/mot-de-passe", RouteKind::kPage, "account.own",
             Bind(context, ChangePasswordPost));
  router.Add(Method::kPost, "/compte/sessions/{id}/fermer", RouteKind::kPage, "account.own",
             Bind(context, CloseSessionPost));
}

}  // namespace pasip::web
