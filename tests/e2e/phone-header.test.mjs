// The header on a phone (360×640): a compact bar, the menu behind "Menu" (a <details>
// disclosure) that names the current section and the cart's count; every patient page's h1
// within the first 200 CSS px, Documenti Interscambiati's first control on the first screen,
// no sideways scrolling; the menu used by touch, by keyboard (Enter, Tab, Escape) and
// without JavaScript; axe clean with it open and closed. Desktop and the kiosk's portrait
// 1080×1920 keep the whole menu as a row of links.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, launch, newPage, login as harnessLogin } from './harness.mjs';

const PHONE = { viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const PAGES = [
  ['/dashboard', 'Dashboard'],
  ['/documenti', 'Documenti'],
  ['/documenti-interscambiati', 'Documenti Interscambiati'],
  ['/ordini', 'Ordini'],
  ['/carrello', 'Carrello'],
  ['/assistenza', 'Assistenza'],
  ['/manuale', 'Manuale Utente'],
];
const SHOTS = process.env.SCREENSHOTS || '/tmp';

let server, chrome;
before(async () => { server = await startServer({ CDS_DEMO_CT_SLICES: '12' }); chrome = await launch(); });
after(async () => { await chrome?.close(); await server?.stop(); });

async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function login(page) {
  await harnessLogin(page, server.url);
  await page.waitForURL((u) => u.pathname === '/documenti-interscambiati', { waitUntil: 'load' });
}

const bar = (page) => page.locator('nav.main-nav summary.nav-toggle');
const menuLinks = (page) => page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link');

async function shape(page) {
  // <details> fires its toggle event in a task of its own, after the key or tap: wait until
  // app.js has brought aria-expanded in line (it never does if app.js is broken).
  await page.waitForFunction(() => {
    const nav = document.querySelector('details[data-nav]');
    const bar = document.querySelector('summary.nav-toggle');
    return !nav || nav.open === (bar.getAttribute('aria-expanded') === 'true');
  }, null, { timeout: 2000 }).catch(() => {});
  return page.evaluate(() => ({
    h1: document.querySelector('h1').getBoundingClientRect().top + scrollY,
    overflow: document.documentElement.scrollWidth - innerWidth,
    open: document.querySelector('details[data-nav]').open,
    expanded: document.querySelector('summary.nav-toggle').getAttribute('aria-expanded'),
    current: document.querySelector('.nav-current')?.textContent.replace(', sezione attuale: ', '').trim(),
  }));
}

test('360×640: every patient page has its h1 within 200 px, the section named in the closed bar, no sideways scroll, axe clean', async (t) => {
  const { context, page, problems } = await newPage(chrome.browser, PHONE);
  await login(page);
  // An order's page too.
  await page.goto(server.url + '/ordini');
  const order = await page.locator('tbody tr[id^="ordine-"] a').first().getAttribute('href');
  for (const [path, section] of [...PAGES, [order, 'Ordini']]) {
    await page.goto(server.url + path);
    const s = await shape(page);
    t.diagnostic(`${path}: h1 at ${Math.round(s.h1)} px`);
    assert.ok(s.h1 < 200, `${path}: h1 at ${s.h1} px`);
    assert.ok(s.overflow <= 0, `${path}: scrolls sideways by ${s.overflow} px`);
    assert.equal(s.open, false, `${path}: the menu starts closed`);
    assert.equal(s.expanded, 'false');
    assert.equal(s.current, section, `${path}: the bar names the section`);
    assert.equal(await menuLinks(page).first().isVisible(), false, `${path}: links hidden behind Menu`);
    assert.deepEqual(await axe(page), [], `${path}, menu closed`);
  }
  // Documenti Interscambiati: the filter's first field is on the first screen.
  await page.goto(server.url + '/documenti-interscambiati');
  const field = await page.getByLabel('Dal').boundingBox();
  assert.ok(field.y + field.height <= 640, `"Dal" ends at ${field.y + field.height} px`);
  await page.screenshot({ path: `${SHOTS}/cds-header-phone-closed.png` });
  assert.deepEqual(problems, []);
  await context.close();
});

test('360×640 by touch: tap Menu, the links appear (aria-expanded), tap Ordini; axe clean with the menu open', async () => {
  const { context, page, problems } = await newPage(chrome.browser, PHONE);
  await login(page);
  await page.goto(server.url + '/dashboard');
  await bar(page).tap();
  await menuLinks(page).first().waitFor({ state: 'visible' });
  let s = await shape(page);
  assert.equal(s.open, true);
  assert.equal(s.expanded, 'true');
  for (const [, label] of PAGES) {
    assert.ok(await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: label, exact: label !== 'Carrello' }).isVisible(), label);
  }
  await page.getByRole('button', { name: 'Logout' }).waitFor({ state: 'visible' });
  const small = await page.evaluate(() => [...document.querySelectorAll('nav.main-nav a, nav.main-nav button, nav.main-nav summary')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => ({ name: e.textContent.trim().replace(/\s+/g, ' '), h: e.getBoundingClientRect().height }))
    .filter((e) => e.h < 44));
  assert.deepEqual(small, [], 'touch targets of at least 44 px');
  assert.ok((await shape(page)).overflow <= 0);
  assert.deepEqual(await axe(page), [], 'menu open');
  await page.screenshot({ path: `${SHOTS}/cds-header-phone-open.png` });
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/ordini', { waitUntil: 'load' }),
    page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Ordini', exact: true }).tap(),
  ]);
  s = await shape(page);
  assert.equal(s.current, 'Ordini');
  assert.equal(s.open, false, 'closed again on the new page');
  // Tap again: it closes.
  await bar(page).tap();
  await bar(page).tap();
  assert.equal((await shape(page)).open, false);
  assert.deepEqual(problems, []);
  await context.close();
});

test('360×640 by keyboard: Tab past the language switch to Menu, Enter opens, Tab reaches the links, Escape closes and returns to Menu', async () => {
  const { context, page, problems } = await newPage(chrome.browser, PHONE);
  await login(page);
  await page.goto(server.url + '/documenti');
  await page.keyboard.press('Tab'); // the skip link
  await page.keyboard.press('Tab'); // the language switch: "English"
  assert.equal(await page.evaluate(() => document.activeElement.matches('.lang-switch a[hreflang="en"]')), true, 'the language switch follows the skip link');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.matches('summary.nav-toggle')), true, 'Menu comes right after the skip link and the language switch');
  await page.keyboard.press('Enter');
  let s = await shape(page);
  assert.deepEqual([s.open, s.expanded], [true, 'true']);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Dashboard');
  await page.keyboard.press('Escape');
  s = await shape(page);
  assert.deepEqual([s.open, s.expanded], [false, 'false']);
  assert.equal(await page.evaluate(() => document.activeElement.matches('summary.nav-toggle')), true, 'focus back on Menu');
  // Space opens it too; the third link is Documenti Interscambiati, Enter follows it.
  await page.keyboard.press(' ');
  assert.equal((await shape(page)).open, true);
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Documenti Interscambiati');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/documenti-interscambiati', { waitUntil: 'load' }),
    page.keyboard.press('Enter'),
  ]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('360×640: the cart\'s count in the closed bar follows "Aggiungi Carrello" (out-of-band swap)', async () => {
  const { context, page, problems } = await newPage(chrome.browser, PHONE);
  await login(page);
  await page.goto(server.url + '/documenti');
  const badge = page.locator('#cart-count-bar');
  assert.equal(await badge.isHidden(), true, 'empty cart: no count');
  await page.locator('.cart-slot form').first().getByRole('button').tap();
  await page.locator('#cart-count-bar:not([hidden])').waitFor();
  assert.equal((await badge.locator('[aria-hidden="true"]').textContent()).trim(), '1');
  const name = await bar(page).evaluate((e) => e.textContent.replace(/\s+/g, ' ').trim());
  assert.match(name, /Menu.*Documenti.*1 documento nel carrello/, name);
  assert.deepEqual(await axe(page), []);
  // Removed from the Carrello page: back to hidden.
  await page.goto(server.url + '/carrello');
  await page.getByRole('button', { name: /^Rimuovi/ }).first().tap();
  await page.locator('#cart-count-bar[hidden]').waitFor({ state: 'attached' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('360×640 without JavaScript: the Menu bar still opens the menu and its links work', async () => {
  const { context, page } = await newPage(chrome.browser, { ...PHONE, javaScriptEnabled: false });
  await login(page);
  await page.goto(server.url + '/dashboard');
  assert.equal(await menuLinks(page).first().isVisible(), false);
  await bar(page).tap();
  await menuLinks(page).first().waitFor({ state: 'visible' });
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/assistenza', { waitUntil: 'load' }),
    page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Assistenza', exact: true }).tap(),
  ]);
  await context.close();
});

test('desktop 1280×800 and kiosk 1080×1920 keep the whole menu as a row of links, no Menu bar', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 1080, height: 1920 }]) {
    const { context, page, problems } = await newPage(chrome.browser, { viewport, hasTouch: viewport.width === 1080 });
    await login(page);
    await page.goto(server.url + '/ordini');
    assert.equal(await bar(page).isVisible(), false, `${viewport.width}: no Menu bar`);
    const tops = new Set();
    for (const [, label] of PAGES) {
      const link = page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: label, exact: label !== 'Carrello' });
      assert.ok(await link.isVisible(), `${viewport.width}: ${label} visible`);
      tops.add(Math.round((await link.boundingBox()).y));
    }
    assert.equal(tops.size, 1, `${viewport.width}: one row of links (${[...tops]})`);
    assert.ok(await page.getByRole('button', { name: 'Logout' }).isVisible());
    assert.equal(await page.locator('.brand-long').isVisible(), true, 'the whole name');
    assert.equal(await page.locator('.brand-tagline').isVisible(), true);
    assert.ok((await shape(page)).overflow <= 0);
    assert.deepEqual(await axe(page), [], `${viewport.width}`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});
