// Administration of organisations (institutions) and their sites (lieux d'accueil):
// validation of what is entered, and audited writes.
#pragma once

#include "core/result.h"
#include "domain/audit/audit.h"
#include "domain/identity/model.h"
#include "domain/identity/ports.h"

namespace pasip::identity {

// kInvalidArgument naming the field: name required (≤ 200), kind from the list, SIRET
// empty or 14 digits passing the Luhn check.
Status ValidateOrganisation(const Organisation& organisation);
// Name required, commune code of 5 characters (digits, or 2A/2B then 3 digits), latitude
// and longitude both present or both absent, within range.
Status ValidateSite(const Site& site);

// Told after a site is created or updated, so that the directory keeps the site's structure
// in step (a site is a structure of the directory). A failure is the caller's failure.
class SiteObserver {
 public:
  virtual ~SiteObserver() = default;
  virtual Status SiteSaved(const Site& site, const Organisation& organisation,
                           const audit::Context& context) = 0;
};

class OrganisationService {
 public:
  OrganisationService(IdentityStore& store, audit::AuditLog& audit)
      : store_(store), audit_(audit) {}

  Result<Organisation> Create(Organisation organisation, const audit::Context& context);
  Status Update(const Organisation& organisation, const audit::Context& context);
  Result<Site> CreateSite(Site site, const audit::Context& context);
  Status UpdateSite(const Site& site, const audit::Context& context);
  // Set once by the composition root, before use.
  void SetSiteObserver(SiteObserver* observer) { site_observer_ = observer; }

 private:
  IdentityStore& store_;
  audit::AuditLog& audit_;
  SiteObserver* site_observer_ = nullptr;
};

}  // namespace pasip::identity
