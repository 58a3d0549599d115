#include "app/demo.h"

#include "core/crypto.h"

namespace pasip::app {
namespace {

struct DemoSite {
  const char* name;
  const char* address;
  const char* commune;
  double lat;
  double lon;
};

struct DemoOrganisation {
  const char* name;
  const char* kind;
  std::vector<DemoSite> sites;
};

// Invented organisations in real communes of Ille-et-Vilaine (coordinates of the commune
// centres, La Poste / INSEE).
const std::vector<DemoOrganisation>& Organisations() {
  static const std::vector<DemoOrganisation> orgs = {
      {"Département d'Ille-et-Vilaine (démo)",
       "departements",
       {{"Espace départemental des solidarités de Rennes (démo)", "1 rue de l'Exemple", "35238",
         48.11198, -1.68186},
        {"Espace départemental des solidarités de Fougères (démo)", "2 place Fictive", "35115",
         48.35247, -1.19431},
        {"Espace départemental des solidarités de Redon (démo)", "3 quai Imaginaire", "35236",
         47.66097, -2.08009}}},
      {"CCAS de Rennes (démo)",
       "ccas-cias",
       {{"CCAS de Rennes — accueil central (démo)", "10 boulevard de la Démo", "35238", 48.11198,
         -1.68186}}},
      {"CCAS de Saint-Malo (démo)",
       "ccas-cias",
       {{"CCAS de Saint-Malo (démo)", "5 rue du Rempart fictif", "35288", 48.64004, -1.98061}}},
      {"France services de Bain-de-Bretagne (démo)",
       "france-service",
       {{"France services de Bain-de-Bretagne (démo)", "8 place de la Mairie fictive", "35012",
         47.83029, -1.67650},
        {"France services itinérante — arrêt de Montfort-sur-Meu (démo)", "Parking de la gare",
         "35188", 48.12610, -1.96303}}},
      {"Association Solidarité Vitré (démo)",
       "associations",
       {{"Accueil de jour de Vitré (démo)", "12 rue des Tanneurs fictive", "35360", 48.11408,
         -1.19371}}},
      {"Caf d'Ille-et-Vilaine (démo)",
       "caf",
       {{"Caf — point d'accueil de Rennes (démo)", "20 cours Fictif", "35238", 48.11198,
         -1.68186}}},
  };
  return orgs;
}

struct DemoUser {
  const char* role;
  const char* name;
  int organisation;  // index in Organisations()
};

constexpr DemoUser kUsers[] = {
    {"accueil", "Camille Agent (démo)", 1},      {"social", "Dominique Travailleur (démo)", 0},
    {"partenaire", "Alex Partenaire (démo)", 5}, {"coordination", "Sacha Coordination (démo)", 0},
    {"admin", "Morgan Admin (démo)", 0},
};

std::string DemoEmail(const std::string& role) { return role + "@demo.pasip.fr"; }
std::string DemoPassword(const std::string& role) { return "demo-" + role + "-pasip"; }
// A fixed secret per role, so that the printed secret stays valid across runs.
std::string DemoTotpSecret(const std::string& role) {
  return crypto::Base32Encode(crypto::Sha256("pasip-demo-totp-" + role).substr(0, 20));
}

}  // namespace

Result<std::vector<DemoAccount>> CreateDemoTerritory(Application& app) {
  Services& s = app.services();
  const audit::Context system{0, "demo"};
  std::vector<DemoAccount> accounts;
  for (const DemoUser& u : kUsers) {
    const auto role = identity::ParseRole(u.role);
    DemoAccount a{u.role, DemoEmail(u.role), DemoPassword(u.role),
                  identity::RoleRequiresSecondFactor(*role) ? DemoTotpSecret(u.role) : ""};
    accounts.push_back(a);
  }
  PASIP_ASSIGN_OR_RETURN(existing, s.identity.FindUserByEmail(DemoEmail("admin")));
  if (existing) return accounts;
  // Never mix invented data into a database that already holds real organisations (nor
  // duplicate a demo whose creation was interrupted).
  PASIP_ASSIGN_OR_RETURN(organisations, s.identity.ListOrganisations({}));
  if (!organisations.empty()) {
    return Fail(FailedPrecondition(
        "Cette base contient déjà des organisations : le territoire de démonstration ne se "
        "crée que dans une base vide."));
  }

  std::vector<identity::OrganisationId> org_ids;
  for (const DemoOrganisation& o : Organisations()) {
    identity::Organisation org;
    org.name = o.name;
    org.kind = o.kind;
    PASIP_ASSIGN_OR_RETURN(created, s.organisations.Create(org, system));
    org_ids.push_back(created.id);
    for (const DemoSite& site : o.sites) {
      identity::Site st;
      st.organisation_id = created.id;
      st.name = site.name;
      st.address = site.address;
      st.commune_code = site.commune;
      st.latitude = site.lat;
      st.longitude = site.lon;
      PASIP_TRY(s.organisations.CreateSite(st, system));
    }
  }
  for (std::size_t i = 0; i < std::size(kUsers); ++i) {
    const DemoUser& u = kUsers[i];
    identity::NewUser nu;
    nu.email = accounts[i].email;
    nu.display_name = u.name;
    nu.password = accounts[i].password;
    nu.memberships = {
        {org_ids[static_cast<std::size_t>(u.organisation)], *identity::ParseRole(u.role), {}}};
    PASIP_ASSIGN_OR_RETURN(created, s.accounts.CreateUser(nu, system));
    if (!accounts[i].totp_secret.empty()) {
      PASIP_TRY(s.identity.SetTotpSecret(created.id, accounts[i].totp_secret));
    }
  }
  return accounts;
}

}  // namespace pasip::app
