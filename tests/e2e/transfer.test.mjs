// What a phone downloads, counted by Chromium itself (CDP Network.loadingFinished's
// encodedDataLength: bytes on the wire, headers included) with the Accept-Encoding it sends:
// the login page's first load with an empty cache (HTML, CSS, JS, fonts, images) within
// 100 KB, each later page within 30 KB once the assets are cached, every page's HTML and
// every stylesheet and script compressed; and the web app manifest as Chromium reads it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login as harnessLogin } from './harness.mjs';

const PHONE = { viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const FIRST_LOAD = 100_000;
const LATER_PAGE = 30_000;

let server, chrome;
before(async () => { server = await startServer({ CDS_DEMO_CT_SLICES: '12' }); chrome = await launch(); });
after(async () => { await chrome?.close(); await server?.stop(); });

// Every response Chromium finishes from now on: url, status, Content-Encoding, bytes.
async function recorder(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = new Map();
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    const h = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    seen.set(requestId, {
      path: new URL(response.url).pathname, status: response.status,
      encoding: h['content-encoding'] ?? 'identity', type: h['content-type'] ?? '', bytes: null,
    });
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const r = seen.get(requestId);
    if (r) r.bytes = encodedDataLength;
  });
  return {
    cdp,
    reset: () => seen.clear(),
    list: () => [...seen.values()],
    total: () => [...seen.values()].reduce((n, r) => n + (r.bytes ?? 0), 0),
  };
}

// Loaded, fonts in, and no request in flight for 500 ms.
async function settle(page) {
  await page.waitForLoadState('load');
  await page.evaluate(() => document.fonts.ready.then(() => true));
  await page.waitForLoadState('networkidle');
}

const table = (list) => list.map((r) => `${r.path} ${r.status} ${r.encoding} ${r.bytes}`).join('\n');

test('the login page\'s first load (empty cache) is within 100 KB, its text compressed, only the latin fonts', async (t) => {
  const { context, page, problems } = await newPage(chrome.browser, PHONE);
  const net = await recorder(context, page);
  await page.goto(server.url + '/accedi');
  await settle(page);
  const list = net.list();
  t.diagnostic(`/accedi first load: ${net.total()} bytes\n${table(list)}`);
  assert.ok(list.every((r) => r.bytes !== null), `every response finished:\n${table(list)}`);
  assert.ok(net.total() <= FIRST_LOAD, `${net.total()} bytes > ${FIRST_LOAD}:\n${table(list)}`);
  for (const kind of [/^text\/html/, /^text\/css/, /^text\/javascript/]) {
    const texts = list.filter((r) => kind.test(r.type));
    assert.ok(texts.length > 0, `${kind} loaded`);
    for (const r of texts) assert.match(r.encoding, /^(gzip|br)$/, `${r.path} compressed`);
  }
  const fonts = list.filter((r) => r.path.endsWith('.woff2')).map((r) => r.path);
  assert.ok(fonts.length > 0 && fonts.every((f) => /-latin-\d+-/.test(f)), `fonts: ${fonts}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('later pages, assets cached: each within 30 KB, the HTML gzipped', async (t) => {
  const { context, page, problems } = await newPage(chrome.browser, PHONE);
  await harnessLogin(page, server.url);
  await page.waitForURL((u) => u.pathname === '/documenti-interscambiati', { waitUntil: 'load' });
  await settle(page);
  await page.goto(server.url + '/ordini');
  const order = await page.locator('tbody tr[id^="ordine-"] a').first().getAttribute('href');
  const net = await recorder(context, page);
  const pages = ['/dashboard', '/documenti', '/documenti-interscambiati', '/ordini', order, '/assistenza', '/manuale'];
  for (const path of pages) {
    net.reset();
    await page.goto(server.url + path);
    await settle(page);
    const list = net.list();
    t.diagnostic(`${path}: ${net.total()} bytes\n${table(list)}`);
    assert.ok(net.total() <= LATER_PAGE, `${path}: ${net.total()} bytes > ${LATER_PAGE}:\n${table(list)}`);
    const doc = list.find((r) => r.path === path);
    assert.equal(doc?.encoding, 'gzip', `${path}: the page itself gzipped:\n${table(list)}`);
    const fetched = list.filter((r) => r.path.startsWith('/assets/') && r.bytes > 0);
    assert.deepEqual(fetched, [], `${path}: assets come from the cache:\n${table(list)}`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('Chromium reads the web app manifest: no errors, the ASL\'s name, installable, under the CSP', async () => {
  const { context, page, problems } = await newPage(chrome.browser, PHONE);
  const cdp = await context.newCDPSession(page);
  await page.goto(server.url + '/accedi');
  const m = await cdp.send('Page.getAppManifest');
  assert.equal(new URL(m.url).pathname, '/manifest.webmanifest');
  assert.deepEqual(m.errors, []);
  const data = JSON.parse(m.data);
  const title = await page.title();
  assert.ok(title.endsWith(data.name), `${title} / ${data.name}`);
  assert.equal(data.lang, 'it');
  assert.equal(data.display, 'standalone');
  assert.equal(await page.locator('meta[name="theme-color"]').getAttribute('content'), data.theme_color);
  // Chromium checks the manifest and fetches its icons for installability (a test browser's
  // profile is off the record, which alone keeps it from installing).
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito'), []);
  // Each icon decodes at its declared size.
  for (const icon of data.icons) {
    const url = new URL(icon.src, m.url).href;
    const size = await page.evaluate((src) => new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(`${img.naturalWidth}x${img.naturalHeight}`);
      img.onerror = () => reject(new Error(`${src} does not load`));
      img.src = src;
    }), url);
    if (icon.sizes !== 'any') assert.equal(size, icon.sizes, icon.src);
  }
  assert.deepEqual(problems, [], 'no CSP violation');
  await context.close();
});
