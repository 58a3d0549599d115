// Configuration of a pasip deployment: a TOML file, then PASIP_* environment variables,
// then command-line flags, each overriding the previous one.
//
// Keys are dotted ("database.url"); the environment name of a key is PASIP_ followed by
// the key in upper case with dots as underscores (PASIP_DATABASE_URL). Validation names
// the bad key in a French message. Plain value type; no global state.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace pasip::app {

struct Config {
  // [database]
  std::string database_url = "sqlite://var/pasip.db";
  // The SQLite file of the audit log; default: beside the database, "<name>-audit.db".
  // Ignored on PostgreSQL (schema `audit` of the same database).
  std::string audit_database_url;
  std::string database_app_role;  // PostgreSQL: role granted by `pasip migrate`
  unsigned database_pool = 8;

  // [server]
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  unsigned threads = 0;  // 0 = one per core
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_connections = 10000;
  std::string public_url;  // default http://<listen>
  std::string static_dir;  // default: share/pasip/web next to the binary
  bool secure_cookies = true;
  bool jobs = true;  // run the job worker in this instance
  // Reverse proxies whose X-Forwarded-For is believed (exact addresses).
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};

  // [deployment]
  std::string deployment_name = "pasip";
  std::string deployment_logo_url;
  std::string color_primary = "#1d4e89";
  std::string color_primary_hover = "#163b68";
  bool demo = false;

  // [smtp] (used by notifications, from the orientation module on)
  std::string smtp_host = "127.0.0.1";
  std::uint16_t smtp_port = 25;
  bool smtp_starttls = true;
  std::string smtp_username;
  std::string smtp_password;
  std::string smtp_from = "pasip@localhost";

  // [sessions]
  std::chrono::minutes session_idle{30};
  std::chrono::hours session_absolute{12};

  // [audit]
  int audit_retention_months = 12;

  // [reception]
  // Where the daily purge writes the archive bundles of organisations that export files
  // to their archives service before removing them (one JSON file per person, mode 0600).
  std::string reception_archives_dir = "var/archives";
  // A TSV file replacing the default motive and act lists (reception::ParseCatalogue);
  // empty = the defaults.
  std::string reception_catalogue;

  // [orientations]
  int orientation_reminder_days = 10;  // reminders every M days while unanswered
  int orientation_expiry_days = 30;    // expiry N days after sending, unanswered
  int orientation_link_days = 14;      // life of the signed links sent to partners

  std::string log_level = "info";

  std::string ListenAddress() const;
  std::string PublicUrl() const;
};

// Every key, with its description, for `pasip config keys` and the README.
struct KeyInfo {
  std::string key;
  std::string description;
};
std::vector<KeyInfo> ConfigKeys();

// Builds the configuration. `toml_path` may be empty (no file). `environment` holds the
// process environment (name → value); `flags` holds keys set on the command line.
// Fails with kInvalidArgument whose field is the key at fault.
Result<Config> LoadConfig(const std::string& toml_path,
                          const std::map<std::string, std::string>& environment,
                          const std::map<std::string, std::string>& flags);

// The process environment as a map.
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace pasip::app
