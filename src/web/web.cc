#include "web/web.h"

#include <memory>

#include "web/page.h"
#include "web/pages.h"

namespace pasip::web {
namespace {

struct ErrorText {
  int status;
  std::string_view title;
  std::string_view explanation;
};

constexpr ErrorText kErrors[] = {
    {400, "Demande incorrecte",
     "La demande envoyée n'a pas pu être comprise. Revenez à la page précédente et réessayez."},
    {401, "Connexion nécessaire", "Veuillez vous connecter pour accéder à cette page."},
    {403, "Accès refusé",
     "Vous n'avez pas accès à cette page. Si vous pensez que c'est une erreur, adressez-vous à "
     "l'administrateur ou l'administratrice de votre organisation. Si vous avez envoyé un "
     "formulaire, la page était peut-être trop ancienne : rechargez-la et recommencez."},
    {404, "Page introuvable",
     "Cette page n'existe pas ou plus, ou vous n'y avez pas accès. Vérifiez l'adresse, ou "
     "repartez de la page d'accueil."},
    {405, "Action impossible sur cette page",
     "Cette page ne peut pas être utilisée de cette façon. Repartez de la page d'accueil."},
    {408, "Délai dépassé", "La demande a pris trop de temps. Réessayez."},
    {409, "Action impossible", "L'état actuel de la fiche ne permet pas cette action."},
    {413, "Envoi trop volumineux", "Ce que vous avez envoyé est trop volumineux."},
    {422, "Saisie incorrecte", "Certaines informations envoyées ne sont pas valides."},
    {429, "Trop de tentatives", "Trop de demandes en peu de temps. Patientez quelques minutes."},
    {500, "Erreur du service",
     "Une erreur s'est produite de notre côté. Elle a été enregistrée. Réessayez dans un moment ; "
     "si elle se reproduit, donnez la référence ci-dessous à votre contact technique."},
    {503, "Service momentanément indisponible",
     "Le service ne peut pas répondre pour l'instant. Réessayez dans quelques minutes."},
};

}  // namespace

void RegisterPages(http::Router& router, Services& services, const Options& options) {
  // The navigation shows the caller's unread notifications.
  UnreadCounter unread =
      [&services](const identity::Principal& who) -> std::optional<std::int64_t> {
    auto count = services.orientation.UnreadCount(who);
    if (!count) return std::nullopt;
    return *count;
  };
  auto context =
      std::make_shared<PageContext>(PageContext{services, Renderer(options, std::move(unread))});
  RegisterSessionPages(router, context);
  RegisterAccountPages(router, context);
  RegisterOrganisationPages(router, context);
  RegisterUserPages(router, context);
  RegisterAuditPages(router, context);
  RegisterDirectoryPages(router, context);
  RegisterReceptionPages(router, context);
  RegisterPersonPages(router, context);
  RegisterOrientationPages(router, context);
}

http::Response ErrorPage(int status, const identity::Caller* caller, const Options& options,
                         const std::string& request_id) {
  const ErrorText* text = nullptr;
  for (const ErrorText& e : kErrors) {
    if (e.status == status) text = &e;
  }
  if (text == nullptr) text = status >= 500 ? &kErrors[std::size(kErrors) - 2] : &kErrors[0];

  const bool signed_in = caller != nullptr && caller->signed_in();
  const Renderer renderer(options);
  Data d = Object();
  d.set("title", std::string(text->title));
  d.set("explanation", std::string(text->explanation));
  d.set("status", std::to_string(status));
  d.set("has_request_id", !request_id.empty());
  d.set("request_id", request_id);
  d.set("signed_in", signed_in);
  d.set("sign_in", status == 401);
  const std::string content = renderer.Render("error", std::move(d));
  return http::Response::Html(
      status, renderer.Document(caller, {std::string(text->title), "", {}}, content));
}

}  // namespace pasip::web
