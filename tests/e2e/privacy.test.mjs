// Privacy scan (issue 16, item 7): a whole journey as real people make it, in Chromium, on one
// demo server whose every output line is kept; then everything the portal wrote is searched for
// the personal data the journey typed, received or was given.
//
// The journey: Mario logs in with codice fiscale + PIN, logs out, asks a new PIN (read from the
// SMS sandbox) and logs in with it; filters Documenti Interscambiati by date and category,
// recovers the CT and downloads its ZIP; buys the cartella clinica (cart, consents, e-mail,
// Conferma, the pagoPA sandbox portal, COMPLETATO), recovers and downloads it; writes to
// Assistenza; shares the CT with a doctor who opens it with the code and downloads it. Someone
// enters with SPID (the sandbox identity page). An operator searches Mario by surname and by
// codice fiscale, opens him, filters the orders by his codice fiscale and exports them, answers
// the request, publishes a PDF. An administrator makes an API token in the back office and
// exports the audit log filtered by Mario's codice fiscale; the ingest API registers a new
// patient and posts a PDF for them.
//
// Scanned: the server's stderr (request log, events) and stdout (the demo's credential sheet
// excepted: it is the demo's printed handout, not a log), the audit table (meant to hold ids
// and counts), the SMS texts the SMS sandbox received (no titles, no codice fiscale, no names:
// a PIN is what a PIN SMS is for) and the causale sent to the pagoPA sandbox (no titles, no
// codice fiscale: the debtor's codice fiscale and name go in their own fields, as pagoPA wants).
// Searched for: every codice fiscale, both PINs, names and surnames, document titles, the
// request's subject and text, phone numbers, the e-mail, the share's token and code, session
// cookies, CSRF tokens, the API token, the operator's password — as typed, lower and upper case,
// URL-encoded and form-encoded. Any hit fails with the line. The browser's own request URLs are
// checked too: no codice fiscale, PIN or token in a URL the portal's pages make.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, newPage, MARIO } from './harness.mjs';
import { tinyPdf, scan, sql } from './privacy-scan.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = '/documenti-interscambiati';
const CONTINUE = 'Continua';
const TC = 'TC torace senza mdc';
const REFERTO = 'Referto TC torace';
const CARTELLA = 'Cartella clinica – ricovero in Medicina Interna';
const PUBLISHED = 'Ecocardiogramma di controllo postoperatorio';
const API_TITLE = 'Spirometria globale con DLCO';
const SUBJECT = 'Dubbio sulla terapia anticoagulante';
const MESSAGE = 'Nel referto cardiologico manca la posologia del Coumadin.';
const REPLY = 'Gentile paziente, la posologia è indicata nella lettera di dimissione.';
const EMAIL = 'mario.rossi.privacy@example.org';
const SPID = { cf: 'MRTMTT25D09F205Z', given: 'Matteo', family: 'Martini' };
const API_PATIENT = { cf: 'BNCGNN85T10A944B', given: 'Giovanni', family: 'Bianconeri', mobile: '+393471112233' };
const OPERATORE = { username: 'operatore', password: 'operatore-demo-2026' };
const ADMIN = { username: 'admin', password: 'admin-demo-2026' };

let server, chrome, work;
// Everything the journey learns and the scan then looks for: [label, value, kind].
const secrets = [];
const secret = (label, value, kind = 'exact') => { if (value) secrets.push([label, String(value), kind]); };
// Every URL the browsers asked for.
const urls = [];

before(async () => {
  server = await startServer({
    CDS_DEMO_CT_SLICES: '2',
    CDS_PAYMENTS_SANDBOX_CONFIRM_SECS: '1',
    CDS_PAYMENTS_POLL_FIRST_SECS: '1',
    CDS_PAYMENTS_POLL_MAX_SECS: '1',
  }, { keep: true });
  chrome = await launch();
  work = mkdtempSync(join(tmpdir(), 'cds-e2e-privacy-'));
});
after(async () => {
  await chrome?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// A browser context that records its request URLs.
async function person(view = {}) {
  const p = await newPage(chrome.browser, view);
  p.page.on('request', (r) => urls.push(r.url()));
  return p;
}

// The cookies and every CSRF token on the page become secrets.
async function harvest(who, { context, page }) {
  for (const c of await context.cookies()) {
    if (c.value.length >= 16) secret(`${who} cookie ${c.name}`, c.value);
  }
  const tokens = await page.locator('input[name="csrf"]').evaluateAll((is) => is.map((i) => i.value)).catch(() => []);
  for (const t of new Set(tokens)) secret(`${who} CSRF token`, t);
}

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const named = (label, title) => new RegExp(`^${esc(label)}\\s*:\\s*${esc(title)}`);
const row = (page, title) => page.locator('#risultati tbody tr[id^="doc-"]', {
  has: page.locator('td[data-label="Descrizione"]', { hasText: title }),
});
const card = (page, title) => page.locator('li.doc-card', {
  has: page.getByRole('heading', { level: 2, name: title, exact: true }),
});
async function go(page, action) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action]);
}

async function pinLogin(page, cf, pin) {
  await page.goto(`${server.url}/accedi`);
  await page.getByLabel('Codice Fiscale').pressSequentially(cf);
  await page.getByLabel('PIN', { exact: true }).pressSequentially(pin);
  await Promise.all([
    page.waitForURL((u) => u.pathname === DOCS, { waitUntil: 'load' }),
    page.getByRole('button', { name: 'Accedi' }).click(),
  ]);
}

async function operatorLogin(page, who) {
  await page.goto(`${server.url}/operatore/accedi`);
  await page.getByLabel('Nome utente').fill(who.username);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/operatore', { waitUntil: 'load' }),
    page.getByRole('button', { name: 'Accedi' }).click(),
  ]);
}

// The ready row's Download link (the row is swapped by htmx while it is recovered).
async function recoverAndDownload(page, title, { timeout = 60_000 } = {}) {
  const recover = row(page, title).getByRole('button', { name: named('Recupera', title) });
  if (await recover.count()) await recover.click();
  const link = row(page, title).getByRole('link', { name: new RegExp(`^Download \\([^)]*\\)\\s*:\\s*${esc(title)}`) });
  await link.waitFor({ timeout });
  // The first ZIP may download by itself: take the button's.
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(await download.failure(), null);
  const file = join(work, `${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  return file;
}

test('the whole journey: patient, doctor, SPID, operator, administrator, ingest API', async (t) => {
  secret('codice fiscale', MARIO.cf);
  secret('PIN', MARIO.pin, 'digits');
  secret('phone', MARIO.mobile);
  secret('phone', MARIO.mobile.replace(/^\+39/, ''), 'digits');
  for (const n of ['Mario', 'Rossi']) secret('name', n, 'word');
  for (const title of [TC, REFERTO, CARTELLA, PUBLISHED, API_TITLE, SUBJECT, MESSAGE, REPLY]) secret('title or text', title, 'text');
  secret('e-mail', EMAIL);
  secret('operator password', OPERATORE.password);
  secret('admin password', ADMIN.password);

  // 1. Mario: codice fiscale + PIN, logout, "Ho bisogno di un nuovo PIN", the SMS, the new PIN.
  const mario = await person();
  const { page } = mario;
  await pinLogin(page, MARIO.cf, MARIO.pin);
  await harvest('Mario', mario);
  await go(page, page.getByRole('button', { name: 'Logout' }).first().click());
  await page.goto(`${server.url}/nuovo-pin`);
  await page.getByLabel('Codice Fiscale').pressSequentially(MARIO.cf);
  await page.getByLabel('Cellulare').pressSequentially(MARIO.mobile);
  await page.getByRole('button', { name: 'Invia Richiesta' }).click();
  await page.getByText(/^Richiesta ricevuta\./).waitFor();
  let newPin = null;
  for (let i = 0; i < 50 && !newPin; i++) {
    await page.goto(`${server.url}/sandbox/sms`);
    const texts = await page.locator('td.sms-text').allTextContents();
    newPin = texts.map((x) => x.match(/\b(\d{8})\b/)?.[1]).find((p) => p && p !== MARIO.pin) ?? null;
    if (!newPin) await page.waitForTimeout(200);
  }
  assert.ok(newPin, 'the new PIN reached the SMS sandbox');
  secret('new PIN', newPin, 'digits');
  await pinLogin(page, MARIO.cf, newPin);
  await harvest('Mario', mario);

  // 2. Documenti Interscambiati: the dates and the category, then the CT recovered and downloaded.
  await page.getByLabel('Dal').fill('2000-01-01');
  await page.locator('#categoria').selectOption({ label: 'Immagini diagnostiche' });
  await page.waitForURL((u) => u.searchParams.get('categoria') === 'Immagini diagnostiche');
  await page.waitForFunction(() => !document.querySelector('#risultati')?.textContent.includes('Referto TC torace'));
  await row(page, TC).waitFor();
  const ctZip = await recoverAndDownload(page, TC);
  assert.ok(statSync(ctZip).size > 1000, 'the CT ZIP');
  await harvest('Mario', mario);

  // 3. The cartella clinica: cart, consents, e-mail, Conferma, the pagoPA sandbox, COMPLETATO.
  await page.goto(`${server.url}/documenti`);
  await card(page, CARTELLA).getByRole('button', { name: named('Aggiungi Carrello', CARTELLA) }).click();
  await page.locator('#cart-count:not([hidden])').waitFor();
  await page.goto(`${server.url}/carrello`);
  await Promise.all([
    page.waitForURL((u) => /^\/ordini\/[0-9a-f]{32}$/.test(u.pathname), { waitUntil: 'load' }),
    page.getByRole('button', { name: "Procedi all'ordine" }).click(),
  ]);
  const orderPath = new URL(page.url()).pathname;
  for (const box of await page.locator('form[data-consents]').getByRole('checkbox').all()) await box.check();
  await go(page, page.getByRole('button', { name: 'Acquista ora' }).click());
  await page.getByLabel('E-mail').fill(EMAIL);
  await go(page, page.getByRole('button', { name: 'Conferma' }).click());
  const ticket = (await page.locator('#ticket').textContent()).trim();
  await harvest('Mario', mario);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/sandbox/pagamenti', { waitUntil: 'load' }),
    page.getByRole('button', { name: 'Procedi', exact: true }).click(),
  ]);
  await page.getByLabel('Identificativo ticket (codice avviso)').fill(ticket);
  await page.getByLabel('Codice fiscale del debitore').fill(MARIO.cf);
  await go(page, page.getByRole('button', { name: 'Cerca' }).click());
  await go(page, page.getByRole('button', { name: 'PAGA SUBITO' }).click());
  await go(page, page.getByRole('link', { name: "Torna al portale dell'Azienda" }).click());
  await page.locator('.order-status .badge').filter({ hasText: 'COMPLETATO' }).waitFor({ timeout: 30_000 });
  await page.waitForLoadState('load');
  const docs = page.locator('section#documenti');
  await docs.getByRole('button', { name: named('Recupera', CARTELLA) }).click();
  const bought = docs.getByRole('link', { name: new RegExp(`^Download.*${esc(CARTELLA)}`) });
  await bought.waitFor({ timeout: 30_000 });
  const [zip] = await Promise.all([page.waitForEvent('download'), bought.click()]);
  assert.equal(await zip.failure(), null);
  assert.equal(new URL(page.url()).pathname, orderPath);

  // 4. Assistenza.
  await page.goto(`${server.url}/assistenza`);
  await page.getByLabel(/^Richiesta di assistenza/).check();
  await page.getByLabel('Oggetto').fill(SUBJECT);
  await page.getByLabel('Messaggio').fill(MESSAGE);
  await page.getByRole('button', { name: 'Invia richiesta' }).click();
  await page.locator('article.request', { has: page.getByRole('heading', { level: 3, name: SUBJECT }) }).waitFor();
  await harvest('Mario', mario);

  // 5. A share for a doctor, opened with its code in another browser.
  await page.goto(`${server.url}${DOCS}?da=01/01/2000`);
  await go(page, page.getByRole('link', { name: /^Condividi con il medico\W*TC torace senza mdc$/ }).click());
  await page.getByLabel('Valido per (giorni)').fill('3');
  await page.getByLabel('Per chi è (facoltativo)').fill('Dott. Verdi');
  await page.getByRole('button', { name: 'Crea il link' }).click();
  await page.getByRole('heading', { name: 'Link per il medico creato' }).waitFor();
  const link = (await page.locator('#share-link').textContent()).trim();
  const code = (await page.locator('#share-code').textContent()).trim();
  secret('share link token', new URL(link).pathname.split('/').filter(Boolean).pop());
  secret('share code', code, 'digits');
  secret('doctor', 'Verdi', 'word');
  await harvest('Mario', mario);
  const doctor = await person();
  const d = doctor.page;
  await d.goto(link.replace(/^https?:\/\/[^/]+/, server.url));
  await d.getByLabel('Codice di accesso').fill(code);
  await d.getByRole('button', { name: 'Apri' }).click();
  await d.getByText('Documento condiviso da').waitFor();
  await harvest('doctor', doctor);
  const prepare = d.getByRole('button', { name: 'Prepara il documento' });
  if (await prepare.count()) await prepare.click();
  const shared = d.getByRole('link', { name: /^Scarica \(ZIP/ });
  for (let i = 0; i < 60 && !(await shared.count()); i++) {
    await d.waitForTimeout(500);
    await d.reload();
  }
  const [sharedZip] = await Promise.all([d.waitForEvent('download'), shared.click()]);
  assert.equal(await sharedZip.failure(), null);
  await harvest('doctor', doctor);
  await doctor.context.close();

  // 6. SPID through the sandbox identity page.
  for (const n of [SPID.given, SPID.family]) secret('name', n, 'word');
  secret('codice fiscale', SPID.cf);
  const spid = await person();
  await spid.page.goto(`${server.url}/accedi`);
  await go(spid.page, spid.page.getByRole('button', { name: /Entra con SPID/ }).click());
  await go(spid.page, spid.page.getByRole('button', { name: `Entra come ${SPID.given} ${SPID.family}` }).click());
  // A first login: the welcome page, then on.
  await go(spid.page, spid.page.getByRole('link', { name: CONTINUE }).click());
  assert.equal(new URL(spid.page.url()).pathname, DOCS);
  await harvest('SPID', spid);
  await spid.context.close();

  // 7. The operator: Pazienti by surname and by codice fiscale, the patient, orders and audit log
  // filtered by codice fiscale, the request answered, a PDF published.
  const op = await person();
  const o = op.page;
  await operatorLogin(o, OPERATORE);
  await harvest('operator', op);
  await o.goto(`${server.url}/operatore/pazienti`);
  for (const q of ['Rossi', MARIO.cf.toLowerCase()]) {
    await o.getByLabel('Codice fiscale o cognome').fill(q);
    await go(o, o.getByRole('button', { name: 'Cerca' }).click());
    await o.getByRole('link', { name: 'Rossi Mario', exact: true }).waitFor();
  }
  await harvest('operator', op);
  await go(o, o.getByRole('link', { name: 'Rossi Mario', exact: true }).click());
  await o.getByRole('heading', { level: 1, name: 'Rossi Mario' }).waitFor();
  const patientPath = new URL(o.url()).pathname;
  await o.goto(`${server.url}/operatore/registro`);
  await o.getByLabel('Codice fiscale').fill(MARIO.cf);
  await go(o, o.getByRole('button', { name: 'Cerca' }).click());
  // Ordini filtered by his codice fiscale, exported ("Esporta CSV": audited).
  await o.goto(`${server.url}/operatore/ordini`);
  await o.getByLabel('Codice fiscale').fill(MARIO.cf);
  await go(o, o.getByRole('button', { name: 'Cerca' }).click());
  const [ordersCsv] = await Promise.all([o.waitForEvent('download'), o.getByRole('link', { name: 'Esporta CSV' }).click()]);
  assert.equal(await ordersCsv.failure(), null);
  await o.goto(`${server.url}/operatore/richieste`);
  await go(o, o.locator('#richieste').getByRole('link', { name: SUBJECT, exact: true }).click());
  await o.getByLabel('Risposta al paziente').fill(REPLY);
  await go(o, o.getByRole('button', { name: 'Invia' }).click());
  await o.locator('article.reply', { hasText: REPLY }).waitFor();
  await harvest('operator', op);
  const pdf = join(work, 'eco.pdf');
  writeFileSync(pdf, tinyPdf());
  await o.goto(`${server.url}${patientPath}/pubblica`);
  await o.getByLabel('Categoria').selectOption({ label: (await o.locator('#f-categoria option', { hasText: /^Referto/ }).first().textContent()).trim() });
  await o.getByLabel('Titolo').fill(PUBLISHED);
  await o.getByLabel('Un file PDF').check();
  await o.getByLabel('File PDF', { exact: true }).setInputFiles(pdf);
  await Promise.all([
    o.waitForURL((u) => u.pathname === patientPath && u.searchParams.get('esito') === 'pubblicato', { waitUntil: 'load' }),
    o.getByRole('button', { name: 'Pubblica' }).click(),
  ]);
  await harvest('operator', op);
  await op.context.close();

  // 8. The administrator makes a token; the ingest API registers a patient and posts a PDF.
  const admin = await person();
  await operatorLogin(admin.page, ADMIN);
  await admin.page.goto(`${server.url}/operatore/token`);
  await admin.page.getByLabel('Sistema (es. RIS)').fill('RIS-privacy');
  await admin.page.getByLabel(/patients:write/).check();
  await admin.page.getByLabel(/documents:write/).check();
  await go(admin.page, admin.page.getByRole('button', { name: 'Crea token' }).click());
  const token = (await admin.page.locator('code.secret').textContent()).trim();
  assert.match(token, /^cdsapi_/);
  secret('API token', token);
  await harvest('admin', admin);
  // The audit log filtered by Mario's codice fiscale, exported (administrators only; audited).
  await admin.page.goto(`${server.url}/operatore/registro`);
  await admin.page.getByLabel('Codice fiscale').fill(MARIO.cf);
  await go(admin.page, admin.page.getByRole('button', { name: 'Cerca' }).click());
  const [auditCsv] = await Promise.all([
    admin.page.waitForEvent('download'),
    admin.page.getByRole('link', { name: 'Esporta CSV' }).click(),
  ]);
  assert.equal(await auditCsv.failure(), null);
  await admin.context.close();
  secret('codice fiscale', API_PATIENT.cf);
  for (const n of [API_PATIENT.given, API_PATIENT.family]) secret('name', n, 'word');
  secret('phone', API_PATIENT.mobile);
  secret('phone', API_PATIENT.mobile.replace(/^\+39/, ''), 'digits');
  const auth = { Authorization: `Bearer ${token}` };
  const put = await fetch(`${server.url}/api/v1/pazienti/${API_PATIENT.cf}`, {
    method: 'PUT',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ nome: API_PATIENT.given, cognome: API_PATIENT.family, cellulare: API_PATIENT.mobile }),
  });
  assert.equal(put.status, 201, await put.text());
  const form = new FormData();
  form.append('metadati', JSON.stringify({
    codice_fiscale: API_PATIENT.cf, categoria: 'Referto', titolo: API_TITLE, data: '2026-01-15', id_esterno: 'PRIV-1',
  }));
  form.append('pdf', new Blob([tinyPdf()], { type: 'application/pdf' }), 'spirometria.pdf');
  const post = await fetch(`${server.url}/api/v1/documenti`, { method: 'POST', headers: auth, body: form });
  assert.equal(post.status, 201, await post.text());

  // Mario sees the answer and the published PDF: the journey reached every part.
  await page.goto(`${server.url}/assistenza`);
  await page.locator('.reply', { hasText: REPLY }).waitFor();
  await page.goto(`${server.url}${DOCS}`);
  await row(page, PUBLISHED).waitFor();
  await harvest('Mario', mario);
  await mario.context.close();
  t.diagnostic(`${secrets.length} values to look for, ${urls.length} browser requests`);
});

test('nothing personal in what the server wrote: log, audit table, SMS texts, pagoPA causale, URLs', async (t) => {
  assert.ok(secrets.length > 20, 'the journey ran');
  await server.halt();
  const { stdout, stderr } = server.output();
  // The demo's credential sheet (stdout, printed once at start) is its handout, not a log.
  const start = stdout.findIndex((l) => l.startsWith('CDS Portal – demo su'));
  const end = stdout.findIndex((l) => l.trim() === 'Ctrl+C per fermare');
  assert.ok(start > 0 && end > start, 'the demo printed its credential sheet');
  const logged = [...stdout.slice(0, start), ...stdout.slice(end + 1)];
  // PRIVACY_DUMP=FILE keeps what was scanned, to read it by eye.
  if (process.env.PRIVACY_DUMP) writeFileSync(process.env.PRIVACY_DUMP, [...stdout, '----', ...stderr].join('\n'));
  assert.ok(stderr.filter((l) => /route=/.test(l)).length > 100, `the request log ran: ${stderr.length} lines`);

  const db = join(server.data, 'cds-portal.db');
  const audit = sql(db, 'SELECT * FROM audit_log');
  assert.ok(audit.length > 20, `audit rows: ${audit.length}`);
  const sms = sql(db, 'SELECT body FROM sms_console_outbox UNION ALL SELECT body FROM sms_queue');
  assert.ok(sms.length >= 1, 'the SMS sandbox received the PIN');
  const pay = join(server.data, 'sandbox-pagopa.db');
  assert.ok(existsSync(pay), 'the pagoPA sandbox kept its positions');
  const causali = sql(pay, 'SELECT causale FROM positions');
  assert.ok(causali.length >= 1);
  const payerCf = sql(pay, "SELECT count(*) FROM positions WHERE payer_cf != ''");
  t.diagnostic(`${stderr.length} log lines, ${audit.length} audit rows, ${sms.length} SMS, ${causali.length} pagoPA positions (${payerCf} with the debtor's codice fiscale in its own field)`);

  const personal = ['codice fiscale', 'name', 'title or text', 'e-mail', 'doctor'];
  const hits = [
    ...scan(secrets, 'stderr', stderr),
    ...scan(secrets, 'stdout', logged),
    ...scan(secrets, 'audit_log', audit),
    ...scan(secrets, 'SMS text', sms, personal),
    ...scan(secrets, 'pagoPA causale', causali, [...personal, 'phone']),
  ];
  // The URLs the browsers asked for: no codice fiscale, PIN, e-mail or token in the portal's own.
  const portal = urls.filter((u) => u.startsWith(server.url));
  hits.push(...scan(secrets, 'URL', portal, ['codice fiscale', 'PIN', 'new PIN', 'e-mail', 'API token', 'phone'])
    // The operators' filters of orders and audit log are GET forms by design (their pages
    // page and export by URL): the request log drops query strings, which the scan above proves.
    .filter((h) => !/\/operatore\/(ordini|registro)(\.csv)?\?/.test(h)));
  assert.deepEqual(hits, []);

  // The soak figures (issue 16, item 10): CDS_SOAK_DIR, relative to the repo root.
  const dir = resolve(ROOT, process.env.CDS_SOAK_DIR || join('target', 'soak'));
  mkdirSync(dir, { recursive: true });
  const requests = stderr.filter((l) => /route=/.test(l)).length;
  writeFileSync(join(dir, 'privacy.txt'),
    `suite privacy\nwhen ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}\nrequests ${requests}\nleaks 0\nruns 1\n`);
});
