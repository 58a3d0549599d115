#include "app/config.h"

#include <toml++/toml.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>

#include "core/text.h"

extern char** environ;

namespace pasip::app {
namespace {

using Setter = std::function<Status(Config&, const std::string& value)>;

struct KeyDef {
  const char* key;
  const char* description;
  Setter set;
};

Error Bad(const std::string& key, const std::string& what) {
  return InvalidArgument("Configuration : la clé « " + key + " » " + what, key);
}

Setter Text(std::string Config::*member) {
  return [member](Config& c, const std::string& v) -> Status {
    c.*member = v;
    return Ok();
  };
}

Result<std::int64_t> ParseInt(const std::string& key, const std::string& v, std::int64_t min,
                              std::int64_t max) {
  try {
    std::size_t used = 0;
    const long long n = std::stoll(v, &used);
    if (used != v.size() || n < min || n > max) throw std::out_of_range(key);
    return n;
  } catch (const std::exception&) {
    return Fail(Bad(key, "doit être un nombre entier entre " + std::to_string(min) + " et " +
                             std::to_string(max) + " (reçu « " + v + " »)."));
  }
}

Result<bool> ParseBool(const std::string& key, const std::string& v) {
  if (v == "true" || v == "1" || v == "oui" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "non" || v == "no") return false;
  return Fail(Bad(key, "doit valoir true ou false (reçu « " + v + " »)."));
}

Status ParseListen(Config& c, const std::string& v) {
  const std::size_t colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Fail(Bad("server.listen", "doit avoir la forme HÔTE:PORT, par exemple 127.0.0.1:8080."));
  }
  std::string host = v.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  PASIP_ASSIGN_OR_RETURN(port, ParseInt("server.listen", v.substr(colon + 1), 0, 65535));
  c.listen_host = host;
  c.listen_port = static_cast<std::uint16_t>(port);
  return Ok();
}

// WCAG relative luminance of an sRGB colour "#rrggbb".
double Luminance(const std::string& hex) {
  double channels[3];
  for (int i = 0; i < 3; ++i) {
    const double c = std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16) / 255.0;
    channels[i] = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  }
  return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
}

// The colour is used for links on white and behind white button text: it must reach the
// WCAG AA contrast of 4.5:1 against white.
Status CheckColour(const std::string& key, const std::string& v) {
  static const std::regex kHex("#[0-9a-fA-F]{6}");
  if (!std::regex_match(v, kHex)) {
    return Fail(Bad(key, "doit être une couleur de la forme #1d4e89."));
  }
  const double contrast = 1.05 / (Luminance(v) + 0.05);
  if (contrast < 4.5) {
    char ratio[16];
    std::snprintf(ratio, sizeof ratio, "%.1f", contrast);
    return Fail(Bad(key, "est trop claire : contraste de " + std::string(ratio) +
                             ":1 sur fond blanc, il faut au moins 4,5:1 (WCAG AA)."));
  }
  return Ok();
}

const std::vector<KeyDef>& Keys() {
  static const std::vector<KeyDef> keys = {
      {"database.url",
       "Base de données : sqlite:///chemin/absolu.db, sqlite://chemin/relatif.db ou "
       "postgresql://utilisateur@hôte:port/base",
       Text(&Config::database_url)},
      {"database.audit_url", "Fichier SQLite du journal d'audit (par défaut : <base>-audit.db)",
       Text(&Config::audit_database_url)},
      {"database.app_role",
       "PostgreSQL : rôle de connexion de l'application, à qui « pasip migrate » donne ses droits",
       Text(&Config::database_app_role)},
      {"database.pool", "Nombre maximal de connexions à la base",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(n, ParseInt("database.pool", v, 1, 256));
         c.database_pool = static_cast<unsigned>(n);
         return Ok();
       }},
      {"server.listen", "Adresse d'écoute HÔTE:PORT", ParseListen},
      {"server.threads", "Nombre de fils d'exécution (0 = un par cœur)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(n, ParseInt("server.threads", v, 0, 256));
         c.threads = static_cast<unsigned>(n);
         return Ok();
       }},
      {"server.max_body_bytes", "Taille maximale d'une requête en octets",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(n, ParseInt("server.max_body_bytes", v, 1024, 64 << 20));
         c.max_body_bytes = static_cast<std::size_t>(n);
         return Ok();
       }},
      {"server.max_connections",
       "Connexions ouvertes en même temps au plus (au-delà, refusées aussitôt)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(n, ParseInt("server.max_connections", v, 16, 1000000));
         c.max_connections = static_cast<std::size_t>(n);
         return Ok();
       }},
      {"server.public_url", "Adresse publique du service (https://…), pour les liens",
       [](Config& c, const std::string& v) -> Status {
         if (!v.empty() && v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0) {
           return Fail(Bad("server.public_url", "doit commencer par http:// ou https://."));
         }
         c.public_url = v;
         return Ok();
       }},
      {"server.static_dir", "Dossier des fichiers statiques (CSS, JavaScript)",
       Text(&Config::static_dir)},
      {"server.secure_cookies",
       "Cookies « Secure » (à laisser à true ; false seulement pour un essai en HTTP "
       "hors de 127.0.0.1)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(b, ParseBool("server.secure_cookies", v));
         c.secure_cookies = b;
         return Ok();
       }},
      {"server.trusted_proxies",
       "Adresses des mandataires inverses (nginx) dont l'en-tête X-Forwarded-For fait foi, "
       "séparées par des virgules",
       [](Config& c, const std::string& v) -> Status {
         c.trusted_proxies.clear();
         for (const std::string& part : text::Split(v, ',')) {
           const std::string_view address = text::Trim(part);
           if (address.empty()) continue;
           if (address.find_first_not_of("0123456789abcdefABCDEF.:") != std::string_view::npos) {
             return Fail(Bad("server.trusted_proxies",
                             "doit lister des adresses IP séparées par des virgules."));
           }
           c.trusted_proxies.emplace_back(address);
         }
         return Ok();
       }},
      {"server.jobs", "Exécuter les tâches planifiées dans cette instance",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(b, ParseBool("server.jobs", v));
         c.jobs = b;
         return Ok();
       }},
      {"deployment.name", "Nom du service affiché (ex. « Accueil social du Morbihan »)",
       [](Config& c, const std::string& v) -> Status {
         if (v.empty() || v.size() > 100) {
           return Fail(Bad("deployment.name", "doit compter de 1 à 100 caractères."));
         }
         c.deployment_name = v;
         return Ok();
       }},
      {"deployment.logo_url", "Adresse du logo", Text(&Config::deployment_logo_url)},
      {"deployment.color_primary", "Couleur principale (#rrggbb, contraste AA sur blanc)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_TRY(CheckColour("deployment.color_primary", v));
         c.color_primary = v;
         return Ok();
       }},
      {"deployment.color_primary_hover", "Couleur principale au survol (#rrggbb)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_TRY(CheckColour("deployment.color_primary_hover", v));
         c.color_primary_hover = v;
         return Ok();
       }},
      {"deployment.demo", "Déploiement de démonstration (bandeau, données fictives)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(b, ParseBool("deployment.demo", v));
         c.demo = b;
         return Ok();
       }},
      {"smtp.host", "Serveur SMTP", Text(&Config::smtp_host)},
      {"smtp.port", "Port SMTP",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(n, ParseInt("smtp.port", v, 1, 65535));
         c.smtp_port = static_cast<std::uint16_t>(n);
         return Ok();
       }},
      {"smtp.starttls", "Exiger STARTTLS",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(b, ParseBool("smtp.starttls", v));
         c.smtp_starttls = b;
         return Ok();
       }},
      {"smtp.username", "Identifiant SMTP", Text(&Config::smtp_username)},
      {"smtp.password", "Mot de passe SMTP", Text(&Config::smtp_password)},
      {"smtp.from", "Adresse d'expédition",
       [](Config& c, const std::string& v) -> Status {
         if (v.find('@') == std::string::npos) {
           return Fail(Bad("smtp.from", "doit être une adresse e-mail."));
         }
         c.smtp_from = v;
         return Ok();
       }},
      {"orientations.rappel_jours",
       "Rappel au partenaire tous les N jours sans réponse à une orientation (1 à 60)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(n, ParseInt("orientations.rappel_jours", v, 1, 60));
         c.orientation_reminder_days = static_cast<int>(n);
         return Ok();
       }},
      {"orientations.expiration_jours",
       "Expiration d'une orientation sans réponse, en jours après l'envoi (1 à 365)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(n, ParseInt("orientations.expiration_jours", v, 1, 365));
         c.orientation_expiry_days = static_cast<int>(n);
         return Ok();
       }},
      {"orientations.lien_jours",
       "Validité des liens envoyés aux partenaires sans compte, en jours (1 à 60)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(n, ParseInt("orientations.lien_jours", v, 1, 60));
         c.orientation_link_days = static_cast<int>(n);
         return Ok();
       }},
      {"sessions.idle_minutes", "Expiration d'une session inactive, en minutes (5 à 30)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(n, ParseInt("sessions.idle_minutes", v, 5, 30));
         c.session_idle = std::chrono::minutes(n);
         return Ok();
       }},
      {"sessions.absolute_hours", "Durée maximale d'une session, en heures (1 à 12)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(n, ParseInt("sessions.absolute_hours", v, 1, 12));
         c.session_absolute = std::chrono::hours(n);
         return Ok();
       }},
      {"audit.retention_months", "Conservation du journal d'audit, en mois (6 à 12)",
       [](Config& c, const std::string& v) -> Status {
         PASIP_ASSIGN_OR_RETURN(n, ParseInt("audit.retention_months", v, 6, 12));
         c.audit_retention_months = static_cast<int>(n);
         return Ok();
       }},
      {"reception.archives_dir",
       "Dossier où la purge quotidienne dépose les dossiers exportés pour les archives",
       [](Config& c, const std::string& v) -> Status {
         if (v.empty()) return Fail(Bad("reception.archives_dir", "ne doit pas être vide."));
         c.reception_archives_dir = v;
         return Ok();
       }},
      {"reception.catalogue",
       "Fichier TSV des motifs et actes de l'accueil (vide : listes par défaut)",
       Text(&Config::reception_catalogue)},
      {"log.level", "Niveau de journalisation : debug, info, warn, error",
       [](Config& c, const std::string& v) -> Status {
         if (v != "debug" && v != "info" && v != "warn" && v != "error") {
           return Fail(Bad("log.level", "doit valoir debug, info, warn ou error."));
         }
         c.log_level = v;
         return Ok();
       }},
  };
  return keys;
}

const KeyDef* FindKey(const std::string& key) {
  for (const KeyDef& k : Keys()) {
    if (key == k.key) return &k;
  }
  return nullptr;
}

std::string EnvName(const std::string& key) {
  std::string out = "PASIP_";
  for (char c : key) {
    out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// Flattens a TOML table into dotted keys with textual values.
Status Flatten(const toml::table& table, const std::string& prefix,
               std::map<std::string, std::string>& out) {
  for (const auto& [k, node] : table) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const toml::table* sub = node.as_table()) {
      PASIP_TRY(Flatten(*sub, key, out));
    } else if (const auto* s = node.as_string()) {
      out[key] = s->get();
    } else if (const auto* i = node.as_integer()) {
      out[key] = std::to_string(i->get());
    } else if (const auto* b = node.as_boolean()) {
      out[key] = b->get() ? "true" : "false";
    } else {
      return Fail(Bad(key, "doit être un texte, un nombre entier ou un booléen."));
    }
  }
  return Ok();
}

}  // namespace

std::string Config::ListenAddress() const {
  const bool v6 = listen_host.find(':') != std::string::npos;
  return (v6 ? "[" + listen_host + "]" : listen_host) + ":" + std::to_string(listen_port);
}

std::string Config::PublicUrl() const {
  return public_url.empty() ? "http://" + ListenAddress() : public_url;
}

std::vector<KeyInfo> ConfigKeys() {
  std::vector<KeyInfo> out;
  for (const KeyDef& k : Keys()) out.push_back({k.key, k.description});
  return out;
}

Result<Config> LoadConfig(const std::string& toml_path,
                          const std::map<std::string, std::string>& environment,
                          const std::map<std::string, std::string>& flags) {
  std::map<std::string, std::string> values;
  if (!toml_path.empty()) {
    toml::table parsed;
    try {
      parsed = toml::parse_file(toml_path);
    } catch (const toml::parse_error& err) {
      return Fail(InvalidArgument("Fichier de configuration " + toml_path + ", ligne " +
                                      std::to_string(err.source().begin.line) + " : " +
                                      std::string(err.description()),
                                  "config"));
    }
    PASIP_TRY(Flatten(parsed, "", values));
    for (const auto& [key, value] : values) {
      if (!FindKey(key)) {
        return Fail(Bad(key, "est inconnue (voir « pasip config keys »)."));
      }
    }
  }
  for (const KeyDef& k : Keys()) {
    const auto it = environment.find(EnvName(k.key));
    if (it != environment.end()) values[k.key] = it->second;
  }
  for (const auto& [key, value] : flags) {
    if (!FindKey(key)) return Fail(Bad(key, "est inconnue."));
    values[key] = value;
  }
  Config config;
  for (const auto& [key, value] : values) {
    PASIP_TRY(FindKey(key)->set(config, value));
  }
  return config;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    const std::size_t eq = entry.find('=');
    if (eq != std::string::npos) out[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return out;
}

}  // namespace pasip::app
