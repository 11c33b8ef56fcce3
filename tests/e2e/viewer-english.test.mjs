// The offline viewer follows its package's language (study.js: "lang", the language of the person whose
// request made the package): an English package in Chromium from file://, every text, attribute and message in
// English, numbers with a decimal point, and none of the catalogue's Italian (text.js) left anywhere; without
// study.js, the browser's language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './harness.mjs';
import { makePackages, dump } from './viewer-fixture.mjs';
import { DESKTOP, own, axe, openFile, frames, choose, text, waitCounter, wl, fileOf, canvasBox, hover } from './viewer-page.mjs';

let chrome, pk;
before(async () => {
  [chrome, pk] = await Promise.all([launch(), makePackages()]);
});
after(async () => {
  await chrome?.close();
  pk?.cleanup();
});

// No Italian text of the catalogue (text.js) that its English does not share: in the visible text, the
// document's title and the accessible names, descriptions and values.
async function noItalian(page, where) {
  const found = await page.evaluate(() => {
    const attrs = ['aria-label', 'aria-roledescription', 'aria-valuetext', 'title', 'placeholder'];
    const seen = [document.title, document.body.innerText];
    document.querySelectorAll(attrs.map((a) => `[${a}]`).join(',')).forEach((e) => {
      attrs.forEach((a) => { if (e.hasAttribute(a)) seen.push(e.getAttribute(a)); });
    });
    const all = seen.join('\n'), out = [];
    for (const [key, [it, en]] of Object.entries(window.CDSText.messages)) {
      for (const part of it.replace(/[*`]/g, '').split(/\{\d\}|\|/).map((p) => p.trim())) {
        if (part.length >= 6 && !en.includes(part) && all.includes(part)) out.push(`${key}: ${part}`);
      }
    }
    return out;
  });
  assert.deepEqual(found, [], `${where}: Italian left`);
}

test('an English package: the whole viewer in English, numbers with a decimal point; without study.js, the browser\'s language', async () => {
  const dir = join(pk.root, 'EN');
  cpSync(pk.ct.dir, dir, { recursive: true });
  const study = join(dir, 'VIEWER', 'study.js'), it = readFileSync(study, 'utf8');
  assert.match(it, /"lang":"it"/, 'the package command makes an Italian package');
  writeFileSync(study, it.replace('"lang":"it"', '"lang":"en"')); // as a recovery asked in English makes it
  const en = { dir };
  const { context, page, problems } = await openFile(chrome.browser, en);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.title(), 'TC TORACE SENZA MDC - Image viewer');
  const header = await text(page, 'header');
  for (const t of ['Patient', 'Tax code', 'Date of birth', 'Sex', 'Male', 'Examination', 'Images for reference, not for diagnosis.']) {
    assert.ok(header.includes(t), t);
  }
  const buttons = page.getByRole('navigation', { name: 'Series' }).getByRole('button');
  assert.match(await buttons.first().textContent(), /CT · Series 1.*12 images · 512×512/);
  const pick = page.getByRole('region', { name: 'Choose the extracted folder of the study' });
  assert.match(await pick.textContent(), /Press Choose the study folder\.[\s\S]*contains DICOM, DICOMDIR and VIEWER/);
  await page.getByRole('button', { name: 'Choose the study folder…' }).waitFor();
  await noItalian(page, 'before the folder');
  assert.deepEqual(await axe(page), []);

  await page.locator('#folder').setInputFiles(join(dir, 'VIEWER'));
  await page.getByText(/^The chosen folder does not hold the images of this examination \(\d+ files read\)/).waitFor();
  await choose(page, en);
  await waitCounter(page, 'Image 1 of 12');
  assert.equal(await text(page, '#scale-out'), 'Scale bar: 100 mm');
  assert.equal(await page.locator('#image').getAttribute('aria-label'), 'CT · Series 1, image 1 of 12, window W 400 L 40');
  await page.getByRole('button', { name: 'Lung' }).click();
  assert.deepEqual(await wl(page), [1500, -600]);
  await page.getByRole('button', { name: '1:1 (actual pixels)' }).click();
  await frames(page);
  const b = await canvasBox(page), at = [Math.floor(b.width / 2), Math.floor(b.height / 2)];
  assert.match((await hover(page, at[0], at[1])).text, /^-?\d+ HU$/);
  const [rowSp, colSp] = dump(fileOf(pk.ct, 'DICOM/S0001/I0001')).value('0028,0030').split('\\').map(Number);
  await page.getByRole('button', { name: 'Measure' }).click();
  const click = (dx, dy) => page.mouse.click(b.x + at[0] + dx + 0.5, b.y + at[1] + dy + 0.5);
  await click(-30, -40);
  assert.equal(await text(page, '#measure-out'), 'Measure: tap or click the second point');
  await click(30, 40);
  const mm = Math.hypot(60 * colSp, 80 * rowSp).toLocaleString('en-GB', { maximumFractionDigits: 1, useGrouping: false });
  assert.equal(await text(page, '#measure-out'), `Distance: ${mm} mm`);
  await page.getByRole('button', { name: 'DICOM header' }).click();
  const dialog = page.getByRole('dialog', { name: 'DICOM header' });
  await dialog.getByRole('columnheader', { name: 'Value' }).waitFor();
  assert.match(await dialog.textContent(), /\(524288 bytes of pixel data, not shown\)/);
  await noItalian(page, 'the image and its header');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await noItalian(page, 'the image');
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(own(problems), []);
  await context.close();

  // Without study.js the package's language is unknown: the browser's (here British English).
  const bare = join(pk.root, 'bare-en');
  cpSync(join(pk.ct.dir, 'VIEWER'), join(bare, 'VIEWER'), { recursive: true });
  rmSync(join(bare, 'VIEWER', 'study.js'));
  const p = await openFile(chrome.browser, { dir: bare }, { ...DESKTOP, locale: 'en-GB' });
  const err = p.page.getByRole('alert');
  await err.waitFor();
  assert.match(await err.textContent(), /First extract everything in the ZIP file to a folder/);
  assert.equal(await p.page.evaluate(() => document.documentElement.lang), 'en');
  await p.context.close();
});

