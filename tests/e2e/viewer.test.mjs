// The offline viewer (assets/viewer/ -> VIEWER/ in the ZIP) in Chromium, on real packages made by the binary
// (viewer-fixture.mjs: the demo's CT and MR, and a study of format variants), opened from file:// as a person
// opens the extracted ZIP: the series list before the folder is chosen, the folder picker, scrolling, the CT
// presets and free window/level checked pixel by pixel against dcmdump's values, the value under the cursor,
// zoom and pan, the scale bar and the length measurement against Pixel Spacing, the DICOM header, every
// series of every variant, the keyboard alone, the phone size (axe, no horizontal scroll, swipe, pinch),
// the same package served over http under the portal's CSP, and the drag-and-drop of a folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch } from './harness.mjs';
import { makePackages, dump } from './viewer-fixture.mjs';
import {
  own, axe, openFile, frames, ready, choose, text, waitCounter, canvasBox, hover, pixels, wl, oneToOne, fileOf, checkBlock,
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

test('before the folder: patient, study, the series list with counts and sizes, Italian instructions; axe clean', async () => {
  const { context, page, problems, remote } = await openFile(chrome.browser, pk.ct);
  const header = await text(page, 'header');
  for (const t of ['ROSSI MARIO', 'RSSMRA80A01A182N', 'Codice fiscale', 'TC TORACE SENZA MDC', 'ASL Demo']) assert.ok(header.includes(t), t);
  const buttons = page.getByRole('navigation', { name: 'Serie' }).getByRole('button');
  assert.equal(await buttons.count(), 1);
  assert.match(await buttons.first().textContent(), /TC · Serie 1.*TORACE 1\.25 STANDARD.*12 immagini · 512×512/);
  const pick = page.getByRole('region', { name: 'Scegli la cartella estratta dello studio' });
  await pick.waitFor();
  assert.match(await pick.textContent(), /contiene DICOM, DICOMDIR e VIEWER/);
  assert.match(await pick.textContent(), /non vengono inviati a nessuno/);
  await page.getByRole('button', { name: 'Scegli la cartella dello studio…' }).waitFor();
  assert.equal(await page.locator('#stage').isVisible(), false);
  assert.equal(await page.locator('#error').isVisible(), false);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(SHOTS, 'viewer-pick.png') });

  // A folder without the study's files: said so, the picker stays.
  await page.locator('#folder').setInputFiles(join(pk.ct.dir, 'VIEWER'));
  await page.getByText(/Nella cartella scelta non ci sono le immagini di questo esame/).waitFor();
  assert.equal(await page.locator('#stage').isVisible(), false);
  await choose(page, pk.ct);
  assert.equal(await pick.isVisible(), false);
  await waitCounter(page, 'Immagine 1 di 12');
  assert.equal(await page.locator('#scale-out').textContent(), 'Barra di scala: 100 mm');
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(SHOTS, 'viewer-desktop.png') });
  assert.deepEqual(own(problems), []);
  assert.deepEqual(remote, [], 'no network');
  await context.close();
});

test('scrolling: wheel, arrows, PageUp/PageDown, Home/End, slider, buttons; the file shown follows', async () => {
  const { context, page, problems } = await openFile(chrome.browser, pk.ct);
  await choose(page, pk.ct);
  const b = await canvasBox(page);
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  await page.mouse.wheel(0, 100);
  await waitCounter(page, 'Immagine 2 di 12');
  await ready(page, 'DICOM/S0001/I0002');
  for (let i = 0; i < 3; i++) await page.mouse.wheel(0, 100);
  await ready(page, 'DICOM/S0001/I0005');
  await page.mouse.wheel(0, -100);
  await ready(page, 'DICOM/S0001/I0004');
  await page.locator('#stage').focus();
  await page.keyboard.press('ArrowDown');
  await ready(page, 'DICOM/S0001/I0005');
  await page.keyboard.press('ArrowUp');
  await ready(page, 'DICOM/S0001/I0004');
  await page.keyboard.press('PageDown'); // +10, clamped
  await ready(page, 'DICOM/S0001/I0012');
  await page.keyboard.press('PageUp');
  await ready(page, 'DICOM/S0001/I0002');
  await page.keyboard.press('End');
  await ready(page, 'DICOM/S0001/I0012');
  assert.equal(await page.locator('#next').getAttribute('aria-disabled'), 'true');
  await page.keyboard.press('Home');
  await ready(page, 'DICOM/S0001/I0001');
  const slider = page.getByRole('slider', { name: 'Posizione nella serie' });
  await slider.fill('7');
  await ready(page, 'DICOM/S0001/I0007');
  assert.equal(await slider.getAttribute('aria-valuetext'), 'Immagine 7 di 12');
  await page.getByRole('button', { name: 'Successiva' }).click();
  await ready(page, 'DICOM/S0001/I0008');
  await page.getByRole('button', { name: 'Precedente' }).click();
  await ready(page, 'DICOM/S0001/I0007');
  assert.match(await text(page, '#overlay'), /Istanza 7/);
  await page.waitForFunction(() => document.getElementById('live').textContent === 'Immagine 7 di 12');
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('CT presets and free window/level: the canvas shows dcmdump\'s values through each window; the HU under the cursor', async () => {
  const { context, page, problems } = await openFile(chrome.browser, pk.ct);
  await choose(page, pk.ct);
  await page.getByRole('slider', { name: 'Posizione nella serie' }).fill('6');
  await ready(page, 'DICOM/S0001/I0006');
  const d = dump(fileOf(pk.ct, 'DICOM/S0001/I0006'));
  const { origin, at, p } = await oneToOne(page);
  // The value under the cursor is dcmdump's stored value x slope + intercept, in HU.
  assert.equal(p.value, d.real(p.x, p.y));
  assert.match(p.text, / HU$/);
  for (const [dx, dy] of [[-120, -40], [90, 30], [0, 100], [-40, 60]]) {
    const q = await hover(page, at[0] + dx, at[1] + dy);
    assert.deepEqual([q.x, q.y], [p.x + dx, p.y + dy]);
    assert.equal(q.value, d.real(q.x, q.y), `HU at (${q.x}, ${q.y})`);
  }
  // Two blocks: lung (the darkest 12x12 block near the middle row) and soft tissue at the centre.
  let lung = null;
  for (let x = 40; x < 460; x += 6) {
    let s = 0;
    for (let y = 0; y < 12; y++) for (let k = 0; k < 12; k++) s += d.real(x + k, 250 + y);
    if (!lung || s < lung.s) lung = { s, x };
  }
  assert.ok(lung.s / 144 < -500, `a lung block (mean ${lung.s / 144} HU)`);
  const blocks = [[lung.x, 250], [250, 256]];
  const presets = [['Polmone', 1500, -600], ['Mediastino', 350, 50], ['Osso', 2000, 500], ['Encefalo', 80, 40], ['Dal file', 400, 40]];
  const means = {};
  for (const [name, w, c] of presets) {
    await page.getByRole('button', { name, exact: true }).click();
    await frames(page);
    assert.equal(await page.getByRole('button', { name, exact: true }).getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await wl(page), [w, c], name);
    means[name] = [];
    for (const blk of blocks) means[name].push(await checkBlock(page, d, origin, blk, 12, [w, c]));
    assert.match(await text(page, '#info'), new RegExp(`^W ${w} L ${c} · 100%$`));
  }
  assert.ok(means.Polmone[0] > 40 && means.Mediastino[0] < 5, `lung block: ${JSON.stringify(means)}`);
  assert.ok(means.Mediastino[1] > means.Osso[1], 'soft tissue brighter with the mediastinum window than with bone');
  // "Intera gamma": the file's whole value range.
  await page.getByRole('button', { name: 'Intera gamma' }).click();
  await frames(page);
  const [fw, fc] = await wl(page);
  assert.ok(fw > 1000, `full range width ${fw}`);
  await checkBlock(page, d, origin, blocks[1], 12, [fw, fc]);

  // Free window/level: right-button drag, 64 px right (wider) and 32 px down (higher level);
  // the sensitivity is 1/256 of the width per pixel (400 -> 1.5625 HU per pixel).
  await page.getByRole('button', { name: 'Dal file' }).click();
  const b = await canvasBox(page);
  await page.mouse.move(b.x + at[0], b.y + at[1]);
  await page.mouse.down({ button: 'right' });
  await page.mouse.move(b.x + at[0] + 64, b.y + at[1] + 32, { steps: 4 });
  await page.mouse.up({ button: 'right' });
  await frames(page);
  assert.deepEqual(await wl(page), [500, 90]);
  assert.equal(await page.getByRole('button', { name: 'Dal file' }).getAttribute('aria-pressed'), 'false');
  await checkBlock(page, d, origin, blocks[1], 12, [500, 90]);
  // The same with the "Finestra" tool and the left button (the way on a touch screen).
  await page.getByRole('button', { name: 'Finestra', exact: true }).click();
  await page.mouse.move(b.x + at[0], b.y + at[1]);
  await page.mouse.down();
  await page.mouse.move(b.x + at[0] - 128, b.y + at[1] - 64, { steps: 4 }); // 500 / 256 per pixel
  await page.mouse.up();
  await frames(page);
  assert.deepEqual(await wl(page), [250, -35]);
  await checkBlock(page, d, origin, blocks[0], 12, [250, -35]);
  // Typed values (W, L fields).
  await page.getByLabel('Larghezza (W)').fill('1000');
  await page.getByLabel('Centro (L)').fill('-200');
  await page.getByLabel('Centro (L)').press('Enter');
  await frames(page);
  await checkBlock(page, d, origin, blocks[0], 12, [1000, -200]);
  // The window stays while scrolling; "Ripristina" brings back the file's.
  await page.locator('#stage').focus();
  await page.keyboard.press('ArrowDown');
  await ready(page, 'DICOM/S0001/I0007');
  assert.deepEqual(await wl(page), [1000, -200]);
  await page.getByRole('button', { name: 'Ripristina' }).click();
  assert.deepEqual(await wl(page), [400, 40]);
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('zoom (Ctrl+wheel about the cursor, buttons, keys) and pan (drag, Maiusc+arrows)', async () => {
  const { context, page, problems } = await openFile(chrome.browser, pk.ct);
  await choose(page, pk.ct);
  const b = await canvasBox(page);
  const fit = `${Math.round(100 * Math.min(Math.floor(b.width) / 512, Math.floor(b.height) / 512))}%`;
  assert.equal(await text(page, '#zoom'), fit);
  const { at, p } = await oneToOne(page);
  // Ctrl+wheel zooms in about the cursor: the pixel under it stays.
  const q0 = await hover(page, at[0] - 50, at[1] - 20);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -100);
  await page.keyboard.up('Control');
  await frames(page);
  assert.equal(await text(page, '#zoom'), '122%');
  const q1 = await hover(page, at[0] - 50, at[1] - 20);
  assert.ok(Math.abs(q1.x - q0.x) <= 1 && Math.abs(q1.y - q0.y) <= 1, `${JSON.stringify([q0, q1])}`);
  await page.getByRole('button', { name: 'Ingrandisci' }).click();
  assert.equal(await text(page, '#zoom'), '153%');
  await page.getByRole('button', { name: 'Riduci' }).click();
  await page.getByRole('button', { name: 'Riduci' }).click();
  assert.equal(await text(page, '#zoom'), '98%');
  await page.getByRole('button', { name: 'Adatta' }).click();
  assert.equal(await text(page, '#zoom'), fit);
  await page.locator('#stage').focus();
  await page.keyboard.press('+');
  assert.notEqual(await text(page, '#zoom'), fit);
  await page.keyboard.press('0');
  assert.equal(await text(page, '#zoom'), fit);

  // Pan: dragging with the "Sposta" tool (the default with a mouse) moves the image with the pointer.
  await oneToOne(page);
  assert.equal(await page.getByRole('button', { name: 'Sposta' }).getAttribute('aria-pressed'), 'true');
  await page.mouse.move(b.x + at[0], b.y + at[1]);
  await page.mouse.down();
  await page.mouse.move(b.x + at[0] + 40, b.y + at[1] + 25, { steps: 5 });
  await page.mouse.up();
  const r = await hover(page, at[0], at[1]);
  assert.deepEqual([r.x, r.y], [p.x - 40, p.y - 25]);
  await page.locator('#stage').focus();
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  const s = await hover(page, at[0], at[1]);
  assert.deepEqual([s.x, s.y], [p.x - 80, p.y - 65]);
  await page.getByRole('button', { name: 'Ripristina' }).click();
  assert.equal(await text(page, '#zoom'), fit);
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('scale bar and length measurement in mm from Pixel Spacing (dcmdump), two clicks or a drag', async () => {
  const { context, page, problems } = await openFile(chrome.browser, pk.ct);
  await choose(page, pk.ct);
  const d = dump(fileOf(pk.ct, 'DICOM/S0001/I0001'));
  const [rowSp, colSp] = d.value('0028,0030').split('\\').map(Number);
  const { at } = await oneToOne(page);
  // The scale bar: a round length, drawn that long (white pixels on the marks layer).
  const so = page.locator('#scale-out');
  const mm = Number(await so.getAttribute('data-mm')), px = Number(await so.getAttribute('data-px'));
  assert.equal(await so.textContent(), `Barra di scala: ${mm} mm`);
  assert.ok(Math.abs(px - mm / colSp) < 1e-6, `${mm} mm = ${px} px at 1:1`);
  const b = await canvasBox(page);
  const W = Math.floor(b.width), H = Math.floor(b.height);
  const row = await pixels(page, 'marks', 0, H - 12, W, 1);
  const white = [];
  for (let x = 0; x < W; x++) if (row[4 * x] > 200 && row[4 * x + 3] > 200) white.push(x);
  assert.ok(Math.abs(white.length - px) <= 3, `bar ${white.length} px drawn, ${px} expected`);

  const it = (v) => v.toLocaleString('it-IT', { maximumFractionDigits: 1, useGrouping: false });
  await page.getByRole('button', { name: 'Misura' }).click();
  assert.equal(await page.getByRole('button', { name: 'Misura' }).getAttribute('aria-pressed'), 'true');
  const click = (dx, dy) => page.mouse.click(b.x + at[0] + dx + 0.5, b.y + at[1] + dy + 0.5);
  await click(-50, 0);
  assert.equal(await text(page, '#measure-out'), 'Misura: tocca o fai clic sul secondo punto');
  await click(50, 0);
  assert.equal(await text(page, '#measure-out'), `Distanza: ${it(100 * colSp)} mm`);
  await click(-30, -40);
  await click(30, 40); // 60 x 80 pixels
  assert.equal(await text(page, '#measure-out'), `Distanza: ${it(Math.hypot(60 * colSp, 80 * rowSp))} mm`);
  // A drag measures too; zoom does not change a length.
  await page.getByRole('button', { name: 'Ingrandisci' }).click();
  await page.mouse.move(b.x + at[0], b.y + at[1]);
  await page.mouse.down();
  await page.mouse.move(b.x + at[0], b.y + at[1] + 125, { steps: 5 }); // 100 image pixels at 125 %
  await page.mouse.up();
  assert.equal(await text(page, '#measure-out'), `Distanza: ${it(100 * rowSp)} mm`);
  await page.keyboard.press('Escape');
  assert.equal(await text(page, '#measure-out'), '');
  assert.deepEqual(own(problems), []);
  await context.close();
});

test('the DICOM header of the current image: tag, name, VR, value as dcmdump reads them; search; no pixel data', async () => {
  const { context, page, problems } = await openFile(chrome.browser, pk.ct);
  await choose(page, pk.ct);
  await page.keyboard.press('End');
  await ready(page, 'DICOM/S0001/I0012');
  const d = dump(fileOf(pk.ct, 'DICOM/S0001/I0012'));
  await page.getByRole('button', { name: 'Intestazione DICOM' }).click();
  const dlg = page.getByRole('dialog', { name: 'Intestazione DICOM' });
  await dlg.waitFor();
  const row = async (tag) => dlg.getByRole('row').filter({ has: page.getByRole('rowheader', { name: tag, exact: true }) })
    .locator('td').allTextContents();
  assert.deepEqual(await row('(0008,0060)'), ['Modality', 'CS', d.value('0008,0060')]);
  assert.deepEqual(await row('(0028,0030)'), ['Pixel Spacing', 'DS', d.value('0028,0030')]);
  assert.deepEqual(await row('(0020,0013)'), ['Instance Number', 'IS', '12']);
  assert.deepEqual(await row('(0010,0010)'), ["Patient's Name", 'PN', d.value('0010,0010')]);
  assert.match((await row('(7FE0,0010)'))[2], /non mostrati/);
  assert.match(await dlg.textContent(), /DICOM\/S0001\/I0012 · Explicit VR Little Endian/);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(SHOTS, 'viewer-header.png') });
  await dlg.getByLabel('Cerca').fill('spacing');
  const tags = await dlg.getByRole('rowheader').allTextContents();
  assert.deepEqual(tags, ['(0018,0088)', '(0028,0030)']);
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tags-open');
  assert.deepEqual(own(problems), []);
  await context.close();
});
