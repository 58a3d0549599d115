-- Reception (issue 4): passages, person files and their matching keys, follows, notes,
-- consents, merges, the pre-reception queue, retention settings and the purge log
-- (written by storage/reception_repository.cc). Instants are Unix seconds; booleans 0/1.
--
-- Every table holding a person names the column person_id or *_person_id: the export
-- coverage test (security.md S5) finds them by that name and checks that the right of
-- access covers each. The purge log keeps the erased id only, as purged_id, on purpose.
CREATE TABLE persons (
  id INTEGER PRIMARY KEY,
  nom_affiche TEXT NOT NULL CHECK (nom_affiche <> ''),
  nom_naissance TEXT NOT NULL DEFAULT '',
  nom_usage TEXT NOT NULL DEFAULT '',
  prenoms TEXT NOT NULL DEFAULT '',
  date_naissance TEXT NOT NULL DEFAULT '',
  sexe TEXT NOT NULL DEFAULT '',
  nationalite TEXT NOT NULL DEFAULT '',
  telephone TEXT NOT NULL DEFAULT '',
  courriel TEXT NOT NULL DEFAULT '',
  adresse TEXT NOT NULL DEFAULT '',
  commune_code TEXT NOT NULL DEFAULT '',
  langues TEXT NOT NULL DEFAULT '[]',
  besoins_accessibilite TEXT NOT NULL DEFAULT '',
  referent_id INTEGER REFERENCES users(id),
  foyer TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  dernier_contact INTEGER NOT NULL,
  merged_into INTEGER REFERENCES persons(id)
);
CREATE INDEX persons_contact ON persons(dernier_contact, id);
CREATE INDEX persons_merged ON persons(merged_into);

-- Matching keys (domain/reception/matching.h): searched exactly and by prefix, as ranges.
CREATE TABLE person_keys (
  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  PRIMARY KEY (person_id, key)
) WITHOUT ROWID;
CREATE INDEX person_keys_key ON person_keys(key, person_id);

CREATE TABLE person_follows (
  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  motif TEXT NOT NULL,
  since INTEGER NOT NULL,
  PRIMARY KEY (person_id, organisation_id)
) WITHOUT ROWID;
CREATE INDEX person_follows_organisation ON person_follows(organisation_id, person_id);

CREATE TABLE person_notes (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  author_id INTEGER NOT NULL REFERENCES users(id),
  visibilite TEXT NOT NULL,
  texte TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX person_notes_person ON person_notes(person_id, created_at, id);

CREATE TABLE person_consents (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  agent_id INTEGER NOT NULL REFERENCES users(id),
  given_at INTEGER NOT NULL,
  objet TEXT NOT NULL,
  destinataires TEXT NOT NULL,
  portee TEXT NOT NULL,
  opposition INTEGER NOT NULL
);
CREATE INDEX person_consents_person ON person_consents(person_id, given_at, id);

-- Which file was merged into which (the absorbed file stays, emptied, for redirects).
CREATE TABLE person_merges (
  kept_person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  absorbed_person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  PRIMARY KEY (kept_person_id, absorbed_person_id)
) WITHOUT ROWID;
CREATE INDEX person_merges_absorbed ON person_merges(absorbed_person_id);

-- Passages: anonymous (person_id NULL, coarse profile) or named. Agents as a JSON array of
-- user ids; motives and acts in child tables, in their order, for the statistics.
CREATE TABLE passages (
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  debut INTEGER NOT NULL,
  fin INTEGER,
  canal TEXT NOT NULL,
  agents TEXT NOT NULL,
  person_id INTEGER REFERENCES persons(id),
  urgence TEXT NOT NULL,
  langue TEXT NOT NULL,
  interpretariat INTEGER NOT NULL,
  resultat TEXT NOT NULL,
  note TEXT NOT NULL,
  tranche_age TEXT NOT NULL,
  sexe TEXT NOT NULL,
  foyer TEXT NOT NULL,
  commune_code TEXT NOT NULL,
  nombre INTEGER NOT NULL CHECK (nombre >= 1),
  lot INTEGER NOT NULL,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX passages_site ON passages(site_id, debut, id);
CREATE INDEX passages_organisation ON passages(organisation_id, debut, id);
CREATE INDEX passages_person ON passages(person_id, debut, id);

CREATE TABLE passage_motifs (
  passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  motif TEXT NOT NULL,
  PRIMARY KEY (passage_id, position)
) WITHOUT ROWID;

CREATE TABLE passage_actes (
  passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  acte TEXT NOT NULL,
  PRIMARY KEY (passage_id, position)
) WITHOUT ROWID;

-- Pre-reception queue: numbers per site and Paris day, from 1.
CREATE TABLE tickets (
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  jour TEXT NOT NULL,
  numero INTEGER NOT NULL CHECK (numero >= 1),
  motif TEXT NOT NULL,
  person_id INTEGER REFERENCES persons(id),
  etat TEXT NOT NULL,
  arrivee INTEGER NOT NULL,
  appel INTEGER,
  fin INTEGER,
  agent_id INTEGER REFERENCES users(id),
  transmis_a INTEGER,
  note_transmission TEXT NOT NULL,
  passage_id INTEGER REFERENCES passages(id) ON DELETE SET NULL,
  UNIQUE (site_id, jour, numero)
);
CREATE INDEX tickets_person ON tickets(person_id);
CREATE INDEX tickets_passage ON tickets(passage_id);

CREATE TABLE reception_retention (
  organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id),
  days INTEGER NOT NULL CHECK (days >= 1),
  mode TEXT NOT NULL
);

-- One row per erased file: its former id, never any of its data.
CREATE TABLE purge_log (
  id INTEGER PRIMARY KEY,
  purged_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  mode TEXT NOT NULL,
  bundle TEXT NOT NULL
);
