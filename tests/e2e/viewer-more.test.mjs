// The offline viewer in Chromium, continued (viewer.test.mjs has the controls on the CT): every series of the
// demo MR and of a study of format variants checked against dcmdump, the keyboard alone, the phone size, the
// package served over http under the portal's CSP (and the picker when the files are not there), the
// drag-and-drop of a folder, the error without study.js, and static checks of the viewer's files (an English
// package: viewer-english.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, readdirSync, statSync, rmSync, cpSync } from 'node:fs';
import { join, extname, normalize } from 'node:path';
import { launch, newPage } from './harness.mjs';
import { makePackages, dump, VIEWER_SRC } from './viewer-fixture.mjs';
import {
  DESKTOP, PHONE, own, axe, openFile, frames, ready, choose, text, waitCounter, pixels, wl, oneToOne, fileOf, checkBlock,
} from './viewer-page.mjs';

const SHOTS = process.env.VIEWER_SHOTS || '/tmp';
let chrome, pk;
before(async () => {
  [chrome, pk] = await Promise.all([launch(), makePackages()]);
});
after(async () => {
  await chrome?.close();
  pk?.cleanup();
});

test('the MR: each of its three series, counts, switching with the list and with ← →, values as dcmdump', async () => {
  const { context, page, problems } = await openFile(chrome.browser, pk.mr);
  const buttons = page.locator('#series-list button');
  assert.equal(await buttons.count(), 3);
  const want = [['T1 SE ASSIALE', 24], ['T2 TSE ASSIALE', 24], ['T1 SE SAGITTALE', 20]];
  for (const [k, [desc, n]] of want.entries()) {
    assert.match(await buttons.nth(k).textContent(), new RegExp(`RM · Serie ${k + 1}${desc}${n} immagini · 256×256`));
  }
  await choose(page, pk.mr);
  for (const k of [2, 1, 0]) {
    await buttons.nth(k).click();
    await ready(page, `DICOM/S000${k + 1}/I0001`);
    assert.equal(await buttons.nth(k).getAttribute('aria-current'), 'true');
    await waitCounter(page, `Immagine 1 di ${want[k][1]}`);
    assert.match(await text(page, '#overlay'), new RegExp(want[k][0]));
    assert.equal(await page.getByRole('button', { name: 'Polmone' }).isVisible(), false, 'CT presets only for CT');
    const d = dump(fileOf(pk.mr, `DICOM/S000${k + 1}/I0001`));
    const { p } = await oneToOne(page);
    assert.equal(p.value, d.real(p.x, p.y));
    assert.doesNotMatch(p.text, /HU/);
  }
  await page.locator('#stage').focus();
  await page.keyboard.press('PageDown');
  await ready(page, 'DICOM/S0001/I0011');
  await page.keyboard.press('ArrowRight');
  await ready(page, 'DICOM/S0002/I0001');
  await page.keyboard.press('ArrowLeft');
  await ready(page, 'DICOM/S0001/I0011'); // the position in a series is remembered
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('the variants: implicit VR, deflate, MONOCHROME1, 8-bit, RGB by pixel and by plane, and a JPEG (message)', async () => {
  const { context, page, problems } = await openFile(chrome.browser, pk.variants);
  const buttons = page.locator('#series-list button');
  assert.equal(await buttons.count(), 7);
  assert.match(await buttons.nth(6).textContent(), /1 compressa: serve un visualizzatore DICOM/);
  await choose(page, pk.variants);
  for (const k of [0, 1, 2, 3, 4, 5]) {
    const path = `DICOM/S000${k + 1}/I0001`;
    await buttons.nth(k).click();
    await ready(page, path);
    const d = dump(fileOf(pk.variants, path));
    const { origin, p } = await oneToOne(page);
    const label = await buttons.nth(k).textContent();
    if (k >= 4) {
      const rgb = d.pixel(p.x, p.y);
      assert.equal(p.text, `R ${rgb[0]} G ${rgb[1]} B ${rgb[2]}`, label);
      const got = await pixels(page, 'image', origin[0] + p.x, origin[1] + p.y);
      assert.deepEqual(got.slice(0, 3), rgb, `${label}: colours drawn as stored`);
    } else {
      assert.equal(p.value, d.real(p.x, p.y), label);
      const [w, c] = await wl(page);
      await checkBlock(page, d, origin, [Math.max(0, p.x - 4), Math.max(0, p.y - 4)], 8, [w, c], k === 2);
    }
  }
  await buttons.nth(6).click();
  await ready(page, 'DICOM/S0007/I0001', 'error');
  assert.match(await text(page, '#msg'), /^Immagine compressa \(JPEG Lossless SV1\): .*visualizzatore DICOM.*DICOMDIR/);
  await page.getByRole('button', { name: 'Intestazione DICOM' }).click();
  await page.getByRole('dialog').getByText('1.2.840.10008.1.2.4.70').waitFor();
  await page.keyboard.press('Escape');
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('keyboard only: Tab to the folder button, Enter, the tools, the window fields, the image, the header dialog', async () => {
  const { context, page, problems } = await openFile(chrome.browser, pk.ct);
  const tabTo = async (sel, max = 60) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), sel)) return;
    }
    assert.fail(`Tab never reached ${sel}`);
  };
  const outline = () => page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  await tabTo('#choose');
  assert.equal(await outline(), 'solid', 'visible focus');
  // Playwright turns file-chooser interception on when asked for the event; a round trip
  // to the page first makes sure it is on before the key (under load the key won the race
  // and the chooser opened uncaught).
  const chooserEvent = page.waitForEvent('filechooser');
  await page.evaluate(() => 0);
  await page.keyboard.press('Enter');
  const chooser = await chooserEvent;
  await chooser.setFiles(pk.ct.dir);
  await ready(page, 'DICOM/S0001/I0001');
  // The toolbar by keyboard: a preset, then the fields.
  await tabTo('[data-preset="bone"]');
  assert.equal(await outline(), 'solid');
  await page.keyboard.press('Enter');
  assert.deepEqual(await wl(page), [2000, 500]);
  await tabTo('#wl-w');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('600');
  await page.keyboard.press('Tab');
  assert.deepEqual(await wl(page), [600, 500]);
  // The skip link leads to the image; keys scroll, zoom, pan.
  await tabTo('.skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'stage');
  await page.keyboard.press('ArrowDown');
  await ready(page, 'DICOM/S0001/I0002');
  await page.keyboard.press('End');
  await ready(page, 'DICOM/S0001/I0012');
  const fit = await text(page, '#zoom');
  await page.keyboard.press('+');
  assert.notEqual(await text(page, '#zoom'), fit);
  await page.keyboard.press('0');
  assert.equal(await text(page, '#zoom'), fit);
  await tabTo('#tags-open');
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.closest('dialog') !== null), true, 'focus in the dialog');
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tags-open');
  await tabTo('#reset');
  await page.keyboard.press('Enter');
  assert.deepEqual(await wl(page), [400, 40]);
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('phone 360x640: no horizontal scroll, axe clean before and after the folder; swipe scrolls, pinch zooms', async () => {
  const { context, page, problems } = await openFile(chrome.browser, pk.ct, PHONE);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(await overflow() <= 0, 'no horizontal scroll');
  assert.deepEqual(await axe(page), []);
  await choose(page, pk.ct);
  assert.ok(await overflow() <= 0, 'no horizontal scroll with the tools');
  assert.deepEqual(await axe(page), []);
  // With touch the default tool is "Sfoglia": a swipe up of 60 px moves 6 images on.
  assert.equal(await page.getByRole('button', { name: 'Sfoglia' }).getAttribute('aria-pressed'), 'true');
  await page.locator('#stage').scrollIntoViewIfNeeded();
  const s = await page.locator('#stage').boundingBox();
  const cdp = await context.newCDPSession(page);
  const touch = (type, points) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points });
  const x = s.x + s.width / 2, y = s.y + s.height * 0.7;
  await touch('touchStart', [{ x, y }]);
  for (let k = 6; k <= 60; k += 6) await touch('touchMove', [{ x, y: y - k }]);
  await touch('touchEnd', []);
  await ready(page, 'DICOM/S0001/I0007');
  // Two fingers apart: zoom in.
  const before = parseInt(await text(page, '#zoom'), 10);
  const cy = s.y + s.height / 2;
  await touch('touchStart', [{ x: x - 30, y: cy, id: 1 }, { x: x + 30, y: cy, id: 2 }]);
  for (let k = 1; k <= 6; k++) await touch('touchMove', [{ x: x - 30 - 10 * k, y: cy, id: 1 }, { x: x + 30 + 10 * k, y: cy, id: 2 }]);
  await touch('touchEnd', []);
  await frames(page);
  const after = parseInt(await text(page, '#zoom'), 10);
  assert.ok(after > before * 1.8, `pinch zoom ${before}% -> ${after}%`);
  assert.ok(await overflow() <= 0);
  await page.screenshot({ path: join(SHOTS, 'viewer-phone.png'), fullPage: true });
  assert.deepEqual(own(problems), []);
  await context.close();
});

// A tiny static server for an extracted package, with the portal's own Content-Security-Policy
// (src/http/resp.rs): the viewer served over http loads the DICOM files with fetch, no picker.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
  + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
async function serve(root) {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
  const server = createServer((req, res) => {
    if (req.url === '/favicon.ico') return res.writeHead(204).end();
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = readFileSync(join(root, path));
      res.writeHead(200, { 'content-type': types[extname(path)] || 'application/dicom', 'content-security-policy': CSP });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-security-policy': CSP }).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

test('served over http (the portal\'s CSP): the files load with fetch, no picker, no CSP violation', async () => {
  const srv = await serve(pk.ct.dir);
  try {
    const { context, page, problems } = await newPage(chrome.browser, DESKTOP);
    const fetched = [];
    page.on('request', (r) => { if (/\/DICOM\//.test(r.url())) fetched.push(new URL(r.url()).pathname); });
    await page.goto(`${srv.url}/VIEWER/index.html`);
    await ready(page, 'DICOM/S0001/I0001');
    assert.equal(await page.locator('#pick').isVisible(), false);
    assert.ok(fetched.includes('/DICOM/S0001/I0001'), JSON.stringify(fetched));
    await page.locator('#stage').focus();
    await page.keyboard.press('End');
    await ready(page, 'DICOM/S0001/I0012');
    const d = dump(fileOf(pk.ct, 'DICOM/S0001/I0012'));
    const { origin, p } = await oneToOne(page);
    assert.equal(p.value, d.real(p.x, p.y));
    await checkBlock(page, d, origin, [p.x - 5, p.y - 5], 10, await wl(page));
    await page.getByRole('button', { name: 'Intestazione DICOM' }).click();
    await page.getByRole('dialog').getByText('TORACE 1.25 STANDARD').waitFor();
    assert.deepEqual(problems, [], 'no console error, no CSP violation');
    await context.close();
  } finally {
    await srv.close();
  }
  // Served without the DICOM files next to it: the picker, with the reason.
  const bare = await serve(join(pk.ct.dir, 'VIEWER'));
  try {
    const { context, page } = await newPage(chrome.browser, DESKTOP);
    await page.goto(`${bare.url}/index.html`);
    await page.getByText(/Le immagini non sono raggiungibili da questo indirizzo \(HTTP 404/).waitFor();
    assert.equal(await page.locator('#pick').isVisible(), true);
    await context.close();
  } finally {
    await bare.close();
  }
});

test('a folder dragged onto the page: its entries are read (in batches, recursively) and matched', async () => {
  // Chromium cannot be made to drop a real folder headless (CDP's drag of a directory gives entries it
  // cannot read), so the drop carries entries built on the folder's files in the shape Chromium gives them
  // (webkitGetAsEntry, readEntries in batches until an empty one, entry.file()).
  const { context, page, problems } = await openFile(chrome.browser, pk.mr);
  await page.evaluate(() => {
    const i = document.createElement('input');
    i.type = 'file'; i.webkitdirectory = true; i.id = 'test-source'; i.hidden = true;
    document.body.appendChild(i);
  });
  await page.locator('#test-source').setInputFiles(pk.mr.dir);
  await page.evaluate(() => {
    const files = Array.from(document.getElementById('test-source').files);
    const dir = (path) => {
      const kids = new Map();
      for (const f of files) {
        const rel = '/' + f.webkitRelativePath;
        if (!rel.startsWith(path + '/')) continue;
        const name = rel.slice(path.length + 1).split('/')[0], full = `${path}/${name}`;
        if (!kids.has(name)) kids.set(name, rel === full ? { isFile: true, isDirectory: false, fullPath: full, file: (ok) => setTimeout(() => ok(f)) } : dir(full));
      }
      const all = [...kids.values()];
      return {
        isFile: false, isDirectory: true, fullPath: path,
        createReader: () => { let k = 0; return { readEntries: (ok) => setTimeout(() => { ok(all.slice(k, k + 7)); k += 7; }) }; },
      };
    };
    const top = files[0].webkitRelativePath.split('/')[0];
    const ev = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(ev, 'dataTransfer', { value: { items: [{ kind: 'file', webkitGetAsEntry: () => dir('/' + top) }] } });
    document.getElementById('pick').dispatchEvent(ev);
  });
  await ready(page, 'DICOM/S0001/I0001');
  await page.locator('#series-list button').nth(2).click();
  await ready(page, 'DICOM/S0003/I0001');
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('without study.js (opened from inside the ZIP): the Italian error explains to extract the folder', async () => {
  const bare = join(pk.root, 'bare');
  cpSync(join(pk.ct.dir, 'VIEWER'), join(bare, 'VIEWER'), { recursive: true });
  rmSync(join(bare, 'VIEWER', 'study.js'));
  const { context, page } = await openFile(chrome.browser, { dir: bare });
  const err = page.getByRole('alert');
  await err.waitFor();
  assert.match(await err.textContent(), /Estrarre prima tutto il contenuto del file ZIP/);
  assert.equal(await page.locator('#app').isVisible(), false);
  assert.deepEqual(await axe(page), []);
  await context.close();
});

test('static checks: the files the binary embeds, <= 400 lines each, classic scripts, nothing inline or remote', () => {
  const files = readdirSync(VIEWER_SRC).sort();
  assert.deepEqual(files, ['dicom.js', 'index.html', 'loader.js', 'text.js', 'view.js', 'viewer.css', 'viewer.js']);
  let total = 0;
  for (const f of files) {
    const s = readFileSync(join(VIEWER_SRC, f), 'utf8');
    total += statSync(join(VIEWER_SRC, f)).size;
    assert.ok(s.split('\n').length <= 401, `${f}: ${s.split('\n').length} lines`);
    assert.doesNotMatch(s, /https?:\/\//i, `${f}: no remote address`);
    if (!f.endsWith('.js')) continue;
    assert.doesNotMatch(s, /\beval\(|new Function|XMLHttpRequest|\?\.|\?\?|import\(|setAttribute\('style'|innerHTML/, f);
    if (f !== 'loader.js') assert.doesNotMatch(s, /\bfetch\(/, `${f}: only the loader fetches`);
  }
  assert.ok(total < 100 * 1024, `viewer is ${total} bytes`);
  const html = readFileSync(join(VIEWER_SRC, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.deepEqual(scripts.map((m) => m[1].trim()),
    ['src="study.js"', 'src="text.js"', 'src="dicom.js"', 'src="loader.js"', 'src="view.js"', 'src="viewer.js"']);
  assert.ok(scripts.every((m) => m[2] === ''), 'no inline script');
  assert.doesNotMatch(html, /\sstyle=|<style|\son[a-z]+=/i);
  assert.doesNotMatch(readFileSync(join(VIEWER_SRC, 'viewer.css'), 'utf8'), /@import|url\(/);
});
