// "Entra con SPID" in Chromium against the real OpenID provider (oidc-op.mjs, npm
// oidc-provider): the button, the provider's redirects, back to the portal, the session,
// logout through the provider's end_session_endpoint; and the demo's sandbox identity page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import AxeBuilder from '@axe-core/playwright';
import { startServer, startOp, launch, newPage } from './harness.mjs';

let server, op, chrome;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

before(async () => {
  const port = await freePort();
  server = await startServer({
    CDS_DEMO_CT_SLICES: '2',
    CDS_OIDC_SPID_ISSUER: `http://127.0.0.1:${port}`,
    CDS_OIDC_SPID_CLIENT_ID: 'cds-portal',
    CDS_OIDC_SPID_CLIENT_SECRET: 'cds-secret',
  });
  op = await startOp({
    OP_PORT: String(port),
    OP_REDIRECT: `${server.url}/accedi/oidc`,
    OP_POST_LOGOUT: `${server.url}/accedi`,
  });
  if (op.firstAttempt) console.log(`# oidc-op needed a second start: ${op.firstAttempt}`);
  chrome = await launch();
});

after(async () => {
  await chrome?.close();
  await op?.stop();
  await server?.stop();
});

test('Entra con SPID: provider, back with a session on Documenti Interscambiati, logout at the provider', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  await page.goto(`${server.url}/accedi`);
  await page.getByRole('button', { name: 'Entra con SPID', exact: true }).click();
  await page.waitForURL(`${server.url}/documenti-interscambiati`);
  await page.getByText('Utente: Mario Rossi').waitFor();
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  assert.deepEqual(axe.violations.map((v) => v.id), []);
  await page.getByRole('button', { name: 'Logout' }).click();
  await page.waitForURL((u) => u.href.startsWith(`${server.url}/accedi`));
  await page.goto(`${server.url}/dashboard`);
  assert.match(page.url(), /\/accedi/, 'logged out');
  assert.deepEqual(problems, []);
  await context.close();
});
