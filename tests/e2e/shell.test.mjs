// The page shell and the PIN login in a real browser: accessibility (axe, WCAG 2.1 AA),
// CSP (no violations, htmx loads), keyboard, phone layout, login, new PIN, logout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, launch, newPage, login, MARIO } from './harness.mjs';

let server, chrome;
before(async () => { server = await startServer(); chrome = await launch(); });
after(async () => { await chrome?.close(); await server?.stop(); });

async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('anonymous pages pass axe and load htmx without CSP violations', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  for (const path of ['/accedi', '/nuovo-pin', '/privacy', '/accessibilita', '/accedi/spid', '/non-esiste']) {
    await page.goto(server.url + path);
    assert.deepEqual(await axe(page), [], path);
    assert.equal(await page.evaluate(() => typeof window.htmx), 'object', `${path}: htmx runs under the CSP`);
    assert.equal(await page.getAttribute('html', 'lang'), 'it');
  }
  assert.deepEqual(problems.filter((p) => !p.includes('404')), []);
  await context.close();
});

test('login page help: Istruzioni per l\'accesso and Come richiedere il PIN? lead to the manual\'s sections; SPID links open AgID in a new tab', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  await page.goto(server.url + '/accedi');
  for (const [name, hash, heading] of [
    ["Istruzioni per l'accesso", '#accesso', '1. Accedere al portale'],
    ['Come richiedere il PIN?', '#nuovo-pin', '2. Richiedere un nuovo PIN'],
  ]) {
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/manuale' && u.hash === hash, { waitUntil: 'load' }),
      page.getByRole('link', { name, exact: true }).click(),
    ]);
    const h = page.getByRole('heading', { level: 2, name: heading });
    await h.waitFor();
    // The browser scrolled to the section: its heading is in the viewport.
    assert.ok(await h.evaluate((e) => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }), `${hash} in view`);
    await page.goBack({ waitUntil: 'load' });
  }
  for (const [name, href] of [
    [/^Maggiori informazioni/, 'https://www.spid.gov.it/'],
    [/^Non hai SPID\?/, 'https://www.spid.gov.it/richiedi-spid'],
  ]) {
    const link = page.getByRole('link', { name });
    assert.equal(await link.getAttribute('href'), href);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener');
    assert.match(await link.textContent(), /nuova scheda/, 'says it opens a new tab');
    // A click opens a new tab on AgID's page (no network here: only its address is checked)
    // and leaves the login page where it is.
    const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await popup.waitForURL((u) => u.href.startsWith(href) || u.protocol === 'chrome-error:', { timeout: 10_000 }).catch(() => {});
    const opened = popup.url();
    assert.ok(opened.startsWith(href) || opened.startsWith('chrome-error:'), `new tab at ${opened}`);
    await popup.close();
    assert.equal(new URL(page.url()).pathname, '/accedi');
  }
  assert.deepEqual(await axe(page), [], '/accedi with the help links');
  assert.deepEqual(problems, []);
  await context.close();
});

test('login with codice fiscale and PIN lands on Documenti Interscambiati; every section passes axe', async () => {
  const { context, page, problems } = await newPage(chrome.browser);
  await login(page, server.url, MARIO.cf.toLowerCase());
  assert.equal(new URL(page.url()).pathname, '/documenti-interscambiati');
  await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Documenti Interscambiati' }).waitFor());
  for (const name of ['Dashboard', 'Documenti', 'Ordini', 'Carrello', 'Assistenza', 'Manuale Utente']) {
    await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    assert.deepEqual(await axe(page), [], name);
  }
  await page.getByRole('button', { name: 'Logout' }).click();
  await page.getByText('Sei uscito dal portale').waitFor();
  await page.goto(server.url + '/dashboard');
  assert.equal(new URL(page.url()).pathname, '/accedi');
  assert.deepEqual(problems, []);
  await context.close();
});

test('wrong PIN and malformed codice fiscale show Italian messages tied to the fields', async () => {
  const { context, page } = await newPage(chrome.browser);
  await login(page, server.url, MARIO.cf, '00000000');
  await page.getByRole('alert').filter({ hasText: 'Codice fiscale o PIN non corretti' }).waitFor();
  await login(page, server.url, 'RSSMRA80A01A182X', '12345678');
  const cf = page.getByLabel('Codice Fiscale');
  assert.equal(await cf.getAttribute('aria-invalid'), 'true');
  const described = await cf.getAttribute('aria-describedby');
  const errorText = await page.locator(`#${described.split(' ').pop()}`).textContent();
  assert.match(errorText, /carattere di controllo/);
  assert.deepEqual(await axe(page), []);
  await context.close();
});

test('new PIN by SMS (sandbox outbox), then login with it', async () => {
  const { context, page } = await newPage(chrome.browser);
  await page.goto(server.url + '/accedi');
  await page.getByRole('link', { name: 'Ho bisogno di un nuovo PIN' }).click();
  await page.getByLabel('Codice Fiscale').fill('BNCLRA85M52A182Y');
  await page.getByLabel('Cellulare').fill('347 765 4321');
  await page.getByRole('button', { name: 'Invia Richiesta' }).click();
  await page.getByText('Richiesta ricevuta').waitFor();
  let pin;
  for (let i = 0; i < 50 && !pin; i++) {
    await page.goto(server.url + '/sandbox/sms');
    pin = (await page.locator('body').textContent()).match(/PIN per il portale dei documenti è (\d{8})/)?.[1];
    if (!pin) await page.waitForTimeout(100);
  }
  assert.ok(pin, 'the SMS reached the outbox');
  await login(page, server.url, 'BNCLRA85M52A182Y', pin);
  assert.equal(new URL(page.url()).pathname, '/documenti-interscambiati');
  await context.close();
});

test('keyboard: the skip link comes first and leads to the content', async () => {
  const { context, page } = await newPage(chrome.browser);
  await page.goto(server.url + '/accedi');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Vai al contenuto principale');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  await context.close();
});

test('phone and kiosk layouts: no sideways scrolling, touch targets of at least 44 px', async () => {
  for (const viewport of [{ width: 360, height: 740 }, { width: 1080, height: 1920 }]) {
    const { context, page } = await newPage(chrome.browser, { viewport, hasTouch: true, isMobile: viewport.width < 400 });
    await page.goto(server.url + '/accedi');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `scrolls sideways by ${overflow}px at ${viewport.width}`);
    for (const name of ['Accedi', 'Entra con SPID', 'Entra con CIE']) {
      const box = await page.getByRole('button', { name, exact: true }).boundingBox();
      assert.ok(box.height >= 44, `${name}: ${box.height}px high`);
    }
    await page.screenshot({ path: `${process.env.SCREENSHOTS || '/tmp'}/cds-login-${viewport.width}.png`, fullPage: true });
    await context.close();
  }
});
