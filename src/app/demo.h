// The demo territory: an invented but plausible network in Ille-et-Vilaine (35) — the
// Département, CCAS, France services with an itinerant bus, an association, a Caf office —
// with sites in real communes, one account per role, the communes of the département, and
// a directory of the offer: one structure per demo site plus about twenty partners of other
// real kinds (missions locales, Restos du cœur, points conseil budget…), each with services
// on the data·inclusion référentiels. No real person: referents have invented names,
// fictitious phone numbers (02 99 00 xx xx) and addresses at example.org.
//
// Idempotent: run on a database that already has the demo, it only lists the accounts (it
// loads the communes again, and creates the directory when it is missing). Demo passwords
// are fixed and printed (this is a demonstration); admin and social accounts get a fixed
// TOTP secret, printed too, so that any authenticator app works.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "app/application.h"
#include "core/clock.h"
#include "domain/territory/ports.h"

namespace pasip::app {

struct DemoAccount {
  std::string role;
  std::string email;
  std::string password;
  std::string totp_secret;  // empty for roles without a second factor
};

// The files the demo reads its communes from; an empty path means "not available".
struct DemoSources {
  // data/communes.json of npm @etalab/decoupage-administratif: names, codes, postcodes,
  // population (no coordinates).
  std::filesystem::path communes_json;
  // The COG CSV with coordinates (code,nom,type,departement,region,zone,population,lat,lon),
  // as ../shared/data/communes/communes_cog2026_coords_laposte.csv.
  std::filesystem::path coordinates_csv;
};

// Looks for the sources above `executable` (the running binary when empty), as the static
// folder is found beside it: in each parent folder P of the binary, the npm package under
// P/node_modules/@etalab/decoupage-administratif/data/communes.json (the source tree when
// the binary is build/bin/pasip) and the CSV under
// P/shared/data/communes/communes_cog2026_coords_laposte.csv (the shared folder beside the
// source tree). A file not found is left empty. Never fails.
DemoSources FindDemoSources(const std::filesystem::path& executable = {});

// What LoadDemoCommunes stored, for the summary the command prints.
struct DemoCommunes {
  std::int64_t communes = 0;  // communes of the département written
  std::int64_t with_coordinates = 0;
  std::int64_t with_postcodes = 0;
  std::vector<std::string> notes;  // French: which source was missing and what that means
};

// Stores the communes of Ille-et-Vilaine: every current commune of the package's file
// (when given), with the coordinates of the CSV (when given), else, for the CSV alone, its
// communes without postcodes; the communes of the demo's own sites and partners always,
// with the coordinates and postcodes the demo knows when the sources lack them. Re-running
// updates in place. Fails with kInvalidArgument naming the file for a source that cannot be
// read or parsed, or as territory::ImportCommunes.
Result<DemoCommunes> LoadDemoCommunes(territory::TerritoryStore& store, const DemoSources& sources);

// What CreateDemoDirectory wrote.
struct DemoDirectory {
  std::int64_t structures = 0;
  std::int64_t services = 0;
};

// Creates (or rewrites in place, by source "pasip" and the demo's own ids) the demo
// directory as of `today`: one structure per demo site, linked to its site and
// organisation (found by name; a missing one leaves the structure unlinked), and the
// partners, with their services; two records are dated two years before `today`, and a
// closure notice covers the coming Christmas holidays. Every record is validated first
// (directory::ValidateStructure / ValidateService); the index is recomputed at the end.
// Needs the communes (LoadDemoCommunes) for coordinates. Fails as the validation (a bug in
// the demo data) or the store.
Result<DemoDirectory> CreateDemoDirectory(Application& app, TimePoint today);

// What CreateDemoReception wrote.
struct DemoReception {
  std::int64_t persons = 0;
  std::int64_t passages = 0;
  std::int64_t tickets = 0;
  std::int64_t orientations = 0;
};

// Reception at the CCAS de Rennes as of `now`, through the ReceptionService (validated and
// audited like an agent's work, as the demo accueil account): invented person files with a
// consent and notes, a fortnight of passages (anonymous and named), two tickets waiting in
// today's queue, and three orientations: one to the Caf accepted with an appointment (the
// demo partner account's answer), one awaiting the Caf's answer, one anonymous to the Point
// conseil budget (a partner without an account, reached by a signed link). Needs the demo
// organisations and accounts; does nothing when the site already has passages.
Result<DemoReception> CreateDemoReception(Application& app, TimePoint now);

// The whole demo: communes (from `sources`), organisations, sites and accounts (only in an
// empty database: kFailedPrecondition when it already holds other organisations), then the
// directory. Writes a French summary of the communes loaded, and of any missing source, to
// the log.
Result<std::vector<DemoAccount>> CreateDemoTerritory(
    Application& app, const DemoSources& sources = FindDemoSources());

}  // namespace pasip::app
