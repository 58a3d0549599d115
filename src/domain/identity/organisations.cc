#include "domain/identity/organisations.h"

#include <cmath>

#include "core/text.h"

namespace pasip::identity {
namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

Status ValidateName(std::string_view name, std::string_view what) {
  const std::string_view trimmed = text::Trim(name);
  if (trimmed.empty()) return Fail(InvalidArgument("Indiquez " + std::string(what) + ".", "name"));
  if (trimmed.size() > 200 || !text::IsValidUtf8(trimmed)) {
    return Fail(InvalidArgument("Le nom est trop long ou mal écrit.", "name"));
  }
  return Ok();
}

}  // namespace

Status ValidateOrganisation(const Organisation& organisation) {
  PASIP_TRY(ValidateName(organisation.name, "le nom de l'organisation"));
  if (!IsOrganisationKind(organisation.kind)) {
    return Fail(InvalidArgument("Choisissez un type d'organisation dans la liste.", "kind"));
  }
  if (!organisation.siret.empty() &&
      (organisation.siret.size() != 14 || !AllDigits(organisation.siret) ||
       !LuhnValid(organisation.siret))) {
    return Fail(InvalidArgument("Le SIRET doit compter 14 chiffres valides.", "siret"));
  }
  return Ok();
}

Status ValidateSite(const Site& site) {
  PASIP_TRY(ValidateName(site.name, "le nom du lieu"));
  const std::string& c = site.commune_code;
  const bool corsica = c.size() == 5 && c[0] == '2' && (c[1] == 'A' || c[1] == 'B') &&
                       AllDigits(std::string_view(c).substr(2));
  if (!(c.size() == 5 && AllDigits(c)) && !corsica) {
    return Fail(
        InvalidArgument("Le code commune INSEE compte 5 caractères (ex. 35238).", "commune_code"));
  }
  if (site.latitude.has_value() != site.longitude.has_value()) {
    return Fail(InvalidArgument("Indiquez la latitude et la longitude, ou aucune des deux.",
                                site.latitude ? "longitude" : "latitude"));
  }
  if (site.latitude && (!std::isfinite(*site.latitude) || std::abs(*site.latitude) > 90)) {
    return Fail(InvalidArgument("La latitude doit être comprise entre -90 et 90.", "latitude"));
  }
  if (site.longitude && (!std::isfinite(*site.longitude) || std::abs(*site.longitude) > 180)) {
    return Fail(InvalidArgument("La longitude doit être comprise entre -180 et 180.", "longitude"));
  }
  if (site.address.size() > 500) {
    return Fail(InvalidArgument("L'adresse est trop longue.", "address"));
  }
  return Ok();
}

Result<Organisation> OrganisationService::Create(Organisation organisation,
                                                 const audit::Context& context) {
  organisation.name = std::string(text::Trim(organisation.name));
  PASIP_TRY(ValidateOrganisation(organisation));
  auto created = store_.CreateOrganisation(organisation);
  if (!created && created.error().code == ErrorCode::kAlreadyExists) {
    return Fail(AlreadyExists("Une organisation porte déjà ce SIRET.", "siret"));
  }
  if (!created) return created;
  PASIP_TRY(audit_.Record(context, "create", "organisation", created->id));
  return created;
}

Status OrganisationService::Update(const Organisation& organisation,
                                   const audit::Context& context) {
  PASIP_TRY(ValidateOrganisation(organisation));
  PASIP_ASSIGN_OR_RETURN(existing, store_.FindOrganisation(organisation.id));
  if (!existing) return Fail(NotFound("Cette organisation n'existe pas."));
  auto updated = store_.UpdateOrganisation(organisation);
  if (!updated && updated.error().code == ErrorCode::kAlreadyExists) {
    return Fail(AlreadyExists("Une organisation porte déjà ce SIRET.", "siret"));
  }
  PASIP_TRY(updated);
  return audit_.Record(context, "update", "organisation", organisation.id);
}

Result<Site> OrganisationService::CreateSite(Site site, const audit::Context& context) {
  site.name = std::string(text::Trim(site.name));
  PASIP_TRY(ValidateSite(site));
  PASIP_ASSIGN_OR_RETURN(org, store_.FindOrganisation(site.organisation_id));
  if (!org) return Fail(InvalidArgument("Cette organisation n'existe pas.", "organisation_id"));
  PASIP_ASSIGN_OR_RETURN(created, store_.CreateSite(site));
  PASIP_TRY(audit_.Record(context, "create", "site", created.id));
  if (site_observer_) PASIP_TRY(site_observer_->SiteSaved(created, *org, context));
  return created;
}

Status OrganisationService::UpdateSite(const Site& site, const audit::Context& context) {
  PASIP_TRY(ValidateSite(site));
  PASIP_ASSIGN_OR_RETURN(existing, store_.FindSite(site.id));
  if (!existing) return Fail(NotFound("Ce lieu n'existe pas."));
  // Memberships name sites of their organisation: a site never moves to another one.
  if (existing->organisation_id != site.organisation_id) {
    return Fail(InvalidArgument(
        "Un lieu ne change pas d'organisation : créez-le dans la nouvelle organisation.",
        "organisation_id"));
  }
  PASIP_TRY(store_.UpdateSite(site));
  PASIP_TRY(audit_.Record(context, "update", "site", site.id));
  if (!site_observer_) return Ok();
  PASIP_ASSIGN_OR_RETURN(org, store_.FindOrganisation(site.organisation_id));
  if (!org) return Ok();
  return site_observer_->SiteSaved(site, *org, context);
}

}  // namespace pasip::identity
