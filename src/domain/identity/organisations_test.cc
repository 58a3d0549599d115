#include "domain/identity/organisations.h"

#include <gtest/gtest.h>

#include "domain/identity/memory_stores_test_util.h"

namespace pasip::identity {
namespace {

Organisation ValidOrganisation() {
  Organisation o;
  o.name = "CCAS de Rennes";
  o.kind = "ccas-cias";
  return o;
}

Site ValidSite() {
  Site s;
  s.organisation_id = 1;
  s.name = "Accueil central";
  s.commune_code = "35238";
  s.latitude = 48.11;
  s.longitude = -1.68;
  return s;
}

TEST(Organisations, ValidatesNameKindAndSiret) {
  EXPECT_TRUE(ValidateOrganisation(ValidOrganisation()));
  Organisation o = ValidOrganisation();
  o.name = "  ";
  EXPECT_EQ(ValidateOrganisation(o).error().field, "name");
  o = ValidOrganisation();
  o.kind = "inconnu";
  EXPECT_EQ(ValidateOrganisation(o).error().field, "kind");
  o = ValidOrganisation();
  o.siret = "73282932000074";  // valid Luhn
  EXPECT_TRUE(ValidateOrganisation(o));
  for (const char* bad : {"7328293200007", "73282932000075", "7328293200007A"}) {
    o.siret = bad;
    const auto r = ValidateOrganisation(o);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "siret");
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Organisations, KindsComeFromDataInclusion) {
  EXPECT_TRUE(IsOrganisationKind("ccas-cias"));
  EXPECT_TRUE(IsOrganisationKind("france-service"));
  EXPECT_TRUE(IsOrganisationKind("caf"));
  EXPECT_TRUE(IsOrganisationKind("departements"));
  EXPECT_TRUE(IsOrganisationKind("associations"));
  EXPECT_GT(OrganisationKinds().size(), 100u);
  EXPECT_EQ(OrganisationKindLabel("caf"), "Caisse d’Allocations Familiales");
}

TEST(Organisations, ValidatesSites) {
  EXPECT_TRUE(ValidateSite(ValidSite()));
  Site s = ValidSite();
  s.commune_code = "2A004";
  EXPECT_TRUE(ValidateSite(s));
  for (const char* bad : {"", "3523", "352380", "2C004", "ABCDE"}) {
    s.commune_code = bad;
    EXPECT_EQ(ValidateSite(s).error().field, "commune_code") << bad;
  }
  s = ValidSite();
  s.longitude.reset();
  EXPECT_EQ(ValidateSite(s).error().field, "longitude");
  s = ValidSite();
  s.latitude = 91;
  EXPECT_EQ(ValidateSite(s).error().field, "latitude");
  s = ValidSite();
  s.latitude.reset();
  s.longitude.reset();
  EXPECT_TRUE(ValidateSite(s));
}

TEST(Organisations, ASiteNeverMovesToAnotherOrganisation) {
  testing::MemoryIdentityStore store;
  testing::MemoryAuditStore audit_store;
  ManualClock clock(*ParseIso("2026-11-22T10:00:00Z"));
  audit::AuditLog audit(audit_store, clock);
  OrganisationService service(store, audit);
  Organisation a = ValidOrganisation();
  Organisation b = ValidOrganisation();
  b.name = "Caf";
  const auto first = *service.Create(a, {});
  const auto second = *service.Create(b, {});
  Site s = ValidSite();
  s.organisation_id = first.id;
  Site site = *service.CreateSite(s, {});
  site.organisation_id = second.id;
  const auto moved = service.UpdateSite(site, {});
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().field, "organisation_id");
  site.organisation_id = first.id;
  site.name = "Accueil rénové";
  EXPECT_TRUE(service.UpdateSite(site, {}));
}

}  // namespace
}  // namespace pasip::identity
