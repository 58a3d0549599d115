// Browser tests of the site desk (issue 4): the demo accueil agent records an anonymous
// walk-in in at most three actions (an action = one key press or one click: here "1" then
// Enter) and finds it in today's list; a telephone call with another act works from the
// keyboard too, and the shortcuts stay quiet while a text field is being typed in. A ticket
// is taken, called, and handed off to the social worker with a note; the social worker, signed
// in, sees the note and calls the ticket. The public waiting-room display shows numbers only.
// axe-core (WCAG 2.1 A/AA) runs on every page visited.
// Run: PASIP_BIN=build/bin/pasip node --test tests/e2e/reception.test.mjs

import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {
  assertHeading,
  assertNoProblems,
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

let app;
let browser;

before(async () => ({app, browser} = await startPasipAndBrowser()));
after(() => closeAll({app, browser}));

function account(role) {
  const found = app.accounts[role];
  assert.ok(found, `pasip demo n'a pas affiché de compte « ${role} »`);
  return found;
}

// Counts the person's actions: every key press and every click goes through these.
function actionCounter(page) {
  let count = 0;
  return {
    get count() { return count; },
    async press(key) {
      count += 1;
      await page.keyboard.press(key);
    },
    // A key press that submits the form: waits for the next document and checks it.
    async pressAndWait(key) {
      count += 1;
      await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.keyboard.press(key)]);
      await checkPage(page);
    },
  };
}

async function todayRows(page) {
  return page.locator('section[aria-labelledby="titre-jour"] tbody tr').count();
}

async function notice(page) {
  return (await page.locator('main .notice.success').innerText()).trim();
}

// The desk of the demo accueil agent: /accueil leads to it (directly when there is one site).
async function openDesk(page) {
  await visit(page, `${app.url}/tableau-de-bord`);
  await clickAndWait(page, page.getByRole('link', {name: 'Accueillir le public', exact: true}));
  if (pathOf(page) === '/accueil') {
    await clickAndWait(page, page.locator('main ul.desk-sites a').first());
  }
  assert.match(pathOf(page), /^\/accueil\/\d+$/, 'le bureau d\'accueil d\'un lieu est ouvert');
  return pathOf(page);
}

test('site desk: quick count in at most 3 actions, queue hand-off, waiting room',
     {timeout: TEST_TIMEOUT_MS}, async () => {
  const accueil = await newPage(browser);
  const social = await newPage(browser);
  const visitor = await newPage(browser);
  try {
    const page = accueil.page;
    await logIn(page, app.url, account('accueil'));
    const desk = await openDesk(page);

    // ---- Anonymous walk-in, motive 1, default acts: "1" then Enter.
    const before = await todayRows(page);
    const motif1 = (await page.locator('[data-raccourci="1"]').locator('xpath=..').innerText())
                       .replace(/^\s*1\s*/, '').trim();
    assert.ok(motif1.length > 0, 'le motif 1 a un libellé');
    assert.equal(await page.locator('#canal-physique_sans_rdv').isChecked(), true,
                 'le canal « physique sans rendez-vous » est choisi d\'avance');
    assert.equal(await page.locator('#acte-ecoute').isChecked(), true);
    assert.equal(await page.locator('#acte-information').isChecked(), true);
    const walkIn = actionCounter(page);
    await walkIn.press('1');
    await walkIn.pressAndWait('Enter');
    assert.ok(walkIn.count <= 3, `passage anonyme en ${walkIn.count} actions (3 au plus)`);
    assert.equal(pathOf(page), desk);
    assert.equal(await notice(page), 'Passage enregistré.');
    assert.equal(await todayRows(page), before + 1, 'le passage apparaît dans la liste du jour');
    const newest = page.locator('section[aria-labelledby="titre-jour"] tbody tr').first();
    const newestText = await newest.innerText();
    assert.ok(newestText.includes(motif1), `motif « ${motif1} » absent de : ${newestText}`);
    assert.ok(newestText.includes('Physique sans rendez-vous'), newestText);
    assert.ok(newestText.includes('Écoute, Information'), newestText);
    // The focus is back on the quick count, ready for the next person.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'comptage');
    assert.equal(await page.locator('[data-raccourci="1"]').isChecked(), false);

    // ---- Telephone, motive 2, "aide aux démarches": from the keyboard too.
    const phoneKey = await page.locator('#canal-telephone').getAttribute('data-raccourci');
    const helpKey = await page.locator('#acte-aide-demarches').getAttribute('data-raccourci');
    assert.ok(phoneKey && helpKey, 'le téléphone et l\'aide aux démarches ont un raccourci');
    const call = actionCounter(page);
    await call.press(phoneKey);
    await call.press('2');
    // Shift with the act's letter ticks it and records at once.
    await call.pressAndWait(`Shift+${helpKey.toUpperCase()}`);
    assert.ok(call.count <= 3, `appel téléphonique en ${call.count} actions (3 au plus)`);
    assert.equal(await notice(page), 'Passage enregistré.');
    assert.equal(await todayRows(page), before + 2);
    const phoneRow = await page.locator('section[aria-labelledby="titre-jour"] tbody tr').first().innerText();
    assert.ok(phoneRow.includes('Téléphone') && phoneRow.includes('Aide aux démarches'), phoneRow);
    // The channel last used is remembered.
    assert.equal(await page.locator('#canal-telephone').isChecked(), true);

    // ---- No shortcut while typing in a text field.
    await page.locator('details.desk-profile > summary').click();
    await page.getByLabel('Commune de résidence', {exact: true}).fill('');
    await page.getByLabel('Commune de résidence', {exact: true}).press('1');
    assert.equal(await page.locator('[data-raccourci="1"]').isChecked(), false,
                 'taper « 1 » dans un champ ne coche pas le motif 1');
    assert.equal(await page.getByLabel('Commune de résidence', {exact: true}).inputValue(), '1');

    // ---- Correction page and deletion of the telephone passage.
    await clickAndWait(page, page.locator('section[aria-labelledby="titre-jour"] tbody tr').first()
                                 .getByRole('link', {name: /^Corriger/}));
    await assertHeading(page, 'Corriger un passage');
    assert.equal(await page.locator('#canal-telephone').isChecked(), true);
    await clickAndWait(page, page.getByRole('link', {name: 'Supprimer ce passage', exact: true}));
    await assertHeading(page, 'Supprimer un passage');
    await clickAndWait(page, page.getByRole('button', {name: 'Oui, supprimer ce passage', exact: true}));
    assert.equal(await notice(page), 'Le passage a été supprimé.');
    assert.equal(await todayRows(page), before + 1);

    // ---- The queue: a ticket, called, handed off with a note.
    await clickAndWait(page, page.getByRole('link', {name: /^File d'attente/}));
    assert.equal(pathOf(page), `${desk}/file-attente`);
    await page.locator('details.queue-take > summary').click();
    await page.getByLabel('Motif (facultatif)', {exact: true}).selectOption({index: 1});
    await clickAndWait(page, page.getByRole('button', {name: 'Donner un ticket', exact: true}));
    assert.match(await notice(page), /^Ticket n° \d+ remis\.$/);
    await clickAndWait(page, page.getByRole('button', {name: 'Appeler le suivant', exact: true}));
    const calledNotice = await notice(page);
    const match = /^Ticket n° (\d+) appelé\.$/.exec(calledNotice);
    assert.ok(match, calledNotice);
    const numero = match[1];
    const card = page.locator('ul.queue-tickets > li', {
      has: page.getByRole('heading', {name: `Ticket n° ${numero}`, exact: true}),
    });
    assert.equal(await card.count(), 1, `le ticket n° ${numero} est parmi les personnes reçues`);
    const socialName = 'Dominique Travailleur (démo)';
    await card.getByLabel('Transmettre à', {exact: true}).selectOption({label: socialName});
    const note = 'Souhaite faire le point sur sa demande de RSA.';
    await card.getByLabel('Note pour le travailleur social', {exact: true}).fill(note);
    await clickAndWait(page, card.getByRole('button', {name: `Transmettre le ticket n° ${numero}`}));
    assert.equal(await notice(page), 'La personne a été transmise, avec votre note.');

    // ---- The social worker sees the note and calls the ticket.
    await logIn(social.page, app.url, account('social'));
    await visit(social.page, `${app.url}${desk}/file-attente`);
    const handed = social.page.locator('ul.queue-tickets > li', {
      has: social.page.getByRole('heading', {name: `Ticket n° ${numero}`, exact: true}),
    });
    assert.equal(await handed.count(), 1);
    const handedText = await handed.innerText();
    assert.ok(handedText.includes(note), handedText);
    assert.ok(handedText.includes(`Pour : ${socialName}`), handedText);
    await clickAndWait(social.page, handed.getByRole('button', {name: `Appeler le ticket n° ${numero}`}));
    assert.equal(await notice(social.page), `Ticket n° ${numero} appelé.`);
    const inInterview = social.page.locator('section[aria-labelledby="titre-entretien"]');
    assert.ok((await inInterview.innerText()).includes(`Ticket n° ${numero}`));

    // ---- The waiting-room display: public, numbers only.
    await visit(visitor.page, `${app.url}${desk}/salle`);
    const room = (await visitor.page.locator('.waiting-room').innerText());
    assert.ok(room.includes(numero), `le numéro ${numero} est affiché : ${room}`);
    const words = room.replace(/Ticket numéro/g, '').replace(/Appelés récemment/g, '')
                      .replace(/Appelé|En attente|Personne n'attend\.|—/g, '').trim();
    assert.match(words, /^[\d\s:]*$/, `la salle d'attente n'affiche que des numéros : ${room}`);
    assert.ok(!room.includes('RSA') && !room.includes('Dominique'), room);
    assert.equal(await visitor.page.locator('[aria-live="polite"]').count(), 1);

    // ---- Waiting-time statistics.
    await visit(page, `${app.url}${desk}/statistiques`);
    assert.match(await page.locator('h1').innerText(), /^Temps d'attente/);

    assertNoProblems(accueil.problems);
    assertNoProblems(social.problems);
    assertNoProblems(visitor.problems);
  } finally {
    await accueil.context.close();
    await social.context.close();
    await visitor.context.close();
  }
});
