#!/usr/bin/env node
// Validates a data·inclusion export against the official JSON Schema (v1).
//
// Usage: node scripts/validate-data-inclusion.mjs DIR SCHEMA_DIR
//   DIR         holds structures.json and services.json (JSON arrays), as written by
//               `pasip export data-inclusion --out DIR`
//   SCHEMA_DIR  holds structure.json and service.json (data-inclusion-schema, schemas/v1)
//
// Every item is checked with ajv (draft-07, formats uri/email/date from ajv-formats), and the
// export's own coherence: ids unique, each service's structure_id among the structures.
// Prints the first errors; exit status 0 when everything is valid, 1 when an item is not,
// 2 for a usage error or an unreadable file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const MAX_SHOWN = 20;

function usage(message) {
  if (message) console.error(`validate-data-inclusion : ${message}`);
  console.error("Usage : node scripts/validate-data-inclusion.mjs DOSSIER DOSSIER_DES_SCHÉMAS");
  process.exit(2);
}

function readJson(path) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    usage(`fichier illisible : ${path} (${error.code ?? error.message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    usage(`JSON invalide dans ${path} : ${error.message}`);
  }
}

const [dir, schemaDir] = process.argv.slice(2);
if (!dir || !schemaDir || process.argv.length > 4) usage();

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

const problems = [];
let shown = 0;
function report(file, index, id, message) {
  problems.push(message);
  if (shown < MAX_SHOWN) {
    console.error(`${file} [${index}] ${id ?? "(sans id)"} : ${message}`);
    shown += 1;
  }
}

const counts = {};
const structureIds = new Set();
for (const [file, schemaFile] of [
  ["structures.json", "structure.json"],
  ["services.json", "service.json"],
]) {
  const validate = ajv.compile(readJson(join(schemaDir, schemaFile)));
  const items = readJson(join(dir, file));
  if (!Array.isArray(items)) {
    report(file, "-", null, "un tableau JSON est attendu");
    continue;
  }
  counts[file] = items.length;
  const seen = new Set();
  items.forEach((item, index) => {
    const id = item && typeof item === "object" ? item.id : undefined;
    if (!validate(item)) {
      for (const error of validate.errors) {
        const where = error.instancePath || "/";
        const params = { ...error.params };
        if (Array.isArray(params.allowedValues)) {
          params.allowedValues = `${params.allowedValues.length} valeurs`;
        }
        report(file, index, id, `${where} ${error.message} ${JSON.stringify(params)}`);
      }
    }
    if (typeof id === "string") {
      if (seen.has(id)) report(file, index, id, "identifiant en double");
      seen.add(id);
      if (file === "structures.json") structureIds.add(id);
    }
    if (file === "services.json" && item && !structureIds.has(item.structure_id)) {
      report(file, index, id, `structure_id « ${item.structure_id} » absent des structures`);
    }
  });
}

if (problems.length > MAX_SHOWN) {
  console.error(`… et ${problems.length - MAX_SHOWN} autres erreurs.`);
}
const summary = `${counts["structures.json"] ?? 0} structures, ${counts["services.json"] ?? 0} services`;
if (problems.length > 0) {
  console.error(`Export data·inclusion NON conforme au schéma : ${problems.length} erreur(s) (${summary}).`);
  process.exit(1);
}
console.log(`Export data·inclusion conforme au schéma v1 : ${summary}.`);
