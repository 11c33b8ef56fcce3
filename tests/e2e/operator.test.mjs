// The operators' back office (/operatore) in a real browser, next to the patient's portal: an
// operator publishes a PDF for Mario Rossi (and sees the Italian error for a file that is not a
// PDF), Mario finds it in Documenti Interscambiati, recovers it and downloads a ZIP holding the
// same bytes; the operator opens the PDF and Mario sees that access in "Chi ha consultato i miei
// dati"; Mario writes to Assistenza, the operator replies and closes, Mario reads the reply.
// Every operator page reached passes axe (WCAG 2.1 AA); two of them at 360×640 do not scroll
// sideways. One browser is one person: operator and patient use separate contexts (test 5
// checks that an operator login ends the patient session of the same browser).
//
// The tests share one server and run in order; what each one leaves behind:
//   1. a PDF published for Mario (TITLE);
//   2. Mario's copy recovered and downloaded;
//   3. the operator's view of the PDF in the audit log;
//   4. an Assistenza request, answered and closed;
//   5. and 6. change nothing that later tests read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, launch, newPage, login as harnessLogin } from './harness.mjs';
import { tinyPdf } from './privacy-scan.mjs';

const SHOTS = process.env.SCREENSHOTS || '/tmp';
const OPERATORE = { username: 'operatore', password: 'operatore-demo-2026' };
const ADMIN = { username: 'admin', password: 'admin-demo-2026' };
const TITLE = 'Referto visita cardiologica di controllo';
const SUBJECT = 'Referto cardiologico da chiarire';
const REPLY = 'Gentile signor Rossi, il referto è completo: lo trova in Documenti Interscambiati.';
const DOCS = '/documenti-interscambiati';

let server, chrome, work, pdfPath, pdfBytes, documentPath, mario;

before(async () => {
  server = await startServer({ CDS_DEMO_CT_SLICES: '12' });
  chrome = await launch();
  work = mkdtempSync(join(tmpdir(), 'cds-e2e-op-'));
  pdfBytes = tinyPdf();
  pdfPath = join(work, 'referto-cardiologico.pdf');
  writeFileSync(pdfPath, pdfBytes);
  writeFileSync(join(work, 'foto.pdf'), Buffer.from('\x89PNG\r\n\x1a\nnon un pdf', 'latin1'));
});
after(async () => {
  await mario?.context.close();
  await chrome?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// Operator login typed like a person; waits for Riepilogo.
async function operatorLogin(page, who = OPERATORE) {
  await page.goto(server.url + '/operatore/accedi');
  await page.getByRole('heading', { level: 1, name: 'Accesso operatori' }).waitFor();
  await page.getByLabel('Nome utente').pressSequentially(who.username);
  await page.getByLabel('Password', { exact: true }).pressSequentially(who.password);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/operatore', { waitUntil: 'load' }),
    page.getByRole('button', { name: 'Accedi' }).click(),
  ]);
  await page.getByRole('heading', { level: 1, name: 'Riepilogo' }).waitFor();
}

// The patient's login (harness.login returns at once): waits for the landing page.
async function patientLogin(page) {
  await harnessLogin(page, server.url);
  await page.waitForURL((u) => u.pathname === DOCS, { waitUntil: 'load' });
}

const menu = (page) => page.getByRole('navigation', { name: 'Menu del back office' });
async function viaMenu(page, name, heading = name) {
  await Promise.all([page.waitForNavigation(), menu(page).getByRole('link', { name, exact: true }).click()]);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}
async function follow(page, link) {
  await Promise.all([page.waitForNavigation(), link.click()]);
}
const noSidewaysScroll = (page) => page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);

// The patient's rows in Documenti Interscambiati, as documents.test.mjs reads them.
const row = (page, title) => page.locator('#risultati tbody tr[id^="doc-"]', {
  has: page.locator('td[data-label="Descrizione"]', { hasText: title }),
});
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const named = (label, title) => new RegExp(`^${esc(label)}\\s*:\\s*${esc(title)}`);
const stateOf = async (page, title) => (await row(page, title).locator('td[data-label="Stato"]').textContent()).trim();

test('1. operator: login, Pazienti, Mario, "Pubblica un documento": a non-PDF is refused in Italian, the PDF is published; axe on each page', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  await page.goto(server.url + '/operatore/accedi');
  assert.deepEqual(await axe(page), [], '/operatore/accedi');
  await operatorLogin(page);
  assert.deepEqual(await axe(page), [], 'Riepilogo');
  await page.screenshot({ path: `${SHOTS}/cds-operator-home.png`, fullPage: true });

  await viaMenu(page, 'Pazienti');
  await page.getByLabel('Codice fiscale o cognome').pressSequentially('Rossi');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Cerca' }).click()]);
  await page.getByRole('status').filter({ hasText: /pazienti? trovat/ }).waitFor();
  assert.deepEqual(await axe(page), [], 'Pazienti with results');
  await follow(page, page.getByRole('link', { name: 'Rossi Mario', exact: true }));
  await page.getByRole('heading', { level: 1, name: 'Rossi Mario' }).waitFor();
  const patientPath = new URL(page.url()).pathname;
  assert.match(patientPath, /^\/operatore\/pazienti\/\d+$/);
  assert.deepEqual(await axe(page), [], 'patient page');

  await follow(page, page.getByRole('link', { name: 'Pubblica un documento' }));
  await page.getByRole('heading', { level: 1, name: 'Pubblica un documento' }).waitFor();
  // Optional fields are not announced as required (ui::optional_field).
  for (const [label, required] of [['Titolo', true], ['Data del documento', false], ['Prezzo in euro (facoltativo)', false],
    ['StudyInstanceUID o numero di accettazione', false]]) {
    assert.equal(await page.getByLabel(label, { exact: true }).evaluate((i) => i.required), required, `${label}: required=${required}`);
  }
  await page.screenshot({ path: `${SHOTS}/cds-operator-publish.png`, fullPage: true });
  const fill = async (file) => {
    await page.getByLabel('Categoria').selectOption({ label: (await page.locator('#f-categoria option', { hasText: /^Referto/ }).first().textContent()).trim() });
    const title = page.getByLabel('Titolo');
    await title.fill('');
    await title.pressSequentially(TITLE);
    await page.getByLabel('Data del documento').fill('');
    await page.getByLabel('Un file PDF').check();
    await page.getByLabel('File PDF', { exact: true }).setInputFiles(file);
    await page.getByRole('button', { name: 'Pubblica' }).click();
  };
  // Not a PDF: the form again, with the Italian error by the file field.
  await fill(join(work, 'foto.pdf'));
  await page.getByRole('alert').filter({ hasText: 'Controlla i campi segnalati.' }).waitFor();
  await page.locator('.field-error', { hasText: 'Il file non è un PDF.' }).waitFor();
  assert.equal(await page.getByLabel('Titolo').inputValue(), TITLE, 'what was typed is kept');
  assert.deepEqual(await axe(page), [], 'Pubblica with an error');

  // The PDF: back on the patient page, "Documento pubblicato", listed.
  await fill(pdfPath);
  await page.waitForURL((u) => u.pathname === patientPath && u.searchParams.get('esito') === 'pubblicato', { waitUntil: 'load' });
  await page.getByRole('status').filter({ hasText: 'Documento pubblicato' }).waitFor();
  const link = page.locator('section', { has: page.getByRole('heading', { name: 'Documenti' }) })
    .getByRole('link', { name: TITLE, exact: true });
  documentPath = await link.getAttribute('href');
  assert.match(documentPath, /^\/operatore\/documenti\/[0-9a-f]{32}$/);
  assert.deepEqual(await axe(page), [], 'patient page, published');

  // The document's page.
  await follow(page, link);
  await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  assert.match(await page.locator('dl.details').textContent(), /Referto/);
  assert.deepEqual(await axe(page), [], 'document page');
  assert.deepEqual(problems, ['Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)'],
    'only the refused upload');
  await context.close();
});

test('2. Mario: the new PDF in Documenti Interscambiati today, "Recupera", polling ends, Download: the ZIP holds the same bytes', async (t) => {
  mario = await newPage(chrome.browser);
  const { page, problems } = mario;
  await patientLogin(page);
  await page.getByRole('heading', { level: 1, name: 'Documenti Interscambiati' }).waitFor();
  assert.match(await page.locator('#risultati .summary').textContent(), /^Documenti del \d{2}\/\d{2}\/\d{4}$/, "today's list");
  await row(page, TITLE).waitFor();
  assert.equal(await row(page, TITLE).locator('td[data-label="Categoria"]').textContent(), 'Referto');
  assert.equal(await stateOf(page, TITLE), 'Da recuperare');

  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await row(page, TITLE).getByRole('button', { name: named('Recupera', TITLE) }).click();
  const t0 = Date.now();
  await page.waitForFunction((title) => {
    const tr = [...document.querySelectorAll('#risultati tbody tr[id^="doc-"]')]
      .find((r) => r.querySelector('td[data-label="Descrizione"]')?.textContent.includes(title));
    return tr && /Disponibile fino al/.test(tr.querySelector('td[data-label="Stato"]').textContent) && !tr.hasAttribute('hx-trigger');
  }, TITLE, { timeout: 60_000, polling: 100 });
  t.diagnostic(`recovered in ${Date.now() - t0} ms`);

  const link = row(page, TITLE).getByRole('link', { name: new RegExp(`^Download \\([^)]*\\)\\s*:\\s*${esc(TITLE)}`) });
  // The first ZIP downloads by itself; the button downloads it again: take the button's.
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(await download.failure(), null);
  assert.match(download.suggestedFilename(), /^MARIO_ROSSI_.*\.zip$/);
  const zip = join(work, download.suggestedFilename());
  await download.saveAs(zip);
  const names = execFileSync('zipinfo', ['-1', zip], { encoding: 'utf8' }).trim().split('\n');
  const pdfs = names.filter((n) => n.toLowerCase().endsWith('.pdf'));
  assert.equal(pdfs.length, 1, `one PDF in the ZIP: ${names.join(', ')}`);
  const inside = execFileSync('unzip', ['-p', zip, pdfs[0]], { maxBuffer: 1 << 24 });
  assert.ok(inside.equals(pdfBytes), 'the PDF in the ZIP is the one the operator published');
  assert.deepEqual(problems, []);
});

test('3. operator opens the PDF ("Apri il PDF"); Mario sees that access in "Chi ha consultato i miei dati"', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  await operatorLogin(page);
  await page.goto(server.url + documentPath);
  const open = page.getByRole('link', { name: 'Apri il PDF' });
  assert.equal(await open.getAttribute('href'), `${documentPath}/file`);
  // Chromium shows the PDF (or downloads it): either way the response is the file.
  const [resp] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === `${documentPath}/file`),
    open.click(),
  ]);
  assert.equal(resp.status(), 200);
  assert.equal(resp.headers()['content-type'], 'application/pdf');
  assert.equal(Number(resp.headers()['content-length']), pdfBytes.length, 'the operator gets the whole file');
  await context.close();

  const { page: p } = mario;
  await p.goto(server.url + '/dashboard');
  const card = p.locator('section', { has: p.getByRole('heading', { name: 'I tuoi dati e gli avvisi' }) });
  await follow(p, card.getByRole('link', { name: 'Chi ha consultato i miei dati' }));
  assert.equal(new URL(p.url()).pathname, '/accessi');
  const viewed = p.locator('tbody tr', { hasText: 'Visualizzazione del documento' }).filter({ hasText: TITLE });
  await viewed.first().waitFor();
  assert.match(await viewed.first().textContent(), /Personale dell'Azienda/);
  assert.deepEqual(problems, []);
  assert.deepEqual(mario.problems, []);
});

test('4. Assistenza: Mario writes, the operator replies and closes in Richieste, Mario reads the reply', async () => {
  const { page: p } = mario;
  await p.goto(server.url + '/assistenza');
  await p.getByLabel(/^Richiesta di assistenza/).check();
  await p.getByLabel('Oggetto').pressSequentially(SUBJECT);
  await p.getByLabel('Messaggio').pressSequentially('Nel referto pubblicato oggi non capisco la conclusione.');
  await p.getByRole('button', { name: 'Invia richiesta' }).click();
  await p.locator('article.request', { has: p.getByRole('heading', { level: 3, name: SUBJECT }) }).waitFor();

  const { context, page, problems } = await newPage(chrome.browser);
  await operatorLogin(page);
  await viaMenu(page, 'Richieste');
  assert.deepEqual(await axe(page), [], 'Richieste');
  await follow(page, page.locator('#richieste').getByRole('link', { name: SUBJECT, exact: true }));
  await page.getByRole('heading', { level: 1, name: SUBJECT }).waitFor();
  assert.deepEqual(await axe(page), [], 'one request');
  await page.getByLabel('Risposta al paziente').pressSequentially(REPLY);
  await page.getByLabel('Chiudi la richiesta').check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Invia' }).click()]);
  await page.locator('article.reply', { hasText: REPLY }).waitFor();
  assert.equal((await page.locator('dl.details .badge').textContent()).trim(), 'CHIUSA');
  assert.deepEqual(await axe(page), [], 'one request, answered and closed');
  assert.deepEqual(problems, []);
  await context.close();

  await p.reload({ waitUntil: 'load' });
  const mine = p.locator('article.request', { has: p.getByRole('heading', { level: 3, name: SUBJECT }) });
  await mine.locator('.reply', { hasText: REPLY }).waitFor();
  await mine.getByText('Risposta dell\'Azienda').waitFor();
  assert.deepEqual(mario.problems, []);
});

test('5. axe on the other operator pages: Ordini and an order, Registro accessi, Profilo; as admin Operatori, an operator, Token API, Listino; 360×640', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  await operatorLogin(page);
  await viaMenu(page, 'Ordini');
  assert.deepEqual(await axe(page), [], 'Ordini');
  await follow(page, page.locator('main a[href^="/operatore/ordini/"]').first());
  assert.match(new URL(page.url()).pathname, /^\/operatore\/ordini\/[0-9a-f]+$/);
  assert.deepEqual(await axe(page), [], 'one order');
  await viaMenu(page, 'Registro accessi');
  assert.deepEqual(await axe(page), [], 'Registro accessi');
  await viaMenu(page, 'Profilo');
  assert.deepEqual(await axe(page), [], 'Profilo');
  await context.close();

  const admin = await newPage(chrome.browser);
  await operatorLogin(admin.page, ADMIN);
  await viaMenu(admin.page, 'Operatori');
  assert.deepEqual(await axe(admin.page), [], 'Operatori');
  await follow(admin.page, admin.page.getByRole('link', { name: 'operatore', exact: true }));
  await admin.page.getByRole('heading', { level: 1 }).waitFor();
  assert.deepEqual(await axe(admin.page), [], 'one operator');
  await viaMenu(admin.page, 'Token API');
  assert.deepEqual(await axe(admin.page), [], 'Token API');
  await viaMenu(admin.page, 'Listino');
  assert.deepEqual(await axe(admin.page), [], 'Listino');
  assert.deepEqual(admin.problems, []);
  await admin.context.close();

  // A phone: the patient page and the request inbox do not scroll sideways.
  const phone = await newPage(chrome.browser, { viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true });
  await operatorLogin(phone.page);
  for (const [label, path] of [['patient', '/operatore/pazienti?q=Rossi'], ['document', documentPath], ['requests', '/operatore/richieste']]) {
    await phone.page.goto(server.url + path);
    await phone.page.getByRole('heading', { level: 1 }).waitFor();
    const overflow = await noSidewaysScroll(phone.page);
    await phone.page.screenshot({ path: `${SHOTS}/cds-operator-phone-${label}.png`, fullPage: true });
    assert.ok(overflow <= 0, `${path}: scrolls sideways by ${overflow}px at 360`);
    assert.deepEqual(await axe(phone.page), [], `${path} at 360×640`);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(phone.problems, []);
  await phone.context.close();
});

test('6. one browser is one person: an operator login ends the patient session of the same browser', async () => {
  const { context, page } = await newPage(chrome.browser);
  await patientLogin(page);
  await operatorLogin(page);
  await page.goto(server.url + '/dashboard');
  assert.equal(new URL(page.url()).pathname, '/accedi', 'the patient is logged out');
  await context.close();
});
