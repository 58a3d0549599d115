-- Orientations (issue 5): the liaison forms and their history, in-app notifications,
-- partners' digest preference, one-time codes and sessions of partners reached by a link,
-- the deployment's secrets, and the mail outbox (written by
-- storage/orientation_repository.cc and storage/outbox_repository.cc). Instants are Unix
-- seconds; booleans 0/1.
--
-- The person stays person_id (security.md S5: the right-of-access coverage test finds it
-- by that name). The service and structure are not foreign keys: the directory may remove
-- a record, the orientation keeps its copy of the names. Lists (motives, shared fields and
-- their values) are JSON arrays: they are read and written with their orientation only.
CREATE TABLE orientations (
  id INTEGER PRIMARY KEY,
  status TEXT NOT NULL CHECK (status <> ''),
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  site_id INTEGER NOT NULL REFERENCES sites(id),
  created_by INTEGER NOT NULL REFERENCES users(id),
  passage_id INTEGER REFERENCES passages(id) ON DELETE SET NULL,
  person_id INTEGER REFERENCES persons(id),
  service_id INTEGER NOT NULL,
  structure_id INTEGER NOT NULL,
  recipient_organisation_id INTEGER REFERENCES organisations(id),
  service_nom TEXT NOT NULL,
  structure_nom TEXT NOT NULL,
  referent_nom TEXT NOT NULL,
  destinataire_courriel TEXT NOT NULL,
  motifs TEXT NOT NULL,
  demande TEXT NOT NULL,
  urgence TEXT NOT NULL,
  mode TEXT NOT NULL,
  accompagnement TEXT NOT NULL,
  echeance TEXT NOT NULL,
  champs_partages TEXT NOT NULL,
  partage TEXT NOT NULL,
  consentement TEXT NOT NULL,
  consent_id INTEGER REFERENCES person_consents(id) ON DELETE SET NULL,
  sent_at INTEGER,
  received_at INTEGER,
  answered_at INTEGER,
  outcome_at INTEGER,
  closed_at INTEGER,
  expires_at INTEGER,
  next_reminder_at INTEGER,
  reminders INTEGER NOT NULL CHECK (reminders >= 0),
  motif TEXT NOT NULL,
  commentaire TEXT NOT NULL,
  rdv_date INTEGER,
  rdv_lieu TEXT NOT NULL,
  origine_id INTEGER REFERENCES orientations(id),
  reorientee_vers INTEGER REFERENCES orientations(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1)
);
-- Lists are newest first by id (keyset pagination), per side.
CREATE INDEX orientations_organisation ON orientations(organisation_id, id);
CREATE INDEX orientations_recipient ON orientations(recipient_organisation_id, id);
CREATE INDEX orientations_status ON orientations(status, id);
CREATE INDEX orientations_person ON orientations(person_id);
CREATE INDEX orientations_passage ON orientations(passage_id);
CREATE INDEX orientations_consent ON orientations(consent_id);
-- Due reminders and expiries of orientations awaiting an answer.
CREATE INDEX orientations_reminder ON orientations(status, next_reminder_at);
CREATE INDEX orientations_expiry ON orientations(status, expires_at);
-- Measures: orientations sent in a period.
CREATE INDEX orientations_sent ON orientations(sent_at);

-- History: who, when, what. actor_id 0 is the system or a partner through a link.
CREATE TABLE orientation_events (
  id INTEGER PRIMARY KEY,
  orientation_id INTEGER NOT NULL REFERENCES orientations(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  actor_id INTEGER NOT NULL,
  actor TEXT NOT NULL,
  step TEXT NOT NULL CHECK (step <> ''),
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX orientation_events_orientation ON orientation_events(orientation_id, step);

CREATE TABLE orientation_notifications (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  orientation_id INTEGER NOT NULL REFERENCES orientations(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  message TEXT NOT NULL,
  read_at INTEGER
);
CREATE INDEX orientation_notifications_user ON orientation_notifications(user_id, at, id);
CREATE INDEX orientation_notifications_orientation
  ON orientation_notifications(orientation_id);

CREATE TABLE orientation_prefs (
  user_id INTEGER PRIMARY KEY REFERENCES users(id),
  digest INTEGER NOT NULL
);

-- Partners reached by a link: the code sent before any personal data is shown, then the
-- session it opens. Tokens and codes are stored hashed.
CREATE TABLE orientation_link_codes (
  token_hash TEXT PRIMARY KEY,
  orientation_id INTEGER NOT NULL REFERENCES orientations(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL
);
CREATE INDEX orientation_link_codes_expiry ON orientation_link_codes(expires_at);
CREATE INDEX orientation_link_codes_orientation ON orientation_link_codes(orientation_id);

CREATE TABLE orientation_link_sessions (
  token_hash TEXT PRIMARY KEY,
  orientation_id INTEGER NOT NULL REFERENCES orientations(id) ON DELETE CASCADE,
  courriel TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX orientation_link_sessions_expiry ON orientation_link_sessions(expires_at);
CREATE INDEX orientation_link_sessions_orientation
  ON orientation_link_sessions(orientation_id);

-- Secrets created by the first instance and shared by all (the partner links' key).
CREATE TABLE app_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Outgoing e-mail (domain/mail/mail.h): written in the transaction of the change it
-- announces, claimed with a lease by the sender job. No personal data in it.
CREATE TABLE mail_outbox (
  id INTEGER PRIMARY KEY,
  recipient TEXT NOT NULL CHECK (recipient <> ''),
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL CHECK (attempts >= 0),
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  sent_at INTEGER,
  last_error TEXT NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_at, id);
CREATE INDEX mail_outbox_lease ON mail_outbox(state, lease_until);
CREATE INDEX mail_outbox_ref ON mail_outbox(ref, id);
CREATE INDEX mail_outbox_created ON mail_outbox(created_at);
