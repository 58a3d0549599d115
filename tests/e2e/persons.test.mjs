// Browser tests of the person files (issue 4): the demo accueil agent creates a file with the
// keyboard alone, then types the same person again with accents and a hyphen left out and a
// one-letter typo: the duplicate proposal appears and leads to the existing file, no second
// file is created. A general note and an information about sharing are recorded; the sharing
// status is shown at the top of the file. The printable export and the JSON export work, as
// the merge page; the administrator's retention page exports a file by its number.
// axe-core (WCAG 2.1 A/AA) runs on every page visited.
// Run: PASIP_BIN=build/bin/pasip node --test tests/e2e/persons.test.mjs

import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {
  assertHeading,
  assertNoProblems,
  checkA11y,
  checkPage,
  clickAndWait,
  closeAll,
  logIn,
  newPage,
  pathOf,
  startPasipAndBrowser,
  visit,
} from './harness.mjs';

const TEST_TIMEOUT_MS = 240_000;

// Invented person (no real personal data in tests).
const PERSON = {name: 'Maëlle Le Testeur-Kerbrat', date: '12/05/1987', longDate: '12 mai 1987'};
// The same person typed again: no accent, no hyphen, one letter wrong.
const AGAIN = {name: 'Maelle Le Testeur Kerbrad', date: '12/05/1987'};

let app;
let browser;

before(async () => ({app, browser} = await startPasipAndBrowser()));
after(() => closeAll({app, browser}));

function account(role) {
  const found = app.accounts[role];
  assert.ok(found, `pasip demo n'a pas affiché de compte « ${role} »`);
  return found;
}

// Presses Tab until `isTarget(activeElement)` holds in the page, at most `max` times; fails
// when the element is never reached (keyboard-only navigation).
async function tabTo(page, isTarget, description, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(isTarget)) return;
  }
  assert.fail(`${description} : jamais atteint au clavier (${max} tabulations)`);
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

// The search of files by name, as the agent does it; answers the result links' texts.
async function search(page, name) {
  await visit(page, `${app.url}/personnes`);
  await page.getByLabel('Nom ou prénom', {exact: true}).fill(name);
  await clickAndWait(page, page.getByRole('button', {name: 'Rechercher', exact: true}));
  assert.equal(pathOf(page), '/personnes');
  return page.locator('main table tbody th a').allInnerTexts();
}

test('person file: keyboard creation, duplicate proposal, note, sharing, exports',
     {timeout: TEST_TIMEOUT_MS}, async () => {
  const {context, page, problems} = await newPage(browser);
  try {
    await logIn(page, app.url, account('accueil'));

    // The navigation leads to the person search.
    await clickAndWait(page, page.getByRole('navigation', {name: 'Navigation principale'})
                                 .getByRole('link', {name: 'Personnes', exact: true}));
    assert.equal(pathOf(page), '/personnes');
    await assertHeading(page, 'Personnes');

    // Keyboard only: the link "Créer un dossier", then the form, then Entrée.
    await tabTo(page, () => document.activeElement?.textContent?.trim() === 'Créer un dossier',
                'le lien « Créer un dossier »');
    await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.keyboard.press('Enter')]);
    await checkPage(page);
    assert.equal(pathOf(page), '/personnes/nouveau');
    await assertHeading(page, 'Créer un dossier');
    await tabTo(page, () => document.activeElement?.id === 'f-nom_affiche', 'le champ « Nom affiché »');
    await page.keyboard.type(PERSON.name);
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');  // naissance, usage, prénoms, date
    assert.equal(await focusedId(page), 'f-date_naissance', 'Tab ×4 devrait mener à la date de naissance');
    await page.keyboard.type(PERSON.date);
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'f-sexe');
    await page.keyboard.press('ArrowDown');  // "Femme", first after "Non renseigné"
    await tabTo(page, () => document.activeElement?.id === 'f-foyer[0].relation',
                'le lien du premier membre du foyer');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'f-foyer[0].prenom');
    await page.keyboard.type('Nolan');
    await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.keyboard.press('Enter')]);
    await checkPage(page);
    const filePath = pathOf(page);
    assert.match(filePath, /^\/personnes\/\d+$/, `après la création : ${page.url()}`);
    await assertHeading(page, PERSON.name);
    assert.match(await page.getByRole('status').innerText(), /le dossier a été créé/);
    const identity = await page.locator('section[aria-labelledby=identite]').innerText();
    assert.match(identity, new RegExp(PERSON.longDate));
    assert.match(identity, /Femme/);
    assert.match(await page.locator('section[aria-labelledby=foyer]').innerText(), /Nolan/);
    const sharing = page.locator('section.consent-status');
    assert.match(await sharing.innerText(), /Aucune information sur le partage enregistrée/);

    // The same person typed again: the proposal, then the existing file.
    await visit(page, `${app.url}/personnes/nouveau`);
    await page.getByLabel('Nom affiché', {exact: true}).fill(AGAIN.name);
    await page.getByLabel('Date de naissance (facultatif)', {exact: true}).fill(AGAIN.date);
    await clickAndWait(page, page.getByRole('button', {name: 'Créer le dossier', exact: true}));
    assert.equal(pathOf(page), '/personnes/nouveau');
    const proposal = page.locator('section.duplicate-proposal');
    assert.equal(await page.getByRole('heading', {name: 'Ce dossier existe peut-être déjà', level: 2}).count(), 1,
                 'pas de proposition de doublon');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('duplicate-proposal')), true,
                 'la proposition devrait recevoir le focus');
    assert.match(await proposal.innerText(), new RegExp(PERSON.name));
    assert.equal(await proposal.getByRole('button', {name: 'Créer quand même', exact: true}).count(), 1);
    await clickAndWait(page, proposal.getByRole('link', {name: /^Ouvrir ce dossier/}).first());
    assert.equal(pathOf(page), filePath, 'le lien doit ouvrir le dossier existant');
    await assertHeading(page, PERSON.name);
    assert.deepEqual(await search(page, 'testeur kerbrat'), [PERSON.name],
                     'un seul dossier doit exister pour cette personne');

    // A general note.
    await visit(page, `${app.url}${filePath}`);
    await page.getByLabel('Texte de la note', {exact: true}).fill('Vient pour un renouvellement de CSS.');
    assert.equal(await page.getByLabel(/Générale \(/).isChecked(), true, 'la note est générale par défaut');
    assert.equal(await page.getByLabel(/Confidentielle \(/).count(), 0,
                 'l\'accueil ne peut pas écrire de note confidentielle');
    await clickAndWait(page, page.getByRole('button', {name: 'Ajouter la note', exact: true}));
    assert.equal(pathOf(page), filePath);
    assert.match(await page.getByRole('status').innerText(), /La note a été ajoutée/);
    assert.match(await page.locator('section[aria-labelledby=notes-generale]').innerText(),
                 /Vient pour un renouvellement de CSS\./);

    // An information about sharing, then shown at the top of the file.
    await page.getByLabel('Ce qui est partagé', {exact: true}).fill('La situation, pour la CSS');
    await page.getByLabel('Avec qui', {exact: true}).fill('CPAM d\'Ille-et-Vilaine');
    await page.getByLabel('Portée (facultatif)', {exact: true}).fill('Cette démarche');
    await clickAndWait(page, page.getByRole('button', {name: 'Enregistrer', exact: true}));
    assert.equal(pathOf(page), filePath);
    const status = await sharing.innerText();
    assert.match(status, /Information sur le partage donnée le \d\d\/\d\d\/\d{4}/);
    assert.match(status, /CPAM d'Ille-et-Vilaine/);
    assert.match(status, /Cette démarche/);
    const order = await page.evaluate(() => {
      const consent = document.querySelector('section.consent-status');
      const identite = document.querySelector('section[aria-labelledby=identite]');
      return consent.compareDocumentPosition(identite) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    assert.ok(order, 'le statut du partage doit précéder l\'identité');

    // The printable export, and the JSON one.
    await clickAndWait(page, page.getByRole('link', {name: 'Exporter : version imprimable', exact: true}));
    assert.equal(pathOf(page), `${filePath}/export`);
    await assertHeading(page, `Données détenues : ${PERSON.name}`);
    const exported = await page.locator('main').innerText();
    for (const text of ['Vient pour un renouvellement de CSS.', 'CPAM d\'Ille-et-Vilaine', 'Nolan', PERSON.longDate]) {
      assert.ok(exported.includes(text), `export : « ${text} » absent`);
    }
    assert.equal(await page.getByRole('button', {name: 'Imprimer', exact: true}).isVisible(), true);
    // Fetched by the page itself: the session cookie (__Host-, Secure) is the browser's.
    const json = await page.evaluate(async (url) => {
      const response = await fetch(url, {headers: {Accept: 'application/json'}});
      return {status: response.status, type: response.headers.get('content-type'), body: await response.text()};
    }, `${app.url}/api/v1${filePath}/export`);
    assert.equal(json.status, 200, `export JSON : ${json.body}`);
    assert.match(json.type ?? '', /json/);
    assert.ok(json.body.includes('Testeur-Kerbrat'), 'le JSON contient le dossier');

    // The merge page (choose the other file) is reachable and accessible.
    await visit(page, `${app.url}${filePath}`);
    await clickAndWait(page, page.getByRole('link', {name: 'Fusionner avec un autre dossier', exact: true}));
    assert.equal(pathOf(page), `${filePath}/fusion`);
    await assertHeading(page, `Fusionner le dossier de ${PERSON.name}`);

    // Errors are shown on the form, with the keyboard focus on their summary.
    await visit(page, `${app.url}/personnes/nouveau`);
    await page.getByLabel('Date de naissance (facultatif)', {exact: true}).fill('31/02/1990');
    await clickAndWait(page, page.getByRole('button', {name: 'Créer le dossier', exact: true}));
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), true);
    const summary = await page.locator('.error-summary').innerText();
    assert.match(summary, /nom affiché/i);
    assert.match(summary, /vraie date/);

    // A file number that does not exist for this agent is the "not found" page.
    await visit(page, `${app.url}/personnes/999999`, {status: 404});
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('administrator: retention settings and the export of a file by its number',
     {timeout: TEST_TIMEOUT_MS}, async () => {
  const accueil = await newPage(browser);
  const admin = await newPage(browser);
  try {
    // A file to export, created by the accueil agent.
    await logIn(accueil.page, app.url, account('accueil'));
    await visit(accueil.page, `${app.url}/personnes/nouveau`);
    await accueil.page.getByLabel('Nom affiché', {exact: true}).fill('Gaspard Exportable');
    await clickAndWait(accueil.page, accueil.page.getByRole('button', {name: 'Créer le dossier', exact: true}));
    const number = pathOf(accueil.page).split('/').pop();
    assert.match(number, /^\d+$/);

    const {page, problems} = admin;
    await logIn(page, app.url, account('admin'));
    await clickAndWait(page, page.getByRole('navigation', {name: 'Navigation principale'})
                                 .getByRole('link', {name: 'Conservation', exact: true}));
    assert.equal(pathOf(page), '/admin/conservation');
    await assertHeading(page, 'Conservation des données personnelles');
    const first = page.locator('form.retention-form').first();
    await first.getByLabel('Durée sans contact avant la purge, en jours', {exact: true}).fill('deux ans');
    await clickAndWait(page, first.getByRole('button', {name: /^Enregistrer/}), {check: false});
    await checkPage(page);
    assert.match(await page.locator('.error-summary').innerText(), /nombre entier de jours/);
    const again = page.locator('form.retention-form').first();
    await again.getByLabel('Durée sans contact avant la purge, en jours', {exact: true}).fill('700');
    await clickAndWait(page, again.getByRole('button', {name: /^Enregistrer/}));
    assert.match(await page.getByRole('status').innerText(), /durée de conservation a été enregistrée/);
    assert.equal(await page.locator('form.retention-form').first()
                     .getByLabel('Durée sans contact avant la purge, en jours', {exact: true}).inputValue(), '700');

    await page.getByLabel('Numéro du dossier', {exact: true}).fill(number);
    await clickAndWait(page, page.getByRole('button', {name: 'Exporter', exact: true}));
    assert.equal(pathOf(page), `/personnes/${number}/export`);
    await assertHeading(page, 'Données détenues : Gaspard Exportable');
    await checkA11y(page);
    assertNoProblems(problems);
    assertNoProblems(accueil.problems);
  } finally {
    await accueil.context.close();
    await admin.context.close();
  }
});
