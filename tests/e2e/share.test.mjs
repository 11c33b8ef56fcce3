// "Condividi con il medico" as the two people see it: the patient, from a document's row,
// makes a link and reads the code once; the doctor, in another browser, opens the link,
// types the code, has the study prepared (the page is reloaded until it is) and finds the
// download. Every page axe-clean, on desktop and at 360×640 without sideways scrolling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, launch, newPage, login } from './harness.mjs';

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
