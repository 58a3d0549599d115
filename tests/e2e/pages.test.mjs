// Every page of the foundation, and its error states, passes axe-core (WCAG 2.1 A/AA):
// the creation and detail pages of organisations, sites and accounts, a refused form (error
// summary linked to the fields), the audit search with a filter, a 403 and a 404.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {
  closeAll,
  checkPage,
  clickAndWait,
  logIn,
  newPage,
  pathOf,
  startPasipAndBrowser,
  visit,
} from './harness.mjs';

let app;
let browser;

before(async () => ({app, browser} = await startPasipAndBrowser()));
after(() => closeAll({app, browser}));

// Submits the page's main form as it is (empty) and expects it back with its errors.
async function submitEmptyForm(page) {
  const [response] = await Promise.all([
    page.waitForNavigation({waitUntil: 'load'}),
    page.locator('main form button[type=submit]').last().click(),
  ]);
  assert.equal(response.status(), 422, `${pathOf(page)}: un formulaire vide devrait être refusé`);
  const summary = page.locator('[role=alert]');
  assert.ok(await summary.count() > 0, `${pathOf(page)}: pas de résumé des erreurs`);
  const invalid = page.locator('[aria-invalid=true]');
  assert.ok(await invalid.count() > 0, `${pathOf(page)}: aucun champ marqué en erreur`);
  const describedBy = await invalid.first().getAttribute('aria-describedby');
  assert.ok(describedBy, 'le champ en erreur ne désigne pas son message');
  await checkPage(page);
}

// Opens the first link of the list page whose href starts with `prefix` followed by a number.
async function openFirst(page, listPath, prefix) {
  await visit(page, `${app.url}${listPath}`);
  const link = page.locator(`main a[href^="${prefix}"]`).filter({hasNotText: /^$/});
  const hrefs = await link.evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  const detail = hrefs.find((href) => new RegExp(`^${prefix}\\d+$`).test(href));
  assert.ok(detail, `${listPath}: aucun lien vers une fiche ${prefix}…`);
  await clickAndWait(page, page.locator(`main a[href="${detail}"]`).first());
  assert.equal(pathOf(page), detail);
}

test('administration pages and their error states are accessible', async () => {
  const {page, problems} = await newPage(browser);
  await logIn(page, app.url, app.accounts.admin);

  await visit(page, `${app.url}/admin/organisations/nouvelle`);
  await submitEmptyForm(page);
  await openFirst(page, '/admin/organisations', '/admin/organisations/');

  await visit(page, `${app.url}/admin/sites/nouveau`);
  await submitEmptyForm(page);
  await openFirst(page, '/admin/sites', '/admin/sites/');

  await visit(page, `${app.url}/admin/utilisateurs/nouveau`);
  await submitEmptyForm(page);
  await openFirst(page, '/admin/utilisateurs', '/admin/utilisateurs/');

  await visit(page, `${app.url}/admin/journal?action=sign_in`);
  assert.ok(await page.locator('main table').count() > 0, 'le journal filtré devrait montrer un tableau');

  await visit(page, `${app.url}/nulle-part`, {status: 404});
  assert.deepEqual(problems, []);
});

test('read-only pages for the coordination, and a refusal for the accueil, are accessible', async () => {
  const coordination = await newPage(browser);
  await logIn(coordination.page, app.url, app.accounts.coordination);
  await openFirst(coordination.page, '/admin/organisations', '/admin/organisations/');
  assert.equal(await coordination.page.locator('main form button[type=submit]').count(), 0,
               'la coordination ne devrait pas voir de formulaire de modification');
  await visit(coordination.page, `${app.url}/admin/organisations/nouvelle`, {status: 403});

  const accueil = await newPage(browser);
  await logIn(accueil.page, app.url, app.accounts.accueil);
  await visit(accueil.page, `${app.url}/admin/utilisateurs`, {status: 403});
  await visit(accueil.page, `${app.url}/compte`);
  assert.deepEqual(coordination.problems, []);
  assert.deepEqual(accueil.problems, []);
});
