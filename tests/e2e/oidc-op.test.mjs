// The test OpenID provider (oidc-op.mjs) on its own, as a relying party would use it: code
// flow with PKCE for both clients, signatures checked with jose, the id_token mutations,
// RP-initiated logout. No cds-portal and no browser needed.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as crypto from 'node:crypto';
import * as jose from 'jose';
import { startOp } from './harness.mjs';

// Every request has a deadline (headers and body): a provider that stops answering fails the
// test, never hangs it. A plain controller and timer rather than AbortSignal.timeout(), whose
// signal is only weakly held while a request waits (undici's abort tests call it flaky).
function fetch(url, opts = {}) {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error(`no answer from ${url} within 15 s`)), 15000).unref();
  return globalThis.fetch(url, { signal: controller.signal, ...opts });
}
const FISCAL = 'https://attributes.eid.gov.it/fiscal_number';
const L2 = 'https://www.spid.gov.it/SpidL2';
const REDIRECT = 'http://127.0.0.1:9/accedi/oidc';
const POST_LOGOUT = 'http://127.0.0.1:9/accedi';

let op;
let dir;
let base;
let discovery;
let jwks;
let rpKey;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cds-oidc-op-'));
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  rpKey = privateKey;
  writeFileSync(join(dir, 'rp.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  op = await startOp({
    OP_PORT: '0',
    OP_REDIRECT: REDIRECT,
    OP_POST_LOGOUT: POST_LOGOUT,
    OP_CLIENT_KEY: join(dir, 'rp.pub.pem'),
  });
  base = op.url;
  if (op.firstAttempt) console.log(`# oidc-op needed a second start: ${op.firstAttempt}`);
  discovery = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
  jwks = jose.createLocalJWKSet(await (await fetch(discovery.jwks_uri)).json());
});

afterEach((t) => {
  // A provider that died or misbehaved: its own words, next to the failing test.
  if (op?.ended()) t.diagnostic(`oidc-op ended: ${JSON.stringify(op.ended())}\n${op.tail()}`);
});

after(async () => {
  await op?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// A user agent with a cookie jar for the OP: follows redirects while they stay on the OP.
function agent() {
  const jar = new Map();
  return async function go(url, stopAt) {
    for (let i = 0; i < 10; i += 1) {
      const r = await fetch(url, {
        redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const c of r.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        const [k, v] = [pair.slice(0, eq), pair.slice(eq + 1)];
        if (v) jar.set(k, v); else jar.delete(k);
      }
      const loc = r.headers.get('location');
      if (!loc) throw new Error(`no redirect from ${url}: ${r.status} ${await r.text()}`);
      const next = new URL(loc, url).href;
      if (next.startsWith(stopAt)) return new URL(next);
      url = next;
    }
    throw new Error('too many redirects');
  };
}

async function admin(path, body) {
  const r = await fetch(`${base}/test/${path}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, 200, await r.text());
}

async function login(go, clientId) {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const state = crypto.randomBytes(32).toString('base64url');
  const nonce = crypto.randomBytes(32).toString('base64url');
  const auth = new URL(discovery.authorization_endpoint);
  auth.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid profile',
    redirect_uri: REDIRECT,
    state,
    nonce,
    code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    acr_values: L2,
  }).toString();
  const cb = await go(auth.href, REDIRECT);
  assert.equal(cb.searchParams.get('state'), state);
  assert.equal(cb.searchParams.get('iss'), base);
  const code = cb.searchParams.get('code');
  assert.ok(code, cb.href);

  const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (clientId === 'cds-portal') {
    headers.authorization = `Basic ${Buffer.from('cds-portal:cds-secret').toString('base64')}`;
  } else {
    form.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    // aud = the token endpoint the RP saw in discovery (the pass-through /test-token).
    form.client_assertion = await new jose.SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'rp-1' })
      .setIssuer(clientId).setSubject(clientId).setAudience(discovery.token_endpoint)
      .setJti(crypto.randomUUID()).setIssuedAt().setExpirationTime('60s')
      .sign(rpKey);
  }
  const r = await fetch(discovery.token_endpoint, {
    method: 'POST', headers, body: new URLSearchParams(form).toString(),
  });
  const tokens = await r.json();
  assert.equal(r.status, 200, JSON.stringify(tokens));
  return { tokens, nonce };
}

test('discovery points the token endpoint at the pass-through', () => {
  assert.equal(discovery.issuer, base);
  assert.equal(discovery.token_endpoint, `${base}/test-token`);
  assert.equal(discovery.end_session_endpoint, `${base}/session/end`);
  assert.ok(discovery.acr_values_supported.includes(L2));
});

test('cds-portal: code + PKCE, id_token with the fiscal number and acr, JSON userinfo', async () => {
  await admin('next', { account: 'mario', acr: L2 });
  const { tokens, nonce } = await login(agent(), 'cds-portal');
  const { payload, protectedHeader } = await jose.jwtVerify(tokens.id_token, jwks, {
    issuer: base, audience: 'cds-portal',
  });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload[FISCAL], 'TINIT-RSSMRA80A01A182N');
  assert.equal(payload.given_name, 'Mario');
  assert.equal(payload.acr, L2);
  assert.equal(payload.nonce, nonce);
  const ui = await fetch(discovery.userinfo_endpoint, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  assert.match(ui.headers.get('content-type'), /^application\/json/);
  assert.equal((await ui.json())[FISCAL], 'TINIT-RSSMRA80A01A182N');
});

test('cds-portal-jwt: private_key_jwt with aud = token endpoint, signed userinfo', async () => {
  await admin('next', { account: 'nuovo', acr: 'https://www.spid.gov.it/SpidL3' });
  const { tokens } = await login(agent(), 'cds-portal-jwt');
  await admin('next', { account: 'mario', acr: L2 });
  const { payload } = await jose.jwtVerify(tokens.id_token, jwks, { issuer: base, audience: 'cds-portal-jwt' });
  assert.equal(payload[FISCAL], 'TINIT-MRTMTT25D09F205Z');
  assert.equal(payload.acr, 'https://www.spid.gov.it/SpidL3');
  const ui = await fetch(discovery.userinfo_endpoint, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  assert.match(ui.headers.get('content-type'), /^application\/jwt/);
  const signed = await jose.jwtVerify(await ui.text(), jwks, { issuer: base, audience: 'cds-portal-jwt' });
  assert.equal(signed.payload[FISCAL], 'TINIT-MRTMTT25D09F205Z');
});

test('PKCE is required; a change of account applies even with an OP session', async () => {
  const auth = new URL(discovery.authorization_endpoint);
  auth.search = new URLSearchParams({
    client_id: 'cds-portal', response_type: 'code', scope: 'openid profile',
    redirect_uri: REDIRECT, state: 's', nonce: 'n',
  }).toString();
  const cb = await agent()(auth.href, REDIRECT);
  assert.equal(cb.searchParams.get('error'), 'invalid_request');
  assert.match(cb.searchParams.get('error_description'), /PKCE/);

  await admin('next', { account: 'mario', acr: L2 });
  const go = agent();
  const first = await login(go, 'cds-portal');
  assert.equal(jose.decodeJwt(first.tokens.id_token)[FISCAL], 'TINIT-RSSMRA80A01A182N');
  await admin('next', { account: 'badcf', acr: L2 });
  const second = await login(go, 'cds-portal');
  assert.equal(jose.decodeJwt(second.tokens.id_token)[FISCAL], 'TINIT-CCCFBA85D03L219B');
  await admin('next', { account: 'mario', acr: L2 });
});

test('nofiscal has no fiscal claim anywhere', async () => {
  await admin('next', { account: 'nofiscal', acr: L2 });
  const { tokens } = await login(agent(), 'cds-portal');
  const { payload } = await jose.jwtVerify(tokens.id_token, jwks, { issuer: base, audience: 'cds-portal' });
  assert.equal(payload[FISCAL], undefined);
  const ui = await (await fetch(discovery.userinfo_endpoint, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  })).json();
  assert.equal(ui[FISCAL], undefined);
  assert.equal(ui.sub, 'nofiscal');
  await admin('next', { account: 'mario', acr: L2 });
});

test('mutations alter only the next id_token', async () => {
  const go = agent();
  const verify = async (kind, check) => {
    await admin('mutate', { kind });
    const { tokens, nonce } = await login(go, 'cds-portal');
    await check(tokens.id_token, nonce);
  };
  await verify('expired', async (t) => {
    await assert.rejects(jose.jwtVerify(t, jwks), { code: 'ERR_JWT_EXPIRED' });
  });
  await verify('wrong_aud', async (t) => {
    const { payload } = await jose.jwtVerify(t, jwks);
    assert.equal(payload.aud, 'someone-else');
  });
  await verify('wrong_nonce', async (t, nonce) => {
    const { payload } = await jose.jwtVerify(t, jwks);
    assert.notEqual(payload.nonce, nonce);
  });
  await verify('wrong_iss', async (t) => {
    const { payload } = await jose.jwtVerify(t, jwks);
    assert.notEqual(payload.iss, base);
  });
  await verify('acr_low', async (t) => {
    const { payload } = await jose.jwtVerify(t, jwks);
    assert.equal(payload.acr, 'https://www.spid.gov.it/SpidL1');
  });
  await verify('tampered', async (t) => {
    await assert.rejects(jose.jwtVerify(t, jwks), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
  await verify('unknown_key', async (t) => {
    await assert.rejects(jose.jwtVerify(t, jwks), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
  // Back to normal.
  const { tokens } = await login(go, 'cds-portal');
  await jose.jwtVerify(tokens.id_token, jwks, { issuer: base, audience: 'cds-portal' });
});

test('RP-initiated logout ends at the post-logout URL by redirects', async () => {
  const go = agent();
  const { tokens } = await login(go, 'cds-portal');
  const end = new URL(discovery.end_session_endpoint);
  end.search = new URLSearchParams({
    id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT, state: 'bye',
  }).toString();
  const back = await go(end.href, POST_LOGOUT);
  assert.equal(back.origin + back.pathname, POST_LOGOUT);
  assert.equal(back.searchParams.get('state'), 'bye');
  // Also without the OP's session cookie (a fresh user agent).
  const again = await agent()(end.href, POST_LOGOUT);
  assert.equal(again.origin + again.pathname, POST_LOGOUT);
});
