-- The directory of the offer: structures and services on the data·inclusion v1 schema, with
-- the search index the domain computes for each record (tags, locations, text), and the
-- commune search terms of the territory reference.
--
-- Each record keeps its identity, links and sortable scalars as columns and every other
-- field in `data` (JSON written by storage/directory_repository.cc). The index columns:
-- `listed` (shown to the public), `sort_name`, `index_payload` (JSON: tags, locations and
-- closures, returned with every search candidate) and `search_document` (the core/french
-- lexemes joined by spaces, ASCII punctuation written _hh; read by the FTS5 tables through
-- their triggers).
CREATE TABLE structures (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL CHECK (source <> ''),
  source_id TEXT NOT NULL CHECK (source_id <> ''),
  nom TEXT NOT NULL,
  date_maj TEXT NOT NULL,
  siret TEXT,
  code_insee TEXT,
  code_postal TEXT,
  latitude REAL CHECK (latitude BETWEEN -90 AND 90),
  longitude REAL CHECK (longitude BETWEEN -180 AND 180),
  organisation_id INTEGER REFERENCES organisations(id),
  site_id INTEGER UNIQUE REFERENCES sites(id),
  publie INTEGER NOT NULL,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  listed INTEGER NOT NULL,
  sort_name TEXT NOT NULL,
  index_payload TEXT NOT NULL,
  search_document TEXT NOT NULL,
  UNIQUE (source, source_id)
);
CREATE INDEX structures_organisation ON structures(organisation_id, id);

CREATE TABLE services (
  id INTEGER PRIMARY KEY,
  structure_id INTEGER NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
  source TEXT NOT NULL CHECK (source <> ''),
  source_id TEXT NOT NULL CHECK (source_id <> ''),
  nom TEXT NOT NULL,
  date_maj TEXT NOT NULL,
  type TEXT,
  frais TEXT,
  code_insee TEXT,
  latitude REAL CHECK (latitude BETWEEN -90 AND 90),
  longitude REAL CHECK (longitude BETWEEN -180 AND 180),
  publie INTEGER NOT NULL,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  listed INTEGER NOT NULL,
  sort_name TEXT NOT NULL,
  index_payload TEXT NOT NULL,
  search_document TEXT NOT NULL,
  UNIQUE (source, source_id)
);
CREATE INDEX services_structure ON services(structure_id, id);

-- Filter tables: one row per distinct "kind:value" tag and per location of a record.
CREATE TABLE structure_tags (
  structure_id INTEGER NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (structure_id, tag)
) WITHOUT ROWID;
CREATE INDEX structure_tags_tag ON structure_tags(tag, structure_id);

CREATE TABLE service_tags (
  service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (service_id, tag)
) WITHOUT ROWID;
CREATE INDEX service_tags_tag ON service_tags(tag, service_id);

CREATE TABLE structure_locations (
  structure_id INTEGER NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
  latitude REAL NOT NULL,
  longitude REAL NOT NULL
);
CREATE INDEX structure_locations_box ON structure_locations(latitude, longitude, structure_id);
CREATE INDEX structure_locations_record ON structure_locations(structure_id);

CREATE TABLE service_locations (
  service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  latitude REAL NOT NULL,
  longitude REAL NOT NULL
);
CREATE INDEX service_locations_box ON service_locations(latitude, longitude, service_id);
CREATE INDEX service_locations_record ON service_locations(service_id);

-- Full text: external-content FTS5 tables over search_document (whole lexemes are matched,
-- so no positions are needed: detail=none), kept in step by triggers, cascades included.
CREATE VIRTUAL TABLE structures_fts USING fts5(
  search_document, content='structures', content_rowid='id', tokenize="ascii tokenchars '_'", detail=none);
CREATE TRIGGER structures_fts_insert AFTER INSERT ON structures BEGIN
  INSERT INTO structures_fts (rowid, search_document) VALUES (new.id, new.search_document);
END;
CREATE TRIGGER structures_fts_delete AFTER DELETE ON structures BEGIN
  INSERT INTO structures_fts (structures_fts, rowid, search_document)
    VALUES ('delete', old.id, old.search_document);
END;
CREATE TRIGGER structures_fts_update AFTER UPDATE OF search_document ON structures BEGIN
  INSERT INTO structures_fts (structures_fts, rowid, search_document)
    VALUES ('delete', old.id, old.search_document);
  INSERT INTO structures_fts (rowid, search_document) VALUES (new.id, new.search_document);
END;

CREATE VIRTUAL TABLE services_fts USING fts5(
  search_document, content='services', content_rowid='id', tokenize="ascii tokenchars '_'", detail=none);
CREATE TRIGGER services_fts_insert AFTER INSERT ON services BEGIN
  INSERT INTO services_fts (rowid, search_document) VALUES (new.id, new.search_document);
END;
CREATE TRIGGER services_fts_delete AFTER DELETE ON services BEGIN
  INSERT INTO services_fts (services_fts, rowid, search_document)
    VALUES ('delete', old.id, old.search_document);
END;
CREATE TRIGGER services_fts_update AFTER UPDATE OF search_document ON services BEGIN
  INSERT INTO services_fts (services_fts, rowid, search_document)
    VALUES ('delete', old.id, old.search_document);
  INSERT INTO services_fts (rowid, search_document) VALUES (new.id, new.search_document);
END;

-- Territory: La Poste codes (space-separated, NULL when no source gave them) and the terms
-- commune autocompletion searches by prefix: the folded name from each word start, the
-- INSEE code and the postcodes (written by storage/territory_repository.cc).
ALTER TABLE communes ADD COLUMN codes_postaux TEXT;
CREATE TABLE commune_terms (
  term TEXT NOT NULL,
  code TEXT NOT NULL REFERENCES communes(code) ON DELETE CASCADE,
  PRIMARY KEY (term, code)
) WITHOUT ROWID;
CREATE INDEX commune_terms_code ON commune_terms(code);
