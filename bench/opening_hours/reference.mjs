// Reference side of the opening-hours benchmark (bench/opening_hours/run.sh): evaluates the
// same input as `pasip hours eval` with npm `opening_hours`, the reference implementation.
//
//   TZ=Europe/Paris node bench/opening_hours/reference.mjs INPUT OUTPUT [REPEAT]
//
// INPUT has lines STRING<TAB>ISO_INSTANT[<TAB>COMMUNE] (the commune is ignored: every place
// is taken to be in Lyon, Auvergne-Rhône-Alpes). OUTPUT receives one line per input line, in
// pasip's format: `open|closed|unknown<TAB>NEXT_CHANGE_ISO` (next change empty when none
// within 366 days, pasip's horizon) or `error<TAB>message` (string refused), plus
// `exception<TAB>message` when the library throws while evaluating a string it accepted.
//
// Timing: the evaluation loop runs REPEAT times (default 1) over all lines, module load and
// file reading excluded. Like pasip, each distinct string is parsed once (a cache that
// lives for the whole run) and parsing is inside the timed loop. The last line printed on
// stdout is `REFERENCE evaluations=N seconds=S`.
//
// The library evaluates in the process's local time zone: run node with TZ=Europe/Paris.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import opening_hours from 'opening_hours';

const [input, output, repeatArg] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage : TZ=Europe/Paris node reference.mjs ENTRÉE SORTIE [RÉPÉTITIONS]');
  process.exit(2);
}
if (process.env.TZ !== 'Europe/Paris') {
  console.error('reference.mjs : lancez node avec TZ=Europe/Paris (fuseau des horaires évalués)');
  process.exit(2);
}
const repeat = Math.max(1, Number.parseInt(repeatArg ?? '1', 10) || 1);

// The Nominatim reverse-geocoding answer the library expects, for Lyon (69123). Only
// country_code and state matter for PH/SH; lat/lon would matter for sunrise/sunset.
const nominatim = {
  lat: '45.7578',
  lon: '4.8320',
  address: { country_code: 'fr', state: 'Auvergne-Rhône-Alpes', city: 'Lyon' },
};
const MODE_TIME_RANGES = 0;
const HORIZON_MS = 366 * 24 * 3600 * 1000; // pasip looks 366 days ahead at most

const lines = readFileSync(input, 'utf8').split('\n');
if (lines.at(-1) === '') lines.pop();
const cases = lines.map((line) => {
  const [hours, instant] = line.replace(/\r$/, '').split('\t');
  return { hours, at: new Date(instant) };
});

const isoSeconds = (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const oneLine = (s) => String(s).replace(/[\t\n]+/g, ' ').trim();

function evaluateAll() {
  const parsed = new Map(); // string -> opening_hours object, or {error}
  const answers = new Array(cases.length);
  for (let i = 0; i < cases.length; i++) {
    const { hours, at } = cases[i];
    let oh = parsed.get(hours);
    if (oh === undefined) {
      try {
        oh = new opening_hours(hours, nominatim, MODE_TIME_RANGES);
      } catch (error) {
        oh = { error: oneLine(error) };
      }
      parsed.set(hours, oh);
    }
    if (oh.error !== undefined) {
      answers[i] = `error\t${oh.error}`;
      continue;
    }
    if (Number.isNaN(at.getTime())) {
      answers[i] = 'error\tinstant illisible';
      continue;
    }
    try {
      const state = oh.getUnknown(at) ? 'unknown' : oh.getState(at) ? 'open' : 'closed';
      const next = oh.getNextChange(at, new Date(at.getTime() + HORIZON_MS));
      answers[i] = `${state}\t${next === undefined ? '' : isoSeconds(next)}`;
    } catch (error) {
      // The library can throw while evaluating a string it parsed ("infinite loop in
      // nextChange"): reported apart from parse failures.
      answers[i] = `exception\t${oneLine(error)}`;
    }
  }
  return answers;
}

let answers;
const start = process.hrtime.bigint();
for (let r = 0; r < repeat; r++) answers = evaluateAll();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;

writeFileSync(output, answers.length ? answers.join('\n') + '\n' : '');
const version = createRequire(import.meta.url)('opening_hours/package.json').version;
console.log(
  `REFERENCE evaluations=${cases.length * repeat} seconds=${seconds.toFixed(6)} version=${version}`,
);
