// "Condividi con il medico" as the two people see it: the patient, from a document's row,
// makes a link and reads the code once; the doctor, in another browser, opens the link,
// types the code, has the study prepared (the page is reloaded until it is) and finds the
// download. Every page axe-clean, on desktop and at 360×640 without sideways scrolling. A doctor whose browser
// speaks English gets the pages in English and, after the code, views the study online: the package's viewer
// served by the portal under its CSP, in English, showing the first image.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, launch, newPage, login } from './harness.mjs';
import { axe, ready, waitCounter } from './viewer-page.mjs';

const PHONE = { viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true };
let server, chrome;
before(async () => { server = await startServer({ CDS_DEMO_CT_SLICES: '12' }); chrome = await launch(); });
after(async () => { await chrome?.close(); await server?.stop(); });

async function clean(page, where) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  assert.deepEqual(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], where);
  const over = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(over <= 0, `${where}: scrolls sideways by ${over} px`);
}

for (const [name, view] of [['desktop', {}], ['phone', PHONE]]) {
  test(`${name}: the patient shares a study, the doctor opens it with the code and downloads it`, async () => {
    const { page, problems } = await newPage(chrome.browser, view);
    await login(page, server.url);
    await page.waitForURL((u) => u.pathname === '/documenti-interscambiati');
    await page.goto(server.url + '/documenti-interscambiati?da=01/01/2000');
    await page.getByRole('link', { name: /^Condividi con il medico\W*TC torace senza mdc$/ }).click();
    await page.getByRole('heading', { name: 'Condividi con il medico' }).waitFor();
    await clean(page, `${name}: the form`);
    await page.getByLabel('Valido per (giorni)').fill('3');
    await page.getByLabel('Per chi è (facoltativo)').fill('Dott. Verdi');
    await page.getByRole('button', { name: 'Crea il link' }).click();
    await page.getByRole('heading', { name: 'Link per il medico creato' }).waitFor();
    await clean(page, `${name}: link and code`);
    const link = (await page.locator('#share-link').textContent()).trim();
    const code = (await page.locator('#share-code').textContent()).trim();
    assert.match(code, /^\d{6}$/);

    const doctor = await newPage(chrome.browser, view);
    const d = doctor.page;
    await d.goto(link.replace(/^https?:\/\/[^/]+/, server.url));
    await d.getByLabel('Codice di accesso').waitFor();
    await clean(d, `${name}: the doctor's code form`);
    await d.getByLabel('Codice di accesso').fill(code === '000000' ? '111111' : '000000');
    await d.getByRole('button', { name: 'Apri' }).click();
    await d.getByText(/Codice errato: restano 4 tentativi/).waitFor();
    await clean(d, `${name}: a wrong code`);
    await d.getByLabel('Codice di accesso').fill(code);
    await d.getByRole('button', { name: 'Apri' }).click();
    await d.getByText('Documento condiviso da').waitFor();
    await clean(d, `${name}: the document`);
    const prepare = d.getByRole('button', { name: 'Prepara il documento' });
    if (await prepare.count()) await prepare.click();
    const download = d.getByRole('link', { name: /^Scarica \(ZIP/ });
    for (let i = 0; i < 60 && !(await download.count()); i++) {
      await d.waitForTimeout(1000);
      await d.reload();
    }
    await download.waitFor();
    await clean(d, `${name}: ready`);

    // The patient sees the doctor's accesses.
    await page.goto(server.url + '/condivisioni');
    await page.getByText('Aperto con il codice').first().waitFor();
    await clean(page, `${name}: the list`);
    assert.deepEqual(problems, []);
    // The wrong code's answer is a 422, which the console reports: nothing else.
    assert.deepEqual(doctor.problems.filter((p) => !p.includes('status of 422')), []);
    await doctor.context.close();
  });
}

test('in English: the doctor opens the link with the code, has the study prepared and views it online', async () => {
  const { page, problems } = await newPage(chrome.browser);
  await login(page, server.url);
  await page.waitForURL((u) => u.pathname === '/documenti-interscambiati');
  await page.goto(server.url + '/documenti-interscambiati?da=01/01/2000');
  await page.getByRole('link', { name: /^Condividi con il medico\W*TC torace senza mdc$/ }).click();
  await page.getByRole('button', { name: 'Crea il link' }).click();
  const link = (await page.locator('#share-link').textContent()).trim();
  const code = (await page.locator('#share-code').textContent()).trim();

  // The doctor's browser asks for English (Accept-Language: en-GB): no switch needed.
  const doctor = await newPage(chrome.browser, { locale: 'en-GB' });
  const d = doctor.page;
  await d.goto(link.replace(/^https?:\/\/[^/]+/, server.url));
  await d.getByRole('heading', { name: 'Document shared with you' }).waitFor();
  assert.equal(await d.evaluate(() => document.documentElement.lang), 'en');
  await d.getByLabel('Access code').fill(code);
  await d.getByRole('button', { name: 'Open' }).click();
  await d.getByText('Document shared by').waitFor();
  const prepare = d.getByRole('button', { name: 'Prepare the document' });
  const prepared = (await prepare.count()) > 0;
  if (prepared) await prepare.click();
  const online = d.getByRole('link', { name: 'View online' });
  for (let i = 0; i < 60 && !(await online.count()); i++) {
    await d.waitForTimeout(1000);
    await d.reload();
  }
  await d.getByRole('link', { name: /^Download \(ZIP, [\d.]+ [kM]B\)$/ }).waitFor();
  await clean(d, 'english: ready');

  // The viewer online: the portal's CSP, the DICOM files fetched from the link, the first image drawn.
  const fetched = [];
  d.on('response', (r) => { if (/\/viewer\/DICOM\//.test(r.url())) fetched.push([new URL(r.url()).pathname, r.status()]); });
  await online.click();
  await d.waitForURL((u) => u.pathname.endsWith('/viewer/VIEWER/index.html'));
  await ready(d, 'DICOM/S0001/I0001');
  assert.equal(await d.evaluate(() => document.documentElement.lang), 'en');
  await waitCounter(d, 'Image 1 of 12');
  assert.equal(await d.locator('#pick').isVisible(), false, 'no folder to choose online');
  assert.ok(fetched.some(([p, st]) => p.endsWith('/viewer/DICOM/S0001/I0001') && st === 200), JSON.stringify(fetched));
  const lit = await d.evaluate(() => {
    const c = document.getElementById('image'), px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] > 40) n++;
    return n;
  });
  assert.ok(lit > 1000, `the image is drawn (${lit} bright pixels)`);
  await d.getByRole('button', { name: 'DICOM header' }).click();
  await d.getByRole('dialog').getByText('TORACE 1.25 STANDARD').waitFor();
  await d.keyboard.press('Escape');
  assert.deepEqual(await axe(d), []);

  // The patient sees the viewing (and the preparation, when this doctor asked for it).
  await page.goto(server.url + '/condivisioni');
  await page.getByText('Visualizzazione online').first().waitFor();
  if (prepared) await page.getByText('Preparazione richiesta').first().waitFor();
  assert.deepEqual(problems, []);
  assert.deepEqual(doctor.problems, [], 'no console error, no CSP violation');
  await doctor.context.close();
});
