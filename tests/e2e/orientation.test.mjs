// Browser test of an orientation's whole loop (issue 5): the demo accueil agent opens the desk,
// takes a passage of a person with a file, « Orienter », then fills the creation form with
// the keyboard alone: searches « Caf », chooses the Caf service, shares the name only, notes
// that the person was informed and accepts, « Envoyer ». The demo partner (Caf) signs in,
// finds it in « Orientations reçues », opens it (the shared name is visible), accepts and fixes
// a date. The agent sees « Rendez-vous fixé » with the history; the partner records
// « Personne reçue »; the agent sees it, and the notice among the notifications. The liaison
// form, the measures and the notifications pages are visited too.
// A partner without an account (the demo Mission locale of Rennes) is reached by e-mail: the
// server sends through a small SMTP sink started here (no STARTTLS on 127.0.0.1); the link
// shows no personal data, a tampered link is refused (403), a one-time code sent to the
// service's address opens the orientation, which the partner accepts, then leaves.
// axe-core (WCAG 2.1 A/AA) runs on every page visited.
// Run: PASIP_BIN=build/bin/pasip node --test tests/e2e/orientation.test.mjs

import assert from 'node:assert/strict';
import net from 'node:net';
import {after, before, test} from 'node:test';

import {
  assertHeading,
  assertNoProblems,
  checkPage,
  clickAndWait,
  closeAll,
  launchBrowser,
  logIn,
  newPage,
  pathOf,
  startPasip,
  visit,
} from './harness.mjs';

const TEST_TIMEOUT_MS = 300_000;
const CAF_SERVICE = 'Information sur les prestations de la Caf';
// Invented person (no real personal data in tests).
const PERSON = 'Ilona Orientée-Testeur';

// The server hands queued e-mails to SMTP once a minute: allow two rounds.
const MAIL_TIMEOUT_MS = 150_000;

// A minimal SMTP server that accepts everything and keeps the messages ({from, to, data}).
function startSmtpSink() {
  const messages = [];
  const server = net.createServer((socket) => {
    socket.setEncoding('latin1');
    let buffer = '';
    let inData = false;
    let current = {from: '', to: [], data: ''};
    const reply = (line) => socket.write(`${line}\r\n`);
    reply('220 127.0.0.1 ESMTP sink');
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end + 2).replace(/^\.\./gm, '.');
          buffer = buffer.slice(end + 5);
          messages.push(current);
          current = {from: '', to: [], data: ''};
          inData = false;
          reply('250 2.0.0 OK');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          reply('250-127.0.0.1');
          reply('250-8BITMIME');
          reply('250 SMTPUTF8');
        } else if (verb === 'HELO') {
          reply('250 127.0.0.1');
        } else if (verb === 'MAIL') {
          current.from = line;
          reply('250 2.1.0 OK');
        } else if (verb === 'RCPT') {
          current.to.push(line);
          reply('250 2.1.5 OK');
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 End data with <CR><LF>.<CR><LF>');
        } else if (verb === 'QUIT') {
          reply('221 2.0.0 Bye');
          socket.end();
          return;
        } else {
          reply('250 OK');  // RSET, NOOP
        }
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      port: server.address().port,
      messages,
      close: () => new Promise((done) => server.close(done)),
    }));
  });
}

// The text of a quoted-printable message (soft line breaks removed, UTF-8 decoded).
function decodeQuotedPrintable(text) {
  const joined = text.replace(/=\r\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(joined.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// Waits for a message received after `skip` messages whose decoded text matches `pattern`;
// answers the match.
async function waitForMail(sink, pattern, skip = 0) {
  const deadline = Date.now() + MAIL_TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (const m of sink.messages.slice(skip)) {
      const match = pattern.exec(decodeQuotedPrintable(m.data));
      if (match) return match;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.fail(`aucun e-mail reçu ne correspond à ${pattern} (${sink.messages.length} reçus)`);
}

let app;
let browser;
let sink;

before(async () => {
  sink = await startSmtpSink();
  app = await startPasip({env: {
    PASIP_SMTP_HOST: '127.0.0.1',
    PASIP_SMTP_PORT: String(sink.port),
    PASIP_SMTP_STARTTLS: 'false',
  }});
  browser = await launchBrowser();
});
after(async () => {
  await closeAll({app, browser});
  await sink?.close();
});

function account(role) {
  const found = app.accounts[role];
  assert.ok(found, `pasip demo n'a pas affiché de compte « ${role} »`);
  return found;
}

// Presses Tab until `isTarget(activeElement)` holds, at most `max` times (keyboard only).
async function tabTo(page, isTarget, description, arg = null, max = 150) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(isTarget, arg)) return;
  }
  assert.fail(`${description} : jamais atteint au clavier (${max} tabulations)`);
}

const focusedIs = (id) => document.activeElement?.id === id;

async function notice(page) {
  return (await page.locator('main .notice.success').innerText()).trim();
}

async function status(page) {
  return (await page.locator('main .orientation-status strong').first().innerText()).trim();
}

// A JSON call from the page itself: the session cookie (__Host-, Secure) is the browser's.
async function api(page, method, path, body) {
  return page.evaluate(async ({url, method, body}) => {
    const response = await fetch(url, {
      method,
      headers: {'Content-Type': 'application/json', Accept: 'application/json'},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {status: response.status, body: await response.text()};
  }, {url: `${app.url}${path}`, method, body});
}

// A person received today at the agent's desk: an invented file and a named passage
// (recorded through the API, as the desk's quick count records anonymous passages only).
// Answers {desk, person, passage}.
async function namedPassageToday(page, name, telephone) {
  const desk = await openDesk(page);
  const site = Number(desk.split('/').pop());
  const created = await api(page, 'POST', '/api/v1/personnes',
                            {nom_affiche: name, telephone, confirmer_doublon: true});
  assert.equal(created.status, 201, `création du dossier : ${created.body}`);
  const person = JSON.parse(created.body).id;
  const passage = await api(page, 'POST', '/api/v1/passages', {
    site, canal: 'physique_sans_rdv', motifs: ['droits--prestations-familiales'],
    actes: ['ecoute', 'information'], personne: person,
  });
  assert.equal(passage.status, 201, `passage : ${passage.body}`);
  return {desk, person, passage: JSON.parse(passage.body).id};
}

// The desk of the demo accueil agent (directly when there is one site).
async function openDesk(page) {
  await visit(page, `${app.url}/tableau-de-bord`);
  await clickAndWait(page, page.getByRole('link', {name: 'Accueillir le public', exact: true}));
  if (pathOf(page) === '/accueil') {
    await clickAndWait(page, page.locator('main ul.desk-sites a').first());
  }
  assert.match(pathOf(page), /^\/accueil\/\d+$/, 'le bureau d\'accueil d\'un lieu est ouvert');
  return pathOf(page);
}

test('orientation: from a passage at the desk to the partner and back to « personne reçue »',
     {timeout: TEST_TIMEOUT_MS}, async () => {
  const agent = await newPage(browser);
  const partner = await newPage(browser);
  try {
    const page = agent.page;
    await logIn(page, app.url, account('accueil'));
    const {desk, person, passage: passageId} =
        await namedPassageToday(page, PERSON, '06 00 00 00 42');

    // ---- The desk: « Orienter » on today's passage, from the keyboard.
    await visit(page, `${app.url}${desk}`);
    const orientHref = `/orientations/nouvelle?passage=${passageId}`;
    assert.equal(await page.locator(`a[href="${orientHref}"]`).count(), 1,
                 'le passage du jour a son lien « Orienter »');
    await page.locator(`a[href="${orientHref}"]`).focus();
    await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.keyboard.press('Enter')]);
    await checkPage(page);
    assert.equal(pathOf(page), '/orientations/nouvelle');
    await assertHeading(page, 'Nouvelle orientation');
    assert.match(await page.locator('main .file-number').innerText(), new RegExp(PERSON));
    assert.equal(await page.locator('#motif-droits--prestations-familiales').isChecked(), true,
                 'le motif du passage est coché');
    assert.equal(await page.locator('input[name="champs_partages"]:checked').count(), 0,
                 'rien n\'est partagé par défaut');

    // ---- Keyboard only: search « Caf », choose the service, fill in, share, consent, send.
    await tabTo(page, focusedIs, 'le champ « Chercher un autre service »', 'f-recherche');
    await page.keyboard.type('Caf');
    await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.keyboard.press('Enter')]);
    await checkPage(page);
    assert.equal(pathOf(page), '/orientations/nouvelle');
    const cafLabel = page.locator('label', {hasText: CAF_SERVICE}).first();
    assert.ok(await cafLabel.count() > 0, `le service « ${CAF_SERVICE} » est proposé`);
    const cafId = await cafLabel.getAttribute('for');
    await tabTo(page, () => document.activeElement?.name === 'service_id', 'la liste des services');
    for (let i = 0; i < 40 && !(await page.evaluate(focusedIs, cafId)); i++) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Space');  // the first radio is focused, not yet checked
    assert.equal(await page.locator(`[id="${cafId}"]`).isChecked(), true,
                 'le service de la Caf est choisi au clavier');
    await tabTo(page, focusedIs, 'le champ « Ce qui est demandé »', 'f-demande');
    await page.keyboard.type('Vérifier les droits aux prestations familiales après une naissance.');
    await tabTo(page, focusedIs, 'la case « Nom »', 'champ-nom_affiche');
    await page.keyboard.press('Space');
    await tabTo(page, focusedIs, 'le choix « La personne a été informée et accepte »',
                'f-consentement-informee');
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#f-consentement-informee').isChecked(), true);
    await tabTo(page, () => document.activeElement?.textContent?.trim() === 'Envoyer',
                'le bouton « Envoyer »');
    await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.keyboard.press('Enter')]);
    await checkPage(page);
    const detail = pathOf(page);
    assert.match(detail, /^\/orientations\/\d+$/, `après l'envoi : ${page.url()}`);
    const number = detail.split('/').pop();
    await assertHeading(page, `Orientation n° ${number}`);
    assert.equal(await notice(page), 'L\'orientation a été envoyée au service choisi.');
    assert.equal(await status(page), 'Envoyée');
    const request = await page.locator('section[aria-labelledby="titre-demande"]').innerText();
    assert.ok(request.includes(CAF_SERVICE), request);

    // The agent's list and the person's file show it.
    await clickAndWait(page, page.getByRole('navigation', {name: 'Navigation principale'})
                                 .getByRole('link', {name: 'Orientations', exact: true}));
    assert.equal(pathOf(page), '/orientations');
    const row = page.locator('main tbody tr', {has: page.getByRole('link', {name: `n° ${number}`, exact: true})});
    assert.equal(await row.count(), 1);
    assert.ok((await row.innerText()).includes('Envoyée'));
    await visit(page, `${app.url}/personnes/${person}`);
    assert.ok((await page.locator('section[aria-labelledby="orientations"]').innerText()).includes(`n° ${number}`));

    // ---- The partner: « Orientations reçues », open, accept, fix a date.
    const p = partner.page;
    await logIn(p, app.url, account('partenaire'));
    await clickAndWait(p, p.getByRole('navigation', {name: 'Navigation principale'})
                           .getByRole('link', {name: 'Orientations reçues', exact: true}));
    assert.equal(pathOf(p), '/orientations/recues');
    await assertHeading(p, 'Orientations reçues');
    await clickAndWait(p, p.getByRole('link', {name: `n° ${number}`, exact: true}));
    assert.equal(pathOf(p), detail);
    assert.equal(await status(p), 'Reçue par le partenaire');
    const shared = await p.locator('section[aria-labelledby="titre-partage"]').innerText();
    assert.ok(shared.includes(PERSON), `le nom partagé est visible du partenaire : ${shared}`);
    assert.ok(!shared.includes('06 00 00 00 42'), 'le téléphone, non coché, n\'est pas transmis');
    await clickAndWait(p, p.getByRole('button', {name: 'Accepter', exact: true}));
    assert.equal(await notice(p), 'Vous avez accepté l\'orientation.');
    assert.equal(await status(p), 'Acceptée');
    const fix = p.locator('details.step-form', {has: p.locator('summary', {hasText: 'Fixer le rendez-vous'})});
    await fix.locator('summary').click();
    const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    await fix.getByLabel('Date du rendez-vous', {exact: true}).fill(day);
    await fix.getByLabel('Heure', {exact: true}).fill('14:30');
    await fix.getByLabel('Lieu (facultatif)', {exact: true}).fill('Accueil de la Caf, bureau 3');
    await clickAndWait(p, fix.getByRole('button', {name: 'Fixer le rendez-vous', exact: true}));
    assert.equal(await notice(p), 'Le rendez-vous est fixé.');
    assert.equal(await status(p), 'Rendez-vous fixé');

    // ---- The agent sees the appointment and the history.
    await visit(page, `${app.url}${detail}`);
    assert.equal(await status(page), 'Rendez-vous fixé');
    const [y, m, d] = day.split('-');
    const followUp = await page.locator('section[aria-labelledby="titre-suivi"]').innerText();
    assert.ok(followUp.includes(`${d}/${m}/${y} à 14 h 30`) && followUp.includes('bureau 3'), followUp);
    const history = page.locator('section[aria-labelledby="titre-historique"] tbody tr');
    const steps = await history.allInnerTexts();
    assert.ok(steps.some((s) => s.includes('Accepter')), steps.join('\n'));
    assert.ok(steps.some((s) => s.includes('Fixer le rendez-vous') && s.includes('Rendez-vous fixé')),
              steps.join('\n'));
    assert.equal(await page.locator('section[aria-labelledby="titre-historique"] thead th').count(), 5);

    // ---- The partner records the outcome; the agent sees it.
    await visit(p, `${app.url}${detail}`);
    await clickAndWait(p, p.getByRole('button', {name: 'Personne reçue', exact: true}));
    assert.equal(await notice(p), 'C\'est noté : la personne a été reçue.');
    await visit(page, `${app.url}${detail}`);
    assert.equal(await status(page), 'Personne reçue');

    // ---- Liaison form, notifications, measures.
    await clickAndWait(page, page.getByRole('link', {name: 'Fiche de liaison (version imprimable)', exact: true}));
    assert.equal(pathOf(page), `${detail}/fiche`);
    assert.ok((await page.locator('main').innerText()).includes(CAF_SERVICE));
    await clickAndWait(page, page.getByRole('navigation', {name: 'Navigation principale'})
                                 .getByRole('link', {name: /^Notifications/}));
    assert.equal(pathOf(page), '/notifications');
    const notices = await page.locator('main').innerText();
    assert.ok(notices.includes(`n° ${number}`), notices);
    await clickAndWait(page, page.getByRole('button', {name: 'Tout marquer comme lu', exact: true}));
    assert.equal(await notice(page), 'Toutes les notifications sont marquées comme lues.');
    await visit(page, `${app.url}/orientations/mesures`);
    await assertHeading(page, 'Mesures des orientations');
    await visit(p, `${app.url}/notifications`);
    await visit(p, `${app.url}/orientations/recues?statut=personne_recue`);

    // Someone outside the relation: the « not found » page.
    await visit(p, `${app.url}/orientations/999999`, {status: 404});
    assertNoProblems(agent.problems);
    assertNoProblems(partner.problems);
  } finally {
    await agent.context.close();
    await partner.context.close();
  }
});

test('orientation: a partner without an account opens it with the e-mailed link and a code',
     {timeout: TEST_TIMEOUT_MS}, async () => {
  const agent = await newPage(browser);
  const visitor = await newPage(browser);
  const name = 'Jules Lien-Testeur';
  const partnerName = 'Mission locale – Rennes (démo)';
  try {
    const page = agent.page;
    await logIn(page, app.url, account('accueil'));
    const {passage} = await namedPassageToday(page, name, '06 00 00 00 43');
    await visit(page, `${app.url}/orientations/nouvelle?passage=${passage}`);
    await page.getByLabel('Chercher un autre service', {exact: true}).fill('Mission locale');
    await clickAndWait(page, page.getByRole('button', {name: 'Chercher', exact: true}));
    const choice = page.locator('ul.service-choices > li', {hasText: partnerName}).first();
    assert.equal(await choice.count(), 1, `un service de « ${partnerName} » est proposé`);
    await choice.locator('input[name="service_id"]').check();
    await page.getByLabel('Ce qui est demandé au service', {exact: true})
        .fill('Accompagnement vers un premier emploi.');
    await page.locator('#champ-nom_affiche').check();
    await page.locator('#f-consentement-informee').check();
    const mailsBefore = sink.messages.length;
    await clickAndWait(page, page.getByRole('button', {name: 'Envoyer', exact: true}));
    assert.match(pathOf(page), /^\/orientations\/\d+$/);
    const number = pathOf(page).split('/').pop();

    // The e-mail carries the link and no personal data.
    const linkMatch = await waitForMail(sink, /\/lien\/([A-Za-z0-9_.-]+)/, mailsBefore);
    const token = linkMatch[1];
    for (const m of sink.messages.slice(mailsBefore)) {
      const text = decodeQuotedPrintable(m.data);
      assert.ok(!text.includes('Lien-Testeur') && !text.includes('06 00 00 00 43'),
                `un e-mail contient une donnée personnelle :\n${text}`);
    }

    // A tampered link is refused, in French.
    const v = visitor.page;
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    await visit(v, `${app.url}/lien/${tampered}`, {status: 403});
    await assertHeading(v, 'Lien non valide');

    // The link: names of the structure and service only, then a one-time code.
    await visit(v, `${app.url}/lien/${token}`);
    await assertHeading(v, 'Une orientation vous attend');
    const intro = await v.locator('main').innerText();
    assert.ok(intro.includes(partnerName), intro);
    assert.ok(!intro.includes('Lien-Testeur'), 'aucune donnée personnelle avant le code');
    const codesBefore = sink.messages.length;
    await clickAndWait(v, v.getByRole('button', {name: 'Recevoir un code', exact: true}));
    await assertHeading(v, 'Saisir le code reçu');
    const code = (await waitForMail(sink, /code d'accès[^\n]*?(\d{6})/, codesBefore))[1];
    await v.getByLabel('Code à 6 chiffres', {exact: true}).fill(code);
    await clickAndWait(v, v.getByRole('button', {name: 'Valider le code', exact: true}));
    assert.equal(pathOf(v), '/lien/orientation');
    await assertHeading(v, `Orientation n° ${number}`);
    const shared = await v.locator('section[aria-labelledby="titre-partage"]').innerText();
    assert.ok(shared.includes(name), shared);
    const cookies = await visitor.context.cookies();
    const session = cookies.find((c) => c.name === '__Host-pasip-lien');
    assert.ok(session && session.httpOnly && session.secure && session.sameSite === 'Lax' &&
              session.path === '/', JSON.stringify(cookies));

    await clickAndWait(v, v.getByRole('button', {name: 'Accepter', exact: true}));
    assert.equal(await notice(v), 'Vous avez accepté l\'orientation.');
    assert.equal(await status(v), 'Acceptée');
    await clickAndWait(v, v.getByRole('link', {name: 'Fiche de liaison (version imprimable)', exact: true}));
    assert.equal(pathOf(v), '/lien/orientation/fiche');
    await visit(v, `${app.url}/lien/orientation`);
    await clickAndWait(v, v.getByRole('button', {name: 'Quitter', exact: true}));
    await visit(v, `${app.url}/lien/orientation`, {status: 403});
    await assertHeading(v, 'Session terminée');

    // The agent sees the answer given through the link.
    await visit(page, `${app.url}/orientations/${number}`);
    assert.equal(await status(page), 'Acceptée');
    const history = await page.locator('section[aria-labelledby="titre-historique"]').innerText();
    assert.ok(history.includes('par le lien reçu par e-mail'), history);
    assertNoProblems(agent.problems);
    assertNoProblems(visitor.problems);
  } finally {
    await agent.context.close();
    await visitor.context.close();
  }
});
