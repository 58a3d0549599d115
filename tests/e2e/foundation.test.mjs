// Browser tests of the foundation (issue 2): public home, login with the keyboard alone,
// second-factor enrolment and check, user administration (create, search, disable), a
// disabled account refused, logout. axe-core (WCAG 2.1 A/AA) runs on every page visited.
// Run: PASIP_BIN=build/bin/pasip node --test tests/e2e/ (scripts/test.sh does it).

import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {
  closeAll,
  assertHeading,
  assertNoProblems,
  checkPage,
  clickAndWait,
  completeSecondFactor,
  logOut,
  newPage,
  pathOf,
  startPasipAndBrowser,
  submitLogin,
  visit,
} from './harness.mjs';

const TEST_TIMEOUT_MS = 180_000;

let app;
let browser;

before(async () => ({app, browser} = await startPasipAndBrowser()));
after(() => closeAll({app, browser}));

function account(role) {
  const found = app.accounts[role];
  assert.ok(found, `pasip demo n'a pas affiché de compte « ${role} »`);
  return found;
}

// Fills /admin/utilisateurs/nouveau and returns the path of the new user's page.
async function createUser(page, user) {
  await visit(page, `${app.url}/admin/utilisateurs`);
  await clickAndWait(page, page.getByRole('link', {name: 'Créer un compte', exact: true}));
  assert.equal(pathOf(page), '/admin/utilisateurs/nouveau');
  await page.getByLabel('Adresse e-mail', {exact: true}).fill(user.email);
  await page.getByLabel('Nom affiché', {exact: true}).fill(user.displayName);
  await page.getByLabel('Mot de passe provisoire', {exact: true}).fill(user.password);
  const organisation = page.getByLabel('Organisation', {exact: true});
  const options = await organisation.evaluate((select) => [...select.options].map((o) => o.value));
  const firstOrganisation = options.find((value) => value !== '');
  assert.ok(firstOrganisation, 'aucune organisation proposée');
  await organisation.selectOption(firstOrganisation);
  await page.getByLabel('Rôle', {exact: true}).selectOption(user.role);
  await clickAndWait(page, page.getByRole('button', {name: 'Créer le compte', exact: true}));
  const userPath = pathOf(page);
  assert.match(userPath, /^\/admin\/utilisateurs\/(?!nouveau$)[^/]+$/, 'pas de page du compte créé');
  assert.ok(await page.getByText(user.email).count() > 0, 'la page du compte ne montre pas son e-mail');
  return userPath;
}

test('public home page: what the service is, a link to log in, accessible', {timeout: TEST_TIMEOUT_MS}, async () => {
  const {context, page, problems} = await newPage(browser);
  try {
    await visit(page, `${app.url}/`);
    await assertHeading(page);
    await clickAndWait(page, page.getByRole('link', {name: 'Se connecter', exact: true}).first());
    assert.equal(pathOf(page), '/connexion');
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('unknown page: French 404 page, accessible', {timeout: TEST_TIMEOUT_MS}, async () => {
  const {context, page, problems} = await newPage(browser);
  try {
    await visit(page, `${app.url}/cette-page-n-existe-pas`, {status: 404});
    await assertHeading(page);
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('accueil logs in with the keyboard alone, gets a secure session cookie, logs out',
     {timeout: TEST_TIMEOUT_MS}, async () => {
  const accueil = account('accueil');
  const {context, page, problems} = await newPage(browser);
  try {
    await visit(page, `${app.url}/connexion`);

    // Tab from the top of the page until the e-mail field has the focus.
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.getAttribute('name') === 'email');
    }
    assert.ok(reached, 'le champ « Adresse e-mail » n\'est pas atteignable au clavier');
    const focus = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement);
      return {style: style.outlineStyle, width: parseFloat(style.outlineWidth)};
    });
    assert.ok(focus.style !== 'none' && focus.width >= 2,
              `focus peu visible sur le champ e-mail (outline ${focus.style} ${focus.width}px)`);
    await page.keyboard.type(accueil.email);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'password',
                 'Tab depuis l\'e-mail devrait mener au mot de passe');
    await page.keyboard.type(accueil.password);
    await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.keyboard.press('Enter')]);
    await checkPage(page);
    assert.equal(pathOf(page), '/tableau-de-bord');
    await assertHeading(page, 'Tableau de bord');

    const cookie = (await context.cookies()).find((c) => c.name === '__Host-pasip');
    assert.ok(cookie, 'pas de cookie de session __Host-pasip');
    assert.equal(cookie.secure, true, 'cookie de session sans Secure');
    assert.equal(cookie.httpOnly, true, 'cookie de session sans HttpOnly');
    assert.equal(cookie.sameSite, 'Lax', 'cookie de session sans SameSite=Lax');
    assert.equal(cookie.path, '/');

    await visit(page, `${app.url}/compte`);
    await assertHeading(page);
    for (const name of ['current_password', 'new_password', 'new_password_confirm']) {
      assert.equal(await page.locator(`input[name="${name}"]`).count(), 1, `/compte: champ ${name} absent`);
    }
    assert.equal(await page.getByRole('button', {name: 'Changer le mot de passe', exact: true}).count(), 1);

    // Accueil is not an administrator.
    const admin = await page.goto(`${app.url}/admin/utilisateurs`);
    assert.ok([403, 404].includes(admin.status()), `/admin/utilisateurs pour accueil: ${admin.status()}`);
    await checkPage(page);

    await visit(page, `${app.url}/tableau-de-bord`);
    await logOut(page);
    const afterLogout = await page.goto(`${app.url}/tableau-de-bord`);
    assert.ok(pathOf(page) === '/connexion' || afterLogout.status() === 401,
              `après déconnexion, /tableau-de-bord reste accessible (${afterLogout.status()} ${page.url()})`);
    await checkPage(page);
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('social logs in with its second factor', {timeout: TEST_TIMEOUT_MS}, async () => {
  const social = account('social');
  const {context, page, problems} = await newPage(browser);
  try {
    const reached = await submitLogin(page, app.url, social);
    assert.ok(['/compte/second-facteur/activation', '/connexion/second-facteur'].includes(reached),
              `le rôle social doit passer par un second facteur, arrivé sur ${reached}`);
    const {enrolled, recoveryCodes} = await completeSecondFactor(page, social);
    if (enrolled) assert.ok(recoveryCodes.length > 0, 'aucun code de secours affiché');
    assert.equal(pathOf(page), '/tableau-de-bord');
    await assertHeading(page, 'Tableau de bord');
    await logOut(page);
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('admin: second factor, administration pages, create, find and disable a user',
     {timeout: TEST_TIMEOUT_MS}, async (t) => {
  const admin = account('admin');
  const {context, page, problems} = await newPage(browser);
  const stamp = Date.now().toString(36);
  const newUser = {
    role: 'accueil',
    email: `agent.essai.${stamp}@demo.pasip.fr`,
    displayName: `Camille Essai ${stamp}`,
    password: 'Provisoire-E2E-2024!',
  };
  let userPath;

  try {
    await t.test('password then second factor (enrolment when none yet)', async () => {
      const reached = await submitLogin(page, app.url, admin);
      assert.ok(['/compte/second-facteur/activation', '/connexion/second-facteur'].includes(reached),
                `l'administrateur doit passer par un second facteur, arrivé sur ${reached}`);
      const {enrolled, recoveryCodes} = await completeSecondFactor(page, admin);
      if (enrolled) assert.ok(recoveryCodes.length > 0, 'aucun code de secours affiché');
      assert.equal(pathOf(page), '/tableau-de-bord');
      await assertHeading(page, 'Tableau de bord');
    });

    await t.test('administration pages are accessible', async () => {
      for (const where of ['/admin/organisations', '/admin/sites', '/admin/utilisateurs', '/admin/journal',
                           '/compte']) {
        await visit(page, `${app.url}${where}`);
        await assertHeading(page);
      }
    });

    await t.test('create a user', async () => {
      userPath = await createUser(page, newUser);
    });

    await t.test('find the user with the search field', async () => {
      await visit(page, `${app.url}/admin/utilisateurs`);
      const search = page.getByLabel('Rechercher', {exact: true});
      await search.fill(newUser.email);
      await search.press('Enter');
      await page.waitForLoadState('networkidle');
      await page.getByText(newUser.email).first().waitFor({state: 'visible'});
      assert.equal(await page.getByText(account('accueil').email).count(), 0,
                   'la recherche par e-mail montre aussi d\'autres comptes');
      await checkPage(page);
      await clickAndWait(page, page.locator(`a[href$="${userPath}"]`).first());
      assert.equal(pathOf(page), userPath);
    });

    await t.test('the new user can log in before being disabled', async () => {
      const other = await newPage(browser);
      try {
        const reached = await submitLogin(other.page, app.url, newUser);
        assert.notEqual(reached, '/connexion', 'le compte créé ne peut pas se connecter');
        assertNoProblems(other.problems);
      } finally {
        await other.context.close();
      }
    });

    await t.test('disable the user', async () => {
      await visit(page, `${app.url}${userPath}`);
      await clickAndWait(page, page.getByRole('button', {name: 'Désactiver le compte', exact: true}));
      await page.getByText('Compte désactivé').first().waitFor({state: 'visible'});
    });

    await t.test('a disabled account cannot log in', async () => {
      const other = await newPage(browser);
      try {
        const reached = await submitLogin(other.page, app.url, newUser);
        assert.equal(reached, '/connexion', `un compte désactivé a pu se connecter (${reached})`);
        const message = other.page.locator('[role="alert"], .alert, .error-summary, .field-error');
        assert.ok(await message.count() > 0, 'aucun message d\'erreur après un refus de connexion');
        assert.equal((await other.context.cookies()).some((c) => c.name === '__Host-pasip' && c.value), false,
                     'un cookie de session a été posé pour un compte désactivé');
        assertNoProblems(other.problems);
      } finally {
        await other.context.close();
      }
    });

    await t.test('a new social account enrols its second factor at first login', async () => {
      const social = {
        role: 'social',
        email: `travailleur.social.${stamp}@demo.pasip.fr`,
        displayName: `Dominique Essai ${stamp}`,
        password: 'Provisoire-E2E-2024!',
      };
      await createUser(page, social);
      const other = await newPage(browser);
      try {
        const reached = await submitLogin(other.page, app.url, social);
        assert.equal(reached, '/compte/second-facteur/activation',
                     'un compte social sans second facteur doit l\'activer à la première connexion');
        const {enrolled, recoveryCodes} = await completeSecondFactor(other.page, social);
        assert.ok(enrolled);
        assert.ok(recoveryCodes.length > 0, 'aucun code de secours (liste .recovery-codes)');
        assert.equal(pathOf(other.page), '/tableau-de-bord');
        await assertHeading(other.page, 'Tableau de bord');
        await logOut(other.page);
        // Enrolled now: the next login asks for a code (a new one: replays are refused).
        assert.equal(await submitLogin(other.page, app.url, social), '/connexion/second-facteur');
        await completeSecondFactor(other.page, social);
        assert.equal(pathOf(other.page), '/tableau-de-bord');
        assertNoProblems(other.problems);
      } finally {
        await other.context.close();
      }
    });

    await t.test('logout, then log in again with a TOTP code', async () => {
      await visit(page, `${app.url}/tableau-de-bord`);
      await logOut(page);
      const reached = await submitLogin(page, app.url, admin);
      assert.equal(reached, '/connexion/second-facteur', 'un administrateur inscrit doit saisir son code');
      await completeSecondFactor(page, admin);
      assert.equal(pathOf(page), '/tableau-de-bord');
      await assertHeading(page, 'Tableau de bord');
      await logOut(page);
    });

    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});
