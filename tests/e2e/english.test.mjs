// The portal in English, as a person who switched the language sees it: every page a patient
// or a doctor can reach (crawled from the links of the pages themselves, plus the states only
// an action reaches: a cart with a document, a draft order, the preview dialog, a recovered
// study's rows through their polling, form errors, a share and the doctor's pages, the kiosk's
// "are you still there?" dialog) is checked for
//   - Italian UI text: every text node and every aria-label, title, alt, placeholder, button
//     value and data-confirm outside an element marked lang="it" (data: document titles, the
//     ASL's name, what operators wrote) is searched for Italian words;
//   - axe (WCAG 2.1 AA), at desktop, phone (360×640) and kiosk (1080×1920) sizes.
// Also: the first visit follows Accept-Language, the switch remembers the choice over the
// browser's, and goes back to the same page. Every failure is collected, then reported at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, launch, newPage, login, MARIO } from './harness.mjs';

const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PHONE = { viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true };
const KIOSK = { viewport: { width: 1080, height: 1920 }, hasTouch: true };
const EN = { locale: 'en-GB' };

// Words that are Italian and not English: function words, and the portal's own vocabulary.
// ("codice fiscale" is allowed: the English pages name the tax code by its Italian name too.)
const ITALIAN = new Set(`il lo gli della delle dello degli del dei nel nella nei nelle sul sulla sui
  dal dalla dai alla allo alle agli questo questa questi queste sono essere non che una uno un con
  anche oppure oggi ieri tuo tua tuoi tue puoi devi ancora già più perché quando dove ogni tutti
  tutte nessun nessuno nessuna documento documenti ordine ordini carrello pagamento pagamenti
  richiesta richieste accedi esci annulla conferma confermi scarica recupera recupero filtra cerca
  indietro avanti pagina pagine periodo stato importo totale prezzo aggiungi rimuovi invia inviata
  inviato salva chiudi apri anteprima assistenza manuale utente cellulare numero nuovo nuova scegli
  seleziona vai torna accesso condividi condivisione medico giorni giorno scadenza scade valido
  valida errore riprova grazie immagini referto referti cartella clinica richiedi disponibile
  acquista ora è sì dell nell sull tra fino dopo prima senza sei siamo hai abbiamo viene vengono
  visualizza studio pronto preparazione attendi consenso entra inserisci esempio caratteri cifre
  ricevuto istruzioni bisogno tessera sanitaria scheda apre si vuoi clicca premi qui elenco nome
  cognome indirizzo ricevi ricevere ritiro`.split(/\s+/).filter(Boolean));

let server, kiosk, chrome;
before(async () => {
  server = await startServer({ CDS_DEMO_CT_SLICES: '12' });
  kiosk = await startServer({ CDS_DEMO_CT_SLICES: '4', CDS_KIOSK_NETWORKS: '127.0.0.1', CDS_KIOSK_IDLE_SECS: '5', CDS_KIOSK_COUNTDOWN_SECS: '30' });
  chrome = await launch();
});
after(async () => { await chrome?.close(); await server?.stop(); await kiosk?.stop(); });

// The Italian words of the page's UI: { where, words } for each text that has some.
const italianIn = (page) => page.evaluate((words) => {
  const inItalian = (el) => {
    const marked = el.closest('[lang]');
    return marked && marked.getAttribute('lang').toLowerCase().startsWith('it');
  };
  const asl = document.querySelector('.brand-long')?.textContent.trim();
  const texts = [];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script, style') || inItalian(el)) continue;
    texts.push([el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''), n.textContent]);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [alt], [placeholder], [data-confirm], input[type=submit], input[type=button]')) {
    if (inItalian(el)) continue;
    for (const a of ['aria-label', 'title', 'alt', 'placeholder', 'data-confirm']) {
      const v = el.getAttribute(a);
      if (v) texts.push([`${el.tagName.toLowerCase()}[${a}]`, v]);
    }
    if (el.matches('input[type=submit], input[type=button]')) texts.push([`${el.tagName.toLowerCase()}[value]`, el.value]);
  }
  const found = [];
  for (const [where, raw] of texts) {
    // The ASL's name is in the <title> too, where no element can mark it.
    const text = asl ? raw.split(asl).join(' ') : raw;
    const hits = (text.toLowerCase().match(/\p{L}+/gu) ?? []).filter((w) => words.includes(w));
    if (hits.length) found.push(`${where} "${text.trim().slice(0, 80)}" [${[...new Set(hits)].join(' ')}]`);
  }
  return { lang: document.documentElement.lang, found };
}, [...ITALIAN]);

async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// Checks the page as it is now: English, no Italian UI string, axe clean.
async function check(page, label, failures, { axe: withAxe = true } = {}) {
  await page.waitForLoadState('load');
  const { lang, found } = await italianIn(page);
  if (lang !== 'en') failures.push(`${label}: <html lang="${lang}">`);
  for (const f of found) failures.push(`${label}: Italian ${f}`);
  if (withAxe) for (const v of await axe(page)) failures.push(`${label}: axe ${v}`);
}

// "/ordini/<id>" and "/ordini/<id2>" are one kind of page.
const kind = (path) => path.replace(/\/(\d+|[0-9a-f]{32}|[A-Za-z0-9_-]{40,})(?=[/?#]|$)/g, '/:id').replace(/\?.*$/, '');
// Not pages: files, actions, the back office, the demo's sandboxes (outside services).
const skip = (path) => /^\/(operatore|sandbox|assets|lingua|esci|api)\b|\/(download|avviso|scarica|file|pdf|miniatura)(\?|$)|\.(zip|pdf|csv|png|svg|ico)$/.test(path);

// Every page reachable by a link from `start`, at most two of each kind.
async function crawl(page, start, failures, t, opts) {
  const queue = [...start];
  const seen = new Set();
  const kinds = new Map();
  while (queue.length && seen.size < 80) {
    const path = queue.shift();
    const k = kind(path);
    if (seen.has(path) || skip(path) || (kinds.get(k) ?? 0) >= 2) continue;
    seen.add(path);
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
    let r;
    try { r = await page.goto(server.url + path); } catch { continue; } // a download
    if (!r || !(r.headers()['content-type'] ?? '').startsWith('text/html')) continue;
    await check(page, path, failures, opts);
    const links = await page.locator('a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href').replace(/#.*$/, '')));
    queue.push(...links.filter((h) => h && !seen.has(h)));
  }
  t.diagnostic(`${seen.size} pages of ${kinds.size} kinds: ${[...kinds.keys()].join(' ')}`);
  return seen;
}

// The switch from Italian: the link in the header, named in English.
async function toEnglish(page) {
  await Promise.all([page.waitForNavigation(), page.locator('.lang-switch a[hreflang="en"]').click()]);
}

test('first visit: Accept-Language decides; the switch goes back to the same page and is remembered over the browser\'s language', async () => {
  const en = await newPage(chrome.browser, EN);
  await en.page.goto(server.url + '/accedi');
  assert.equal(await en.page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await en.page.locator('.lang-switch [aria-current]').textContent(), 'English');
  // To Italian from a page with a query: the same page, now Italian, and it stays Italian.
  await en.page.goto(server.url + '/nuovo-pin?x=1');
  await Promise.all([en.page.waitForNavigation(), en.page.locator('.lang-switch a[hreflang="it"]').click()]);
  assert.equal(new URL(en.page.url()).pathname + new URL(en.page.url()).search, '/nuovo-pin?x=1');
  assert.equal(await en.page.evaluate(() => document.documentElement.lang), 'it');
  await en.page.goto(server.url + '/privacy');
  assert.equal(await en.page.evaluate(() => document.documentElement.lang), 'it');
  await en.context.close();

  const it = await newPage(chrome.browser);
  await it.page.goto(server.url + '/accedi');
  assert.equal(await it.page.evaluate(() => document.documentElement.lang), 'it');
  await toEnglish(it.page);
  assert.equal(new URL(it.page.url()).pathname, '/accedi');
  assert.equal(await it.page.evaluate(() => document.documentElement.lang), 'en');
  assert.deepEqual(it.problems, []);
  await it.context.close();
});

test('desktop, before login, in English: every public page and form error, no Italian UI string, axe clean', async (t) => {
  const failures = [];
  const { context, page, problems } = await newPage(chrome.browser, EN);
  await crawl(page, ['/accedi', '/accedi?scaduta=1', '/nuovo-pin', '/accedi/spid', '/accedi/cie', '/manuale',
    '/privacy', '/accessibilita', '/pagina-che-non-esiste'], failures, t);
  // A wrong PIN and an empty new-PIN form.
  await page.goto(server.url + '/accedi');
  await page.locator('input[name="codice_fiscale"]').fill(MARIO.cf);
  await page.locator('input[name="pin"]').fill('00000000');
  await Promise.all([page.waitForNavigation(), page.locator('form:has(input[name="pin"]) button[type="submit"]').click()]);
  await check(page, '/accedi, wrong PIN', failures);
  await page.goto(server.url + '/nuovo-pin');
  await Promise.all([page.waitForNavigation(), page.locator('form:has(input[name="cellulare"]) button[type="submit"]').click()]);
  await check(page, '/nuovo-pin, empty fields', failures);
  assert.deepEqual(failures, []);
  assert.deepEqual(problems.filter((m) => !/status of 4\d\d/.test(m)), []);
  await context.close();
});

test('desktop, as Mario Rossi in English: every page, a recovered study, the cart, a draft order, the preview, Assistenza\'s errors, a share and the doctor\'s pages', async (t) => {
  const failures = [];
  const { context, page, problems } = await newPage(chrome.browser);
  await login(page, server.url);
  await page.waitForURL((u) => u.pathname === '/documenti-interscambiati', { waitUntil: 'load' });
  await toEnglish(page);
  await crawl(page, ['/dashboard', '/documenti', '/documenti-interscambiati', '/documenti-interscambiati?periodo=tutti',
    '/carrello', '/ordini', '/assistenza', '/accessi', '/condivisioni', '/manuale', '/privacy', '/accessibilita',
    '/ordini/00000000000000000000000000000000'], failures, t);

  // A study recovered: its row through the polled states, to the end.
  await page.goto(server.url + '/documenti-interscambiati?da=01/01/2000');
  const recover = page.locator('form[action$="/recupera"] button').first();
  if (await recover.count()) {
    await recover.click();
    for (let i = 0; i < 4; i++) {
      await page.waitForTimeout(700);
      await check(page, `recovery, swap ${i + 1}`, failures, { axe: i === 0 });
    }
    await page.locator('a[href$="/download"]').first().waitFor({ timeout: 120000 });
    await check(page, 'recovery, ready', failures);
  } else {
    failures.push('no study to recover in the demo');
  }

  // The preview dialog, a document in the cart, a draft order.
  await page.goto(server.url + '/documenti');
  const preview = page.locator('a[href$="/anteprima"]').first();
  await preview.click();
  await page.locator('dialog[open]').waitFor();
  await check(page, '/documenti, preview open', failures);
  await page.keyboard.press('Escape');
  await page.locator('.cart-slot form').first().getByRole('button').click();
  await page.locator('#cart-count:not([hidden])').waitFor();
  await check(page, '/documenti, after adding to the cart', failures);
  await page.goto(server.url + '/carrello');
  await check(page, '/carrello, one document', failures);
  await Promise.all([
    page.waitForURL((u) => /^\/ordini\/[0-9a-f]{32}$/.test(u.pathname), { waitUntil: 'load' }),
    page.locator('form[action="/carrello/ordina"] button[type="submit"]').click(),
  ]);
  await check(page, 'draft order', failures);
  await page.goto(server.url + '/ordini');
  const orders = await page.locator('tbody tr[id^="ordine-"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  for (const path of new Set(orders)) {
    await page.goto(server.url + path);
    await check(page, path, failures, { axe: false });
  }

  // Assistenza sent empty: the errors.
  await page.goto(server.url + '/assistenza');
  await page.locator('main form[method="post"] button[type="submit"]').last().click();
  await page.waitForLoadState('load');
  await check(page, '/assistenza, empty form', failures);

  // A share: the patient's form, the link and code, then the doctor in English too.
  await page.goto(server.url + '/documenti-interscambiati?da=01/01/2000');
  const share = page.locator('a[href^="/condivisioni?documento="]').first();
  if (await share.count()) {
    await share.click();
    await page.waitForLoadState('load');
    await check(page, 'share form', failures);
    await page.locator('main form[method="post"] button[type="submit"]').first().click();
    await page.locator('#share-code').waitFor();
    await check(page, 'share created', failures);
    const link = (await page.locator('#share-link').textContent()).trim().replace(/^https?:\/\/[^/]+/, server.url);
    const code = (await page.locator('#share-code').textContent()).trim();
    const doctor = await newPage(chrome.browser, EN);
    const d = doctor.page;
    await d.goto(link);
    await check(d, 'doctor: the code form', failures);
    await d.locator('input[name="codice"]').first().fill(code === '000000' ? '111111' : '000000');
    await d.locator('main form button[type="submit"]').first().click();
    await d.waitForLoadState('load');
    await check(d, 'doctor: a wrong code', failures);
    await d.locator('input[name="codice"]').first().fill(code);
    await Promise.all([d.waitForLoadState('load'), d.locator('main form button[type="submit"]').first().click()]);
    await d.waitForTimeout(500);
    await check(d, 'doctor: the document', failures);
    await doctor.context.close();
    await page.goto(server.url + '/condivisioni');
    await check(page, '/condivisioni with a share and its accesses', failures);
  } else {
    failures.push('no "share with a doctor" link on Documenti Interscambiati');
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(problems.filter((m) => !/status of 4\d\d/.test(m)), []);
  await context.close();
});

test('phone 360×640, in English: every page before and after login, no Italian, axe clean, no sideways scroll', async (t) => {
  const failures = [];
  const { context, page, problems } = await newPage(chrome.browser, { ...PHONE, ...EN });
  await crawl(page, ['/accedi', '/nuovo-pin', '/accedi/spid', '/manuale'], failures, t);
  await page.goto(server.url + '/accedi');
  await page.locator('input[name="codice_fiscale"]').fill(MARIO.cf);
  await page.locator('input[name="pin"]').fill(MARIO.pin);
  await Promise.all([page.waitForURL((u) => u.pathname === '/documenti-interscambiati'), page.locator('form:has(input[name="pin"]) button[type="submit"]').click()]);
  const seen = await crawl(page, ['/dashboard', '/documenti', '/documenti-interscambiati?periodo=tutti', '/carrello', '/ordini', '/assistenza', '/accessi', '/condivisioni'], failures, t);
  for (const path of seen) {
    if (skip(path)) continue;
    await page.goto(server.url + path);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    if (over > 0) failures.push(`${path}: scrolls sideways by ${over} px`);
  }
  // The menu open.
  await page.goto(server.url + '/dashboard');
  await page.locator('.nav-toggle').click();
  await check(page, 'phone menu open', failures);
  assert.deepEqual(failures, []);
  assert.deepEqual(problems.filter((m) => !/status of 4\d\d/.test(m)), []);
  await context.close();
});

test('kiosk 1080×1920, in English: the pages and the "are you still there?" dialog through its countdown', async (t) => {
  const failures = [];
  const { context, page, problems } = await newPage(chrome.browser, { ...KIOSK, ...EN });
  await page.goto(kiosk.url + '/accedi');
  await check(page, 'kiosk /accedi', failures);
  await page.locator('input[name="codice_fiscale"]').fill(MARIO.cf);
  await page.locator('input[name="pin"]').fill(MARIO.pin);
  await Promise.all([page.waitForURL((u) => u.pathname === '/documenti-interscambiati'), page.locator('form:has(input[name="pin"]) button[type="submit"]').click()]);
  await check(page, 'kiosk /documenti-interscambiati', failures);
  for (const path of ['/documenti-interscambiati?periodo=tutti', '/ordini', '/dashboard']) {
    await page.goto(kiosk.url + path);
    await check(page, `kiosk ${path}`, failures);
  }
  const dialog = page.locator('#kiosk-idle');
  await dialog.waitFor({ state: 'visible', timeout: 15000 });
  const left = () => page.locator('[data-kiosk-left]').textContent();
  const first = await left();
  await check(page, 'kiosk dialog', failures);
  await page.waitForTimeout(2200);
  assert.notEqual(await left(), first, 'the countdown moves');
  await check(page, 'kiosk dialog, counting down', failures, { axe: false });
  t.diagnostic(`countdown ${first} → ${await left()}`);
  assert.deepEqual(failures, []);
  assert.deepEqual(problems.filter((m) => !/status of 4\d\d/.test(m)), []);
  await context.close();
});
