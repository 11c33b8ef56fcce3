// Logging out of a page whose rows poll, as a person sees it: "Logout" on the Dashboard while
// the pending order's status is asked every 5 s, and a kiosk's "Sei ancora lì?" countdown
// ending there. The screen must end on the logout's own page ("Sei uscito dal portale"),
// not on "La sessione è scaduta": a status request reaching the server after the logout is
// answered HX-Redirect to the login, and that navigation cancelled the logout's page on the
// way (and its Clear-Site-Data) until app.js stopped the fragments of a page being left (h).
// CI met it once by chance, in kiosk.test.mjs; here the race is made certain. The logout's
// answer is held in the browser until (1) a status request held since before the logout has
// reached the server and been answered, and (2) a whole poll interval has passed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, endsAt } from './harness.mjs';

const IDLE = 6;
const COUNTDOWN = 4;
const POLL_MS = 5000;

let server, kiosk, chrome;
before(async () => {
  server = await startServer({ CDS_DEMO_CT_SLICES: '12' });
  kiosk = await startServer({
    CDS_DEMO_CT_SLICES: '12',
    CDS_KIOSK_NETWORKS: '127.0.0.1',
    CDS_KIOSK_IDLE_SECS: String(IDLE),
    CDS_KIOSK_COUNTDOWN_SECS: String(COUNTDOWN),
  });
  chrome = await launch();
});
after(async () => { await chrome?.close(); await server?.stop(); await kiosk?.stop(); });

// Logs in, opens the Dashboard, holds the pending order's next status request in the browser,
// then runs `logout` and holds the logout's answer while the held request goes on to the
// server and a poll interval passes. Gives what happened on the way.
async function logoutDuringPoll(page, url, logout) {
  await login(page, url);
  await page.waitForURL((u) => u.pathname === '/documenti-interscambiati');
  await page.goto(url + '/dashboard');
  const row = page.locator('tbody tr', { has: page.locator('.badge', { hasText: 'IN ATTESA DI PAGAMENTO' }) });
  const number = (await row.getAttribute('id')).slice('ordine-'.length);
  const status = `/ordini/${number}/stato`;
  let held = null;
  let loggingOut = false;
  const after = []; // status requests the page sent once the logout had started
  const heldSeen = new Promise((resolve) => {
    page.route((u) => u.pathname === status, async (route) => {
      if (loggingOut) after.push(route.request().url());
      if (!held && !loggingOut) { held = route; resolve(); return; }
      await route.continue();
    });
  });
  await heldSeen;
  let statusAnswer = null;
  const released = new Promise((resolve) => {
    page.route((u) => u.pathname === '/esci', async (route) => {
      loggingOut = true;
      // The server ends the session now. (route.fetch shares the context's cookies, so its
      // Set-Cookie already clears the browser's session cookie: the held request is then
      // redirected to /accedi; a person's browser would still send it, and get ?scaduta=1.)
      const answer = await route.fetch({ maxRedirects: 0 });
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname === status);
      await held.continue();
      statusAnswer = await answered;
      await new Promise((r) => setTimeout(r, POLL_MS + 500));
      await route.fulfill({ response: answer }).catch(() => {}); // cancelled on the old code
      resolve();
    });
  });
  await logout();
  await released;
  const way = await endsAt(page, '/accedi', 10000);
  return { way, after, redirect: statusAnswer.headers()['hx-redirect'] };
}

async function loggedOut(page, t, { way, after, redirect }) {
  t.diagnostic(`the held status request was answered HX-Redirect: ${redirect}; then ${way.join(' ')}`);
  // The race was real: the status request reached the server after the logout.
  assert.match(redirect ?? '', /^\/accedi/, 'the held status request met the ended session');
  assert.equal(new URL(page.url()).search, '?uscito=1', `the logout's page, not ${page.url()}`);
  await page.getByText('Sei uscito dal portale.').waitFor();
  assert.equal(await page.getByText('La sessione è scaduta').count(), 0);
  assert.equal(await page.getByText('Mario Rossi').count(), 0);
  assert.deepEqual(after, [], 'no status request once the logout started');
}

test('"Logout" on the Dashboard while the pending order polls: "Sei uscito", not "sessione scaduta"', async (t) => {
  const { page, problems } = await newPage(chrome.browser);
  const r = await logoutDuringPoll(page, server.url, () =>
    page.getByRole('button', { name: 'Logout' }).click({ noWaitAfter: true }));
  await loggedOut(page, t, r);
  assert.deepEqual(problems, []);
});

test('a kiosk\'s countdown ending on the Dashboard while the pending order polls: "Sei uscito"', async (t) => {
  const { page, problems } = await newPage(chrome.browser, { viewport: { width: 1080, height: 1920 }, hasTouch: true });
  const r = await logoutDuringPoll(page, kiosk.url, () =>
    page.getByRole('dialog', { name: 'Sei ancora lì?' }).waitFor({ state: 'visible', timeout: (IDLE + 6) * 1000 }));
  await loggedOut(page, t, r);
  assert.deepEqual(problems, []);
});
