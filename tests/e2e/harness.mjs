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

// A child process that prints its address as the first line of stdout. Every wait has a
// deadline and stop() works whether or not the child is still alive, so a child that hangs or
// dies fails the test that uses it instead of hanging the whole run. The last lines of its
// stderr are kept: `tail()` returns them for failure messages. With `keep`, every line of both
// is kept too: `output()` returns `{ stdout, stderr }` (the privacy scan reads all of it).
export async function startProcess(name, cmd, args, { env, cwd, readyMs = 30000, keep = false } = {}) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const all = { stdout: [], stderr: [] };
  createInterface({ input: child.stderr }).on('line', (l) => {
    if (keep) all.stderr.push(l);
    lines.push(l);
    if (lines.length > 200) lines.shift();
  });
  const tail = () => lines.slice(-40).join('\n');
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const rl = createInterface({ input: child.stdout });
  // Attached at once: the lines after the first may come in the same chunk.
  if (keep) rl.on('line', (l) => all.stdout.push(l));
  let timer;
  try {
    const first = await Promise.race([
      new Promise((resolve) => rl.once('line', (l) => resolve(l.trim()))),
      exited.then(({ code, signal }) => {
        throw new Error(`${name} exited (${code ?? signal}) before it was ready:\n${tail()}`);
      }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name}: not ready after ${readyMs} ms:\n${tail()}`)), readyMs);
      }),
    ]);
    rl.on('line', () => {});
    return {
      first,
      tail,
      output: () => all,
      // How the child ended, once it has ended (null while it runs).
      ended: () => (child.exitCode !== null || child.signalCode !== null
        ? { code: child.exitCode, signal: child.signalCode } : null),
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(kill);
        }
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

// `keep`: every line the server writes is kept for `output()` (see startProcess); `data` is
// its data folder.
export async function startServer(env = {}, { keep = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cds-e2e-'));
  let proc;
  try {
    proc = await startProcess('cds-portal', BIN,
      ['demo', '--listen', '127.0.0.1:0', '--data', join(dir, 'data')],
      { env: { PATH: process.env.PATH, ...env }, keep });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `http://${proc.first}`,
    tail: proc.tail,
    output: proc.output,
    data: join(dir, 'data'),
    // Ends the server and keeps its data folder (stop() removes it).
    halt: () => proc.stop(),
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The test OpenID provider (oidc-op.mjs) on its own port; `url` is its issuer. It starts in
// about half a second. Twice in ~15 full runs (once in CI) a start never printed its address and
// hung the run; a start that is not ready in 20 s is now killed and tried once more, and the
// first attempt's stderr (its startup phases) is kept in `firstAttempt` for the test output.
export async function startOp(env) {
  const start = () => startProcess('oidc-op', process.execPath,
    [join(root, 'tests', 'e2e', 'oidc-op.mjs')],
    { cwd: join(root, 'tests', 'e2e'), env: { PATH: process.env.PATH, ...env }, readyMs: 20000 });
  let proc;
  let firstAttempt = null;
  try {
    proc = await start();
  } catch (err) {
    if (!/not ready/.test(err.message)) throw err;
    firstAttempt = err.message;
    proc = await start();
  }
  return { url: proc.first, tail: proc.tail, ended: proc.ended, stop: proc.stop, firstAttempt };
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

// Waits until the page shows `pathname`, loaded; gives the main frame's navigations on the
// way. Not `waitForURL`, which rejects on any navigation aborted on the way: a person sees
// only where the screen ends up, and when. The navigations and failed requests on the way
// are in the message if it does not get there in `ms`.
export async function endsAt(page, pathname, ms) {
  const seen = [];
  const nav = (f) => { if (f === page.mainFrame()) seen.push(`→ ${f.url()}`); };
  const failed = (r) => seen.push(`✗ ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  page.on('framenavigated', nav);
  page.on('requestfailed', failed);
  const until = Date.now() + ms;
  try {
    for (;;) {
      const ready = await page.evaluate(() => document.readyState).catch(() => 'navigating');
      if (new URL(page.url()).pathname === pathname && ready === 'complete') return seen;
      if (Date.now() >= until) throw new Error(`not at ${pathname} after ${ms} ms, at ${page.url()}: ${seen.join(' ')}`);
      await page.waitForTimeout(100);
    }
  } finally {
    page.off('framenavigated', nav);
    page.off('requestfailed', failed);
  }
}
