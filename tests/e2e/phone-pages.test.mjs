// Every page at 360×640 (a small phone): no sideways scrolling
// (document.documentElement.scrollWidth <= 360) and axe (WCAG 2.1 AA) clean. The patient's
// pages before and after login, in the states the demo has (a cart with a document, an order
// in each state, a request in Assistenza, form errors), the sandboxes, the error pages; the
// back office crawled from its home as the demo's admin (every link under /operatore that
// leads to a page, at most two of each kind). Every failure is collected, then reported at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, launch, newPage, login as harnessLogin, MARIO } from './harness.mjs';

const PHONE = { viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const ADMIN = { username: 'admin', password: 'admin-demo-2026' };

let server, chrome;
before(async () => { server = await startServer({ CDS_DEMO_CT_SLICES: '12' }); chrome = await launch(); });
after(async () => { await chrome?.close(); await server?.stop(); });

// The error pages visited on purpose log their 4xx status; anything else is a real problem.
const real = (problems) => problems.filter((m) => !/status of 4\d\d/.test(m));

async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// The widest elements that stick out, to say what to fix.
const measure = (page) => page.evaluate(() => {
  const width = document.documentElement.scrollWidth;
  const name = (e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : ''}`;
  const culprits = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n && culprits.length < 6; n = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(n);
    const right = (n.nodeType === 3 ? range : n).getBoundingClientRect().right;
    if (right > 360.5) culprits.push(`${name(n.nodeType === 3 ? n.parentElement : n)} → ${Math.round(right)}`);
  }
  return { width, culprits };
});

// Checks the page as it is now; `label` names it in the report.
async function check(page, label, failures, t) {
  await page.waitForLoadState('load');
  const { width, culprits } = await measure(page);
  t.diagnostic(`${label}: scrollWidth ${width}`);
  if (width > 360) failures.push(`${label}: scrollWidth ${width} (${culprits.join('; ')})`);
  const violations = await axe(page);
  if (violations.length) failures.push(`${label}: axe ${violations.join(' | ')}`);
}

async function visit(page, path, failures, t, label = path) {
  const r = await page.goto(server.url + path);
  if (!r || !(r.headers()['content-type'] ?? '').startsWith('text/html')) return;
  await check(page, label, failures, t);
}

test('360×640 before login: login (also with a wrong PIN and after expiry), new PIN (with errors), SPID, CIE, manual, privacy, accessibility, sandboxes, error pages', async (t) => {
  const failures = [];
  const { context, page, problems } = await newPage(chrome.browser, PHONE);
  for (const path of ['/accedi', '/accedi?scaduta=1', '/nuovo-pin', '/accedi/spid', '/accedi/cie', '/manuale',
    '/privacy', '/accessibilita', '/sandbox/sms', '/sandbox/pagamenti', '/sandbox/spid', '/pagina-che-non-esiste',
    '/operatore/accedi']) {
    await visit(page, path, failures, t);
  }
  await page.goto(server.url + '/accedi');
  await page.getByLabel('Codice Fiscale').fill(MARIO.cf);
  await page.getByLabel('PIN', { exact: true }).fill('00000000');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Accedi' }).click()]);
  await check(page, '/accedi, wrong PIN', failures, t);
  await page.goto(server.url + '/nuovo-pin');
  await Promise.all([page.waitForNavigation(), page.locator('main form button[type="submit"]').first().click()]);
  await check(page, '/nuovo-pin, empty fields', failures, t);
  assert.deepEqual(failures, []);
  assert.deepEqual(real(problems), []);
  await context.close();
});

test('360×640 as Mario Rossi: every section, a cart with a document, a draft order and the demo\'s orders in each state, a request in Assistenza, the access log, a missing order', async (t) => {
  const failures = [];
  const { context, page, problems } = await newPage(chrome.browser, PHONE);
  await harnessLogin(page, server.url);
  await page.waitForURL((u) => u.pathname === '/documenti-interscambiati', { waitUntil: 'load' });
  for (const path of ['/dashboard', '/documenti', '/documenti-interscambiati', '/documenti-interscambiati?periodo=tutti',
    '/carrello', '/ordini', '/assistenza', '/manuale', '/privacy', '/accessibilita', '/accessi',
    '/ordini/00000000000000000000000000000000', '/sandbox/pagamenti']) {
    await visit(page, path, failures, t);
  }
  // Every order the demo made (one in each state).
  await page.goto(server.url + '/ordini');
  const orders = await page.locator('tbody tr[id^="ordine-"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(orders.length >= 5, `orders: ${orders}`);
  for (const path of new Set(orders)) await visit(page, path, failures, t);
  // A document's preview: the dialog open on Documenti, and the page it is without htmx.
  await page.goto(server.url + '/documenti');
  const preview = page.getByRole('link', { name: /^Anteprima: / }).first();
  const previewPath = await preview.getAttribute('href');
  await preview.click();
  await page.locator('dialog[open]').waitFor();
  await check(page, '/documenti, preview open', failures, t);
  await page.keyboard.press('Escape');
  await visit(page, previewPath, failures, t);
  await page.goto(server.url + '/documenti');
  // A document in the cart, then a draft order from it.
  await page.locator('.cart-slot form').first().getByRole('button').click();
  await page.locator('#cart-count-bar:not([hidden])').waitFor();
  await visit(page, '/carrello', failures, t, '/carrello, one document');
  await Promise.all([
    page.waitForURL((u) => /^\/ordini\/[0-9a-f]{32}$/.test(u.pathname), { waitUntil: 'load' }),
    page.getByRole('button', { name: "Procedi all'ordine" }).click(),
  ]);
  await check(page, 'draft order', failures, t);
  // A request in Assistenza, with a long unbroken word.
  await page.goto(server.url + '/assistenza');
  const subject = 'Referto ' + 'X'.repeat(60);
  await page.getByLabel('Oggetto').fill(subject);
  await page.getByLabel('Messaggio').fill('https://esempio.it/' + 'percorso/'.repeat(12));
  await page.locator('input[name="tipo"]').first().check();
  await page.getByRole('button', { name: 'Invia richiesta' }).click();
  await page.locator('#richieste').getByText(subject).first().waitFor();
  await check(page, '/assistenza, a request sent', failures, t);
  assert.deepEqual(failures, []);
  assert.deepEqual(real(problems), []);
  await context.close();
});

// "/operatore/pazienti/7" and "/operatore/pazienti/9" are one kind of page.
const kind = (path) => path.replace(/\/(\d+|[0-9a-f]{32})(?=\/|$)/g, '/:id');
const skip = (path) => /\.csv$|\/file$|\/esci$|\/avviso$/.test(new URL(path, 'http://x').pathname);

test('360×640 in the back office as the admin: every page reached from its home, at most two of each kind', async (t) => {
  const failures = [];
  const { context, page, problems } = await newPage(chrome.browser, PHONE);
  await page.goto(server.url + '/operatore/accedi');
  await page.getByLabel('Nome utente').fill(ADMIN.username);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/operatore', { waitUntil: 'load' }),
    page.getByRole('button', { name: 'Accedi' }).click(),
  ]);
  // A reconciliation run, so that its page is reached too.
  await page.goto(server.url + '/operatore/riconciliazioni');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Riconcilia ora' }).click()]);
  const queue = ['/operatore', '/operatore/pazienti?q=Rossi', '/operatore/pagina-che-non-esiste'];
  const seen = new Set();
  const kinds = new Map();
  while (queue.length && seen.size < 60) {
    const path = queue.shift();
    if (seen.has(path) || skip(path) || (kinds.get(kind(path)) ?? 0) >= 2) continue;
    seen.add(path);
    kinds.set(kind(path), (kinds.get(kind(path)) ?? 0) + 1);
    await visit(page, path, failures, t);
    const links = await page.locator('a[href^="/operatore"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    queue.push(...links.filter((h) => !seen.has(h)));
  }
  t.diagnostic(`${seen.size} pages: ${[...kinds.keys()].join(' ')}`);
  assert.ok(seen.size >= 12, `crawled ${[...seen]}`);
  assert.deepEqual(failures, []);
  assert.deepEqual(real(problems), []);
  await context.close();
});
