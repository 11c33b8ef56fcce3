// "Documenti Interscambiati" in a real browser: the list after login (axe, CSP), the htmx filter
// (no page load, pushed URL, reload, back), the same filter without JavaScript, recovery of a DICOM
// study (row swap, polling that stops, the ZIP downloading by itself once, the Download button
// that stays, no download on a later visit), the ZIP's offline viewer opened from
// file://, hide / show again, recovery without JavaScript (303 back to the list), phone layout.
//
// The tests share one server and run in order: later ones depend on the state left by earlier ones
// (the TC is recovered in test 4 and its ZIP is opened in test 5, etc.).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, launch, newPage, login as harnessLogin } from './harness.mjs';

const PATH = '/documenti-interscambiati';
const SHOTS = process.env.SCREENSHOTS || '/tmp';
const TC = 'TC torace senza mdc';
const REFERTO = 'Referto TC torace';
const RM = 'RM encefalo';

let server, chrome, work;

// harness.login clicks "Accedi" and returns at once: wait until the list has loaded.
async function login(page, url) {
  await harnessLogin(page, url);
  await page.waitForURL((u) => u.pathname === PATH, { waitUntil: 'load' });
}
let zipPath; // the TC ZIP downloaded in test 4, opened in test 5

before(async () => {
  server = await startServer({ CDS_DEMO_CT_SLICES: '12' });
  chrome = await launch();
  work = mkdtempSync(join(tmpdir(), 'cds-e2e-docs-'));
});
after(async () => {
  await chrome?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// The descriptions of the listed rows, in order (without the "Nascosto" badge).
async function titles(page) {
  return page.locator('#risultati tbody tr[id^="doc-"] td[data-label="Descrizione"]')
    .evaluateAll((tds) => tds.map((td) => td.firstChild.textContent.trim()));
}
const row = (page, title) => page.locator('#risultati tbody tr[id^="doc-"]', {
  has: page.locator('td[data-label="Descrizione"]', { hasText: title }),
});
// Buttons read "Recupera" + a visually hidden ": <title>"; Chromium computes the name as "Recupera : <title>"
// (the hidden span is absolutely positioned, hence block-level, hence a space): accept both.
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const named = (label, title) => new RegExp(`^${esc(label)}\\s*:\\s*${esc(title)}`);
const button = (page, label, title) => row(page, title).getByRole('button', { name: named(label, title) });
const stateOf = async (page, title) => (await row(page, title).locator('td[data-label="Stato"]').textContent()).trim();

// Waits until the row's state cell matches `re` (the row is swapped by htmx, the locator follows).
async function waitState(page, title, re, timeout = 60_000) {
  await page.waitForFunction(([t, src]) => {
    const tr = [...document.querySelectorAll('#risultati tbody tr[id^="doc-"]')]
      .find((r) => r.querySelector('td[data-label="Descrizione"]')?.textContent.includes(t));
    return tr && new RegExp(src).test(tr.querySelector('td[data-label="Stato"]').textContent);
  }, [title, re.source], { timeout, polling: 100 })
    .catch(async (e) => assert.fail(`${title}: state is "${await stateOf(page, title).catch(() => '?')}", expected ${re} (${e.message})`));
}

// The server's "today" (Rome) is the default value of the "Al" field: no clock skew between test and app.
async function serverToday(page) {
  const v = await page.locator('#a').inputValue();
  assert.match(v, /^\d{4}-\d{2}-\d{2}$/);
  return v;
}
function addDays(iso, n) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// Counts full document loads of the main frame (htmx swaps and pushState do not count).
function countLoads(page) {
  const c = { n: 0 };
  page.on('domcontentloaded', () => { c.n += 1; });
  return c;
}

test('1. after login: today\'s two documents, axe clean, no console errors or CSP violations', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  await login(page, server.url);
  assert.equal(new URL(page.url()).pathname, PATH);
  await page.getByRole('heading', { level: 1, name: 'Documenti Interscambiati' }).waitFor();
  assert.deepEqual((await titles(page)).sort(), [REFERTO, TC].sort());
  assert.match(await page.locator('#risultati .summary').textContent(), /^Documenti del \d{2}\/\d{2}\/\d{4}$/);
  assert.equal(await row(page, TC).locator('td[data-label="Categoria"]').textContent(), 'Immagini diagnostiche');
  assert.equal(await row(page, REFERTO).locator('td[data-label="Categoria"]').textContent(), 'Referto');
  for (const t of [TC, REFERTO]) {
    assert.equal(await stateOf(page, t), 'Da recuperare');
    assert.match(await row(page, t).getAttribute('id'), /^doc-[0-9a-f]{32}$/);
    await button(page, 'Recupera', t).waitFor();
  }
  assert.equal(await page.evaluate(() => typeof window.htmx), 'object', 'htmx runs under the CSP');
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('2. htmx filter: category without page load, pushed URL, reload keeps it, back; date range; Italian error', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  await login(page, server.url);
  const loads = countLoads(page);
  await page.evaluate(() => { window.__marker = 'still here'; });

  await page.locator('#categoria').selectOption({ label: 'Referto' });
  await page.waitForURL((u) => u.searchParams.get('categoria') === 'Referto');
  await page.waitForFunction(() => !document.querySelector('#risultati')?.textContent.includes('TC torace senza mdc'));
  assert.deepEqual(await titles(page), [REFERTO]);
  assert.equal(await page.evaluate(() => window.__marker), 'still here', 'no full page load (htmx swap)');
  assert.equal(loads.n, 0, 'no document load');
  assert.match(await page.locator('#risultati .summary').textContent(), /categoria Referto/);
  const url = new URL(page.url());
  assert.equal(url.pathname, PATH);
  assert.match(url.search, /da=\d{4}-\d{2}-\d{2}/);

  // Reload: the server reads the filter from the URL.
  await page.reload();
  assert.equal(await page.locator('#categoria').inputValue(), 'Referto');
  assert.deepEqual(await titles(page), [REFERTO]);
  assert.equal(await page.evaluate(() => window.__marker), undefined, 'it was a real reload');

  // Back: the unfiltered list of today.
  await page.goBack();
  await page.waitForURL((u) => u.pathname === PATH && !u.searchParams.has('categoria'));
  await page.waitForFunction(() => document.querySelectorAll('#risultati tbody tr[id^="doc-"]').length === 2);
  assert.deepEqual((await titles(page)).sort(), [REFERTO, TC].sort());
  assert.equal(await page.locator('#categoria').inputValue(), '');

  // Back without reload in between: htmx restores its history snapshot.
  await page.goto(server.url + PATH);
  await page.evaluate(() => { window.__marker = 'again'; });
  await page.locator('#categoria').selectOption({ label: 'Immagini diagnostiche' });
  await page.waitForURL((u) => u.searchParams.get('categoria') === 'Immagini diagnostiche');
  await page.waitForFunction(() => document.querySelectorAll('#risultati tbody tr[id^="doc-"]').length === 1);
  assert.deepEqual(await titles(page), [TC]);
  await page.goBack();
  await page.waitForURL((u) => !u.searchParams.has('categoria'));
  await page.waitForFunction(() => document.querySelectorAll('#risultati tbody tr[id^="doc-"]').length === 2);
  assert.equal(await page.locator('#categoria').inputValue(), '');

  // "Dal" five days ago: the MR of three days ago appears; the list covers the range.
  await page.goto(server.url + PATH);
  const today = await serverToday(page);
  await page.evaluate(() => { window.__marker = 'dates'; });
  await page.locator('#da').fill(addDays(today, -5));
  await row(page, RM).waitFor();
  assert.deepEqual((await titles(page)).sort(), [REFERTO, RM, TC].sort());
  assert.equal(new URL(page.url()).searchParams.get('da'), addDays(today, -5));
  assert.equal(await page.evaluate(() => window.__marker), 'dates');
  assert.match(await page.locator('#risultati .summary').textContent(), /^Documenti dal \d{2}\/\d{2}\/\d{4} al \d{2}\/\d{2}\/\d{4}$/);

  // "Dal" after "Al": an Italian message in the results (422 is swapped: htmx-config responseHandling).
  const invalid = page.waitForResponse((r) => new URL(r.url()).searchParams.get('da') === addDays(today, 1));
  await page.locator('#da').fill(addDays(today, 1));
  assert.equal((await invalid).status(), 422);
  const alert = page.locator('#risultati [role="alert"]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /successiva a quella finale/);
  assert.equal(await page.evaluate(() => window.__marker), 'dates');
  assert.deepEqual(await axe(page), []);
  // Chromium logs every 4xx response on the console; the 422 of the invalid range is intended.
  assert.deepEqual(problems.filter((p) => !/status of 422/.test(p)), []);
  await context.close();
});

test('3. without JavaScript the filter is a plain GET form ("Filtra")', async () => {
  const { context, page, problems } = await newPage(chrome.browser, { javaScriptEnabled: false });
  await login(page, server.url);
  assert.equal(new URL(page.url()).pathname, PATH);
  assert.deepEqual((await titles(page)).sort(), [REFERTO, TC].sort());
  await page.locator('#categoria').selectOption({ label: 'Referto' });
  // No JS: changing the select does nothing by itself.
  assert.equal(new URL(page.url()).search, '');
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('categoria') === 'Referto'),
    page.getByRole('button', { name: 'Filtra' }).click(),
  ]);
  const u = new URL(page.url());
  assert.equal(u.pathname, PATH);
  assert.match(u.searchParams.get('da'), /^\d{4}-\d{2}-\d{2}$/);
  assert.match(u.searchParams.get('a'), /^\d{4}-\d{2}-\d{2}$/);
  assert.deepEqual(await titles(page), [REFERTO]);
  assert.equal(await page.locator('#categoria').inputValue(), 'Referto');

  // A date range too, and back to "Oggi".
  const today = await serverToday(page);
  await page.locator('#categoria').selectOption({ label: 'Tutte le categorie' });
  await page.locator('#da').fill(addDays(today, -5));
  await Promise.all([page.waitForURL((u) => u.searchParams.get('da') === addDays(today, -5)), page.getByRole('button', { name: 'Filtra' }).click()]);
  assert.deepEqual((await titles(page)).sort(), [REFERTO, RM, TC].sort());
  await Promise.all([page.waitForURL((u) => u.search === ''), page.getByRole('link', { name: 'Oggi' }).click()]);
  assert.deepEqual((await titles(page)).sort(), [REFERTO, TC].sort());
  assert.deepEqual(problems, []);
  await context.close();
});

test('4. "Recupera" on the CT: row swapped in place, progress, "Disponibile", polling stops, the ZIP downloads by itself once, Download stays', async (t) => {
  const { context, page, problems } = await newPage(chrome.browser);
  await login(page, server.url);
  const loads = countLoads(page);
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  const rowRequests = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.endsWith('/riga')) rowRequests.push({ url: r.url(), at: Date.now() }); });
  await page.evaluate(() => { window.__marker = 'recovery'; });
  const id = await row(page, TC).getAttribute('id');

  const post = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/recupera'));
  await button(page, 'Recupera', TC).click();
  const resp = await post;
  assert.equal(resp.status(), 200, 'htmx gets the row fragment');
  assert.equal(resp.request().headers()['hx-request'], 'true');
  await waitState(page, TC, /Recupero in corso|Disponibile/, 10_000);
  const first = await stateOf(page, TC);
  if (first.startsWith('Recupero in corso')) {
    // A native progress bar, and the row polls itself.
    assert.equal(await row(page, TC).locator('progress').count(), 1);
    assert.equal(await row(page, TC).locator('progress').getAttribute('aria-label'), 'Avanzamento del recupero');
    assert.equal(await row(page, TC).getAttribute('hx-trigger'), 'every 1500ms');
  }
  assert.equal(await page.locator(`#${id}`).count(), 1, 'the same row (same id), swapped in place');

  await waitState(page, TC, /Disponibile fino al \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/, 90_000);
  assert.equal(await row(page, TC).getAttribute('hx-trigger'), null, 'the ready row does not poll');
  assert.equal(await page.evaluate(() => window.__marker), 'recovery', 'no page load during recovery');
  assert.equal(loads.n, 0);
  assert.equal(await page.locator('#risultati tbody tr[id^="doc-"]').count(), 2, 'the other row is untouched');
  assert.equal(await stateOf(page, REFERTO), 'Da recuperare');

  if (first.startsWith('Recupero in corso')) {
    assert.ok(rowRequests.length >= 1, 'the in-progress row polled …/riga until it was ready');
  }
  t.diagnostic(`state after "Recupera": ${first}; …/riga polls until ready: ${rowRequests.length}`);

  // Polling stops: no request to …/riga for 4 s.
  const before = rowRequests.length;
  await page.waitForTimeout(4000);
  assert.deepEqual(rowRequests.slice(before).map((r) => r.url), [], 'no more polling once available');

  // "Una volta Recuperato il Documento verrà scaricato dal Browser": one download, by itself
  // (the 4 s above gave a second one time to happen).
  assert.equal(downloads.length, 1, `one automatic download, got ${downloads.length}`);
  const [download] = downloads;
  assert.match(download.suggestedFilename(), /^MARIO_ROSSI_TC_TORACE_SENZA_MDC_\d{8}\.zip$/);
  zipPath = join(work, download.suggestedFilename());
  await download.saveAs(zipPath);
  assert.equal(await download.failure(), null);
  assert.ok(statSync(zipPath).size > 1000, 'a non-trivial ZIP');
  assert.equal(await page.evaluate(() => window.__marker), 'recovery', 'downloading does not leave the page');

  // The Download button stays and downloads again.
  const link = row(page, TC).getByRole('link', { name: new RegExp(`^Download \\(\\d[^)]*MB\\)\\s*:\\s*${esc(TC)}`) });
  assert.match(await link.getAttribute('href'), new RegExp(`^${PATH}/[0-9a-f]{32}/download$`));
  assert.equal(await link.getAttribute('download'), '');
  assert.equal(await link.getAttribute('data-auto-download'), null, 'the mark is used once');
  const [again] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(again.suggestedFilename(), download.suggestedFilename());
  assert.equal(downloads.length, 2);

  // A later visit (a reload): the row is Disponibile, nothing downloads by itself.
  await page.reload({ waitUntil: 'load' });
  await waitState(page, TC, /Disponibile fino al/, 5_000);
  await page.waitForTimeout(3000);
  assert.equal(downloads.length, 2, 'no download on a later visit');

  assert.deepEqual(await axe(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('5. the downloaded ZIP: the viewer works offline from file://', async (t) => {
  if (!zipPath) return t.skip('no ZIP (test 4 failed)');
  const dir = join(work, 'zip');
  // unzip (Debian package "unzip"); python3's zipfile if it is missing.
  try {
    execFileSync('unzip', ['-q', zipPath, '-d', dir]);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
    execFileSync('python3', ['-m', 'zipfile', '-e', zipPath, dir]);
  }
  const index = join(dir, 'VIEWER', 'index.html');
  assert.ok(existsSync(index), 'VIEWER/index.html in the ZIP');
  assert.ok(existsSync(join(dir, 'DICOMDIR')) || existsSync(join(dir, 'DICOM')), 'the DICOM part is there too');

  const { context, page, problems } = await newPage(chrome.browser, { viewport: { width: 1280, height: 800 } });
  const remote = [];
  page.on('request', (r) => { if (!/^(file|data|blob):/.test(r.url())) remote.push(r.url()); });
  await page.goto(pathToFileURL(index).href);
  const header = page.locator('header');
  await header.getByText('ROSSI MARIO').waitFor();
  assert.match(await header.textContent(), /TC TORACE SENZA MDC/);
  // From file:// the viewer asks for the extracted folder, then reads the DICOM files in it.
  await page.getByRole('button', { name: 'Scegli la cartella dello studio…' }).waitFor();
  await page.locator('#folder').setInputFiles(dir);
  const shown = (file) => page.waitForFunction((f) => {
    const s = document.getElementById('stage');
    return s.dataset.state === 'ready' && s.dataset.file === f;
  }, file, { timeout: 10_000 });
  await shown('DICOM/S0001/I0001');
  const counter = page.locator('#counter');
  assert.equal(await counter.textContent(), 'Immagine 1 di 12');
  await page.locator('#stage').focus();
  await page.keyboard.press('ArrowDown');
  await shown('DICOM/S0001/I0002');
  assert.equal(await counter.textContent(), 'Immagine 2 di 12');

  assert.deepEqual(await axe(page), []);
  // axe fetches stylesheets with XHR, which Chromium refuses on file://: that noise is not the viewer's.
  assert.deepEqual(problems.filter((p) => !/XMLHttpRequest|net::ERR_FAILED|favicon/.test(p)), []);
  assert.deepEqual(remote, [], 'the viewer makes no network request');
  await context.close();
});

test('6. "Nascondi" hides the report; "Mostra anche…" lists it as "Nascosto"; "Mostra di nuovo" brings it back', async (t) => {
  const { context, page, problems } = await newPage(chrome.browser);
  await login(page, server.url);
  await page.evaluate(() => { window.__marker = 'hide'; });
  const id = await row(page, REFERTO).getAttribute('id');
  await button(page, 'Nascondi', REFERTO).click();
  // The swapped row is marked (or removed from the list).
  await page.waitForFunction((id) => {
    const tr = document.getElementById(id);
    return !tr || (tr.classList.contains('is-hidden') && tr.textContent.includes('Nascosto'));
  }, id);
  t.diagnostic(await page.locator(`#${id}`).count() ? 'the hidden row stays, marked "Nascosto"' : 'the hidden row is removed');
  if (await page.locator(`#${id}`).count()) {
    await button(page, 'Mostra di nuovo', REFERTO).waitFor();
  }
  assert.equal(await page.evaluate(() => window.__marker), 'hide', 'no page load');

  await page.reload();
  assert.deepEqual(await titles(page), [TC], 'hidden documents are not listed by default');

  await page.evaluate(() => { window.__marker = 'show'; });
  await page.getByLabel('Mostra anche i documenti che ho nascosto').check();
  await page.waitForURL((u) => u.searchParams.get('nascosti') === '1');
  await row(page, REFERTO).waitFor();
  assert.deepEqual((await titles(page)).sort(), [REFERTO, TC].sort());
  assert.match(await row(page, REFERTO).locator('td[data-label="Descrizione"]').textContent(), /Nascosto/);
  assert.equal(await row(page, TC).locator('.badge', { hasText: 'Nascosto' }).count(), 0);
  assert.deepEqual(await axe(page), []);

  await button(page, 'Mostra di nuovo', REFERTO).click();
  await button(page, 'Nascondi', REFERTO).waitFor();
  assert.equal(await row(page, REFERTO).locator('.badge', { hasText: 'Nascosto' }).count(), 0);
  // htmx settles the swapped row for a few ms (htmx-* classes): wait for the settled row.
  await page.waitForFunction((t) => {
    const tr = [...document.querySelectorAll('#risultati tr[id^="doc-"]')].find((r) => r.textContent.includes(t));
    return tr && !/htmx-/.test(tr.className);
  }, REFERTO);
  assert.equal(await row(page, REFERTO).getAttribute('class'), null);
  assert.equal(await page.evaluate(() => window.__marker), 'show');

  await page.getByLabel('Mostra anche i documenti che ho nascosto').uncheck();
  await page.waitForURL((u) => !u.searchParams.has('nascosti'));
  await page.reload();
  assert.deepEqual((await titles(page)).sort(), [REFERTO, TC].sort(), 'listed again by default');
  assert.deepEqual(problems, []);
  await context.close();
});

test('7. without JavaScript "Recupera" is a plain POST: 303 back to the list with its filter', async () => {
  const { context, page, problems } = await newPage(chrome.browser, { javaScriptEnabled: false });
  await login(page, server.url);
  const today = await serverToday(page);
  const listUrl = `${server.url}${PATH}?da=${addDays(today, -5)}&a=${today}`;
  await page.goto(listUrl);
  assert.equal(await stateOf(page, RM), 'Da recuperare');
  const statuses = [];
  page.on('response', (r) => { if (r.request().method() === 'POST') statuses.push(r.status()); });
  await Promise.all([
    page.waitForURL((u) => u.pathname === PATH && u.searchParams.get('da') === addDays(today, -5), { waitUntil: 'load' }),
    button(page, 'Recupera', RM).click(),
  ]);
  assert.deepEqual(statuses, [303]);
  assert.equal(page.url(), listUrl, 'back to the same list (ritorno)');
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  assert.match(await stateOf(page, RM), /^(Recupero in corso|Disponibile fino al)/);
  // Without JS nothing polls: reloading by hand shows it available.
  for (let i = 0; i < 120 && !(await stateOf(page, RM)).startsWith('Disponibile'); i++) {
    await page.waitForTimeout(500);
    await page.reload();
  }
  assert.match(await stateOf(page, RM), /^Disponibile fino al/);
  await row(page, RM).getByRole('link', { name: new RegExp(`^Download \\([^)]*\\)\\s*:\\s*${esc(RM)}`) }).waitFor();
  assert.equal(downloads.length, 0, 'without JavaScript the Download button is the way');
  assert.deepEqual(problems, []);
  await context.close();
});

test('8. phone 360×740: stacked cards, no sideways scrolling, touch targets ≥ 44 px; screenshots', async () => {
  const phone = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
  const { context, page, problems } = await newPage(chrome.browser, phone);
  await login(page, server.url);
  const today = await serverToday(page);
  await page.goto(`${server.url}${PATH}?da=${addDays(today, -14)}&a=${today}`);
  await row(page, TC).waitFor();
  assert.match(await stateOf(page, TC), /^Disponibile/);

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `scrolls sideways by ${overflow}px`);
  // Stacked: rows and cells are blocks, the header row is not shown, the label comes from data-label.
  const layout = await page.evaluate(() => {
    const tr = document.querySelector('#risultati tbody tr');
    const td = tr.querySelector('td');
    const th = document.querySelector('#risultati thead');
    const r = th.getBoundingClientRect();
    return {
      tr: getComputedStyle(tr).display,
      td: getComputedStyle(td).display,
      theadVisible: r.width > 1 && r.height > 1,
      label: getComputedStyle(td, '::before').content,
      tableWidth: document.querySelector('#risultati table').getBoundingClientRect().right,
    };
  });
  assert.notEqual(layout.tr, 'table-row');
  assert.equal(layout.theadVisible, false);
  assert.equal(layout.label, '"Data"');
  assert.ok(layout.tableWidth <= 360, `table ends at ${layout.tableWidth}px`);

  const small = await page.evaluate(() => [...document.querySelectorAll('main button, main a.btn, main select, main input[type="date"]')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => ({ name: (e.textContent || e.id || e.name).trim().replace(/\s+/g, ' '), h: e.getBoundingClientRect().height }))
    .filter((e) => e.h < 44));
  assert.deepEqual(small, [], 'controls at least 44 px high');
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(SHOTS, 'cds-docs-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();

  const desk = await newPage(chrome.browser, { viewport: { width: 1280, height: 800 } });
  await login(desk.page, server.url);
  await desk.page.goto(`${server.url}${PATH}?da=${addDays(today, -14)}&a=${today}`);
  await row(desk.page, TC).waitFor();
  const deskOverflow = await desk.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(deskOverflow <= 0, `desktop scrolls sideways by ${deskOverflow}px`);
  await desk.page.screenshot({ path: join(SHOTS, 'cds-docs-desktop.png'), fullPage: true });
  assert.deepEqual(desk.problems, []);
  await desk.context.close();
});

// Not in the original brief, found while writing these tests: htmx keeps snapshots of the pages it
// navigated away from (the patient's name, document list, CSRF token) in sessionStorage
// ("htmx-history-cache"), and logout does not clear them. On a shared / kiosk browser they outlive
// the session. Fix idea: "historyCacheSize":0 in the htmx-config meta (the server already answers
// HX-History-Restore-Request with the full page) or Clear-Site-Data: "storage" on logout.
test('9. after logout no patient data stays in the browser\'s storage (htmx history cache)', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  await login(page, server.url);
  await page.locator('#categoria').selectOption({ label: 'Referto' });
  await page.waitForURL((u) => u.searchParams.get('categoria') === 'Referto');
  await page.getByRole('button', { name: 'Logout' }).click();
  await page.getByText('Sei uscito dal portale').waitFor();
  const left = await page.evaluate(() => {
    const found = [];
    for (const store of [sessionStorage, localStorage]) {
      for (let i = 0; i < store.length; i++) {
        const k = store.key(i);
        const v = store.getItem(k);
        if (/Mario Rossi|TC torace|name="csrf"/.test(v)) found.push(`${store === sessionStorage ? 'sessionStorage' : 'localStorage'}["${k}"] (${v.length} chars)`);
      }
    }
    return found;
  });
  assert.deepEqual(left, [], 'patient data left in web storage after logout');
  assert.deepEqual(problems, []);
  await context.close();
});
