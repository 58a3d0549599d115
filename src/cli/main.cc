// pasip: the single binary. Subcommands: serve, migrate, demo, user, org, site, audit,
// jobs, purge, totp, config, hours, import, export. Every command takes --config FILE and
// --database URL; passwords are read from standard input, never from arguments (they would
// show in `ps`).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/application.h"
#include "app/archive.h"
#include "app/config.h"
#include "app/demo.h"
#include "app/directory_import.h"
#include "app/territory_import.h"
#include "core/crypto.h"
#include "core/text.h"
#include "domain/identity/totp.h"
#include "domain/openinghours/normaliser.h"
#include "domain/openinghours/opening_hours.h"
#include "server/serve.h"
#include "storage/migrations.h"
#include "storage/territory_repository.h"

namespace {

using pasip::Result;
using pasip::app::Application;
using pasip::app::Config;

struct CommonOptions {
  std::string config_file;
  std::map<std::string, std::string> flags;
};

int Report(const pasip::Error& error) {
  std::fprintf(stderr, "pasip : %s\n", error.message.c_str());
  if (!error.field.empty()) std::fprintf(stderr, "        (champ : %s)\n", error.field.c_str());
  return error.code == pasip::ErrorCode::kInvalidArgument ? 2 : 1;
}

Result<Config> Load(const CommonOptions& common) {
  return pasip::app::LoadConfig(common.config_file, pasip::app::ProcessEnvironment(), common.flags);
}

// Runs `body` with an open application (migrated database).
int WithApp(const CommonOptions& common, const std::function<int(Application&)>& body) {
  auto config = Load(common);
  if (!config) return Report(config.error());
  static pasip::SystemClock clock;
  auto app = Application::Open(*config, clock);
  if (!app) return Report(app.error());
  return body(**app);
}

std::string ReadPassword(const std::string& prompt) {
  if (isatty(0)) std::fprintf(stderr, "%s", prompt.c_str());
  std::string line;
  std::getline(std::cin, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}

void AddCommon(CLI::App* cmd, CommonOptions& common) {
  cmd->add_option("--config", common.config_file, "Fichier de configuration TOML");
  cmd->add_option_function<std::string>(
      "--database", [&common](const std::string& v) { common.flags["database.url"] = v; },
      "Base de données (sqlite://… ou postgresql://…)");
}

std::string Cell(std::string s) {
  for (char& c : s) {
    if (c == '\t' || c == '\n') c = ' ';
  }
  return s;
}

// `pasip hours eval`: one answer line per input line STRING<TAB>ISO_INSTANT[<TAB>COMMUNE].
int HoursEval() {
  namespace oh = pasip::openinghours;
  std::unordered_map<std::string, Result<oh::OpeningHours>> parsed;  // repeated strings
  // Large inputs: unsynchronised std::cin and a fully buffered 1 MiB stdout (printf only).
  std::ios::sync_with_stdio(false);
  static char out_buffer[1 << 20];
  std::setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t tab = line.find('\t');
    const std::string hours = line.substr(0, tab);
    std::string instant = tab == std::string::npos ? "" : line.substr(tab + 1);
    std::string commune;
    if (const std::size_t tab2 = instant.find('\t'); tab2 != std::string::npos) {
      commune = instant.substr(tab2 + 1);
      instant.resize(tab2);
    }
    const auto at = pasip::ParseIso(instant);
    if (!at) {
      std::printf("error\tInstant illisible : « %s » (attendu : 2026-03-02T09:00:00Z).\n",
                  Cell(instant).c_str());
      continue;
    }
    if (parsed.size() > 100000) parsed.clear();
    auto it = parsed.find(hours);
    if (it == parsed.end()) it = parsed.emplace(hours, oh::OpeningHours::Parse(hours)).first;
    if (!it->second) {
      std::printf("error\t%s\n", Cell(it->second.error().message).c_str());
      continue;
    }
    const auto place = oh::Place::FromCommune(commune);
    const auto state = it->second->StateAt(*at, place);
    const auto next = it->second->NextChange(*at, place);
    std::printf("%s\t%s\n", std::string(oh::StateName(state)).c_str(),
                next ? pasip::FormatIsoUtc(*next).c_str() : "");
  }
  return 0;
}

// `pasip hours check`: the normalised string, what was changed, and this week in French.
int HoursCheck(const std::string& text, const std::string& commune) {
  namespace oh = pasip::openinghours;
  const auto normalised = oh::Normalise(text);
  std::printf("%s\n", normalised.text.c_str());
  for (const auto& change : normalised.changes) std::printf("  modifié : %s\n", change.c_str());
  const auto hours = oh::OpeningHours::Parse(normalised.text);
  if (!hours) return Report(hours.error());
  const auto place = oh::Place::FromCommune(commune);
  const pasip::CivilTime today = pasip::ToParisCivil(pasip::SystemClock().Now());
  const oh::Date date{static_cast<int>(today.year), static_cast<int>(today.month),
                      static_cast<int>(today.day)};
  for (const auto& day : oh::FormatWeekFr(hours->Week(date, place))) {
    std::printf("%s\n", day.c_str());
  }
  return 0;
}

// The whole content of `path`, or kInvalidArgument naming `field`.
Result<std::string> ReadWholeFile(const std::string& path, const char* field) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  if (!in || !(content << in.rdbuf())) {
    if (in && in.peek() == std::ifstream::traits_type::eof()) return std::string();
    return pasip::Fail(pasip::InvalidArgument("Fichier illisible : « " + path + " ».", field));
  }
  return content.str();
}

// The progress bar of an import, on standard error when it is a terminal.
pasip::app::ImportProgress TerminalProgress() {
  if (!isatty(2)) return {};
  return [](std::string_view what, std::int64_t done, std::int64_t total) {
    std::fprintf(stderr, "\r%s", pasip::app::ProgressLine(what, done, total).c_str());
    if (done >= total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  };
}

// Prints an import's summary (standard output), its rejects and warnings (standard error,
// and the rejects as CSV in `rejects_file` when given). Exit status: 0, or 3 when rows were
// refused.
int PrintImportReport(const pasip::app::DirectoryImportReport& r, const std::string& rejects_file) {
  using pasip::app::GroupThousands;
  constexpr std::size_t kShown = 50;
  if (!r.alertes.empty()) {
    std::fprintf(stderr, "Alertes (lignes importées avec une réserve) :\n%s\n",
                 pasip::app::IssuesTable(r.alertes, kShown).c_str());
  }
  if (!r.rejets.empty()) {
    std::fprintf(stderr, "Lignes refusées :\n%s\n",
                 pasip::app::IssuesTable(r.rejets, kShown).c_str());
  }
  if (!rejects_file.empty()) {
    std::ofstream out(rejects_file, std::ios::binary | std::ios::trunc);
    out << pasip::app::IssuesCsv(r.rejets);
    if (!out) {
      return Report(pasip::InvalidArgument(
          "Impossible d'écrire la liste des rejets dans « " + rejects_file + " ».", "rejets"));
    }
  }
  std::printf("Structures : %s lues, %s créées, %s mises à jour.\n",
              GroupThousands(r.structures_lues).c_str(),
              GroupThousands(r.counts.structures_created).c_str(),
              GroupThousands(r.counts.structures_updated).c_str());
  std::printf("Services : %s lus, %s créés, %s mis à jour.\n",
              GroupThousands(r.services_lus).c_str(),
              GroupThousands(r.counts.services_created).c_str(),
              GroupThousands(r.counts.services_updated).c_str());
  std::printf("Lignes refusées : %s ; alertes : %s.\n",
              GroupThousands(static_cast<std::int64_t>(r.rejets.size())).c_str(),
              GroupThousands(static_cast<std::int64_t>(r.alertes.size())).c_str());
  return r.rejets.empty() ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  pasip::crypto::InitCrypto();
  spdlog::set_pattern("%v");
  CLI::App cli{"pasip — système d'information du premier accueil social inconditionnel"};
  cli.require_subcommand(1);
  CommonOptions common;
  int exit_code = 0;

  // serve
  auto* serve = cli.add_subcommand("serve", "Démarrer le serveur web");
  AddCommon(serve, common);
  serve->add_option_function<std::string>(
      "--listen", [&](const std::string& v) { common.flags["server.listen"] = v; },
      "Adresse d'écoute HÔTE:PORT (port 0 = port libre)");
  serve->add_option_function<std::string>(
      "--threads", [&](const std::string& v) { common.flags["server.threads"] = v; },
      "Fils d'exécution (0 = un par cœur)");
  serve->add_option_function<std::string>(
      "--static-dir", [&](const std::string& v) { common.flags["server.static_dir"] = v; },
      "Dossier des fichiers statiques");
  serve->add_flag_callback(
      "--demo", [&] { common.flags["deployment.demo"] = "true"; },
      "Afficher le bandeau de démonstration");
  serve->callback([&] {
    auto config = Load(common);
    if (!config) {
      exit_code = Report(config.error());
      return;
    }
    exit_code = pasip::server::Serve(*config);
  });

  // migrate
  auto* migrate = cli.add_subcommand("migrate", "Mettre à jour le schéma de la base");
  AddCommon(migrate, common);
  migrate->add_option_function<std::string>(
      "--app-role", [&](const std::string& v) { common.flags["database.app_role"] = v; },
      "PostgreSQL : rôle de l'application à qui donner ses droits");
  migrate->callback([&] {
    exit_code = WithApp(common, [](Application& app) {
      if (!app.config().database_app_role.empty()) {
        if (auto g = pasip::storage::GrantApplicationRole(app.database(),
                                                          app.config().database_app_role);
            !g) {
          return Report(g.error());
        }
      }
      auto main = pasip::storage::CurrentVersion(app.database(), pasip::storage::Series::kMain);
      auto audit =
          pasip::storage::CurrentVersion(app.audit_database(), pasip::storage::Series::kAudit);
      std::printf("Schéma à jour : version %d (journal d'audit : version %d).\n", main ? *main : -1,
                  audit ? *audit : -1);
      return 0;
    });
  });

  // demo
  auto* demo = cli.add_subcommand("demo", "Créer le territoire de démonstration (idempotent)");
  AddCommon(demo, common);
  demo->callback([&] {
    exit_code = WithApp(common, [](Application& app) {
      auto accounts = pasip::app::CreateDemoTerritory(app);
      if (!accounts) return Report(accounts.error());
      for (const auto& a : *accounts) {
        std::printf("%s\t%s\t%s\t%s\n", a.role.c_str(), a.email.c_str(), a.password.c_str(),
                    a.totp_secret.c_str());
      }
      return 0;
    });
  });

  // user
  auto* user = cli.add_subcommand("user", "Gérer les comptes");
  user->require_subcommand(1);
  struct {
    std::string email, name, role;
    std::int64_t org = 0;
    std::vector<std::int64_t> sites;
    std::string query;
  } u;
  auto* user_add = user->add_subcommand("add", "Créer un compte (mot de passe lu sur l'entrée)");
  AddCommon(user_add, common);
  user_add->add_option("--email", u.email, "Adresse e-mail")->required();
  user_add->add_option("--name", u.name, "Nom affiché")->required();
  user_add->add_option("--org", u.org, "Numéro de l'organisation")->required();
  user_add->add_option("--role", u.role, "accueil, social, partenaire, coordination ou admin")
      ->required();
  user_add->add_option("--site", u.sites, "Lieu(x) de rattachement (tous par défaut)");
  user_add->callback([&] {
    exit_code = WithApp(common, [&](Application& app) {
      const auto role = pasip::identity::ParseRole(u.role);
      if (!role) {
        return Report(pasip::InvalidArgument(
            "Rôle inconnu : accueil, social, partenaire, coordination ou admin.", "role"));
      }
      pasip::identity::NewUser nu{u.email,
                                  u.name,
                                  ReadPassword("Mot de passe (12 caractères au moins) : "),
                                  {{u.org, *role, u.sites}}};
      auto created = app.services().accounts.CreateUser(nu, {0, "cli"});
      if (!created) return Report(created.error());
      std::printf("Compte %lld créé : %s\n", static_cast<long long>(created->id),
                  created->email.c_str());
      return 0;
    });
  });
  auto* user_list = user->add_subcommand("list", "Lister les comptes");
  AddCommon(user_list, common);
  user_list->add_option("--q", u.query, "Texte recherché");
  user_list->callback([&] {
    exit_code = WithApp(common, [&](Application& app) {
      pasip::identity::UserQuery q;
      q.text = u.query;
      q.limit = 1000;
      auto list = app.services().identity.ListUsers(q);
      if (!list) return Report(list.error());
      std::printf("id\temail\tnom\tétat\trôles\n");
      for (const auto& usr : *list) {
        std::string roles;
        for (const auto& m : usr.memberships) {
          if (!roles.empty()) roles += ",";
          roles += std::string(pasip::identity::RoleName(m.role)) + "@" +
                   std::to_string(m.organisation_id);
        }
        std::printf("%lld\t%s\t%s\t%s\t%s\n", static_cast<long long>(usr.id),
                    Cell(usr.email).c_str(), Cell(usr.display_name).c_str(),
                    usr.disabled ? "désactivé" : "actif", roles.c_str());
      }
      return 0;
    });
  });
  const auto find_user = [&](Application& app) -> Result<pasip::identity::User> {
    auto found = app.services().identity.FindUserByEmail(pasip::text::NormaliseEmail(u.email));
    if (!found) return pasip::Fail(found.error());
    if (!*found) return pasip::Fail(pasip::NotFound("Aucun compte avec cette adresse e-mail."));
    return std::move(**found);
  };
  for (const auto& [name, disabled] : {std::pair{"disable", true}, std::pair{"enable", false}}) {
    auto* cmd =
        user->add_subcommand(name, disabled ? "Désactiver un compte" : "Réactiver un compte");
    AddCommon(cmd, common);
    cmd->add_option("--email", u.email, "Adresse e-mail")->required();
    cmd->callback([&, disabled = disabled] {
      exit_code = WithApp(common, [&](Application& app) {
        auto found = find_user(app);
        if (!found) return Report(found.error());
        if (auto r = app.services().accounts.SetDisabled(found->id, disabled, {0, "cli"}); !r) {
          return Report(r.error());
        }
        std::printf("Compte %s %s.\n", found->email.c_str(), disabled ? "désactivé" : "réactivé");
        return 0;
      });
    });
  }
  auto* reset = user->add_subcommand("reset-password",
                                     "Changer le mot de passe d'un compte (lu sur l'entrée)");
  AddCommon(reset, common);
  reset->add_option("--email", u.email, "Adresse e-mail")->required();
  reset->callback([&] {
    exit_code = WithApp(common, [&](Application& app) {
      auto found = find_user(app);
      if (!found) return Report(found.error());
      const std::string pw = ReadPassword("Nouveau mot de passe : ");
      if (auto r = app.services().accounts.ResetPassword(found->id, pw, {0, "cli"}); !r) {
        return Report(r.error());
      }
      std::printf("Mot de passe changé ; les sessions ouvertes sont fermées.\n");
      return 0;
    });
  });

  // org
  auto* org = cli.add_subcommand("org", "Gérer les organisations");
  org->require_subcommand(1);
  struct {
    std::string name, kind, siret, query;
  } o;
  auto* org_add = org->add_subcommand("add", "Créer une organisation");
  AddCommon(org_add, common);
  org_add->add_option("--name", o.name, "Nom")->required();
  org_add->add_option("--kind", o.kind, "Type (réseau porteur data·inclusion : ccas-cias, caf…)")
      ->required();
  org_add->add_option("--siret", o.siret, "SIRET (14 chiffres)");
  org_add->callback([&] {
    exit_code = WithApp(common, [&](Application& app) {
      pasip::identity::Organisation org_value;
      org_value.name = o.name;
      org_value.kind = o.kind;
      org_value.siret = o.siret;
      auto created = app.services().organisations.Create(org_value, {0, "cli"});
      if (!created) return Report(created.error());
      std::printf("Organisation %lld créée : %s\n", static_cast<long long>(created->id),
                  created->name.c_str());
      return 0;
    });
  });
  auto* org_list = org->add_subcommand("list", "Lister les organisations");
  AddCommon(org_list, common);
  org_list->add_option("--q", o.query, "Texte recherché");
  org_list->callback([&] {
    exit_code = WithApp(common, [&](Application& app) {
      auto list = app.services().identity.ListOrganisations({o.query});
      if (!list) return Report(list.error());
      std::printf("id\tnom\ttype\tsiret\tétat\n");
      for (const auto& x : *list) {
        std::printf("%lld\t%s\t%s\t%s\t%s\n", static_cast<long long>(x.id), Cell(x.name).c_str(),
                    x.kind.c_str(), x.siret.c_str(), x.active ? "active" : "inactive");
      }
      return 0;
    });
  });

  // site
  auto* site = cli.add_subcommand("site", "Gérer les lieux d'accueil");
  site->require_subcommand(1);
  struct {
    std::int64_t org = 0;
    std::string name, address, commune;
    std::optional<double> lat, lon;
  } st;
  auto* site_add = site->add_subcommand("add", "Créer un lieu d'accueil");
  AddCommon(site_add, common);
  site_add->add_option("--org", st.org, "Numéro de l'organisation")->required();
  site_add->add_option("--name", st.name, "Nom du lieu")->required();
  site_add->add_option("--commune", st.commune, "Code commune INSEE")->required();
  site_add->add_option("--address", st.address, "Adresse");
  site_add->add_option("--lat", st.lat, "Latitude");
  site_add->add_option("--lon", st.lon, "Longitude");
  site_add->callback([&] {
    exit_code = WithApp(common, [&](Application& app) {
      pasip::identity::Site s;
      s.organisation_id = st.org;
      s.name = st.name;
      s.address = st.address;
      s.commune_code = st.commune;
      s.latitude = st.lat;
      s.longitude = st.lon;
      auto created = app.services().organisations.CreateSite(s, {0, "cli"});
      if (!created) return Report(created.error());
      std::printf("Lieu %lld créé : %s\n", static_cast<long long>(created->id),
                  created->name.c_str());
      return 0;
    });
  });
  auto* site_list = site->add_subcommand("list", "Lister les lieux d'accueil");
  AddCommon(site_list, common);
  std::optional<std::int64_t> site_org;
  site_list->add_option("--org", site_org, "Numéro de l'organisation");
  site_list->callback([&] {
    exit_code = WithApp(common, [&](Application& app) {
      pasip::identity::SiteQuery q;
      q.organisation_id = site_org;
      auto list = app.services().identity.ListSites(q);
      if (!list) return Report(list.error());
      std::printf("id\torganisation\tnom\tcommune\tlatitude\tlongitude\n");
      for (const auto& x : *list) {
        std::printf("%lld\t%lld\t%s\t%s\t%s\t%s\n", static_cast<long long>(x.id),
                    static_cast<long long>(x.organisation_id), Cell(x.name).c_str(),
                    x.commune_code.c_str(), x.latitude ? std::to_string(*x.latitude).c_str() : "",
                    x.longitude ? std::to_string(*x.longitude).c_str() : "");
      }
      return 0;
    });
  });

  // audit
  auto* audit_cmd = cli.add_subcommand("audit", "Rechercher dans le journal d'audit");
  AddCommon(audit_cmd, common);
  pasip::audit::Query aq;
  std::optional<std::int64_t> audit_user;
  std::string audit_from, audit_to;
  audit_cmd->add_option("--user", audit_user, "Numéro du compte");
  audit_cmd->add_option("--action", aq.action, "Action (read, create, sign_in…)");
  audit_cmd->add_option("--type", aq.resource_type, "Type de ressource (user, person…)");
  audit_cmd->add_option("--resource", aq.resource_id, "Identifiant de la ressource");
  audit_cmd->add_option("--from", audit_from, "Depuis (AAAA-MM-JJ)");
  audit_cmd->add_option("--to", audit_to, "Jusqu'à (AAAA-MM-JJ, exclu)");
  audit_cmd->add_option("--limit", aq.limit, "Nombre d'entrées (100 par défaut)");
  audit_cmd->callback([&] {
    exit_code = WithApp(common, [&](Application& app) {
      aq.user_id = audit_user;
      for (const auto& [text, target, field] :
           {std::tuple{&audit_from, &aq.from, "from"}, std::tuple{&audit_to, &aq.to, "to"}}) {
        if (text->empty()) continue;
        *target = pasip::ParseIso(*text);
        if (!*target) return Report(pasip::InvalidArgument("Date invalide (AAAA-MM-JJ).", field));
      }
      auto entries = app.services().audit.Search(aq);
      if (!entries) return Report(entries.error());
      std::printf("id\tdate\tutilisateur\taction\ttype\tressource\trequête\trésultat\n");
      for (const auto& e : *entries) {
        std::printf("%lld\t%s\t%lld\t%s\t%s\t%s\t%s\t%s\n", static_cast<long long>(e.id),
                    pasip::FormatIsoUtc(e.at).c_str(), static_cast<long long>(e.user_id),
                    e.action.c_str(), e.resource_type.c_str(), e.resource_id.c_str(),
                    e.request_id.c_str(),
                    std::string(pasip::audit::OutcomeName(e.outcome)).c_str());
      }
      return 0;
    });
  });

  // jobs
  auto* jobs = cli.add_subcommand("jobs", "Tâches planifiées");
  jobs->require_subcommand(1);
  auto* jobs_run = jobs->add_subcommand("run", "Exécuter maintenant les tâches dues");
  AddCommon(jobs_run, common);
  jobs_run->callback([&] {
    exit_code = WithApp(common, [](Application& app) {
      auto ran = app.worker().RunOnce();
      if (!ran) return Report(ran.error());
      std::printf("%d tâche(s) exécutée(s).\n", *ran);
      return 0;
    });
  });
  auto* jobs_list = jobs->add_subcommand("list", "Lister les dernières tâches");
  AddCommon(jobs_list, common);
  jobs_list->callback([&] {
    exit_code = WithApp(common, [](Application& app) {
      auto recent = app.services().jobs.Recent(50);
      if (!recent) return Report(recent.error());
      static constexpr const char* kStates[] = {"en attente", "en cours", "terminée", "échouée"};
      std::printf("id\ttype\tprévue\tessais\tétat\terreur\n");
      for (const auto& j : *recent) {
        std::printf("%lld\t%s\t%s\t%d\t%s\t%s\n", static_cast<long long>(j.job.id),
                    j.job.kind.c_str(), pasip::FormatIsoUtc(j.job.run_at).c_str(), j.job.attempts,
                    kStates[static_cast<int>(j.state)], Cell(j.job.last_error).c_str());
      }
      return 0;
    });
  });

  // purge
  auto* purge = cli.add_subcommand(
      "purge",
      "Appliquer maintenant la durée de conservation des dossiers de personnes (anonymiser, ou "
      "exporter pour les archives puis supprimer)");
  AddCommon(purge, common);
  purge->add_option_function<std::string>(
      "--archives", [&](const std::string& v) { common.flags["reception.archives_dir"] = v; },
      "Dossier où déposer les dossiers exportés (défaut : reception.archives_dir)");
  purge->callback([&] {
    exit_code = WithApp(common, [](Application& app) {
      auto report =
          pasip::app::PurgePersons(app.services().reception, app.config().reception_archives_dir,
                                   app.services().clock, "purge-cli");
      if (!report) return Report(report.error());
      std::printf("%s\n",
                  pasip::app::PurgeSummary(*report, app.config().reception_archives_dir).c_str());
      for (const auto& bundle : report->bundles) std::printf("  archive : %s\n", bundle.c_str());
      return 0;
    });
  });

  // totp
  auto* totp = cli.add_subcommand("totp", "Afficher le code TOTP actuel d'une clé (démonstration)");
  std::string secret;
  totp->add_option("secret", secret, "Clé secrète en base32")->required();
  totp->callback([&] {
    if (!pasip::crypto::Base32Decode(secret)) {
      exit_code = Report(pasip::InvalidArgument("Clé base32 invalide.", "secret"));
      return;
    }
    std::printf("%s\n", pasip::identity::TotpCode(secret, pasip::SystemClock().Now()).c_str());
  });

  // config
  auto* config_cmd = cli.add_subcommand("config", "Configuration");
  config_cmd->require_subcommand(1);
  auto* keys = config_cmd->add_subcommand("keys", "Lister les clés de configuration");
  keys->callback([&] {
    for (const auto& k : pasip::app::ConfigKeys()) {
      std::printf("%s\t%s\n", k.key.c_str(), k.description.c_str());
    }
  });
  auto* check = config_cmd->add_subcommand("check", "Vérifier la configuration");
  AddCommon(check, common);
  check->callback([&] {
    auto config = Load(common);
    if (!config) {
      exit_code = Report(config.error());
      return;
    }
    std::printf("Configuration valide. Base : %s ; écoute : %s\n", config->database_url.c_str(),
                config->ListenAddress().c_str());
  });

  // import
  auto* import = cli.add_subcommand("import", "Importer des données de référence");
  import->require_subcommand(1);
  auto* import_communes =
      import->add_subcommand("communes",
                             "Importer les communes (CSV du COG, JSON geo.api.gouv.fr ou "
                             "decoupage-administratif) ; un nouvel import met à jour");
  AddCommon(import_communes, common);
  std::string communes_file;
  import_communes->add_option("fichier", communes_file, "Fichier CSV ou JSON")->required();
  import_communes->callback([&] {
    std::ifstream in(communes_file, std::ios::binary);
    std::ostringstream content;
    if (!in || !(content << in.rdbuf())) {
      exit_code = Report(
          pasip::InvalidArgument("Fichier illisible : « " + communes_file + " ».", "fichier"));
      return;
    }
    // Parse before opening the database so that a bad file changes nothing at all.
    auto parsed = pasip::app::ParseCommunesText(content.str());
    if (!parsed) {
      exit_code = Report(parsed.error());
      return;
    }
    exit_code = WithApp(common, [&](Application& app) {
      pasip::storage::SqlTerritoryStore store(app.database());
      auto report = pasip::territory::ImportCommunes(store, *parsed);
      if (!report) return Report(report.error());
      std::printf(
          "Communes : %lld créées, %lld mises à jour, %lld ignorées "
          "(arrondissements, communes déléguées ou associées).\n",
          static_cast<long long>(report->created), static_cast<long long>(report->updated),
          static_cast<long long>(report->skipped));
      return 0;
    });
  });

  // import data-inclusion, import france-services, export data-inclusion
  struct {
    std::string structures, services, source, rejects, file, date, out;
  } di;
  auto* import_di = import->add_subcommand(
      "data-inclusion",
      "Importer des structures et services au schéma data·inclusion v1 (JSON, JSON Lines ou "
      "CSV) ; un nouvel import met à jour. Sortie : 0, 3 si des lignes sont refusées, 2 si un "
      "fichier est illisible");
  AddCommon(import_di, common);
  import_di->add_option("--structures", di.structures, "Fichier des structures");
  import_di->add_option("--services", di.services, "Fichier des services");
  import_di->add_option("--source", di.source,
                        "Source des enregistrements qui n'en indiquent pas ; une autre source "
                        "est refusée");
  import_di->add_option("--rejets", di.rejects, "Écrire les lignes refusées dans ce fichier CSV");
  import_di->callback([&] {
    pasip::app::DataInclusionInput input;
    input.source = di.source;
    for (const auto& [path, target, field] :
         {std::tuple{&di.structures, &input.structures, "structures"},
          std::tuple{&di.services, &input.services, "services"}}) {
      if (path->empty()) continue;
      auto text = ReadWholeFile(*path, field);
      if (!text) {
        exit_code = Report(text.error());
        return;
      }
      *target = pasip::app::ImportFile{*path, std::move(*text)};
    }
    if (!input.structures && !input.services) {
      exit_code = Report(pasip::InvalidArgument(
          "Indiquez --structures FICHIER, --services FICHIER, ou les deux.", "fichier"));
      return;
    }
    exit_code = WithApp(common, [&](Application& app) {
      pasip::app::ImportOptions options;
      options.progress = TerminalProgress();
      auto report =
          pasip::app::ImportDataInclusion(app.database(), app.services().directory, input, options);
      if (!report) return Report(report.error());
      if (auto audited = app.services().audit.Record(
              {0, "cli"}, "directory.import", "data-inclusion",
              input.source.empty() ? std::string("data-inclusion") : input.source);
          !audited) {
        return Report(audited.error());
      }
      return PrintImportReport(*report, di.rejects);
    });
  });

  auto* import_fs = import->add_subcommand(
      "france-services",
      "Importer la liste des France services de l'ANCT (CSV) ; un nouvel import met à jour. "
      "Sortie : 0, 3 si des lignes sont refusées, 2 si le fichier est illisible");
  AddCommon(import_fs, common);
  import_fs->add_option("fichier", di.file, "Fichier CSV de l'ANCT")->required();
  import_fs->add_option("--date", di.date,
                        "Date de la liste, AAAA-MM-JJ (par défaut : celle du nom du fichier, "
                        "sinon aujourd'hui)");
  import_fs->add_option("--rejets", di.rejects, "Écrire les lignes refusées dans ce fichier CSV");
  import_fs->callback([&] {
    auto text = ReadWholeFile(di.file, "fichier");
    if (!text) {
      exit_code = Report(text.error());
      return;
    }
    std::string date = di.date;
    if (date.empty()) date = pasip::app::DateFromFileName(di.file);
    if (date.empty()) {
      const auto today = pasip::ToParisCivil(pasip::SystemClock().Now());
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", static_cast<long long>(today.year),
                    today.month, today.day);
      date = buffer;
    }
    exit_code = WithApp(common, [&](Application& app) {
      pasip::app::ImportOptions options;
      options.progress = TerminalProgress();
      auto report = pasip::app::ImportFranceServices(app.database(), app.services().directory,
                                                     {di.file, std::move(*text)}, date, options);
      if (!report) return Report(report.error());
      if (auto audited = app.services().audit.Record({0, "cli"}, "directory.import",
                                                     "data-inclusion", "france-services");
          !audited) {
        return Report(audited.error());
      }
      return PrintImportReport(*report, di.rejects);
    });
  });

  auto* export_cmd = cli.add_subcommand("export", "Exporter des données");
  export_cmd->require_subcommand(1);
  auto* export_di = export_cmd->add_subcommand(
      "data-inclusion",
      "Écrire DOSSIER/structures.json et DOSSIER/services.json au schéma data·inclusion v1 "
      "(enregistrements publiés)");
  AddCommon(export_di, common);
  export_di->add_option("--out", di.out, "Dossier de sortie")->required();
  export_di->callback([&] {
    exit_code = WithApp(common, [&](Application& app) {
      auto report = pasip::app::ExportDataInclusion(app.services().directory.store(), di.out);
      if (!report) return Report(report.error());
      std::printf("Export data·inclusion : %s structures, %s services dans %s.\n",
                  pasip::app::GroupThousands(report->structures).c_str(),
                  pasip::app::GroupThousands(report->services).c_str(), di.out.c_str());
      return 0;
    });
  });

  // hours
  auto* hours = cli.add_subcommand("hours", "Horaires d'ouverture (syntaxe opening_hours)");
  hours->require_subcommand(1);
  auto* hours_eval = hours->add_subcommand(
      "eval", "Évaluer des lignes HORAIRES<TAB>INSTANT[<TAB>COMMUNE] lues sur l'entrée");
  hours_eval->callback([&] { exit_code = HoursEval(); });
  auto* hours_check =
      hours->add_subcommand("check", "Corriger, vérifier et afficher la semaine en français");
  std::string hours_text, hours_commune;
  hours_check->add_option("horaires", hours_text, "Horaires à vérifier")->required();
  hours_check->add_option("--commune", hours_commune, "Code INSEE de la commune (jours fériés)");
  hours_check->callback([&] { exit_code = HoursCheck(hours_text, hours_commune); });

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  return exit_code;
}
