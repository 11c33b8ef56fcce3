// The offline DICOM-ZIP viewer (assets/viewer/ -> VIEWER/ in the ZIP), opened from file:// in Chromium:
// header data, series list, keyboard / wheel / drag / touch / slider navigation, the "no preview" image,
// the aria-live counter, axe (WCAG 2.1 AA) on desktop and phone, phone layout, missing study.js, CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, extname, normalize } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { launch, newPage } from './harness.mjs';
import { makeFixture, VIEWER_SRC } from './viewer-fixture.mjs';

const SHOTS = process.env.VIEWER_SHOTS || '/tmp';
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

let chrome, fx, bare;
before(async () => {
  chrome = await launch();
  fx = makeFixture();
  bare = makeFixture({ study: false });
});
after(async () => {
  await chrome?.close();
  fx?.cleanup();
  bare?.cleanup();
});

// axe fetches stylesheets with XHR, which Chromium refuses on file://: that noise is not the viewer's.
const own = (problems) => problems.filter((p) => !/XMLHttpRequest|net::ERR_FAILED|favicon/.test(p));

async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// Opens the viewer; records every request that is not a local file (there must be none).
async function open(options = DESKTOP, url = fx.indexUrl) {
  const p = await newPage(chrome.browser, options);
  p.remote = [];
  p.page.on('request', (r) => { if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) p.remote.push(r.url()); });
  await p.page.goto(url);
  return p;
}

const counter = (page) => page.locator('#counter');
const imgSrc = (page) => page.locator('#image').getAttribute('src');
async function waitCounter(page, text) {
  await page.waitForFunction((t) => document.getElementById('counter').textContent === t, text, { timeout: 3000 })
    .catch(async () => assert.fail(`counter is "${await counter(page).textContent()}", expected "${text}"`));
}
async function currentSeries(page) {
  return page.locator('#series-list button[aria-current="true"]').textContent();
}

test('shows patient, study, disclaimer and the series list; no network, no console errors, axe clean', async () => {
  const { context, page, problems, remote } = await open();
  const header = page.locator('header');
  for (const t of ['ROSSI MARIO', 'RSSMRA80A01A182N', '01/01/1980', 'Maschile', 'TC TORACE SENZA MDC', '26/11/2026', 'A000123', 'ASL Demo']) {
    assert.ok((await header.textContent()).includes(t), `header shows ${t}`);
  }
  assert.match(await header.textContent(), /Codice fiscale/);
  await page.getByText('Immagini per la consultazione, non per la diagnosi. Le immagini originali sono nella cartella DICOM.').waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'it');
  assert.match(await page.title(), /TC TORACE SENZA MDC/);
  assert.equal(await page.locator('#error').isVisible(), false);

  const buttons = page.getByRole('navigation', { name: 'Serie' }).getByRole('button');
  assert.equal(await buttons.count(), 2);
  const first = await buttons.nth(0).textContent();
  for (const t of ['TC', 'Serie 1', 'Assiale 1 mm', '40 immagini']) assert.ok(first.includes(t), `series 1 button has ${t}`);
  const second = await buttons.nth(1).textContent();
  for (const t of ['Serie 2', 'Coronale MPR', '3 immagini']) assert.ok(second.includes(t), `series 2 button has ${t}`);
  assert.equal(await buttons.nth(0).getAttribute('aria-current'), 'true');
  assert.equal(await buttons.nth(1).getAttribute('aria-current'), null);
  // Thumbnails: the middle image (series 2's middle image has no preview -> nearest one).
  assert.equal(await buttons.nth(0).locator('img').getAttribute('src'), 'IMG/S0001/I0020.png');
  assert.match(await buttons.nth(1).locator('img').getAttribute('src'), /IMG\/S0002\/I000[13]\.png/);

  await waitCounter(page, 'Immagine 1 di 40');
  assert.equal(await imgSrc(page), 'IMG/S0001/I0001.png');
  await page.waitForFunction(() => document.getElementById('image').complete && document.getElementById('image').naturalWidth === 128);
  assert.equal(await page.getByRole('slider', { name: 'Posizione nella serie' }).getAttribute('aria-valuetext'), 'Immagine 1 di 40');
  assert.equal(await page.locator('#stage').evaluate((e) => getComputedStyle(e).touchAction), 'none');
  assert.equal(await page.locator('#image').evaluate((e) => getComputedStyle(e).objectFit), 'contain');

  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(SHOTS, 'viewer-desktop.png') });
  assert.deepEqual(own(problems), []);
  assert.deepEqual(remote, []);
  await context.close();
});

test('keyboard: ArrowDown/Up, PageDown/PageUp (±10), End/Home; the live region announces the counter', async () => {
  const { context, page, problems } = await open();
  await waitCounter(page, 'Immagine 1 di 40');
  await page.locator('#stage').focus();
  await page.keyboard.press('ArrowDown');
  await waitCounter(page, 'Immagine 2 di 40');
  assert.equal(await imgSrc(page), 'IMG/S0001/I0002.png');
  await page.waitForFunction(() => document.getElementById('live').textContent === 'Immagine 2 di 40');
  await page.keyboard.press('PageDown');
  await waitCounter(page, 'Immagine 12 di 40');
  assert.equal(await imgSrc(page), 'IMG/S0001/I0012.png');
  await page.keyboard.press('PageUp');
  await waitCounter(page, 'Immagine 2 di 40');
  await page.keyboard.press('ArrowUp');
  await waitCounter(page, 'Immagine 1 di 40');
  await page.keyboard.press('ArrowUp'); // clamps at the first image
  await waitCounter(page, 'Immagine 1 di 40');
  assert.equal(await page.locator('#prev').getAttribute('aria-disabled'), 'true');
  await page.keyboard.press('End');
  await waitCounter(page, 'Immagine 40 di 40');
  assert.equal(await imgSrc(page), 'IMG/S0001/I0040.png');
  assert.equal(await page.locator('#next').getAttribute('aria-disabled'), 'true');
  await page.keyboard.press('Home');
  await waitCounter(page, 'Immagine 1 di 40');
  // Keys work with focus anywhere on the page (e.g. a series button).
  await page.locator('#series-list button').first().focus();
  await page.keyboard.press('ArrowDown');
  await waitCounter(page, 'Immagine 2 di 40');
  // Previous / Next buttons.
  await page.getByRole('button', { name: 'Successiva' }).click();
  await waitCounter(page, 'Immagine 3 di 40');
  await page.getByRole('button', { name: 'Precedente' }).click();
  await waitCounter(page, 'Immagine 2 di 40');
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('mouse wheel over the image scrolls; the live region is not spammed', async () => {
  const { context, page, problems } = await open();
  await waitCounter(page, 'Immagine 1 di 40');
  await page.evaluate(() => {
    window.liveChanges = 0;
    new MutationObserver(() => window.liveChanges++).observe(document.getElementById('live'), { childList: true, characterData: true, subtree: true });
  });
  const box = await page.locator('#stage').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, 100);
  await waitCounter(page, 'Immagine 2 di 40');
  assert.equal(await imgSrc(page), 'IMG/S0001/I0002.png');
  for (let i = 0; i < 8; i++) await page.mouse.wheel(0, 100);
  await waitCounter(page, 'Immagine 10 di 40');
  await page.mouse.wheel(0, -100);
  await waitCounter(page, 'Immagine 9 di 40');
  // Trackpad-like small deltas accumulate.
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 10);
  await waitCounter(page, 'Immagine 11 di 40');
  await page.waitForFunction(() => document.getElementById('live').textContent === 'Immagine 11 di 40');
  assert.ok(await page.evaluate(() => window.liveChanges) <= 2, 'one announcement after the wheel stops, not one per tick');
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'the page itself did not scroll');
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('dragging vertically on the image (mouse pointer) scrolls about one image per 10 px', async () => {
  const { context, page, problems } = await open();
  await waitCounter(page, 'Immagine 1 di 40');
  const box = await page.locator('#stage').boundingBox();
  const x = box.x + box.width / 2, y = box.y + box.height * 0.8;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, y - 50, { steps: 5 }); // up = forward
  await waitCounter(page, 'Immagine 6 di 40');
  await page.mouse.move(x, y - 20, { steps: 3 }); // back down a bit
  await waitCounter(page, 'Immagine 3 di 40');
  await page.mouse.up();
  assert.equal(await imgSrc(page), 'IMG/S0001/I0003.png');
  // Synthetic touch pointer events (pointerType touch).
  const stage = page.locator('#stage');
  const ev = (type, cy) => stage.dispatchEvent(type, { pointerId: 7, pointerType: 'touch', isPrimary: true, clientX: x, clientY: cy, bubbles: true, cancelable: true });
  await ev('pointerdown', y);
  for (let d = 10; d <= 100; d += 10) await ev('pointermove', y - d);
  await ev('pointerup', y - 100);
  await waitCounter(page, 'Immagine 13 di 40');
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('ArrowRight/ArrowLeft switch series (positions remembered); the image without preview shows the message', async () => {
  const { context, page, problems } = await open();
  await waitCounter(page, 'Immagine 1 di 40');
  await page.keyboard.press('PageDown');
  await waitCounter(page, 'Immagine 11 di 40');
  await page.keyboard.press('ArrowRight');
  await waitCounter(page, 'Immagine 1 di 3');
  assert.match(await currentSeries(page), /Serie 2/);
  assert.equal(await imgSrc(page), 'IMG/S0002/I0001.png');
  assert.match(await page.locator('#overlay').textContent(), /Coronale MPR/);
  await page.keyboard.press('ArrowRight'); // last series: stays
  assert.match(await currentSeries(page), /Serie 2/);

  await page.keyboard.press('ArrowDown');
  await waitCounter(page, 'Immagine 2 di 3');
  const msg = page.locator('#msg');
  await msg.waitFor({ state: 'visible' });
  assert.equal(await msg.textContent(), 'Anteprima non disponibile per questa immagine: aprire i file DICOM con un visualizzatore DICOM');
  assert.equal(await page.locator('#image').isVisible(), false);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(SHOTS, 'viewer-no-preview.png') });
  await page.keyboard.press('ArrowDown');
  await waitCounter(page, 'Immagine 3 di 3');
  await msg.waitFor({ state: 'hidden' });
  assert.equal(await imgSrc(page), 'IMG/S0002/I0003.png');
  assert.equal(await page.locator('#image').isVisible(), true);

  await page.keyboard.press('ArrowLeft');
  await waitCounter(page, 'Immagine 11 di 40');
  assert.match(await currentSeries(page), /Serie 1/);
  // Clicking a series button selects it too.
  await page.locator('#series-list button').nth(1).click();
  await waitCounter(page, 'Immagine 3 di 3');
  assert.equal(await page.locator('#series-list button').nth(1).getAttribute('aria-current'), 'true');
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('the range slider moves through the series (and keeps its own arrow keys)', async () => {
  const { context, page, problems } = await open();
  await waitCounter(page, 'Immagine 1 di 40');
  const slider = page.getByRole('slider', { name: 'Posizione nella serie' });
  assert.equal(await slider.getAttribute('max'), '40');
  await slider.fill('20');
  await waitCounter(page, 'Immagine 20 di 40');
  assert.equal(await imgSrc(page), 'IMG/S0001/I0020.png');
  assert.equal(await slider.getAttribute('aria-valuetext'), 'Immagine 20 di 40');
  await slider.focus();
  await page.keyboard.press('ArrowRight'); // native slider step, not "next series"
  await waitCounter(page, 'Immagine 21 di 40');
  assert.match(await currentSeries(page), /Serie 1/);
  await page.keyboard.press('End');
  await waitCounter(page, 'Immagine 40 di 40');
  // Click on the track.
  const box = await slider.boundingBox();
  await page.mouse.click(box.x + 2, box.y + box.height / 2);
  await waitCounter(page, 'Immagine 1 di 40');
  // Keyboard navigation elsewhere keeps the slider in sync.
  await page.locator('#stage').focus();
  await page.keyboard.press('PageDown');
  await waitCounter(page, 'Immagine 11 di 40');
  assert.equal(await slider.inputValue(), '11');
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('phone 360x740: strip of series above the image, no horizontal overflow, touch swipe scrolls, axe clean', async () => {
  const { context, page, problems } = await open(PHONE);
  await waitCounter(page, 'Immagine 1 di 40');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `horizontal page overflow of ${overflow}px`);
  const nav = await page.getByRole('navigation', { name: 'Serie' }).boundingBox();
  const stage = await page.locator('#stage').boundingBox();
  assert.ok(nav.y + nav.height <= stage.y + 1, 'series strip above the image');
  assert.ok(stage.width >= 350 && stage.height >= 300, `image area ${stage.width}x${stage.height}`);
  const [b1, b2] = await Promise.all([0, 1].map((i) => page.locator('#series-list button').nth(i).boundingBox()));
  assert.equal(Math.round(b1.y), Math.round(b2.y), 'series buttons on one horizontal row');
  assert.equal(await page.locator('#series-list').evaluate((e) => getComputedStyle(e).overflowX), 'auto');
  for (const sel of ['#prev', '#next', '#series-list button']) {
    const b = await page.locator(sel).first().boundingBox();
    assert.ok(b.height >= 44, `${sel} touch target ${b.height}px`);
  }
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(SHOTS, 'viewer-phone.png'), fullPage: true });

  // A real touch swipe (CDP touch events -> pointer events): 80 px up = 8 images forward.
  await page.locator('#stage').scrollIntoViewIfNeeded();
  const s = await page.locator('#stage').boundingBox();
  const cdp = await context.newCDPSession(page);
  const x = s.x + s.width / 2, y0 = s.y + s.height * 0.75;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: y0 }] });
  for (let d = 8; d <= 80; d += 8) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y0 - d }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await waitCounter(page, 'Immagine 9 di 40');
  // Tapping a series in the strip (after a pause: Chromium's gesture detector drops a tap that follows a swipe within a few ms).
  await page.waitForTimeout(500);
  await page.locator('#series-list button').nth(1).tap();
  await waitCounter(page, 'Immagine 1 di 3');
  await page.screenshot({ path: join(SHOTS, 'viewer-phone-series2.png') });
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('without study.js (opened from inside the ZIP) an Italian error explains to extract the folder', async () => {
  const { context, page, problems } = await open(DESKTOP, bare.indexUrl);
  const err = page.getByRole('alert');
  await err.waitFor();
  assert.match(await err.textContent(), /Estrarre prima tutto il contenuto del file ZIP/);
  assert.match(await err.textContent(), /VIEWER\/index\.html/);
  assert.equal(await page.locator('#app').isVisible(), false);
  await page.getByText('Immagini per la consultazione, non per la diagnosi.').waitFor();
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(SHOTS, 'viewer-error.png') });
  assert.deepEqual(own(problems).filter((p) => !p.includes('ERR_FILE_NOT_FOUND')), []);
  await context.close();
});

test('static checks: < 30 KB, classic scripts in order, no inline script/style, works under a strict CSP', async () => {
  const files = readdirSync(VIEWER_SRC).sort();
  assert.deepEqual(files, ['index.html', 'viewer.css', 'viewer.js']);
  const total = files.reduce((n, f) => n + statSync(join(VIEWER_SRC, f)).size, 0);
  assert.ok(total < 30 * 1024, `viewer is ${total} bytes`);
  const html = readFileSync(join(VIEWER_SRC, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.deepEqual(scripts.map((m) => m[1].trim()), ['src="study.js"', 'src="viewer.js"']);
  assert.ok(scripts.every((m) => m[2] === ''), 'no inline script');
  assert.doesNotMatch(html, /\sstyle=|<style|\son[a-z]+=|https?:\/\//i);
  const js = readFileSync(join(VIEWER_SRC, 'viewer.js'), 'utf8');
  assert.doesNotMatch(js, /\beval\(|new Function|\bfetch\(|XMLHttpRequest|\?\.|\?\?|import\(|\.style\.|setAttribute\('style'/);
  const css = readFileSync(join(VIEWER_SRC, 'viewer.css'), 'utf8');
  assert.doesNotMatch(css, /@import|url\(/);

  // Served over http with a strict CSP: the viewer must work without any violation.
  const root = join(fx.dir, 'VIEWER');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };
  const server = createServer((req, res) => {
    if (req.url === '/favicon.ico') return res.writeHead(204).end();
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = readFileSync(join(root, path));
      res.writeHead(200, {
        'content-type': types[extname(path)] || 'application/octet-stream',
        'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { context, page, problems } = await newPage(chrome.browser, DESKTOP);
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    await waitCounter(page, 'Immagine 1 di 40');
    await page.locator('#stage').focus();
    await page.keyboard.press('End');
    await waitCounter(page, 'Immagine 40 di 40');
    await page.keyboard.press('ArrowRight');
    await waitCounter(page, 'Immagine 1 di 3');
    await page.waitForFunction(() => document.getElementById('image').naturalWidth === 128);
    assert.deepEqual(problems, [], 'no CSP violations');
    await context.close();
  } finally {
    server.close();
  }
});
