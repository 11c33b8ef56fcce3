// A kiosk in a waiting room, as a person in front of it sees it over time, in the kiosk's
// portrait 1080×1920 with touch: (1) a patient logs in, leaves the screen alone: after the
// idle time "Sei ancora lì?" counts down; "Sì, continuo" keeps the session; left alone again
// the countdown ends in the logout and the start page, and going back shows nothing of the
// patient; (2) every interactive control on the patient's pages is at least 48×48 px, the
// forms do not autofill, axe finds nothing with the dialog open or closed; (3) an available
// document offers "Invia al mio cellulare" instead of Download and answers with the masked
// number. The kiosk is the loopback address (`CDS_KIOSK_NETWORKS=127.0.0.1`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, launch, newPage, login, endsAt } from './harness.mjs';

const KIOSK = { viewport: { width: 1080, height: 1920 }, hasTouch: true };
const IDLE = 5;
const COUNTDOWN = 4;

let server, chrome;
before(async () => {
  server = await startServer({
    CDS_DEMO_CT_SLICES: '12',
    CDS_KIOSK_NETWORKS: '127.0.0.1',
    CDS_KIOSK_IDLE_SECS: String(IDLE),
    CDS_KIOSK_COUNTDOWN_SECS: String(COUNTDOWN),
  });
  chrome = await launch();
});
after(async () => { await chrome?.close(); await server?.stop(); });

async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const dialog = (page) => page.getByRole('dialog', { name: 'Sei ancora lì?' });

test('idle: "Sei ancora lì?" counts down; "Sì, continuo" stays; then logout to the start page, nothing left behind', async (t) => {
  const { page, problems } = await newPage(chrome.browser, KIOSK);
  await login(page, server.url);
  await page.waitForURL((u) => u.pathname === '/documenti-interscambiati');
  assert.equal(await page.evaluate(() => document.body.className), 'kiosk');
  await page.goto(server.url + '/dashboard');
  const started = Date.now();
  await dialog(page).waitFor({ state: 'visible', timeout: (IDLE + 3) * 1000 });
  const waited = (Date.now() - started) / 1000;
  assert.ok(waited >= IDLE - 1, `asked after ${waited} s, not before ${IDLE} s`);
  // The countdown goes down, second by second.
  const left = () => page.locator('[data-kiosk-left]').textContent().then(Number);
  const first = await left();
  await page.waitForTimeout(1500);
  assert.ok((await left()) < first, 'the countdown moves');
  assert.deepEqual(await axe(page), [], 'dialog open');
  await page.getByRole('button', { name: 'Sì, continuo' }).tap();
  await dialog(page).waitFor({ state: 'hidden' });
  assert.equal(new URL(page.url()).pathname, '/dashboard', 'still in');
  assert.ok(await page.getByText('Utente: Mario Rossi').isVisible());
  // Touching the screen restarts the wait: no question within the idle time after a tap.
  await page.waitForTimeout((IDLE - 2) * 1000);
  await page.locator('h1').tap();
  await page.waitForTimeout((IDLE - 2) * 1000);
  assert.equal(await dialog(page).isVisible(), false, 'a tap restarted the idle time');
  // Left alone: asked again, then logged out when the countdown ends.
  await dialog(page).waitFor({ state: 'visible', timeout: (IDLE + 3) * 1000 });
  const way = await endsAt(page, '/accedi', (COUNTDOWN + 4) * 1000);
  t.diagnostic(`logout: ${way.join(' ')}`);
  // The logout's own page, not "sessione scaduta" (leaving.test.mjs forces that race).
  assert.equal(new URL(page.url()).search, '?uscito=1');
  await page.getByText('Sei uscito dal portale.').waitFor();
  assert.equal(await page.getByText('Mario Rossi').count(), 0);
  // Back: the pages are no-store, the session is gone: the login page, not the dashboard.
  await page.goBack().catch(() => {});
  await page.waitForLoadState('load');
  assert.equal(await page.getByText('Utente: Mario Rossi').count(), 0, 'nothing of the patient');
  await page.goto(server.url + '/dashboard');
  assert.equal(new URL(page.url()).pathname, '/accedi', 'the session ended');
  assert.deepEqual(problems, []);
});

test('touch targets ≥ 48 px, no autofill, axe clean on the patient pages; "Invia al mio cellulare" instead of Download', async () => {
  const { page, problems } = await newPage(chrome.browser, KIOSK);
  await page.goto(server.url + '/accedi');
  const fill = await page.evaluate(() =>
    [...document.querySelectorAll('form, input:not([type=hidden])')].map((e) => e.getAttribute('autocomplete')));
  assert.ok(fill.length > 0 && fill.every((a) => a === 'off'), `autocomplete: ${fill}`);
  await login(page, server.url);
  await page.waitForURL((u) => u.pathname === '/documenti-interscambiati');
  await page.goto(server.url + '/ordini');
  const order = await page.locator('tbody tr[id^="ordine-"] a').first().getAttribute('href');
  for (const path of ['/dashboard', '/documenti', '/documenti-interscambiati', '/ordini', order, '/carrello', '/assistenza']) {
    await page.goto(server.url + path);
    const small = await page.evaluate(() => [...document.querySelectorAll(
      'button, .btn, input:not([type=hidden]), select, textarea, summary, nav a, footer a')]
      .filter((e) => e.offsetParent !== null)
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.height < 48 || r.width < 48)
      .map(({ e, r }) => `${e.tagName.toLowerCase()} "${(e.textContent || e.name || '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`));
    assert.deepEqual(small, [], `${path}: targets under 48 px`);
    assert.deepEqual(await axe(page), [], `${path}: axe`);
  }
  // Documenti Interscambiati: recover a free document, then it offers the SMS, not a download.
  await page.goto(server.url + '/documenti-interscambiati?da=01/01/2000');
  const row = page.locator('tbody tr').filter({ has: page.getByRole('button', { name: /^Recupera/ }) }).first();
  const id = await row.getAttribute('id');
  await row.getByRole('button', { name: /^Recupera/ }).tap();
  const ready = page.locator(`#${id}`).getByRole('button', { name: /^Invia al mio cellulare/ });
  await ready.waitFor({ timeout: 60000 });
  assert.equal(await page.locator(`#${id} a[href$="/download"]`).count(), 0, 'no Download at a kiosk');
  await ready.tap();
  await page.getByText(/Ti abbiamo inviato un SMS al numero \+39\d{3}\*+\d{2}/).waitFor();
  assert.deepEqual(problems, []);
});
