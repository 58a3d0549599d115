// Browser tests of the directory (issue 3): the public finder driven with the keyboard alone
// (commune suggestions chosen with the arrows and Entrée), results sorted by distance with
// their open/closed state and an SVG map, the page of a structure with its week in French,
// the same search without JavaScript; a coordination user creates a structure whose opening
// hours are first refused then corrected (live feedback), adds a service and finds it; a
// partenaire cannot edit another organisation's structure; the "à mettre à jour" list.
// axe-core (WCAG 2.1 A/AA) runs on every page visited, also at a phone's size (375×740).
// Run: PASIP_BIN=build/bin/pasip node --test tests/e2e/directory.test.mjs

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
const PHONE = {width: 375, height: 740};
const DESKTOP = {width: 1280, height: 800};

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

// "À 350 m" / "À 3,2 km" → kilometres.
function kilometres(text) {
  const match = /([\d\s]+(?:,\d+)?)\s*(km|m)\b/.exec(text.replace(/\u00a0/g, ' '));
  assert.ok(match, `distance illisible : « ${text} »`);
  const value = Number(match[1].replace(/\s/g, '').replace(',', '.'));
  return match[2] === 'm' ? value / 1000 : value;
}

// The page at a phone's size passes axe and does not scroll sideways; back to desktop size.
async function checkOnPhone(page) {
  await page.setViewportSize(PHONE);
  await checkA11y(page);
  const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `${page.url()} : la page déborde de ${overflow} px sur un téléphone`);
  await page.setViewportSize(DESKTOP);
}

// The results: [{name, km, state}] in the order shown.
async function results(page) {
  return page.locator('ol.result-list > li').evaluateAll((items) => items.map((li) => ({
    name: li.querySelector('h3 a').textContent.trim(),
    href: li.querySelector('h3 a').getAttribute('href'),
    where: li.querySelector('.result-where')?.textContent.trim() ?? '',
    state: li.querySelector('.state')?.textContent.trim() ?? '',
  })));
}

test('public finder with the keyboard alone: commune suggestion, results by distance, structure page',
     {timeout: TEST_TIMEOUT_MS}, async () => {
  const {context, page, problems} = await newPage(browser);
  try {
    await page.setViewportSize(DESKTOP);
    await visit(page, `${app.url}/`);
    assert.equal(await page.getByRole('heading', {name: 'Où être accueilli ?', level: 2}).count(), 1);
    await checkOnPhone(page);

    // Tab to the commune field, type the beginning, choose "Rennes" with the arrows and Entrée.
    await tabTo(page, () => document.activeElement?.id === 'f-commune', 'le champ commune');
    const commune = page.locator('#f-commune');
    assert.equal(await commune.getAttribute('role'), 'combobox');
    assert.equal(await commune.getAttribute('aria-expanded'), 'false');
    await page.keyboard.type('renn', {delay: 50});
    const listbox = page.getByRole('listbox', {name: 'Communes proposées'});
    await listbox.waitFor({state: 'visible'});
    assert.equal(await commune.getAttribute('aria-expanded'), 'true');
    await checkA11y(page);  // with the suggestions open
    let chosen = '';
    for (let i = 0; i < 8 && !chosen.startsWith('Rennes '); i++) {
      await page.keyboard.press('ArrowDown');
      const active = await commune.getAttribute('aria-activedescendant');
      assert.ok(active, 'aucune proposition active après ↓');
      const option = page.locator(`[id="${active}"]`);
      assert.equal(await option.getAttribute('aria-selected'), 'true');
      chosen = (await option.innerText()).trim();
    }
    assert.ok(chosen.startsWith('Rennes '), `« Rennes » absente des propositions (dernière : ${chosen})`);
    await page.keyboard.press('Enter');
    assert.equal(await commune.inputValue(), 'Rennes (35000)');
    assert.equal(await commune.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('input[name=code]').first().inputValue(), '35238');
    assert.equal(pathOf(page), '/', 'choisir une proposition ne doit pas envoyer le formulaire');

    // Entrée again sends the search.
    await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.keyboard.press('Enter')]);
    await checkPage(page);
    assert.equal(pathOf(page), '/annuaire');
    const summary = (await page.locator('#resultats').innerText()).trim();
    assert.match(summary, /^\d+ lieux? trouvés? à moins de 30 km de Rennes$/);
    const list = await results(page);
    assert.ok(list.length >= 2, `trop peu de résultats autour de Rennes : ${list.length}`);
    const distances = list.map((r) => kilometres(r.where));
    for (let i = 1; i < distances.length; i++) {
      assert.ok(distances[i] >= distances[i - 1],
                `résultats non triés par distance : ${distances.join(', ')}`);
    }
    for (const r of list) {
      assert.match(r.state, /^(Ouvert maintenant|Fermé maintenant|Fermé exceptionnellement|Horaires non renseignés|Horaires à confirmer)/,
                   `${r.name} : état d'ouverture absent`);
    }
    // The map: one link per located result, numbered like the list.
    const map = page.locator('figure.map svg');
    assert.equal(await map.count(), 1, 'pas de carte des résultats');
    assert.equal(await map.getAttribute('role'), 'group');
    const firstMarker = (await map.locator('a').first().getAttribute('aria-label')) ?? '';
    assert.ok(firstMarker.startsWith(`1. ${list[0].name}`), `le point 1 de la carte (« ${firstMarker} ») n'est pas le premier résultat`);
    await checkOnPhone(page);

    // The next page of results, when there is one.
    const next = page.getByRole('link', {name: 'Résultats suivants', exact: true});
    if (await next.count() > 0) {
      await clickAndWait(page, next);
      const more = await results(page);
      assert.ok(more.length > 0);
      assert.ok(kilometres(more[0].where) >= distances[distances.length - 1], 'la page suivante repart de plus près');
      assert.equal(await page.locator('ol.result-list').getAttribute('start'), String(list.length + 1));
      await page.goBack();
    }

    // Open the first result with the keyboard.
    await page.locator('#resultats').focus();
    await tabTo(page, () => document.activeElement?.closest?.('ol.result-list h3') != null,
                'le lien du premier résultat');
    await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.keyboard.press('Enter')]);
    await checkPage(page);
    assert.equal(pathOf(page), list[0].href.split('#')[0]);
    await assertHeading(page, list[0].name);
    assert.ok(await page.getByRole('heading', {name: 'Comment venir', level: 2}).count() === 1);
    assert.equal(await page.getByText('Pour les professionnels').count(), 0, 'les référents sont réservés aux professionnels');
    await checkOnPhone(page);

    // A structure with a week of hours in French.
    await visit(page, `${app.url}/annuaire?commune=Rennes&rayon=10&q=CCAS`);
    const ccas = (await results(page)).find((r) => r.name.startsWith('CCAS de Rennes'));
    assert.ok(ccas, 'le CCAS de Rennes de la démonstration est introuvable');
    await visit(page, `${app.url}${ccas.href}`);
    const week = await page.locator('#horaires ~ ul.hours-week li, section[aria-labelledby=horaires] ul.hours-week li').allInnerTexts();
    assert.equal(week.length, 7, `semaine incomplète : ${week.join(' | ')}`);
    assert.match(week[0], /^lundi : (\d+ h( \d+)? – \d+ h( \d+)?(, )?)+$|^lundi : fermé/);
    assert.match(week[6], /^dimanche : /);

    // The finder's error states.
    await visit(page, `${app.url}/annuaire?commune=35190&rayon=30`, {status: 422});
    assert.equal(await page.getByRole('heading', {name: 'Quelle commune ?', level: 2}).count(), 1);
    await visit(page, `${app.url}/annuaire?commune=Rzzz&rayon=30`, {status: 422});
    await visit(page, `${app.url}/annuaire/structures/999999`, {status: 404});
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('the finder works without JavaScript: a postcode typed in full, an ambiguous one',
     {timeout: TEST_TIMEOUT_MS}, async () => {
  const context = await browser.newContext({locale: 'fr-FR', timezoneId: 'Europe/Paris', javaScriptEnabled: false});
  try {
    const page = await context.newPage();
    await page.goto(`${app.url}/annuaire`);
    await page.getByLabel('Commune ou code postal', {exact: true}).fill('35000');
    await page.getByLabel('Seulement les lieux ouverts maintenant').check();
    await page.getByLabel('Seulement les lieux ouverts maintenant').uncheck();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', {name: 'Chercher', exact: true}).click()]);
    assert.match((await page.locator('#resultats').innerText()).trim(), /à moins de 30 km de Rennes$/);
    assert.ok((await results(page)).length > 0);
    // A postcode several communes share: the person chooses.
    await page.getByLabel('Commune ou code postal', {exact: true}).fill('35190');
    const [ambiguous] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', {name: 'Chercher', exact: true}).click(),
    ]);
    assert.equal(ambiguous.status(), 422);
    assert.equal(await page.getByRole('heading', {name: 'Quelle commune ?', level: 2}).count(), 1);
    assert.ok(await page.locator('.error-summary a[href="#f-commune"]').count() === 1);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', {name: 'Québriac', exact: true}).click()]);
    assert.equal(await page.locator('#f-commune').inputValue(), 'Québriac (35190)');
    // Around Québriac when its centre is known (with ../shared's coordinates), else by name.
    const located = /à moins de 30 km de Québriac$/.test((await page.locator('#resultats').innerText()).trim());
    assert.ok(located || await page.getByText('Nous ne connaissons pas la position de Québriac').count() === 1);
    // An unknown commune: the error is next to the field and in the summary.
    const response = await page.goto(`${app.url}/annuaire?commune=Nullepartville&rayon=30`);
    assert.equal(response.status(), 422);
    assert.equal(await page.locator('#f-commune').getAttribute('aria-invalid'), 'true');
    assert.ok(await page.locator('.error-summary a[href="#f-commune"]').count() === 1);
  } finally {
    await context.close();
  }
});

test('coordination: a structure with hours refused then corrected live, a service, found in the search',
     {timeout: TEST_TIMEOUT_MS}, async () => {
  const {context, page, problems} = await newPage(browser);
  try {
    await page.setViewportSize(DESKTOP);
    await logIn(page, app.url, account('coordination'));
    assert.ok(await page.getByRole('link', {name: 'Ajouter un lieu à l\'annuaire', exact: true}).count() > 0,
              'pas de raccourci vers l\'annuaire au tableau de bord');
    await clickAndWait(page, page.getByRole('link', {name: 'Ajouter un lieu à l\'annuaire', exact: true}));
    assert.equal(pathOf(page), '/annuaire/structures/nouvelle');
    await checkOnPhone(page);
    // Sent empty: refused, the errors listed and linked to their fields.
    const refused = await clickAndWait(page, page.getByRole('button', {name: 'Créer la fiche', exact: true}));
    assert.equal(refused.status(), 422);
    assert.equal(await page.locator('.error-summary a[href="#f-nom"]').count(), 1);
    assert.equal(await page.locator('#f-nom').getAttribute('aria-invalid'), 'true');

    const name = `Maison des solidarités de Bruz (e2e ${Date.now() % 100000})`;
    await page.getByLabel('Nom du lieu', {exact: true}).fill(name);
    const address = page.getByRole('group', {name: 'Adresse', exact: true});
    await address.getByLabel('Adresse (facultatif)', {exact: true}).fill('1 place de l\'Essai');
    await address.getByLabel('Code postal (facultatif)', {exact: true}).fill('35170');
    await address.getByLabel('Commune (facultatif)', {exact: true}).fill('Bruz');
    await address.getByLabel('Code commune INSEE (facultatif)', {exact: true}).fill('35047');
    await address.getByLabel('Latitude (facultatif)', {exact: true}).fill('48,0247');
    await address.getByLabel('Longitude (facultatif)', {exact: true}).fill('-1,7458');
    await page.getByRole('group', {name: 'Contacts', exact: true})
        .getByLabel('Téléphone (facultatif)', {exact: true}).fill('02 99 05 05 05');
    await page.getByLabel('Reçoit toute personne, sans condition', {exact: true}).check();
    await page.getByLabel('Accueil physique', {exact: true}).check();
    await page.getByLabel('Accueil sans rendez-vous', {exact: true}).check();

    // Invalid hours: the live check says where, with the character marked.
    const hours = page.getByLabel('Horaires d\'ouverture (facultatif)', {exact: true});
    const feedback = page.locator('#f-horaires_accueil-retour');
    await hours.click();
    await page.keyboard.type('Lu-Ve 9h-12h et 25h', {delay: 20});
    await feedback.locator('.hours-error').waitFor({state: 'visible'});
    assert.match(await feedback.locator('.hours-error').innerText(), /^Horaires invalides au caractère 19 : /);
    assert.equal(await feedback.locator('mark').innerText(), '2');
    assert.equal(await feedback.getAttribute('aria-live'), 'polite');
    await checkA11y(page);
    // Corrected: the strict string, the corrections, the week in French.
    await hours.fill('');
    await page.keyboard.type('du lundi au vendredi 9h-12h et 14h-17h', {delay: 10});
    await feedback.locator('.hours-ok').waitFor({state: 'visible'});
    assert.equal(await feedback.locator('.hours-ok code').innerText(), 'Mo-Fr 09:00-12:00,14:00-17:00');
    const shown = await feedback.locator('ul.hours-week li').allInnerTexts();
    assert.equal(shown[0], 'lundi : 9 h – 12 h, 14 h – 17 h');
    assert.equal(shown[6], 'dimanche : fermé');
    await checkA11y(page);

    await clickAndWait(page, page.getByRole('button', {name: 'Créer la fiche', exact: true}));
    assert.match(pathOf(page), /^\/annuaire\/structures\/\d+$/);
    await assertHeading(page, name);
    assert.ok(await page.getByText('C\'est enregistré', {exact: false}).count() > 0);
    assert.ok(await page.getByText('lundi : 9 h – 12 h, 14 h – 17 h', {exact: true}).count() > 0);
    const structurePath = pathOf(page);

    // A service, with a thématique chosen in its catégorie.
    await clickAndWait(page, page.getByRole('link', {name: 'Ajouter un service', exact: true}));
    await checkOnPhone(page);
    const serviceName = `Permanence logement e2e ${Date.now() % 100000}`;
    await page.getByLabel('Nom du service', {exact: true}).fill(serviceName);
    await page.getByLabel('Description', {exact: true}).fill('Un accompagnement pour trouver un logement et y rester.');
    await page.locator('summary', {hasText: 'Logement et hébergement'}).click();
    await page.getByLabel('Louer un logement', {exact: true}).check();
    await page.getByLabel('Tous publics', {exact: true}).check();
    await page.getByLabel('Frais (facultatif)', {exact: true}).selectOption('gratuit');
    await clickAndWait(page, page.getByRole('button', {name: 'Ajouter le service', exact: true}));
    assert.equal(pathOf(page), structurePath);
    assert.ok(await page.getByRole('heading', {name: serviceName, level: 3}).count() === 1);

    // Found in the search, as a place near Bruz and as a service by its words.
    await visit(page, `${app.url}/annuaire?commune=Bruz&rayon=5&categorie=logement-hebergement`);
    assert.ok((await results(page)).some((r) => r.name === name), 'le lieu créé n\'est pas trouvé autour de Bruz');
    await visit(page, `${app.url}/annuaire?commune=Bruz&rayon=5&q=${encodeURIComponent('logement e2e')}&vue=services`);
    assert.ok((await results(page)).some((r) => r.name === serviceName), 'le service créé n\'est pas trouvé');

    // Edit then delete the service, after a confirmation page.
    await visit(page, `${app.url}${structurePath}`);
    await clickAndWait(page, page.getByRole('link', {name: `Modifier le service ${serviceName}`, exact: true}));
    assert.match(pathOf(page), /^\/annuaire\/services\/\d+\/modifier$/);
    assert.equal(await page.getByLabel('Nom du service', {exact: true}).inputValue(), serviceName);
    assert.ok(await page.getByLabel('Louer un logement', {exact: true}).isChecked());
    await clickAndWait(page, page.getByRole('link', {name: 'Supprimer ce service', exact: true}));
    await clickAndWait(page, page.getByRole('button', {name: 'Supprimer le service', exact: true}));
    assert.equal(pathOf(page), structurePath);
    assert.ok(await page.getByText('Le service a été supprimé.').count() === 1);
    assert.equal(await page.getByRole('heading', {name: serviceName}).count(), 0);

    // The hours check also works as a page of its own (without script).
    await visit(page, `${app.url}/annuaire/horaires/verifier?horaires=${encodeURIComponent('Sa 10h-12h')}`);
    assert.ok(await page.getByText('samedi : 10 h – 12 h', {exact: true}).count() === 1);
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('partenaire: cannot edit another organisation\'s structure, can edit their own',
     {timeout: TEST_TIMEOUT_MS}, async () => {
  const {context, page, problems} = await newPage(browser);
  try {
    await logIn(page, app.url, account('partenaire'));
    await visit(page, `${app.url}/annuaire?commune=Rennes&rayon=10&q=CCAS`);
    const ccas = (await results(page)).find((r) => r.name.startsWith('CCAS de Rennes'));
    assert.ok(ccas, 'le CCAS de Rennes de la démonstration est introuvable');
    await visit(page, `${app.url}${ccas.href}`);
    assert.equal(await page.getByRole('link', {name: 'Modifier la fiche', exact: true}).count(), 0);
    assert.ok(await page.getByText('Pour les professionnels').count() > 0, 'vue professionnelle attendue');
    await visit(page, `${app.url}${ccas.href}/modifier`, {status: 403});

    await visit(page, `${app.url}/annuaire?commune=Rennes&rayon=10&q=Caf`);
    const caf = (await results(page)).find((r) => r.name.startsWith('Caf'));
    assert.ok(caf, 'aucun lieu de la Caf autour de Rennes');
    await visit(page, `${app.url}${caf.href}`);
    await clickAndWait(page, page.getByRole('link', {name: 'Modifier la fiche', exact: true}));
    assert.equal(pathOf(page), `${caf.href}/modifier`);
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('à mettre à jour: the least fresh structures first', {timeout: TEST_TIMEOUT_MS}, async () => {
  const {context, page, problems} = await newPage(browser);
  try {
    await logIn(page, app.url, account('coordination'));
    await visit(page, `${app.url}/annuaire/a-mettre-a-jour`);
    await assertHeading(page, 'Fiches à mettre à jour');
    const scores = (await page.locator('tbody td.number').allInnerTexts()).map(Number);
    assert.ok(scores.length > 0, 'liste vide');
    for (let i = 1; i < scores.length; i++) {
      assert.ok(scores[i] >= scores[i - 1], `qualités non croissantes : ${scores.join(', ')}`);
    }
    await checkOnPhone(page);

    // Refused to a role that does not edit the directory.
    const accueil = await newPage(browser);
    await logIn(accueil.page, app.url, account('accueil'));
    await visit(accueil.page, `${app.url}/annuaire/a-mettre-a-jour`, {status: 403});
    await accueil.context.close();
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});
