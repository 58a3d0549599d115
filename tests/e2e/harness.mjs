// Browser-test harness: starts the real pasip server on a throwaway SQLite database, drives
// Debian's Chromium with playwright-core, checks pages with axe-core (WCAG 2.1 A/AA).
//
//   const app = await startPasip();          // {url, accounts, accountList, output(), stop()}
//   const browser = await launchBrowser();
//   const {page, problems} = await newPage(browser);
//   await visit(page, `${app.url}/`);        // navigates, checks status, lang, axe
//   await logIn(page, app.url, app.accounts.accueil);
//
// The binary is $PASIP_BIN (default build/bin/pasip), Chromium is $PASIP_CHROMIUM (default
// /usr/bin/chromium). Set PASIP_E2E_KEEP=1 to keep the temporary folder (database, logs).
// Cookies: the session cookie is `__Host-pasip` with Secure; Chromium stores and sends Secure
// cookies on http://127.0.0.1 (a secure context), so the server needs no test-only flag.

import assert from 'node:assert/strict';
import {execFile, spawn} from 'node:child_process';
import {createHmac} from 'node:crypto';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');
const require = createRequire(path.join(repoRoot, 'package.json'));
const {chromium} = require('playwright-core');
const axePath = require.resolve('axe-core/axe.min.js');

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SERVER_START_TIMEOUT_MS = 30_000;

function pasipBinary() {
  return path.resolve(process.env.PASIP_BIN || path.join(repoRoot, 'build/bin/pasip'));
}

function run(file, args, options) {
  return new Promise((resolve, reject) => {
    execFile(file, args, options, (error, stdout, stderr) => {
      if (error) {
        error.message += `\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
        reject(error);
      } else {
        resolve({stdout, stderr});
      }
    });
  });
}

// Parses `pasip demo` output: one line per account, role<TAB>email<TAB>password<TAB>totp
// (the last field empty or absent when the account has no second factor yet).
export function parseDemoAccounts(stdout) {
  const list = [];
  for (const line of stdout.split('\n')) {
    const fields = line.replace(/\r$/, '').split('\t');
    if (fields.length < 3 || !fields[1].includes('@')) continue;
    const [role, email, password, totpSecret = ''] = fields;
    list.push({role: role.trim(), email: email.trim(), password, totpSecret: totpSecret.trim()});
  }
  return list;
}

// Starts `pasip demo` then `pasip serve` on 127.0.0.1 with a free port, in a temporary folder.
export async function startPasip({args = [], env = {}} = {}) {
  const bin = pasipBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pasip-e2e-'));
  const database = `sqlite://${path.join(dir, 'e2e.db')}`;
  const childEnv = {...process.env, ...env};

  const demo = await run(bin, ['demo', '--database', database],
                         {cwd: dir, env: childEnv, timeout: 60_000});
  const accountList = parseDemoAccounts(demo.stdout);
  assert.ok(accountList.length > 0,
            `pasip demo n'a affiché aucun compte (role<TAB>email<TAB>mot de passe):\n${demo.stdout}`);
  const accounts = {};
  for (const account of accountList) accounts[account.role] ??= account;

  const child = spawn(bin, ['serve', '--database', database, '--listen', '127.0.0.1:0', ...args],
                      {cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe']});
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({code, signal})));

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`pasip serve n'a pas annoncé son adresse en ${SERVER_START_TIMEOUT_MS} ms:\n${output}`));
    }, SERVER_START_TIMEOUT_MS);
    const onData = (chunk) => {
      output += chunk;
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match && match[1] !== '0') {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    exited.then(({code, signal}) => {
      clearTimeout(timer);
      reject(new Error(`pasip serve s'est arrêté (code ${code}, signal ${signal}):\n${output}`));
    });
  });

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 10_000));
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    }
    process.removeListener('exit', killOnExit);
    if (process.env.PASIP_E2E_KEEP) {
      console.log(`pasip e2e: dossier conservé ${dir}`);
    } else {
      await rm(dir, {recursive: true, force: true});
    }
  }

  return {url, accounts, accountList, database, dir, output: () => output, stop};
}

// Starts pasip (demo territory) and Chromium for a test file; `closeAll` stops both.
export async function startPasipAndBrowser() {
  const app = await startPasip();
  const browser = await launchBrowser();
  return {app, browser};
}

export async function closeAll({app, browser} = {}) {
  await browser?.close();
  await app?.stop();
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.PASIP_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A fresh context (own cookies) and page. `problems` collects what a person would not see but
// must not happen: script errors, CSP refusals, failed sub-resources (CSS, JS, images).
// Dialogs (data-confirm) are accepted.
export async function newPage(browser) {
  const context = await browser.newContext({locale: 'fr-FR', timezoneId: 'Europe/Paris'});
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  page.on('pageerror', (error) => problems.push(`erreur JavaScript: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // The browser logs every 4xx/5xx answer, documents included; failed sub-resources are
    // reported below with their URL, expected error pages are not problems.
    if (message.text().startsWith('Failed to load resource')) return;
    problems.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    const request = response.request();
    if (response.status() >= 400 && request.resourceType() !== 'document' &&
        request.resourceType() !== 'fetch' && request.resourceType() !== 'xhr') {
      problems.push(`${response.status()} sur ${request.resourceType()} ${response.url()}`);
    }
  });
  page.on('requestfailed', (request) => {
    // A navigation cancels what the previous page was still loading: not a fault of the page.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`échec de ${request.resourceType()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on('dialog', (dialog) => dialog.accept());
  return {context, page, problems};
}

export function assertNoProblems(problems) {
  assert.deepEqual(problems, [], `problèmes relevés dans le navigateur:\n${problems.join('\n')}`);
}

// Runs axe-core on the current page and fails with a readable list of violations.
// axe is evaluated through the DevTools protocol rather than added as a <script>: the pages'
// Content-Security-Policy (no inline script) would refuse an injected script tag, and the
// CSP must stay on in these tests.
let axeSource;
export async function checkA11y(page, {tags = WCAG_TAGS, exclude = []} = {}) {
  axeSource ??= await readFile(axePath, 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(axeSource);
  }
  const violations = await page.evaluate(async ({tags, exclude}) => {
    const context = exclude.length ? {include: [document], exclude: exclude.map((s) => [s])} : document;
    const result = await window.axe.run(context, {
      runOnly: {type: 'tag', values: tags},
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary})),
    }));
  }, {tags, exclude});
  if (violations.length > 0) {
    const lines = [`axe-core: ${violations.length} règle(s) WCAG non respectée(s) sur ${page.url()}`];
    for (const v of violations) {
      lines.push(`- ${v.id} (${v.impact}): ${v.help} <${v.helpUrl}>`);
      for (const node of v.nodes.slice(0, 5)) {
        lines.push(`    ${node.target}`);
        if (node.summary) lines.push(`      ${node.summary.replace(/\n/g, '\n      ')}`);
      }
      if (v.nodes.length > 5) lines.push(`    … et ${v.nodes.length - 5} autre(s)`);
    }
    assert.fail(lines.join('\n'));
  }
}

// Checks every page the same way: French, titled, accessible.
export async function checkPage(page) {
  const {lang, title} = await page.evaluate(
      () => ({lang: document.documentElement.lang, title: document.title}));
  assert.match(lang, /^fr\b/, `${page.url()}: <html lang> devrait être « fr »`);
  assert.ok(title.trim().length > 0, `${page.url()}: <title> vide`);
  await checkA11y(page);
}

// Navigates to a URL, expects the given status (200 by default), then checks the page.
export async function visit(page, url, {status = 200} = {}) {
  const response = await page.goto(url);
  assert.ok(response, `pas de réponse pour ${url}`);
  assert.equal(response.status(), status, `${url}: statut HTTP inattendu`);
  await checkPage(page);
  return response;
}

// Clicks something that submits a form or follows a link, waits for the new document, checks it.
export async function clickAndWait(page, locator, {check = true} = {}) {
  const [response] = await Promise.all([page.waitForNavigation({waitUntil: 'load'}), locator.click()]);
  if (check) await checkPage(page);
  return response;
}

export function pathOf(page) {
  return new URL(page.url()).pathname;
}

// RFC 6238 TOTP (HMAC-SHA-1, 30 s steps) with the secret in RFC 4648 base32.
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const bytes = [];
  for (const char of clean) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`caractère base32 invalide: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

export function totp(secretBase32, time = Date.now() / 1000, {digits = 6, period = 30} = {}) {
  const counter = Math.floor(time / period);
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const hmac = createHmac('sha1', base32Decode(secretBase32)).update(message).digest();
  const offset = hmac[hmac.length - 1] & 0x0f;
  const binary = hmac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

// A code the server has not seen yet for this secret: servers refuse a replayed code, so when
// the current 30 s step was already used (or is about to end) this waits for the next one.
const lastStepUsed = new Map();
export async function freshTotp(secretBase32) {
  for (;;) {
    const now = Date.now() / 1000;
    const step = Math.floor(now / 30);
    const remaining = (step + 1) * 30 - now;
    if (step > (lastStepUsed.get(secretBase32) ?? -1) && remaining > 2) {
      lastStepUsed.set(secretBase32, step);
      return totp(secretBase32, now);
    }
    await new Promise((resolve) => setTimeout(resolve, remaining * 1000 + 100));
  }
}

// Fills the login form and submits it. Returns the path reached (not checked: callers decide
// what they expect, including a refusal that stays on /connexion).
export async function submitLogin(page, baseUrl, account) {
  await visit(page, `${baseUrl}/connexion`);
  await page.getByLabel('Adresse e-mail', {exact: true}).fill(account.email);
  await page.getByLabel('Mot de passe', {exact: true}).fill(account.password);
  await clickAndWait(page, page.getByRole('button', {name: 'Se connecter', exact: true}));
  return pathOf(page);
}

// Second factor after the password: enrols when the server asks for it (reads #totp-secret,
// stores it in account.totpSecret, returns the codes listed in .recovery-codes), or answers the
// check with a fresh code. Returns {enrolled, recoveryCodes}.
export async function completeSecondFactor(page, account) {
  const where = pathOf(page);
  if (where === '/compte/second-facteur/activation') {
    assert.equal(await page.locator('svg').count() > 0, true, 'pas de QR code SVG sur la page d\'activation');
    const secret = (await page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]+=*$/i, `secret TOTP illisible: ${secret}`);
    account.totpSecret = secret;
    await page.getByLabel('Code à 6 chiffres', {exact: true}).fill(await freshTotp(secret));
    await clickAndWait(page, page.getByRole('button', {name: 'Activer', exact: true}));
    const continueLink = page.getByRole('link', {name: 'Continuer', exact: true});
    await continueLink.waitFor({state: 'visible'});
    // Convention: the codes are the items of a list with class "recovery-codes".
    const recoveryCodes = (await page.locator('.recovery-codes li').allInnerTexts()).map((c) => c.trim());
    await clickAndWait(page, continueLink);
    return {enrolled: true, recoveryCodes};
  }
  if (where === '/connexion/second-facteur') {
    assert.ok(account.totpSecret, `${account.email}: second facteur demandé mais secret TOTP inconnu`);
    await page.getByLabel('Code à 6 chiffres', {exact: true}).fill(await freshTotp(account.totpSecret));
    await clickAndWait(page, page.getByRole('button', {name: 'Vérifier', exact: true}));
    return {enrolled: false, recoveryCodes: []};
  }
  return {enrolled: false, recoveryCodes: []};
}

// Full login through the pages, second factor included; expects the dashboard.
export async function logIn(page, baseUrl, account) {
  await submitLogin(page, baseUrl, account);
  const result = await completeSecondFactor(page, account);
  assert.equal(pathOf(page), '/tableau-de-bord', `${account.email}: connexion sans arriver au tableau de bord`);
  await assertHeading(page, 'Tableau de bord');
  return result;
}

export async function logOut(page) {
  await clickAndWait(page, page.getByRole('button', {name: 'Se déconnecter', exact: true}));
}

export async function assertHeading(page, name) {
  const heading = page.getByRole('heading', {level: 1});
  assert.equal(await heading.count(), 1, `${page.url()}: il faut exactement un titre h1`);
  if (name !== undefined) assert.equal((await heading.innerText()).trim(), name);
}
