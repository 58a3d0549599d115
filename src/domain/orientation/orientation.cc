// The orientation use cases: relation checks, the lifecycle's steps with their history,
// e-mails and notices, partner links, reminders and expiry, measures.
#include "domain/orientation/orientation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "core/crypto.h"
#include "core/text.h"

namespace pasip::orientation {
namespace {

using identity::Role;
constexpr Seconds kDay{24 * 3600};
constexpr int kDueBatch = 200;
constexpr int kMaxDueBatches = 50;

pasip::Status Gate(const Principal& who) {
  if (!who.authenticated()) return Fail(Unauthenticated());
  if (who.SecondFactorPending()) {
    return Fail(PermissionDenied("Validez d'abord votre second facteur d'authentification."));
  }
  return Ok();
}

Error OrientationNotFound() { return NotFound("Cette orientation n'existe pas."); }

bool HasRoleIn(const Principal& who, OrganisationId org, std::initializer_list<Role> roles) {
  return std::any_of(who.memberships.begin(), who.memberships.end(), [&](const auto& m) {
    return m.organisation_id == org && std::find(roles.begin(), roles.end(), m.role) != roles.end();
  });
}

bool IsOrienting(const Principal& who, const Orientation& o) {
  return HasRoleIn(who, o.organisation_id, {Role::kAccueil, Role::kSocial});
}

bool IsRecipient(const Principal& who, const Orientation& o) {
  return o.status != Status::kDraft && o.recipient_organisation_id &&
         HasRoleIn(who, *o.recipient_organisation_id,
                   {Role::kPartenaire, Role::kAccueil, Role::kSocial});
}

bool LinkHolds(const LinkSession& s, const Orientation& o, TimePoint now) {
  return s.orientation_id == o.id && o.status != Status::kDraft && s.expires_at > now &&
         !o.destinataire_courriel.empty() &&
         text::NormaliseEmail(s.courriel) == text::NormaliseEmail(o.destinataire_courriel);
}

// Side-specific limits on top of the table: the recipient does not act on what it refused
// or what expired (the orienting agent decides then), nor re-orients after an outcome.
bool Allowed(Side side, Status from, Step step) {
  if (!SideMay(side, step) || !Next(from, step)) return false;
  if (side == Side::kRecipient) {
    if (from == Status::kExpired || from == Status::kRefused) return false;
  }
  if (side == Side::kOrienting && step == Step::kReorient) {
    // The orienting agent re-orients what the partner has not taken on.
    return from == Status::kSent || from == Status::kReceived || from == Status::kRefused ||
           from == Status::kExpired;
  }
  return true;
}

std::string Number(OrientationId id) { return "n° " + std::to_string(id); }

std::string ParisDate(TimePoint t) {
  CivilTime c = ToParisCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04lld", c.day, c.month,
                static_cast<long long>(c.year));
  return buf;
}

std::string ParisDay(TimePoint t) {
  CivilTime c = ToParisCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month,
                c.day);
  return buf;
}

std::optional<TimePoint> ParisDayStart(std::string_view day) {
  auto t = ParseIso(day);
  if (!t || day.size() != 10) return std::nullopt;
  CivilTime c = CivilFromUnixSeconds(ToUnixSeconds(*t));
  c.hour = c.minute = c.second = 0;
  return FromParisCivil(c);
}

std::string Signature(const Settings& s) {
  return "\n\n-- \n" + s.deployment_name +
         "\nCet e-mail ne contient aucune donnée sur la personne orientée : elles ne "
         "s'affichent qu'après connexion.\n";
}

pasip::Status CheckComment(const std::string& c) {
  if (text::Utf8Length(c) > 1000) {
    return Fail(InvalidArgument("Le commentaire fait au plus 1 000 caractères.", "commentaire"));
  }
  return Ok();
}

// A view of `o` for a caller on the given sides.
View MakeView(const Orientation& o, bool orienting, bool recipient, bool shows_shared,
              TimePoint now, const Settings& settings) {
  View v;
  v.orientation = o;
  v.orienting = orienting;
  v.recipient = recipient;
  v.shows_shared = shows_shared;
  if (!shows_shared) v.orientation.partage.clear();
  for (Step step : kAllSteps) {
    if (step == Step::kOpen || step == Step::kRemind || step == Step::kExpire) continue;
    if ((orienting && Allowed(Side::kOrienting, o.status, step)) ||
        (recipient && Allowed(Side::kRecipient, o.status, step))) {
      v.steps.push_back(step);
    }
  }
  if (orienting) {
    if (o.status == Status::kExpired) v.alertes.push_back("expiree");
    if (o.status == Status::kRefused) v.alertes.push_back("refusee");
    if (AwaitsAnswer(o.status) && o.sent_at && now - *o.sent_at > kDay * settings.reminder_days) {
      v.alertes.push_back("sans_reponse");
    }
    if (!o.echeance.empty() && !IsFinal(o.status) && o.status != Status::kDraft &&
        ParisDay(now) > o.echeance) {
      v.alertes.push_back("echeance_depassee");
    }
    if (o.status == Status::kAppointmentSet && o.rdv_date && *o.rdv_date >= now &&
        *o.rdv_date - now <= 2 * kDay) {
      v.alertes.push_back("rdv_proche");
    }
  }
  return v;
}

// Everything the steps need to compose e-mails and notices.
struct Mailer {
  OrientationStore& store;
  identity::IdentityStore& identity;
  const Settings& settings;
  TimePoint now;

  Result<std::vector<identity::User>> RecipientUsers(const Orientation& o) {
    std::vector<identity::User> out;
    if (!o.recipient_organisation_id) return out;
    identity::UserQuery q;
    q.organisation_id = *o.recipient_organisation_id;
    q.include_disabled = false;
    PASIP_ASSIGN_OR_RETURN(users, identity.ListUsers(q));
    for (identity::User& u : users) {
      if (u.disabled) continue;
      bool fits = std::any_of(u.memberships.begin(), u.memberships.end(), [&](const auto& m) {
        return m.organisation_id == *o.recipient_organisation_id &&
               (m.role == Role::kPartenaire || m.role == Role::kAccueil || m.role == Role::kSocial);
      });
      if (fits) out.push_back(std::move(u));
    }
    return out;
  }

  mail::Message Mail(const Orientation& o, std::string to, std::string kind, std::string subject,
                     std::string body) {
    mail::Message m;
    m.to = std::move(to);
    m.kind = std::move(kind);
    m.ref = "orientation:" + std::to_string(o.id);
    m.subject = "[" + settings.deployment_name + "] " + subject;
    m.body = std::move(body) + Signature(settings);
    m.created_at = now;
    m.next_attempt_at = now;
    return m;
  }

  // The recipient is told that an orientation awaits (new, or a reminder): partner accounts
  // get a notice and an e-mail (unless they chose the daily digest); a partner without an
  // account gets a signed link.
  pasip::Status ToRecipient(const Orientation& o, const std::string& organisation_nom,
                            bool reminder, const std::string& key, Write& w) {
    PASIP_ASSIGN_OR_RETURN(users, RecipientUsers(o));
    std::string what =
        reminder ? "Rappel : l'orientation " + Number(o.id) + " attend toujours votre réponse"
                 : "Nouvelle orientation " + Number(o.id);
    std::string intro =
        reminder
            ? "l'orientation " + Number(o.id) + " que " + organisation_nom +
                  " vous a adressée le " + ParisDate(*o.sent_at) + " attend toujours votre réponse"
            : organisation_nom + " vous adresse une orientation (" + Number(o.id) + ")";
    intro += " pour le service « " + o.service_nom + " » (" + o.structure_nom + ")";
    if (o.urgence != "aucune") {
      intro += ". Urgence : " + std::string(reception::LabelOf(reception::Urgences(), o.urgence));
    }
    intro += ".";
    for (const identity::User& u : users) {
      Notification n;
      n.user_id = u.id;
      n.at = now;
      n.message = what + " pour « " + o.service_nom + " ».";
      w.notifications.push_back(n);
      PASIP_ASSIGN_OR_RETURN(digest, store.WantsDigest(u.id));
      if (digest) continue;
      w.mails.push_back(
          Mail(o, u.email, reminder ? "orientation.rappel" : "orientation.nouvelle", what,
               "Bonjour,\n\n" + intro + "\n\nConnectez-vous pour la consulter et y répondre :\n" +
                   settings.public_url + "/orientations/" + std::to_string(o.id)));
    }
    if (users.empty() && !o.destinataire_courriel.empty()) {
      TimePoint expires = now + kDay * settings.link_days;
      std::string token = SignLink(key, o.id, o.destinataire_courriel, expires);
      w.mails.push_back(Mail(
          o, o.destinataire_courriel, reminder ? "orientation.rappel" : "orientation.nouvelle",
          what,
          "Bonjour,\n\n" + intro + "\n\nPour la consulter et y répondre, ouvrez ce lien :\n" +
              settings.public_url + "/lien/" + token +
              "\n\nAvant tout affichage, un code à usage unique sera envoyé à cette adresse. Ce "
              "lien est valable jusqu'au " +
              ParisDate(expires) + "."));
    }
    return Ok();
  }

  // Notice to the orienting agent of a change made by someone else.
  pasip::Status ToAgent(const Orientation& o, const std::string& message, Write& w) {
    Notification n;
    n.user_id = o.created_by;
    n.at = now;
    n.message = message;
    w.notifications.push_back(n);
    PASIP_ASSIGN_OR_RETURN(agent, identity.FindUser(o.created_by));
    if (agent && !agent->disabled) {
      w.mails.push_back(
          Mail(o, agent->email, "orientation.suivi",
               "Orientation " + Number(o.id) + " : " + std::string(StatusLabel(o.status)),
               "Bonjour,\n\n" + message + "\n\nLe détail et l'historique :\n" +
                   settings.public_url + "/orientations/" + std::to_string(o.id)));
    }
    return Ok();
  }
};

Event MakeEvent(TimePoint at, UserId actor_id, std::string actor, std::string_view step,
                Status from, Status to, std::string detail) {
  Event e;
  e.at = at;
  e.actor_id = actor_id;
  e.actor = std::move(actor);
  e.step = std::string(step);
  e.from = std::string(StatusName(from));
  e.to = std::string(StatusName(to));
  e.detail = std::move(detail);
  return e;
}

// Resolves the recipient of a draft from the directory: the service, its structure, the
// structure's organisation and the address for links.
pasip::Status ResolveRecipient(directory::DirectoryService& directory, ServiceId service_id,
                               const std::string& referent_nom, Orientation& o,
                               std::string_view field) {
  if (service_id <= 0) {
    return Fail(InvalidArgument("Choisissez le service vers lequel orienter.", std::string(field)));
  }
  auto service = directory.GetService(service_id, directory::View::kProfessional);
  if (!service) {
    if (service.error().code == ErrorCode::kNotFound) {
      return Fail(InvalidArgument("Ce service n'existe pas dans l'annuaire.", std::string(field)));
    }
    return Fail(service.error());
  }
  PASIP_ASSIGN_OR_RETURN(
      detail, directory.GetStructure(service->structure_id, directory::View::kProfessional));
  o.service_id = service->id;
  o.structure_id = detail.structure.id;
  o.recipient_organisation_id = detail.structure.organisation_id;
  o.service_nom = service->nom;
  o.structure_nom = detail.structure.nom;
  o.referent_nom.clear();
  std::string address;
  if (!referent_nom.empty()) {
    auto it = std::find_if(detail.structure.referents.begin(), detail.structure.referents.end(),
                           [&](const directory::Referent& r) { return r.nom == referent_nom; });
    if (it == detail.structure.referents.end()) {
      return Fail(InvalidArgument("Ce référent n'est pas connu de cette structure.", "referent"));
    }
    o.referent_nom = it->nom;
    address = it->courriel;
  }
  if (address.empty() && service->courriel) address = *service->courriel;
  if (address.empty() && detail.structure.courriel) address = *detail.structure.courriel;
  o.destinataire_courriel = address;
  return Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Drafts.

std::vector<OrganisationId> OrientationService::Organisations(
    const Principal& who, std::initializer_list<Role> roles) const {
  std::vector<OrganisationId> out;
  for (const identity::Membership& m : who.memberships) {
    if (std::find(roles.begin(), roles.end(), m.role) == roles.end()) continue;
    if (std::find(out.begin(), out.end(), m.organisation_id) == out.end()) {
      out.push_back(m.organisation_id);
    }
  }
  return out;
}

pasip::Status OrientationService::FillDraft(const Draft& draft, const Principal& who,
                                            const audit::Context& ctx, Orientation& o) {
  SiteId site_id = draft.site_id;
  std::optional<PersonId> person_id = draft.person_id;
  std::vector<std::string> motifs = draft.motifs;
  o.passage_id.reset();
  if (draft.passage_id) {
    PASIP_ASSIGN_OR_RETURN(passage, reception_.GetPassage(*draft.passage_id, who, ctx));
    o.passage_id = passage.id;
    if (site_id == 0) site_id = passage.site_id;
    if (!person_id) person_id = passage.person_id;
    if (motifs.empty()) motifs = passage.motifs;
  }
  if (site_id == 0) {
    // The caller's first site where they receive people.
    for (const identity::Membership& m : who.memberships) {
      if (m.role != Role::kAccueil && m.role != Role::kSocial) continue;
      if (!m.site_ids.empty()) {
        site_id = m.site_ids.front();
        break;
      }
      identity::SiteQuery q;
      q.organisation_id = m.organisation_id;
      PASIP_ASSIGN_OR_RETURN(sites, identity_.ListSites(q));
      auto it = std::find_if(sites.begin(), sites.end(), [](const auto& s) { return s.active; });
      if (it != sites.end()) {
        site_id = it->id;
        break;
      }
    }
    if (site_id == 0) {
      return Fail(InvalidArgument("Indiquez le lieu d'accueil qui oriente.", "site"));
    }
  }
  PASIP_ASSIGN_OR_RETURN(site, identity_.FindSite(site_id));
  if (!site) return Fail(InvalidArgument("Ce lieu d'accueil n'existe pas.", "site"));
  bool at_site = std::any_of(who.memberships.begin(), who.memberships.end(), [&](const auto& m) {
    return m.organisation_id == site->organisation_id &&
           (m.role == Role::kAccueil || m.role == Role::kSocial) &&
           (m.site_ids.empty() ||
            std::find(m.site_ids.begin(), m.site_ids.end(), site->id) != m.site_ids.end());
  });
  if (!at_site) {
    return Fail(PermissionDenied("Vous ne recevez pas le public dans ce lieu d'accueil."));
  }
  o.site_id = site->id;
  o.organisation_id = site->organisation_id;
  o.person_id.reset();
  if (person_id) {
    PASIP_ASSIGN_OR_RETURN(file, reception_.GetPerson(*person_id, who, ctx));
    o.person_id = file.person.id;
  }
  PASIP_TRY(ResolveRecipient(directory_, draft.service_id,
                             text::Trim(draft.referent_nom).empty()
                                 ? std::string()
                                 : std::string(text::Trim(draft.referent_nom)),
                             o, "service"));
  o.motifs = std::move(motifs);
  o.demande = std::string(text::Trim(draft.demande));
  o.urgence = draft.urgence.empty() ? "aucune" : draft.urgence;
  o.mode = draft.mode.empty() ? "information" : draft.mode;
  o.accompagnement = draft.accompagnement;
  o.echeance = draft.echeance;
  o.champs_partages = draft.champs_partages;
  o.consentement = draft.consentement;
  return ValidateDraft(o, reception_.catalogue());
}

Result<View> OrientationService::Create(Draft draft, const Principal& who,
                                        const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  const TimePoint now = clock_.Now();
  Orientation o;
  o.created_by = who.user_id;
  o.created_at = o.updated_at = now;
  PASIP_TRY(FillDraft(draft, who, ctx, o));
  if (draft.envoyer && o.person_id && o.consentement != "informee") {
    return Fail(FailedPrecondition(
        "La personne s'oppose au partage de ses données : l'orientation ne peut pas être "
        "envoyée. Vous pouvez faire une orientation anonyme (simple information, rien n'est "
        "transmis)."));
  }
  Write w;
  w.orientation = o;
  Event created =
      MakeEvent(now, who.user_id, "orientation", "creer", Status::kDraft, Status::kDraft, "");
  created.from.clear();
  w.events.push_back(created);
  PASIP_ASSIGN_OR_RETURN(written, store_.Apply(w));
  PASIP_TRY(audit_.Record(ctx, "create", "orientation", written.orientation.id));
  if (written.orientation.person_id && written.orientation.consentement == "opposition") {
    // The objection is information about the person worth keeping in their file.
    reception::Consent c;
    c.person_id = *written.orientation.person_id;
    c.objet = "Orientation " + Number(written.orientation.id);
    c.destinataires = written.orientation.structure_nom + " — " + written.orientation.service_nom;
    c.portee = "cette orientation";
    c.opposition = true;
    PASIP_TRY(reception_.AddConsent(c, who, ctx));
  }
  if (draft.envoyer) {
    Actor actor{Side::kOrienting, who.user_id, "orientation", &who};
    return TakeStep(written.orientation, Step::kSend, StepInput{}, actor, ctx);
  }
  return Present(written.orientation, true, IsRecipient(who, written.orientation), true);
}

Result<View> OrientationService::UpdateDraft(OrientationId id, Draft draft, const Principal& who,
                                             const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(found, store_.Find(id));
  if (!found || !IsOrienting(who, *found)) return Fail(OrientationNotFound());
  if (found->status != Status::kDraft) {
    return Fail(FailedPrecondition("Seul un brouillon peut être modifié."));
  }
  Orientation o = *found;
  if (draft.service_id == 0) draft.service_id = o.service_id;
  if (draft.site_id == 0) draft.site_id = o.site_id;
  if (!draft.person_id) draft.person_id = o.person_id;
  if (!draft.passage_id) draft.passage_id = o.passage_id;
  PASIP_TRY(FillDraft(draft, who, ctx, o));
  const TimePoint now = clock_.Now();
  o.updated_at = now;
  Write w;
  w.orientation = o;
  w.events.push_back(
      MakeEvent(now, who.user_id, "orientation", "modifier", Status::kDraft, Status::kDraft, ""));
  PASIP_TRY(audit_.Record(ctx, "update", "orientation", o.id));
  PASIP_ASSIGN_OR_RETURN(written, store_.Apply(w));
  if (draft.envoyer) {
    Actor actor{Side::kOrienting, who.user_id, "orientation", &who};
    return TakeStep(written.orientation, Step::kSend, StepInput{}, actor, ctx);
  }
  return Present(written.orientation, true, false, true);
}

// ---------------------------------------------------------------------------------------
// Steps.

Result<View> OrientationService::TakeStep(Orientation o, Step step, const StepInput& input,
                                          const Actor& actor, const audit::Context& ctx) {
  const TimePoint now = clock_.Now();
  const Status from = o.status;
  std::optional<Status> to = Next(from, step);
  if (!to || !Allowed(actor.side, from, step)) return Fail(ImpossibleStep(from, step));
  if (input.version != 0 && input.version != o.version) {
    return Fail(FailedPrecondition(
        "L'orientation a été modifiée entre-temps : rechargez-la avant de continuer."));
  }
  PASIP_TRY(CheckComment(input.commentaire));
  Mailer mailer{store_, identity_, settings_, now};
  Write w;
  std::string detail;
  std::string orienting_nom;
  {
    PASIP_ASSIGN_OR_RETURN(org, identity_.FindOrganisation(o.organisation_id));
    orienting_nom = org ? org->name : "Un lieu d'accueil";
  }
  std::string recipient_nom = o.structure_nom;
  if (o.recipient_organisation_id) {
    PASIP_ASSIGN_OR_RETURN(org, identity_.FindOrganisation(*o.recipient_organisation_id));
    if (org) recipient_nom = org->name;
  }
  auto answered = [&] {
    if (actor.side == Side::kRecipient && !o.answered_at) o.answered_at = now;
  };
  auto reason = [&](std::span<const Choice> list) -> pasip::Status {
    if (!IsChoice(list, input.motif)) {
      return Fail(InvalidArgument("Choisissez un motif dans la liste.", "motif"));
    }
    if (input.motif == "autre" && text::Trim(input.commentaire).empty()) {
      return Fail(InvalidArgument("Précisez le motif en commentaire.", "commentaire"));
    }
    o.motif = input.motif;
    detail = std::string(LabelOf(list, input.motif));
    return Ok();
  };
  auto appointment = [&]() -> pasip::Status {
    if (!input.rdv_date) {
      return Fail(InvalidArgument("Indiquez la date et l'heure du rendez-vous.", "date"));
    }
    if (*input.rdv_date < now - 365 * kDay || *input.rdv_date > now + 365 * kDay) {
      return Fail(InvalidArgument("La date du rendez-vous doit être dans l'année.", "date"));
    }
    if (text::Utf8Length(input.rdv_lieu) > 300) {
      return Fail(InvalidArgument("Le lieu fait au plus 300 caractères.", "lieu"));
    }
    o.rdv_date = input.rdv_date;
    o.rdv_lieu = std::string(text::Trim(input.rdv_lieu));
    detail = "Le " + FormatParis(*o.rdv_date) + (o.rdv_lieu.empty() ? "" : ", " + o.rdv_lieu);
    return Ok();
  };

  switch (step) {
    case Step::kSend: {
      if (o.person_id) {
        if (o.consentement.empty()) {
          return Fail(FailedPrecondition(
              "Indiquez d'abord si la personne accepte le partage de ses données avec ce "
              "partenaire."));
        }
        if (o.consentement != "informee") {
          return Fail(FailedPrecondition(
              "La personne s'oppose au partage de ses données : l'orientation ne peut pas être "
              "envoyée. Vous pouvez l'annuler et faire une orientation anonyme (simple "
              "information, rien n'est transmis)."));
        }
        if (actor.who == nullptr) return Fail(Internal("Envoi sans agent."));
        PASIP_ASSIGN_OR_RETURN(file, reception_.GetPerson(*o.person_id, *actor.who, ctx));
        o.person_id = file.person.id;
        o.partage = ShareOf(file.person, o.champs_partages);
        std::string shared;
        for (const SharedValue& v : o.partage) {
          shared += (shared.empty() ? "" : ", ") + std::string(LabelOf(ShareableFields(), v.field));
        }
        reception::Consent c;
        c.person_id = *o.person_id;
        c.objet =
            "Orientation " + Number(o.id) + " : " +
            (shared.empty() ? "la demande seule, sans donnée d'identité" : "partage de " + shared);
        c.destinataires = o.structure_nom + " — " + o.service_nom;
        c.portee = "cette orientation";
        PASIP_ASSIGN_OR_RETURN(consent, reception_.AddConsent(c, *actor.who, ctx));
        o.consent_id = consent.id;
      }
      if (!o.sent_at) o.sent_at = now;
      o.expires_at = now + kDay * settings_.expiry_days;
      o.next_reminder_at = now + kDay * settings_.reminder_days;
      o.reminders = 0;
      o.status = *to;
      PASIP_ASSIGN_OR_RETURN(key, store_.LinkKey());
      PASIP_TRY(mailer.ToRecipient(o, orienting_nom, false, key, w));
      break;
    }
    case Step::kOpen:
      o.received_at = now;
      break;
    case Step::kAccept:
      answered();
      detail = input.commentaire;
      break;
    case Step::kRefuse:
      PASIP_TRY(reason(RefusalReasons()));
      answered();
      break;
    case Step::kReorient: {
      PASIP_TRY(reason(ReorientReasons()));
      Orientation next = o;
      next.id = 0;
      next.version = 0;
      next.status = Status::kDraft;
      PASIP_TRY(
          ResolveRecipient(directory_, input.service_id, input.referent_nom, next, "service"));
      if (next.service_id == o.service_id) {
        return Fail(
            InvalidArgument("Choisissez un autre service que celui de l'orientation.", "service"));
      }
      next.partage.clear();
      // The person agreed to share with the first partner only: the orienting agent asks
      // again before the new orientation leaves.
      next.consentement.clear();
      next.consent_id.reset();
      next.sent_at = next.received_at = next.answered_at = next.outcome_at = next.closed_at =
          std::nullopt;
      next.expires_at = next.next_reminder_at = std::nullopt;
      next.reminders = 0;
      next.motif.clear();
      next.commentaire.clear();
      next.rdv_date.reset();
      next.rdv_lieu.clear();
      next.origine_id.reset();
      next.reorientee_vers.reset();
      next.created_at = next.updated_at = now;
      detail += " — vers « " + next.service_nom + " » (" + next.structure_nom + ")";
      Event e = MakeEvent(now, actor.user_id, actor.name, "creer", Status::kDraft, Status::kDraft,
                          "Réorientation de l'orientation " + Number(o.id));
      e.from.clear();
      w.follow_up = std::move(next);
      w.follow_up_events.push_back(e);
      answered();
      break;
    }
    case Step::kProposeAppointment:
    case Step::kSetAppointment:
      PASIP_TRY(appointment());
      answered();
      break;
    case Step::kPersonReceived:
    case Step::kNoShow:
      o.outcome_at = now;
      detail = input.commentaire;
      break;
    case Step::kCancel:
      PASIP_TRY(reason(CancelReasons()));
      break;
    case Step::kRemind: {
      o.reminders += 1;
      o.next_reminder_at = now + kDay * settings_.reminder_days;
      detail = "Rappel n° " + std::to_string(o.reminders);
      PASIP_ASSIGN_OR_RETURN(key, store_.LinkKey());
      PASIP_TRY(mailer.ToRecipient(o, orienting_nom, true, key, w));
      break;
    }
    case Step::kExpire:
      o.expires_at.reset();
      o.next_reminder_at.reset();
      break;
    case Step::kRelaunch: {
      o.status = *to;
      o.expires_at = now + kDay * settings_.expiry_days;
      o.next_reminder_at = now + kDay * settings_.reminder_days;
      detail = "Nouvelle échéance le " + ParisDate(*o.expires_at);
      PASIP_ASSIGN_OR_RETURN(key, store_.LinkKey());
      PASIP_TRY(mailer.ToRecipient(o, orienting_nom, true, key, w));
      break;
    }
    case Step::kClose:
      o.closed_at = now;
      break;
  }
  if (!input.commentaire.empty()) {
    o.commentaire = std::string(text::Trim(input.commentaire));
    if (detail != input.commentaire) {
      detail += (detail.empty() ? "" : " — ") + o.commentaire;
    }
  }
  if (!AwaitsAnswer(*to)) {
    o.expires_at.reset();
    o.next_reminder_at.reset();
  }
  o.status = *to;
  o.updated_at = now;

  // Notices to the orienting agent of what others did.
  if (actor.side != Side::kOrienting && step != Step::kRemind) {
    std::string by = actor.side == Side::kSystem ? "" : " par " + recipient_nom;
    std::string message;
    if (step == Step::kExpire) {
      message = "L'orientation " + Number(o.id) + " vers « " + o.service_nom +
                " » a expiré sans réponse : vous pouvez la relancer, réorienter la personne ou "
                "l'annuler.";
    } else if (step == Step::kReorient) {
      message = "L'orientation " + Number(o.id) + " a été réorientée" + by +
                " : une nouvelle orientation vers « " + w.follow_up->service_nom +
                " » vous attend en brouillon. Vérifiez avec la personne ce qui est partagé, puis "
                "envoyez-la.";
    } else {
      message = "Orientation " + Number(o.id) + " vers « " + o.service_nom +
                " » : " + std::string(StatusLabel(o.status)) + by + ".";
    }
    if (step == Step::kOpen) {
      Notification n;
      n.user_id = o.created_by;
      n.at = now;
      n.message = message;
      w.notifications.push_back(n);
    } else {
      PASIP_TRY(mailer.ToAgent(o, message, w));
    }
  }
  if (actor.side == Side::kOrienting && step == Step::kCancel && from != Status::kDraft) {
    PASIP_ASSIGN_OR_RETURN(users, mailer.RecipientUsers(o));
    for (const identity::User& u : users) {
      Notification n;
      n.user_id = u.id;
      n.at = now;
      n.message = "L'orientation " + Number(o.id) + " a été annulée par " + orienting_nom + ".";
      w.notifications.push_back(n);
    }
  }
  w.events.push_back(MakeEvent(now, actor.user_id, actor.name, StepName(step), from, *to, detail));
  w.orientation = o;
  // Traced before the write: a change never goes unrecorded.
  PASIP_TRY(audit_.Record(ctx, StepName(step), "orientation", o.id));
  PASIP_ASSIGN_OR_RETURN(written, store_.Apply(w));
  if (actor.side == Side::kSystem) {
    return MakeView(written.orientation, false, false, false, now, settings_);
  }
  bool orienting = actor.who != nullptr && IsOrienting(*actor.who, written.orientation);
  bool recipient = actor.side == Side::kRecipient ||
                   (actor.who != nullptr && IsRecipient(*actor.who, written.orientation));
  return Present(written.orientation, orienting, recipient, true);
}

Result<Orientation> OrientationService::Open(Orientation o, const Actor& actor) {
  if (o.status != Status::kSent) return o;
  audit::Context none;
  none.user_id = actor.user_id;
  auto view = TakeStep(o, Step::kOpen, StepInput{}, actor, none);
  if (view) return view->orientation;
  if (view.error().code == ErrorCode::kFailedPrecondition) {
    // Someone else changed it meanwhile: read it again.
    PASIP_ASSIGN_OR_RETURN(again, store_.Find(o.id));
    if (again) return std::move(*again);
  }
  return Fail(view.error());
}

Result<View> OrientationService::Present(const Orientation& o, bool orienting, bool recipient,
                                         bool history) {
  View v = MakeView(o, orienting, recipient, orienting || recipient, clock_.Now(), settings_);
  PASIP_ASSIGN_OR_RETURN(site, identity_.FindSite(o.site_id));
  if (site) v.site_nom = site->name;
  PASIP_ASSIGN_OR_RETURN(org, identity_.FindOrganisation(o.organisation_id));
  if (org) v.organisation_nom = org->name;
  if (o.recipient_organisation_id) {
    PASIP_ASSIGN_OR_RETURN(rorg, identity_.FindOrganisation(*o.recipient_organisation_id));
    if (rorg) v.recipient_organisation_nom = rorg->name;
  }
  PASIP_ASSIGN_OR_RETURN(agent, identity_.FindUser(o.created_by));
  if (agent) v.agent_nom = agent->display_name;
  if (history) {
    PASIP_ASSIGN_OR_RETURN(events, store_.EventsOf(o.id));
    v.history = std::move(events);
  }
  return v;
}

Result<View> OrientationService::Get(OrientationId id, const Principal& who,
                                     const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(found, store_.Find(id));
  if (!found) return Fail(OrientationNotFound());
  Orientation o = std::move(*found);
  bool orienting = IsOrienting(who, o);
  bool recipient = IsRecipient(who, o);
  if (!orienting && !recipient) return Fail(OrientationNotFound());
  if (o.person_id) PASIP_TRY(audit_.Record(ctx, "read", "orientation", o.id));
  if (recipient && !orienting && o.status == Status::kSent) {
    PASIP_ASSIGN_OR_RETURN(opened,
                           Open(o, Actor{Side::kRecipient, who.user_id, "destinataire", &who}));
    o = std::move(opened);
  }
  return Present(o, orienting, recipient, true);
}

Result<View> OrientationService::Take(OrientationId id, Step step, const StepInput& input,
                                      const Principal& who, const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(found, store_.Find(id));
  if (!found) return Fail(OrientationNotFound());
  bool orienting = IsOrienting(who, *found);
  bool recipient = IsRecipient(who, *found);
  if (!orienting && !recipient) return Fail(OrientationNotFound());
  if (step == Step::kOpen || step == Step::kRemind || step == Step::kExpire) {
    return Fail(FailedPrecondition("Cette étape est faite automatiquement par pasip."));
  }
  // A principal on both sides acts on the side that may take the step (orienting first).
  if (orienting && Allowed(Side::kOrienting, found->status, step)) {
    return TakeStep(*found, step, input, Actor{Side::kOrienting, who.user_id, "orientation", &who},
                    ctx);
  }
  if (recipient && Allowed(Side::kRecipient, found->status, step)) {
    return TakeStep(*found, step, input, Actor{Side::kRecipient, who.user_id, "destinataire", &who},
                    ctx);
  }
  bool side_may = (orienting && SideMay(Side::kOrienting, step)) ||
                  (recipient && SideMay(Side::kRecipient, step));
  if (!side_may) {
    return Fail(PermissionDenied(
        orienting ? "Cette étape revient au partenaire qui reçoit l'orientation."
                  : "Cette étape revient au lieu d'accueil qui a orienté la personne."));
  }
  return Fail(ImpossibleStep(found->status, step));
}

Result<Page> OrientationService::List(const ListFilter& filter, const Principal& who,
                                      const audit::Context& ctx) {
  (void)ctx;  // lists show no person data: nothing to trace
  PASIP_TRY(Gate(who));
  ListQuery q;
  if (filter.box == Box::kSent) {
    q.orienting = Organisations(who, {Role::kAccueil, Role::kSocial});
  } else {
    q.recipient = Organisations(who, {Role::kPartenaire, Role::kAccueil, Role::kSocial});
  }
  const TimePoint now = clock_.Now();
  q.statuses = filter.statuses;
  q.urgence = filter.urgence;
  q.service_id = filter.service_id;
  q.person_id = filter.person_id;
  if (filter.anciennete_min_jours < 0 || filter.anciennete_min_jours > 3650) {
    return Fail(
        InvalidArgument("L'ancienneté se compte en jours, de 0 à 3 650.", "anciennete_min_jours"));
  }
  if (filter.anciennete_min_jours > 0) q.sent_before = now - kDay * filter.anciennete_min_jours;
  if (filter.limite < 1 || filter.limite > 200) {
    return Fail(InvalidArgument("La limite va de 1 à 200.", "limite"));
  }
  q.before_id = filter.apres;
  q.limit = filter.limite + 1;
  Page page;
  if (q.orienting.empty() && q.recipient.empty()) return page;
  PASIP_ASSIGN_OR_RETURN(rows, store_.List(q));
  if (static_cast<int>(rows.size()) > filter.limite) {
    rows.resize(filter.limite);
    page.suivant = rows.back().id;
  }
  std::map<SiteId, std::string> sites;
  std::map<OrganisationId, std::string> orgs;
  auto org_name = [&](OrganisationId id) -> Result<std::string> {
    auto it = orgs.find(id);
    if (it != orgs.end()) return it->second;
    PASIP_ASSIGN_OR_RETURN(org, identity_.FindOrganisation(id));
    return orgs[id] = org ? org->name : std::string();
  };
  for (const Orientation& o : rows) {
    View v = MakeView(o, IsOrienting(who, o), IsRecipient(who, o), false, now, settings_);
    auto it = sites.find(o.site_id);
    if (it == sites.end()) {
      PASIP_ASSIGN_OR_RETURN(site, identity_.FindSite(o.site_id));
      it = sites.emplace(o.site_id, site ? site->name : std::string()).first;
    }
    v.site_nom = it->second;
    PASIP_ASSIGN_OR_RETURN(oname, org_name(o.organisation_id));
    v.organisation_nom = oname;
    if (o.recipient_organisation_id) {
      PASIP_ASSIGN_OR_RETURN(rname, org_name(*o.recipient_organisation_id));
      v.recipient_organisation_nom = rname;
    }
    page.items.push_back(std::move(v));
  }
  return page;
}

Result<LiaisonForm> OrientationService::FormOf(View view) {
  LiaisonForm form;
  const Orientation& o = view.orientation;
  PASIP_ASSIGN_OR_RETURN(site, identity_.FindSite(o.site_id));
  if (site) form.site_adresse = site->address;
  PASIP_ASSIGN_OR_RETURN(agent, identity_.FindUser(o.created_by));
  if (agent) form.agent_courriel = agent->email;
  auto service = directory_.GetService(o.service_id, directory::View::kProfessional);
  if (service) {
    form.service_telephone = service->telephone.value_or("");
    form.service_courriel = service->courriel.value_or("");
    form.service_adresse = service->adresse.value_or("");
  }
  form.view = std::move(view);
  return form;
}

Result<LiaisonForm> OrientationService::Form(OrientationId id, const Principal& who,
                                             const audit::Context& ctx) {
  PASIP_ASSIGN_OR_RETURN(view, Get(id, who, ctx));
  return FormOf(std::move(view));
}

// ---------------------------------------------------------------------------------------
// Partners without an account.

Result<Orientation> OrientationService::LinkOrientation(std::string_view token) {
  PASIP_ASSIGN_OR_RETURN(key, store_.LinkKey());
  PASIP_ASSIGN_OR_RETURN(c, VerifyLink(key, token, clock_.Now()));
  PASIP_ASSIGN_OR_RETURN(found, store_.Find(c.orientation_id));
  if (!found || found->status == Status::kDraft || found->destinataire_courriel.empty() ||
      AddressHash(found->destinataire_courriel) != c.address_hash) {
    return Fail(PermissionDenied("Ce lien n'est pas valide."));
  }
  return std::move(*found);
}

Result<LinkStart> OrientationService::OpenLink(std::string_view token) {
  PASIP_ASSIGN_OR_RETURN(o, LinkOrientation(token));
  LinkStart start;
  start.orientation_id = o.id;
  std::string_view address = o.destinataire_courriel;
  std::size_t at = address.find('@');
  start.courriel_masque =
      at == std::string_view::npos || at == 0
          ? std::string("***")
          : std::string(address.substr(0, 1)) + "***" + std::string(address.substr(at));
  start.structure_nom = o.structure_nom;
  start.service_nom = o.service_nom;
  return start;
}

pasip::Status OrientationService::SendCode(std::string_view token, const audit::Context& ctx) {
  PASIP_ASSIGN_OR_RETURN(o, LinkOrientation(token));
  PASIP_ASSIGN_OR_RETURN(key, store_.LinkKey());
  const TimePoint now = clock_.Now();
  const std::string token_hash = crypto::ToHex(crypto::Sha256(token));
  PASIP_ASSIGN_OR_RETURN(previous, store_.FindCode(token_hash));
  const Seconds life = Seconds(60) * settings_.code_minutes;
  if (previous && previous->expires_at - life + Seconds(60) > now) {
    return Fail(ResourceExhausted(
        "Un code vient d'être envoyé : attendez une minute avant d'en demander un autre."));
  }
  std::string code = NewCode();
  PASIP_TRY(store_.SaveCode(LinkCode{token_hash, o.id, CodeHash(key, code), now + life, 0}));
  mail::Message m;
  m.to = o.destinataire_courriel;
  m.kind = "lien.code";
  m.ref = "orientation:" + std::to_string(o.id);
  m.subject = "[" + settings_.deployment_name + "] Votre code d'accès : " + code;
  m.body = "Bonjour,\n\nVotre code d'accès à l'orientation " + Number(o.id) + " est : " + code +
           "\n\nIl est valable " + std::to_string(settings_.code_minutes) +
           " minutes. Si vous n'avez rien demandé, ignorez ce message." + Signature(settings_);
  m.created_at = m.next_attempt_at = now;
  PASIP_TRY(audit_.Record(ctx, "send_code", "orientation", o.id));
  PASIP_ASSIGN_OR_RETURN(queued, outbox_.Enqueue(m));
  (void)queued;
  return Ok();
}

Result<std::string> OrientationService::VerifyCode(std::string_view token, std::string_view code,
                                                   const audit::Context& ctx) {
  PASIP_ASSIGN_OR_RETURN(o, LinkOrientation(token));
  PASIP_ASSIGN_OR_RETURN(key, store_.LinkKey());
  const TimePoint now = clock_.Now();
  const std::string token_hash = crypto::ToHex(crypto::Sha256(token));
  PASIP_ASSIGN_OR_RETURN(stored, store_.FindCode(token_hash));
  if (!stored || stored->expires_at <= now || stored->orientation_id != o.id) {
    return Fail(PermissionDenied("Ce code n'est plus valable : demandez-en un nouveau."));
  }
  std::string typed(text::Trim(code));
  if (!crypto::ConstantTimeEqual(CodeHash(key, typed), stored->code_hash)) {
    PASIP_TRY(audit_.Record(ctx, "verify_code", "orientation", o.id, audit::Outcome::kDenied));
    PASIP_ASSIGN_OR_RETURN(failures, store_.FailCode(token_hash));
    if (failures >= settings_.code_attempts) {
      PASIP_TRY(store_.DeleteCode(token_hash));
      return Fail(PermissionDenied("Code incorrect. Trop d'essais : demandez un nouveau code."));
    }
    return Fail(PermissionDenied("Code incorrect. Il vous reste " +
                                 std::to_string(settings_.code_attempts - failures) +
                                 " essai(s)."));
  }
  PASIP_TRY(store_.DeleteCode(token_hash));
  std::string session = crypto::RandomToken(32);
  PASIP_TRY(store_.SaveLinkSession(
      LinkSession{crypto::ToHex(crypto::Sha256(session)), o.id, o.destinataire_courriel,
                  now + Seconds(60) * settings_.link_session_minutes}));
  PASIP_TRY(audit_.Record(ctx, "sign_in_link", "orientation", o.id));
  return session;
}

Result<LinkSession> OrientationService::LinkSessionOf(std::string_view session_token) {
  if (session_token.empty() || session_token.size() > 200) {
    return Fail(
        Unauthenticated("Votre accès par lien a expiré : rouvrez le lien reçu par e-mail."));
  }
  PASIP_ASSIGN_OR_RETURN(found,
                         store_.FindLinkSession(crypto::ToHex(crypto::Sha256(session_token))));
  if (!found || found->expires_at <= clock_.Now()) {
    return Fail(
        Unauthenticated("Votre accès par lien a expiré : rouvrez le lien reçu par e-mail."));
  }
  return std::move(*found);
}

pasip::Status OrientationService::EndLinkSession(std::string_view session_token) {
  return store_.DeleteLinkSession(crypto::ToHex(crypto::Sha256(session_token)));
}

Result<View> OrientationService::GetByLink(const LinkSession& session, const audit::Context& ctx) {
  PASIP_ASSIGN_OR_RETURN(found, store_.Find(session.orientation_id));
  if (!found || !LinkHolds(session, *found, clock_.Now())) return Fail(OrientationNotFound());
  Orientation o = std::move(*found);
  if (o.person_id) PASIP_TRY(audit_.Record(ctx, "read_link", "orientation", o.id));
  PASIP_ASSIGN_OR_RETURN(opened, Open(o, Actor{Side::kRecipient, 0, "lien", nullptr}));
  return Present(opened, false, true, true);
}

Result<View> OrientationService::TakeByLink(const LinkSession& session, Step step,
                                            const StepInput& input, const audit::Context& ctx) {
  PASIP_ASSIGN_OR_RETURN(found, store_.Find(session.orientation_id));
  if (!found || !LinkHolds(session, *found, clock_.Now())) return Fail(OrientationNotFound());
  if (!SideMay(Side::kRecipient, step) || step == Step::kOpen) {
    return Fail(
        PermissionDenied("Cette étape revient au lieu d'accueil qui a orienté la personne."));
  }
  return TakeStep(*found, step, input, Actor{Side::kRecipient, 0, "lien", nullptr}, ctx);
}

Result<LiaisonForm> OrientationService::FormByLink(const LinkSession& session,
                                                   const audit::Context& ctx) {
  PASIP_ASSIGN_OR_RETURN(view, GetByLink(session, ctx));
  return FormOf(std::move(view));
}

// ---------------------------------------------------------------------------------------
// Notifications.

Result<std::vector<Notification>> OrientationService::Notifications(const Principal& who,
                                                                    bool unread_only, int limit) {
  PASIP_TRY(Gate(who));
  return store_.NotificationsOf(who.user_id, unread_only, std::clamp(limit, 1, 200));
}

Result<std::int64_t> OrientationService::UnreadCount(const Principal& who) {
  PASIP_TRY(Gate(who));
  return store_.CountUnread(who.user_id);
}

pasip::Status OrientationService::MarkRead(NotificationId id, const Principal& who) {
  PASIP_TRY(Gate(who));
  return store_.MarkRead(id, who.user_id, clock_.Now());
}

pasip::Status OrientationService::MarkAllRead(const Principal& who) {
  PASIP_TRY(Gate(who));
  return store_.MarkAllRead(who.user_id, clock_.Now());
}

Result<bool> OrientationService::WantsDigest(const Principal& who) {
  PASIP_TRY(Gate(who));
  return store_.WantsDigest(who.user_id);
}

pasip::Status OrientationService::SetDigest(bool digest, const Principal& who) {
  PASIP_TRY(Gate(who));
  return store_.SetDigest(who.user_id, digest);
}

// ---------------------------------------------------------------------------------------
// Measures.

Result<Measures> OrientationService::Measure(GroupBy par, std::string_view du, std::string_view au,
                                             const Principal& who) {
  PASIP_TRY(Gate(who));
  MeasureQuery q;
  if (!who.HasRole(Role::kCoordination)) {
    q.orienting = Organisations(who, {Role::kAccueil, Role::kSocial, Role::kPartenaire});
    q.recipient = q.orienting;
    if (q.orienting.empty()) {
      return Fail(PermissionDenied("Les mesures des orientations ne vous sont pas ouvertes."));
    }
  }
  auto from = ParisDayStart(du);
  if (!from) return Fail(InvalidArgument("La date de début est une date AAAA-MM-JJ.", "du"));
  auto until = ParisDayStart(au);
  if (!until) return Fail(InvalidArgument("La date de fin est une date AAAA-MM-JJ.", "au"));
  if (*until < *from) {
    return Fail(InvalidArgument("La date de fin précède la date de début.", "au"));
  }
  if (*until - *from > 3 * 366 * kDay) {
    return Fail(InvalidArgument("La période couvre au plus trois ans.", "au"));
  }
  CivilTime next = ToParisCivil(*until + kDay + Seconds(3 * 3600));
  next.hour = next.minute = next.second = 0;
  q.from = *from;
  q.to = FromParisCivil(next);
  PASIP_ASSIGN_OR_RETURN(rows, store_.MeasureRows(q));

  struct Group {
    std::string label;
    std::int64_t counts[6] = {0, 0, 0, 0, 0, 0};
    std::vector<double> delays;  // hours to the first answer
  };
  std::map<std::string, Group> groups;
  Group all;
  std::map<std::int64_t, std::string> names;
  for (const MeasureRow& r : rows) {
    std::string key, label;
    switch (par) {
      case GroupBy::kPartner: {
        std::int64_t id = r.recipient_organisation_id.value_or(0);
        key = std::to_string(id);
        if (!names.contains(id)) {
          std::string name = "Partenaires sans compte";
          if (id != 0) {
            PASIP_ASSIGN_OR_RETURN(org, identity_.FindOrganisation(id));
            if (org) name = org->name;
          }
          names[id] = name;
        }
        label = names[id];
        break;
      }
      case GroupBy::kService:
        key = std::to_string(r.service_id);
        label = r.service_nom;
        break;
      case GroupBy::kSite: {
        key = std::to_string(r.site_id);
        if (!names.contains(-r.site_id)) {
          PASIP_ASSIGN_OR_RETURN(site, identity_.FindSite(r.site_id));
          names[-r.site_id] = site ? site->name : "Lieu " + key;
        }
        label = names[-r.site_id];
        break;
      }
    }
    for (Group* g : {&groups[key], &all}) {
      g->label = g == &all ? "Total" : label;
      g->counts[0] += 1;
      if (r.answered_at) {
        g->counts[1] += 1;
        g->delays.push_back(std::chrono::duration<double>(*r.answered_at - r.sent_at).count() /
                            3600.0);
      }
      if (r.accepted) g->counts[2] += 1;
      if (r.received) g->counts[3] += 1;
      if (r.no_show && !r.received) g->counts[4] += 1;
      if (r.expired) g->counts[5] += 1;
    }
  }
  std::vector<std::vector<Cell>> table;
  std::vector<std::string> keys;
  for (const auto& [key, g] : groups) {
    std::vector<Cell> line;
    for (std::int64_t c : g.counts) line.push_back(Cell{c, false});
    if (line[0].value > 0 && line[0].value < kMinCell) {
      // A group under 11 orientations publishes nothing, zeros included.
      for (Cell& c : line) c.masked = true;
    }
    table.push_back(std::move(line));
    keys.push_back(key);
  }
  std::vector<Cell> totals;
  SuppressSmallCells(table, totals);
  if (table.empty()) totals.assign(6, Cell{});

  auto median = [](std::vector<double> v) -> std::optional<double> {
    if (static_cast<std::int64_t>(v.size()) < kMinCell) return std::nullopt;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    double m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    return std::round(m * 10.0) / 10.0;
  };
  auto fill = [&](MeasureLine& line, const std::vector<Cell>& cells, const Group& g) {
    line.envoyees = cells[0];
    line.repondues = cells[1];
    line.acceptees = cells[2];
    line.personnes_recues = cells[3];
    line.non_venues = cells[4];
    line.expirees = cells[5];
    auto rate = [](const Cell& part, const Cell& whole) -> std::optional<double> {
      if (part.masked || whole.masked || whole.value == 0) return std::nullopt;
      return std::round(1000.0 * static_cast<double>(part.value) /
                        static_cast<double>(whole.value)) /
             10.0;
    };
    line.taux_acceptation = rate(line.acceptees, line.envoyees);
    line.taux_issue_confirmee = rate(line.personnes_recues, line.envoyees);
    if (!line.repondues.masked) line.delai_median_heures = median(g.delays);
  };
  Measures out;
  out.par = par;
  out.du = std::string(du);
  out.au = std::string(au);
  for (std::size_t i = 0; i < table.size(); ++i) {
    MeasureLine line;
    line.key = keys[i];
    line.label = groups[keys[i]].label;
    fill(line, table[i], groups[keys[i]]);
    out.lignes.push_back(std::move(line));
  }
  std::sort(out.lignes.begin(), out.lignes.end(),
            [](const MeasureLine& a, const MeasureLine& b) { return a.label < b.label; });
  out.total.key = "total";
  out.total.label = "Total";
  fill(out.total, totals, all);
  return out;
}

// ---------------------------------------------------------------------------------------
// Jobs.

Result<SweepReport> OrientationService::Sweep(const audit::Context& ctx) {
  const TimePoint now = clock_.Now();
  SweepReport report;
  Actor system{Side::kSystem, 0, "systeme", nullptr};
  // Batches until nothing is due (each step moves its orientation's dates past now); bounded
  // so that rows another instance keeps changing cannot hold the job.
  for (int batch = 0; batch < kMaxDueBatches; ++batch) {
    PASIP_ASSIGN_OR_RETURN(due, store_.Due(now, kDueBatch));
    int progressed = 0;
    for (const Orientation& o : due) {
      bool expire = o.expires_at && *o.expires_at <= now;
      auto done = TakeStep(o, expire ? Step::kExpire : Step::kRemind, StepInput{}, system, ctx);
      if (!done) {
        // Another instance took it meanwhile; anything else stops the sweep (retried later).
        if (done.error().code == ErrorCode::kFailedPrecondition) continue;
        return Fail(done.error());
      }
      ++progressed;
      ++(expire ? report.expirees : report.rappels);
    }
    if (static_cast<int>(due.size()) < kDueBatch || progressed == 0) break;
  }
  PASIP_ASSIGN_OR_RETURN(pruned, store_.PruneLinks(now));
  (void)pruned;
  return report;
}

Result<int> OrientationService::SendDigests() {
  const TimePoint now = clock_.Now();
  identity::UserQuery q;
  q.include_disabled = false;
  q.limit = 100000;
  PASIP_ASSIGN_OR_RETURN(users, identity_.ListUsers(q));
  int queued = 0;
  std::map<OrganisationId, std::int64_t> awaiting;
  for (const identity::User& u : users) {
    if (u.disabled) continue;
    std::set<OrganisationId> orgs;
    for (const identity::Membership& m : u.memberships) {
      if (m.role == Role::kPartenaire || m.role == Role::kAccueil || m.role == Role::kSocial) {
        orgs.insert(m.organisation_id);
      }
    }
    if (orgs.empty()) continue;
    PASIP_ASSIGN_OR_RETURN(digest, store_.WantsDigest(u.id));
    if (!digest) continue;
    std::int64_t total = 0;
    for (OrganisationId org : orgs) {
      if (!awaiting.contains(org)) {
        PASIP_ASSIGN_OR_RETURN(n, store_.CountAwaiting(org));
        awaiting[org] = n;
      }
      total += awaiting[org];
    }
    if (total == 0) continue;
    mail::Message m;
    m.to = u.email;
    m.kind = "orientation.resume";
    m.ref = "resume:" + std::to_string(u.id) + ":" + ParisDay(now);
    m.subject = "[" + settings_.deployment_name + "] Résumé du jour : " + std::to_string(total) +
                (total > 1 ? " orientations attendent" : " orientation attend") + " votre réponse";
    m.body = "Bonjour,\n\n" + std::to_string(total) +
             (total > 1 ? " orientations adressées à votre structure attendent"
                        : " orientation adressée à votre structure attend") +
             " une réponse.\n\nVotre boîte de réception :\n" + settings_.public_url +
             "/orientations/recues" + Signature(settings_);
    m.created_at = m.next_attempt_at = now;
    PASIP_ASSIGN_OR_RETURN(saved, outbox_.Enqueue(m));
    (void)saved;
    ++queued;
  }
  return queued;
}

}  // namespace pasip::orientation
