// Page helpers of the offline viewer's browser tests (viewer.test.mjs, viewer-http.test.mjs).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { newPage } from './harness.mjs';
import { windowed } from './viewer-fixture.mjs';

export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const PHONE = { viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

// axe fetches stylesheets with XHR, which Chromium refuses on file://: that noise is not the viewer's.
export const own = (problems) => problems.filter((p) => !/XMLHttpRequest|net::ERR_FAILED|favicon/.test(p));
export async function axe(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// Opens VIEWER/index.html of an extracted package from file://; records any request that is not local.
export async function openFile(browser, pkg, options = DESKTOP) {
  const p = await newPage(browser, options);
  p.remote = [];
  p.page.on('request', (r) => { if (!/^(file|data|blob):/.test(r.url())) p.remote.push(r.url()); });
  await p.page.goto(pathToFileURL(join(pkg.dir, 'VIEWER', 'index.html')).href);
  return p;
}
export const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
export async function ready(page, file, state = 'ready') {
  await page.waitForFunction(([f, s]) => {
    const st = document.getElementById('stage');
    return st.dataset.state === s && st.dataset.file === f;
  }, [file, state], { timeout: 20_000 }).catch(async () => {
    const ds = await page.locator('#stage').evaluate((s) => ({ ...s.dataset }));
    assert.fail(`stage is ${JSON.stringify(ds)}, expected ${state} ${file}; message: ${await page.locator('#msg').textContent()}`);
  });
  await frames(page);
}
export async function choose(page, pkg) {
  await page.locator('#folder').setInputFiles(pkg.dir); // the folder, as webkitdirectory gives it
  await ready(page, 'DICOM/S0001/I0001');
}
export const text = (page, sel) => page.locator(sel).textContent();
export const counter = (page) => text(page, '#counter');
export async function waitCounter(page, t) {
  await page.waitForFunction((t) => document.getElementById('counter').textContent === t, t, { timeout: 5000 })
    .catch(async () => assert.fail(`counter is "${await counter(page)}", expected "${t}"`));
}
export const num = (s) => Number(s.trim().replace(',', '.').replace('−', '-')); // "-12,5" (probe) or "-12.5" (fields)

// Mouse over the canvas at (lx, ly) CSS px from its top-left corner (the middle of that pixel).
export async function canvasBox(page) { return page.locator('#image').boundingBox(); }
export async function hover(page, lx, ly) {
  const b = await canvasBox(page);
  await page.mouse.move(b.x + lx + 0.5, b.y + ly + 0.5);
  return probe(page);
}
export async function probe(page) {
  const t = await text(page, '#probe');
  const m = /^Pixel (\d+), (\d+): (.+)$/.exec(t);
  assert.ok(m, `probe text "${t}"`);
  return { x: Number(m[1]), y: Number(m[2]), text: m[3], value: num(m[3].replace(/ HU$/, '')) };
}
// RGBA of the canvas' backing pixels (desktop: 1 CSS px = 1 pixel).
export async function pixels(page, id, x, y, w = 1, h = 1) {
  return page.evaluate(([id, x, y, w, h]) => Array.from(document.getElementById(id).getContext('2d').getImageData(x, y, w, h).data), [id, x, y, w, h]);
}
export const wl = async (page) => [num(await page.locator('#wl-w').inputValue()), num(await page.locator('#wl-c').inputValue())];
export const fileOf = (pkg, path) => join(pkg.dir, ...path.split('/'));

// Compares a block of the canvas (at 1:1, origin = canvas px of image pixel 0,0) with dcmdump's values
// through the window: every pixel within 1 grey level. Returns the block's mean grey.
export async function checkBlock(page, d, origin, [ix, iy], n, [w, c], invert = false) {
  const got = await pixels(page, 'image', origin[0] + ix, origin[1] + iy, n, n);
  let sum = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let want = windowed(d.real(ix + x, iy + y), c, w);
      if (invert) want = 255 - want;
      const g = got[4 * (y * n + x)];
      assert.ok(Math.abs(g - want) <= 1, `pixel (${ix + x}, ${iy + y}) grey ${g}, expected ${want} (W ${w} L ${c})`);
      sum += g;
    }
  }
  return sum / (n * n);
}

// At 1:1, the canvas position of image pixel (0, 0), from the pixel under a hovered point.
export async function oneToOne(page) {
  await page.getByRole('button', { name: '1:1 (pixel reali)' }).click();
  assert.equal(await text(page, '#zoom'), '100%');
  await frames(page);
  const b = await canvasBox(page);
  const lx = Math.floor(b.width / 2), ly = Math.floor(b.height / 2);
  const p = await hover(page, lx, ly);
  return { origin: [lx - p.x, ly - p.y], at: [lx, ly], p };
}

