// Starts the real cds-portal binary (demo mode, temp data folder, 127.0.0.1:0) and a
// headless Debian Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.CDS_BIN || join(root, 'target', 'debug', 'cds-portal');
export const MARIO = { cf: 'RSSMRA80A01A182N', pin: '12345678', mobile: '+393331234567' };

export async function startServer(env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cds-e2e-'));
  const child = spawn(BIN, ['demo', '--listen', '127.0.0.1:0', '--data', join(dir, 'data')], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const rl = createInterface({ input: child.stdout });
  const addr = await new Promise((resolve, reject) => {
    rl.once('line', (l) => resolve(l.trim()));
    child.once('exit', (code) => reject(new Error(`cds-portal exited with ${code}`)));
  });
  rl.on('line', () => {});
  return {
    url: `http://${addr}`,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  // playwright-core gives every launch a fresh temporary profile.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--lang=it-IT',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

// A page that records console errors (CSP violations show up there).
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ locale: 'it-IT', ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  return { context, page, problems };
}

export async function login(page, url, cf = MARIO.cf, pin = MARIO.pin) {
  await page.goto(`${url}/accedi`);
  await page.getByLabel('Codice Fiscale').fill(cf);
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Accedi' }).click();
}
