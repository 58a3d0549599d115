-- Territory reference: régions, départements and current communes of the COG, keyed by
-- their codes (imported with `pasip import communes`, re-imports update in place).
CREATE TABLE regions (
  code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 3)
);

CREATE TABLE departements (
  code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 3),
  name TEXT,
  region TEXT NOT NULL REFERENCES regions(code)
);

CREATE TABLE communes (
  code TEXT PRIMARY KEY CHECK (length(code) = 5),
  name TEXT NOT NULL CHECK (name <> ''),
  departement TEXT NOT NULL REFERENCES departements(code),
  region TEXT NOT NULL REFERENCES regions(code),
  epci TEXT,
  population INTEGER CHECK (population >= 0),
  latitude REAL CHECK (latitude BETWEEN -90 AND 90),
  longitude REAL CHECK (longitude BETWEEN -180 AND 180),
  kind TEXT NOT NULL
);
CREATE INDEX communes_departement ON communes(departement, code);
