// The cartella clinica purchase (issue 4) in a real browser: Documenti (htmx "Aggiungi Carrello",
// the preview dialog), Carrello, the order page in each state (consents, e-mail, ticket, copy,
// notice PDF, "Procedi"), the sandbox payment portal, the polled state that reloads the page once
// paid, "Ripeti Pagamento" on a failed order, Ordini and Dashboard; axe (WCAG 2.1 AA), CSP, phone.
//
// The tests share one server and run in order; what each one leaves behind:
//   1. creates a draft order of the cartella clinica and cancels it (the document is free again);
//   2. buys the cartella clinica (a sixth order, COMPLETATO);
//   3. and 4. change nothing;
//   5. moves the demo's failed order back to IN ATTESA DI PAGAMENTO.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, launch, newPage, login as harnessLogin, MARIO } from './harness.mjs';

const SHOTS = process.env.SCREENSHOTS || '/tmp';
const CARTELLA = 'Cartella clinica – ricovero in Medicina Interna';
const NOTE = "Attenzione: L'elaborazione dei pagamenti potrebbe richiedere svariati minuti";
const STATES = ['COMPLETATO', 'IN ATTESA DI PAGAMENTO', 'PAGAMENTO NON RIUSCITO', 'ANNULLATO', 'SCADUTO'];
const ORDER_PATH = /^\/ordini\/[0-9a-f]{32}$/;

let server, chrome;
before(async () => {
  server = await startServer({
    CDS_DEMO_CT_SLICES: '12',
    CDS_PAYMENTS_SANDBOX_CONFIRM_SECS: '2',
    CDS_PAYMENTS_POLL_FIRST_SECS: '1',
    CDS_PAYMENTS_POLL_MAX_SECS: '2',
  });
  chrome = await launch();
});
after(async () => { await chrome?.close(); await server?.stop(); });

async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// harness.login clicks "Accedi" and returns at once: wait until the landing page has loaded.
async function login(page) {
  await harnessLogin(page, server.url);
  await page.waitForURL((u) => u.pathname === '/documenti-interscambiati', { waitUntil: 'load' });
}

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// "Aggiungi Carrello" + a visually hidden ": <title>" (Chromium may put a space before the colon).
const named = (label, title) => new RegExp(`^${esc(label)}\\s*:\\s*${esc(title)}$`);

// A document's card in Documenti, by its title.
const card = (page, title) => page.locator('li.doc-card', {
  has: page.getByRole('heading', { level: 2, name: title, exact: true }),
});
// The order's state as the page shows it (the badge in "Stato Ordine").
const stateBadge = (page) => page.locator('.order-status .badge');

// Counts full document loads of the main frame (htmx swaps do not count).
function countLoads(page) {
  const c = { n: 0 };
  page.on('domcontentloaded', () => { c.n += 1; });
  return c;
}

// The order numbers listed in /ordini, by the label of their state badge.
async function ordersByState(page) {
  await page.goto(server.url + '/ordini');
  return page.locator('tbody tr[id^="ordine-"]').evaluateAll((trs) => trs.map((tr) => ({
    number: tr.id.slice('ordine-'.length),
    state: tr.querySelector('td[data-label="Stato Ordine"] .badge').textContent.trim(),
  })));
}
async function orderIn(page, state) {
  const found = (await ordersByState(page)).filter((o) => o.state === state);
  assert.equal(found.length, 1, `one order ${state} in /ordini`);
  return found[0].number;
}

// Visible buttons and button-like links in <main> lower than 44 px.
async function smallTargets(page) {
  return page.evaluate(() => [...document.querySelectorAll('main button, main a.btn')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => ({ name: (e.textContent || e.id || e.name).trim().replace(/\s+/g, ' '), h: Math.round(e.getBoundingClientRect().height * 10) / 10 }))
    .filter((e) => e.h < 44));
}

test('1. Documenti, Carrello, Ordini, Dashboard, an order in each state and the payment portal pass axe, no CSP errors', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  await login(page);

  // Documenti: the cartella clinica is priced and can be added to the cart.
  await page.goto(server.url + '/documenti');
  await page.getByRole('heading', { level: 1, name: 'Documenti' }).waitFor();
  assert.equal(await page.evaluate(() => typeof window.htmx), 'object', 'htmx runs under the CSP');
  assert.match(await card(page, CARTELLA).locator('.doc-price').textContent(), /^€ 22,00/);
  assert.deepEqual(await axe(page), [], '/documenti');

  // Ordini: the five demo orders, one per state.
  const orders = await ordersByState(page);
  assert.deepEqual(orders.map((o) => o.state).sort(), [...STATES].sort());
  assert.deepEqual(await axe(page), [], '/ordini');

  // Dashboard: the last five orders and the new documents.
  await page.goto(server.url + '/dashboard');
  const last = page.locator('section', { has: page.getByRole('heading', { level: 2, name: 'Ultimi cinque ordini effettuati' }) });
  assert.equal(await last.locator('tbody tr').count(), 5);
  await last.getByRole('link', { name: 'Visualizza tutti gli ordini' }).waitFor();
  const news = page.locator('section', { has: page.getByRole('heading', { level: 2, name: 'Nuovi Documenti' }) });
  const [, shown, total] = (await news.locator('.summary').textContent()).match(/^(\d+) di (\d+) documenti/) ?? [];
  assert.ok(Number(shown) >= 1 && Number(shown) <= 5 && Number(total) >= Number(shown), `Nuovi Documenti: ${shown} di ${total}`);
  assert.deepEqual(await axe(page), [], '/dashboard');

  // Carrello, empty then with the cartella clinica.
  await page.goto(server.url + '/carrello');
  await page.getByText('Il carrello è vuoto.').waitFor();
  assert.deepEqual(await axe(page), [], '/carrello (empty)');
  await page.goto(server.url + '/documenti');
  await card(page, CARTELLA).getByRole('button', { name: named('Aggiungi Carrello', CARTELLA) }).click();
  await page.locator('#cart-count:not([hidden])').waitFor();
  await page.goto(server.url + '/carrello');
  await page.getByRole('cell', { name: CARTELLA, exact: true }).waitFor();
  assert.deepEqual(await axe(page), [], '/carrello (one document)');

  // A draft order: the consents, then the e-mail; then "Annulla ordine" frees the document.
  await Promise.all([
    page.waitForURL((u) => ORDER_PATH.test(u.pathname), { waitUntil: 'load' }),
    page.getByRole('button', { name: "Procedi all'ordine" }).click(),
  ]);
  await page.getByRole('heading', { level: 2, name: 'Consensi obbligatori' }).waitFor();
  assert.equal(await stateBadge(page).textContent(), 'DA CONFERMARE');
  assert.deepEqual(await axe(page), [], 'draft order, consents');
  for (const box of await page.getByRole('checkbox').all()) await box.check();
  // Let the button settle from disabled (dimmed) to enabled before measuring its contrast.
  await page.waitForFunction(() => !document.querySelector('[data-consents-submit]').disabled);
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  assert.deepEqual(await axe(page), [], 'draft order, consents ticked');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Acquista ora' }).click()]);
  await page.getByLabel('E-mail').waitFor();
  assert.deepEqual(await axe(page), [], 'draft order, e-mail');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/ordini', { waitUntil: 'load' }),
    page.getByRole('button', { name: 'Annulla ordine' }).click(),
  ]);
  await page.goto(server.url + '/documenti');
  await card(page, CARTELLA).getByRole('button', { name: named('Aggiungi Carrello', CARTELLA) }).waitFor();

  // The demo's pending, failed and completed orders.
  const pending = await orderIn(page, 'IN ATTESA DI PAGAMENTO');
  const failed = await orderIn(page, 'PAGAMENTO NON RIUSCITO');
  const completed = await orderIn(page, 'COMPLETATO');
  await page.goto(`${server.url}/ordini/${pending}`);
  assert.equal(await stateBadge(page).textContent(), 'IN ATTESA DI PAGAMENTO');
  await page.locator('#ticket').waitFor();
  const ticket = (await page.locator('#ticket').textContent()).trim();
  assert.deepEqual(await axe(page), [], 'pending order');
  await page.goto(`${server.url}/ordini/${failed}`);
  assert.equal(await stateBadge(page).textContent(), 'PAGAMENTO NON RIUSCITO');
  assert.deepEqual(await axe(page), [], 'failed order');
  await page.goto(`${server.url}/ordini/${completed}`);
  assert.equal(await stateBadge(page).textContent(), 'COMPLETATO');
  await page.getByRole('heading', { level: 2, name: 'Documenti acquistati' }).waitFor();
  assert.deepEqual(await axe(page), [], 'completed order');

  // The sandbox payment portal, empty and with the pending order's notice found.
  await page.goto(`${server.url}/sandbox/pagamenti?ritorno=${encodeURIComponent(`/ordini/${pending}`)}`);
  assert.deepEqual(await axe(page), [], '/sandbox/pagamenti');
  await page.getByLabel('Identificativo ticket (codice avviso)').fill(ticket);
  await page.getByLabel('Codice fiscale del debitore').fill(MARIO.cf);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Cerca' }).click()]);
  await page.getByRole('heading', { level: 2, name: 'Avviso trovato' }).waitFor();
  assert.deepEqual(await axe(page), [], '/sandbox/pagamenti, notice found');

  assert.deepEqual(problems, []);
  await context.close();
});

test('2. the whole purchase by clicks: cart, consents, e-mail, ticket, copy, PDF, payment portal, COMPLETATO by polling', async (t) => {
  const { context, page, problems } = await newPage(chrome.browser);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await login(page);

  // Documenti → "Aggiungi Carrello": the slot and the header's count change, no page load.
  await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Documenti', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Documenti' }).waitFor();
  const count = page.locator('#cart-count');
  assert.equal(await count.isHidden(), true, 'the cart starts empty (count hidden)');
  const loads = countLoads(page);
  await page.evaluate(() => { window.__marker = 'cart'; });
  await card(page, CARTELLA).getByRole('button', { name: named('Aggiungi Carrello', CARTELLA) }).click();
  await page.locator('#cart-count:not([hidden])').waitFor();
  assert.equal((await count.textContent()).trim(), '1');
  assert.equal(await count.getAttribute('aria-label'), '1 documento nel carrello');
  await card(page, CARTELLA).getByRole('status').filter({ hasText: 'Aggiunto al carrello.' }).waitFor();
  await card(page, CARTELLA).getByRole('link', { name: named('Nel carrello', CARTELLA) }).waitFor();
  assert.equal(await page.evaluate(() => window.__marker), 'cart', 'no page load (htmx swap)');
  assert.equal(loads.n, 0);

  // Carrello → "Procedi all'ordine".
  await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: /^Carrello/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Carrello' }).waitFor();
  await page.getByRole('cell', { name: CARTELLA, exact: true }).waitFor();
  assert.match(await page.locator('tr.cart-total').textContent(), /€ 22,00/);
  await Promise.all([
    page.waitForURL((u) => ORDER_PATH.test(u.pathname), { waitUntil: 'load' }),
    page.getByRole('button', { name: "Procedi all'ordine" }).click(),
  ]);
  const orderPath = new URL(page.url()).pathname;
  const number = orderPath.split('/').pop();
  assert.equal(await count.isHidden(), true, 'the cart is empty once ordered');

  // "Acquista ora": disabled until both consents are ticked.
  const buy = page.getByRole('button', { name: 'Acquista ora' });
  const boxes = page.locator('form[data-consents]').getByRole('checkbox');
  assert.equal(await boxes.count(), 2);
  assert.equal(await buy.isDisabled(), true, 'disabled with no consent');
  await boxes.nth(0).check();
  assert.equal(await buy.isDisabled(), true, 'disabled with one consent');
  await boxes.nth(1).check();
  assert.equal(await buy.isEnabled(), true, 'enabled with both consents');
  await boxes.nth(0).uncheck();
  assert.equal(await buy.isDisabled(), true, 'disabled again without one');
  await boxes.nth(0).check();
  await Promise.all([page.waitForNavigation(), buy.click()]);

  // E-mail → "Conferma": IN ATTESA DI PAGAMENTO with the ticket.
  await page.getByLabel('E-mail').fill('mario.rossi@example.org');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Conferma' }).click()]);
  assert.equal(new URL(page.url()).pathname, orderPath);
  assert.equal(await stateBadge(page).textContent(), 'IN ATTESA DI PAGAMENTO');
  await page.getByRole('alert').filter({ hasText: NOTE }).waitFor();
  const ticket = (await page.locator('#ticket').textContent()).trim();
  assert.match(ticket, /^3\d{17}$/, 'the Identificativo ticket: 18 digits starting with 3');
  await page.locator('dt', { hasText: 'Identificativo ticket' }).waitFor();

  // "Copia" puts it in the clipboard.
  const copy = page.getByRole('button', { name: 'Copia', exact: true });
  await copy.click();
  await page.getByRole('button', { name: 'Copiato' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), ticket);

  // "Scarica Avviso di Pagamento": a PDF.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Scarica Avviso di Pagamento' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /\.pdf$/);
  assert.equal(await download.failure(), null);
  assert.equal(readFileSync(await download.path()).subarray(0, 4).toString('latin1'), '%PDF');
  t.diagnostic(`notice PDF: ${download.suggestedFilename()}`);

  // "Procedi" → the sandbox portal; paste the ticket, the codice fiscale, "Cerca", "PAGA SUBITO".
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/sandbox/pagamenti', { waitUntil: 'load' }),
    page.getByRole('button', { name: 'Procedi', exact: true }).click(),
  ]);
  assert.equal(new URL(page.url()).searchParams.get('ritorno'), orderPath);
  const ticketField = page.getByLabel('Identificativo ticket (codice avviso)');
  await ticketField.focus();
  await page.keyboard.press('ControlOrMeta+V');
  if ((await ticketField.inputValue()) !== ticket) {
    t.diagnostic('keyboard paste did not reach the field: filled with the clipboard text');
    await ticketField.fill(await page.evaluate(() => navigator.clipboard.readText()));
  }
  assert.equal(await ticketField.inputValue(), ticket);
  await page.getByLabel('Codice fiscale del debitore').fill(MARIO.cf);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Cerca' }).click()]);
  const found = page.locator('section', { has: page.getByRole('heading', { level: 2, name: 'Avviso trovato' }) });
  await found.waitFor();
  assert.match(await found.textContent(), /22,00/);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'PAGA SUBITO' }).click()]);
  await page.getByRole('status').filter({ hasText: 'Pagamento in elaborazione' }).waitFor();

  // Back to the order: pending with the note, then COMPLETATO by itself (poll + HX-Refresh).
  const stato = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname === `${orderPath}/stato`) stato.push(Date.now()); });
  const refreshes = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname === `${orderPath}/stato` && r.headers()['hx-refresh'] === 'true') refreshes.push(r.url());
  });
  await Promise.all([
    page.waitForURL((u) => u.pathname === orderPath, { waitUntil: 'load' }),
    page.getByRole('link', { name: "Torna al portale dell'Azienda" }).click(),
  ]);
  const start = Date.now();
  assert.equal(await stateBadge(page).textContent(), 'IN ATTESA DI PAGAMENTO',
    'still pending on return (the sandbox confirms after 2 s)');
  await page.getByRole('alert').filter({ hasText: NOTE }).waitFor();
  await page.evaluate(() => { window.__marker = 'waiting'; });
  await stateBadge(page).filter({ hasText: 'COMPLETATO' }).waitFor({ timeout: 20_000 })
    .catch(async (e) => assert.fail(`state is "${await stateBadge(page).textContent().catch(() => '?')}" after 20 s, ${stato.length} /stato requests (${e.message})`));
  await page.waitForLoadState('load');
  t.diagnostic(`COMPLETATO after ${Date.now() - start} ms; /stato requests: ${stato.length}`);
  assert.ok(stato.length >= 1, 'the badge polled /stato');
  assert.ok(refreshes.length >= 1, 'a /stato answer carried HX-Refresh: true');
  assert.equal(await page.evaluate(() => window.__marker), undefined, 'htmx reloaded the page');
  assert.equal(new URL(page.url()).pathname, orderPath);

  // Paid: the receipt, no more note, the bought document with "Recupera".
  await page.getByRole('status').filter({ hasText: 'Pagamento ricevuto' }).waitFor();
  assert.equal(await page.getByText(NOTE).count(), 0, 'no processing note once paid');
  await page.locator('dt', { hasText: 'Pagato il' }).waitFor();
  const docs = page.locator('section#documenti');
  await docs.getByRole('heading', { level: 2, name: 'Documenti acquistati' }).waitFor();
  await docs.getByRole('cell', { name: CARTELLA, exact: true }).waitFor();
  await docs.getByRole('button', { name: named('Recupera', CARTELLA) }).waitFor();
  assert.deepEqual(await axe(page), [], 'completed order');

  // Polling stops: no request to /stato over the next 6 s.
  const seen = stato.length;
  await page.waitForTimeout(6000);
  assert.equal(stato.length - seen, 0, 'no more /stato requests once COMPLETATO');
  assert.equal(await page.locator('[hx-trigger^="every"]').count(), 0, 'nothing on the page polls');

  // Ordini and Dashboard list it, COMPLETATO with its Download; Documenti says "Acquistato".
  await page.goto(server.url + '/ordini');
  const row = page.locator(`#ordine-${number}`);
  assert.equal((await row.locator('.badge').textContent()).trim(), 'COMPLETATO');
  await row.getByRole('link', { name: /^Download/ }).waitFor();
  await page.goto(server.url + '/dashboard');
  assert.equal(await page.locator('section', { has: page.getByRole('heading', { name: 'Ultimi cinque ordini effettuati' }) })
    .locator('tbody tr').first().getAttribute('id'), `ordine-${number}`, 'the newest order comes first');
  await page.goto(server.url + '/documenti');
  await card(page, CARTELLA).getByText('Acquistato', { exact: true }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('3. the preview: a modal dialog named after the document, focus inside, Escape and "Chiudi" return focus', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  await login(page);
  await page.goto(server.url + '/documenti');
  const eye = card(page, CARTELLA).getByRole('link', { name: named('Anteprima', CARTELLA) });
  const dialog = page.getByRole('dialog');
  assert.equal(await dialog.count(), 0, 'no dialog shown before');
  const loads = countLoads(page);
  await page.evaluate(() => { window.__marker = 'preview'; });

  for (const how of ['click + Escape', 'keyboard + Chiudi']) {
    if (how.startsWith('click')) await eye.click();
    else { await eye.focus(); await page.keyboard.press('Enter'); }
    await dialog.waitFor();
    const name = await dialog.evaluate((d) => {
      const ids = (d.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
      return ids.map((id) => document.getElementById(id)?.textContent.trim()).join(' ') || d.getAttribute('aria-label');
    });
    assert.ok(name === CARTELLA || /^Anteprima/.test(name), `${how}: dialog named "${name}"`);
    await page.getByRole('dialog', { name: CARTELLA }).waitFor();
    assert.equal(await dialog.evaluate((d) => d.matches(':modal')), true, `${how}: modal`);
    assert.equal(await page.evaluate(() => !!document.activeElement.closest('dialog[open]')), true, `${how}: focus inside the dialog`);
    assert.match(await dialog.textContent(), /Medicina Interna/);
    assert.deepEqual(await axe(page), [], `${how}: dialog open`);
    if (how.endsWith('Escape')) await page.keyboard.press('Escape');
    else await dialog.getByRole('button', { name: 'Chiudi' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.querySelector('dialog#anteprima').open), false, `${how}: closed`);
    assert.equal(await eye.evaluate((a) => a === document.activeElement), true, `${how}: focus back on the eye button`);
  }
  assert.equal(await page.evaluate(() => window.__marker), 'preview', 'no page load');
  assert.equal(loads.n, 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('4. phone 390×844: Ordini and an order page do not scroll sideways; buttons at least 44 px high', async () => {
  const phone = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
  const { context, page, problems } = await newPage(chrome.browser, phone);
  await login(page);
  const failed = await orderIn(page, 'PAGAMENTO NON RIUSCITO');
  const pending = await orderIn(page, 'IN ATTESA DI PAGAMENTO');
  for (const [label, path] of [['ordini', '/ordini'], ['failed', `/ordini/${failed}`], ['pending', `/ordini/${pending}`]]) {
    await page.goto(server.url + path);
    await page.getByRole('heading', { level: 1 }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path}: scrolls sideways by ${overflow}px`);
    assert.deepEqual(await smallTargets(page), [], `${path}: buttons at least 44 px high`);
    await page.screenshot({ path: `${SHOTS}/cds-orders-phone-${label}.png`, fullPage: true });
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('5. the failed demo order: portal, assistance and "Ripeti Pagamento", which makes it IN ATTESA DI PAGAMENTO again', async (t) => {
  const { context, page, problems } = await newPage(chrome.browser);
  await login(page);
  await page.goto(server.url + '/ordini');
  const row = page.locator('tbody tr[id^="ordine-"]', { has: page.locator('.badge', { hasText: 'PAGAMENTO NON RIUSCITO' }) });
  assert.equal(await row.count(), 1);
  await Promise.all([
    page.waitForURL((u) => ORDER_PATH.test(u.pathname), { waitUntil: 'load' }),
    row.getByRole('link').first().click(),
  ]);
  const orderPath = new URL(page.url()).pathname;
  assert.equal(await stateBadge(page).textContent(), 'PAGAMENTO NON RIUSCITO');
  await page.getByRole('alert').filter({ hasText: 'Il pagamento non è riuscito' }).waitFor();
  await page.getByRole('button', { name: 'Vai al portale per i pagamenti' }).waitFor();
  const help = page.getByRole('link', { name: 'Richiedi assistenza' });
  assert.equal(await help.getAttribute('href'), `/assistenza?ordine=${orderPath.split('/').pop()}`);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Ripeti Pagamento' }).click()]);
  assert.equal(new URL(page.url()).pathname, orderPath);
  assert.equal(await stateBadge(page).textContent(), 'IN ATTESA DI PAGAMENTO');
  await page.getByRole('alert').filter({ hasText: NOTE }).waitFor();
  assert.match((await page.locator('#ticket').textContent()).trim(), /^3\d{17}$/);
  await page.getByRole('button', { name: 'Procedi', exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Ripeti Pagamento' }).count(), 0);
  // Nobody has paid: the order stays IN ATTESA DI PAGAMENTO, on the open page (which polls /stato
  // every 5 s and would reload on a change) and on the server, past a poll of the page and
  // several rounds of the payment poller (first check after 1 s, then every 2 s).
  await page.evaluate(() => { window.__marker = 'retried'; });
  const seen = [];
  const t0 = Date.now();
  while (Date.now() - t0 < 6500) {
    const html = await (await page.request.get(server.url + orderPath)).text();
    const state = html.match(/class="order-status"[^>]*>\s*<span class="badge[^"]*">([^<]+)</)?.[1] ?? '?';
    if (seen.at(-1)?.state !== state) seen.push({ state, ms: Date.now() - t0 });
    await page.waitForTimeout(250);
  }
  t.diagnostic(`server-side state after "Ripeti Pagamento": ${seen.map((s) => `${s.state} @${s.ms} ms`).join(' → ')}`);
  assert.deepEqual(seen.map((s) => s.state), ['IN ATTESA DI PAGAMENTO'], 'the order stays pending on the server');
  assert.equal(await stateBadge(page).textContent(), 'IN ATTESA DI PAGAMENTO', 'the open page still shows it pending');
  assert.equal(await page.evaluate(() => window.__marker), 'retried', 'the open page was not reloaded by a state change');
  await page.goto(server.url + '/ordini');
  assert.equal(await page.locator('tbody .badge', { hasText: 'PAGAMENTO NON RIUSCITO' }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
