// Durability (security.md S12): every write pasip acknowledged survives `kill -9` of the
// server, and no half-done write appears. Organisations are created through the API under
// concurrent load, the server is killed without warning, restarted on the same database,
// and every acknowledged organisation must be there, whole.
import assert from 'node:assert/strict';
import {execFileSync, spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';

import {freshTotp, parseDemoAccounts, repoRoot} from './harness.mjs';

const bin = path.resolve(process.env.PASIP_BIN || path.join(repoRoot, 'build/bin/pasip'));

function serve(bin, database, cwd) {
  const child = spawn(bin, ['serve', '--database', database, '--listen', '127.0.0.1:0'],
                      {cwd, stdio: ['ignore', 'pipe', 'pipe']});
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`pas d'adresse annoncée :\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match && match[1] !== '0') {
        clearTimeout(timer);
        resolve({child, url: `http://127.0.0.1:${match[1]}`});
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`pasip serve arrêté (code ${code}) :\n${output}`)));
  });
}

async function signIn(url, account) {
  const response = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({email: account.email, password: account.password,
                          totp: await freshTotp(account.totpSecret)}),
  });
  assert.equal(response.status, 200, await response.text());
  return response.headers.get('set-cookie').split(';')[0];
}

test('acknowledged writes survive kill -9, none is partial', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pasip-durability-'));
  const database = `sqlite://${path.join(dir, 'durability.db')}`;
  const accounts = parseDemoAccounts(
      execFileSync(bin, ['demo', '--database', database], {cwd: dir, encoding: 'utf8'}));
  const admin = accounts.find((a) => a.role === 'admin');
  const {child, url} = await serve(bin, database, dir);
  // Sessions live in the database: the cookie stays valid after the restart.
  const session = await signIn(url, admin);

  const acknowledged = new Map();
  let stop = false;
  let sent = 0;
  const writer = async (w) => {
    while (!stop) {
      const name = `Durabilité ${w}-${sent++}`;
      try {
        const r = await fetch(`${url}/api/v1/organisations`, {
          method: 'POST',
          headers: {'Content-Type': 'application/json', Cookie: session},
          body: JSON.stringify({nom: name, type: 'associations'}),
        });
        if (r.status === 201) acknowledged.set((await r.json()).id, name);
      } catch {
        return;  // the server is gone
      }
    }
  };
  const writers = Array.from({length: 8}, (_, w) => writer(w));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  child.kill('SIGKILL');
  stop = true;
  await Promise.all(writers);
  assert.ok(acknowledged.size > 20, `trop peu d'écritures acquittées : ${acknowledged.size}`);

  const again = await serve(bin, database, dir);
  try {
    const list = await fetch(`${again.url}/api/v1/organisations?q=Durabilit`, {
      headers: {Cookie: session},
    });
    assert.equal(list.status, 200);
    const items = (await list.json()).items;
    const byId = new Map(items.map((o) => [o.id, o]));
    for (const [id, name] of acknowledged) {
      assert.ok(byId.has(id), `organisation ${id} acquittée puis perdue`);
      assert.equal(byId.get(id).nom, name);
      assert.equal(byId.get(id).type, 'associations');
    }
    // A write may have been done but not acknowledged; never half-done.
    for (const o of items) assert.match(o.nom, /^Durabilité \d+-\d+$/);
  } finally {
    again.child.kill('SIGTERM');
    await new Promise((resolve) => again.child.once('exit', resolve));
    rmSync(dir, {recursive: true, force: true});
  }
});
