// A real OpenID provider (npm oidc-provider) standing in for the SPID/CIE proxy in tests.
//
//   node tests/e2e/oidc-op.mjs                      serve (env below); first stdout line = base URL
//   node tests/e2e/oidc-op.mjs --make-keys KID OUT  write a private RSA JWKS {"keys":[...]} to OUT
//
// Env: OP_PORT (0 = any free port), OP_KEYS (private signing JWKS file; default: one fresh RSA
// key, kid "k1"), OP_REDIRECT (the RP's callback URL), OP_POST_LOGOUT (post-logout redirect URL),
// OP_CLIENT_KEY (the RP's public key PEM, enables client "cds-portal-jwt").
//
// Clients: "cds-portal" (secret "cds-secret", client_secret_basic, userinfo JSON) and
// "cds-portal-jwt" (private_key_jwt with OP_CLIENT_KEY, userinfo as an RS256 JWT). Both:
// authorization code + PKCE S256 (required), scope "openid profile".
//
// No login pages: every interaction ends at once as the account/acr set by POST /test/next
// (sticky; default mario, SpidL2). The login prompt is forced on every authorization request
// (like SPID's ForceAuthn), so a change of account takes effect even with an OP session.
//
// Test admin API (JSON bodies, any Content-Type):
//   POST /test/next   {"account": "mario|nuovo|nofiscal|badcf", "acr": "https://www.spid.gov.it/SpidL2"}
//   POST /test/mutate {"kind": "expired|wrong_aud|wrong_nonce|wrong_iss|acr_low|tampered|unknown_key"}
//        alters the id_token of the NEXT token response that carries one, then back to normal.
// The discovery document is served with token_endpoint = BASE/test-token, a pass-through to the
// real token endpoint (BASE/token) that applies the mutation. Client assertions
// (private_key_jwt) may carry as aud the issuer, BASE/token or BASE/test-token.
//
// Logout: GET end_session_endpoint (BASE/session/end?id_token_hint=…&post_logout_redirect_uri=…
// [&state=…]) → 302 BASE/test/logout-confirm?xsrf=… → 303 post_logout_redirect_uri[?state=…].
// The confirmation page is skipped (the OP session is ended, logout=yes). The same redirect
// replaces the auto-submitted logout form oidc-provider shows when another account logs in over
// an OP session: plain HTTP clients (the Rust tests) only ever follow redirects.
// All state is in memory: a restart (e.g. with other OP_KEYS) forgets sessions, codes, tokens.
// POST /test/mutate {"kind": null} clears a pending mutation.
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import * as crypto from 'node:crypto';

const FISCAL = 'https://attributes.eid.gov.it/fiscal_number';
const SPID = 'https://www.spid.gov.it/';
const ACRS = [`${SPID}SpidL1`, `${SPID}SpidL2`, `${SPID}SpidL3`];

const ACCOUNTS = {
  mario: { given_name: 'Mario', family_name: 'Rossi', [FISCAL]: 'TINIT-RSSMRA80A01A182N' },
  nuovo: { given_name: 'Matteo', family_name: 'Martini', [FISCAL]: 'TINIT-MRTMTT25D09F205Z' },
  nofiscal: { given_name: 'Nessuno', family_name: 'Senzacodice' },
  badcf: { given_name: 'Carlo', family_name: 'Cecchi', [FISCAL]: 'TINIT-CCCFBA85D03L219B' },
};
const MUTATIONS = new Set([
  'expired', 'wrong_aud', 'wrong_nonce', 'wrong_iss', 'acr_low', 'tampered', 'unknown_key',
]);

function rsaJwk(kid) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

if (process.argv[2] === '--make-keys') {
  const [kid, out] = process.argv.slice(3);
  if (!kid || !out) {
    console.error('usage: node oidc-op.mjs --make-keys KID OUT');
    process.exit(2);
  }
  writeFileSync(out, JSON.stringify({ keys: [rsaJwk(kid)] }), { mode: 0o600 });
  process.exit(0);
}

// Loaded after --make-keys: key generation needs neither (and skips oidc-provider's warnings).
const { default: Provider, interactionPolicy } = await import('oidc-provider');
const jose = await import('jose');

const env = process.env;
// Startup phases go to stderr: a start that never ends shows where it stopped.
console.error('oidc-op: modules loaded');
const keys = env.OP_KEYS ? JSON.parse(readFileSync(env.OP_KEYS, 'utf8')).keys : [rsaJwk('k1')];
console.error('oidc-op: signing keys ready');
const redirect = env.OP_REDIRECT || 'http://127.0.0.1:1/accedi/oidc';
const postLogout = env.OP_POST_LOGOUT || 'http://127.0.0.1:1/accedi';

// Test state: who logs in next, and the pending id_token mutation.
let nextLogin = { account: 'mario', acr: `${SPID}SpidL2` };
let mutation = null;

const common = {
  redirect_uris: [redirect],
  post_logout_redirect_uris: [postLogout],
  grant_types: ['authorization_code'],
  response_types: ['code'],
};
const clients = [{
  ...common,
  client_id: 'cds-portal',
  client_secret: 'cds-secret',
  token_endpoint_auth_method: 'client_secret_basic',
}];
if (env.OP_CLIENT_KEY) {
  const jwk = crypto.createPublicKey(readFileSync(env.OP_CLIENT_KEY)).export({ format: 'jwk' });
  const alg = jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : null;
  if (!alg) {
    console.error(`OP_CLIENT_KEY: unsupported key type ${jwk.kty} ${jwk.crv || ''}`);
    process.exit(2);
  }
  clients.push({
    ...common,
    client_id: 'cds-portal-jwt',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [{ ...jwk, kid: 'rp-1', alg, use: 'sig' }] },
    userinfo_signed_response_alg: 'RS256',
  });
}

// Ask for a login on every authorization request, unless this request just did one.
const policy = interactionPolicy.base();
policy.get('login').checks.add(new interactionPolicy.Check(
  'test_force_login',
  'the test OP authenticates on every request',
  (ctx) => (ctx.oidc.result?.login
    ? interactionPolicy.Check.NO_NEED_TO_PROMPT
    : interactionPolicy.Check.REQUEST_PROMPT),
));

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(env.OP_PORT || 0), '127.0.0.1', resolve);
});
// OP_ISSUER: the issuer when the OP is reached through a proxy (the fault tests).
const BASE = env.OP_ISSUER || `http://127.0.0.1:${server.address().port}`;
console.error(`oidc-op: listening on ${BASE}`);

const provider = new Provider(BASE, {
  clients,
  jwks: { keys },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  findAccount(ctx, sub) {
    const data = ACCOUNTS[sub];
    if (!data) return undefined;
    return { accountId: sub, claims: () => ({ sub, ...data }) };
  },
  scopes: ['openid', 'profile'],
  claims: { openid: ['sub'], profile: ['given_name', 'family_name', FISCAL] },
  conformIdTokenClaims: false,
  acrValues: ACRS,
  pkce: { required: () => true },
  interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    revocation: { enabled: false },
    introspection: { enabled: false },
  },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600 },
  renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

// Client assertions may name the pass-through token endpoint as their audience.
const expectedAud = provider.OIDCContext.prototype.clientJwtAuthExpectedAudience;
provider.OIDCContext.prototype.clientJwtAuthExpectedAudience = function aud() {
  return expectedAud.call(this).add(`${BASE}/test-token`);
};

provider.use(async (ctx, next) => {
  await next();
  if (ctx.method === 'GET' && ctx.path === '/.well-known/openid-configuration' && ctx.status === 200) {
    ctx.body = { ...ctx.body, token_endpoint: `${BASE}/test-token` };
  }
  // Pages whose form posts to /session/end/confirm (the logout confirmation, the auto-submitted
  // logout form without a session, the logout of the previous account when another one logs
  // in) become a redirect to /test/logout-confirm, which POSTs that form: plain HTTP clients
  // then only follow redirects.
  const secret = ctx.status === 200 && typeof ctx.body === 'string'
    && ctx.body.includes(`action="${BASE}/session/end/confirm"`)
    ? ctx.oidc?.session?.state?.secret : undefined;
  if (secret) {
    ctx.redirect(`${BASE}/test/logout-confirm?xsrf=${encodeURIComponent(secret)}`);
  }
});
provider.on('server_error', (ctx, err) => console.error(`oidc-op: server_error ${err.message}`));

const handle = provider.callback();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// With a Content-Length (not chunked): the Rust tests' client reads bodies as they come.
function send(res, status, headers, body) {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function json(res, status, body) {
  send(res, status, { 'content-type': 'application/json', 'cache-control': 'no-store' }, JSON.stringify(body));
}

function b64json(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

async function mutateIdToken(idToken, kind) {
  const [h, p, s] = idToken.split('.');
  const header = b64json(h);
  const payload = b64json(p);
  const now = Math.floor(Date.now() / 1000);
  switch (kind) {
    case 'expired': payload.exp = now - 600; payload.iat = now - 1200; break;
    case 'wrong_aud': payload.aud = 'someone-else'; break;
    case 'wrong_nonce': payload.nonce = `${payload.nonce || ''}x`; break;
    case 'wrong_iss': payload.iss = 'http://127.0.0.1:1'; break;
    case 'acr_low': payload.acr = `${SPID}SpidL1`; break;
    case 'tampered': {
      payload[FISCAL] = 'TINIT-BNCLRA85M52A182Y';
      payload.sub = 'laura';
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${h}.${body}.${s}`;
    }
    case 'unknown_key': {
      const { privateKey } = await jose.generateKeyPair('RS256');
      return new jose.SignJWT(payload)
        .setProtectedHeader({ ...header, kid: `unknown-${crypto.randomBytes(4).toString('hex')}` })
        .sign(privateKey);
    }
    default: throw new Error(`unknown mutation ${kind}`);
  }
  const jwk = keys.find((k) => k.kid === header.kid) || keys[0];
  const key = await jose.importJWK(jwk, header.alg);
  return new jose.SignJWT(payload).setProtectedHeader(header).sign(key);
}

// /test-token: forwards to the real token endpoint, then applies the pending mutation.
async function passThroughToken(req, res) {
  const body = await readBody(req);
  const headers = {};
  for (const name of ['authorization', 'content-type', 'accept', 'dpop']) {
    if (req.headers[name]) headers[name] = req.headers[name];
  }
  const upstream = await fetch(`${BASE}/token`, {
    method: req.method,
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    redirect: 'manual',
  });
  let text = await upstream.text();
  const type = upstream.headers.get('content-type') || 'application/json';
  if (mutation && upstream.status === 200) {
    const data = JSON.parse(text);
    if (data.id_token) {
      const kind = mutation;
      mutation = null;
      data.id_token = await mutateIdToken(data.id_token, kind);
      text = JSON.stringify(data);
      console.error(`oidc-op: id_token mutated (${kind})`);
    }
  }
  const out = { 'content-type': type, 'cache-control': 'no-store' };
  const www = upstream.headers.get('www-authenticate');
  if (www) out['www-authenticate'] = www;
  send(res, upstream.status, out, text);
}

// The whole interaction (login + consent) ends at once as the configured account.
async function finishInteraction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { params } = details;
  const { account: accountId, acr } = nextLogin;
  const grant = new provider.Grant({ accountId, clientId: params.client_id });
  if (params.scope) grant.addOIDCScope(params.scope);
  if (params.claims) {
    const claims = JSON.parse(params.claims);
    grant.addOIDCClaims([...Object.keys(claims.id_token || {}), ...Object.keys(claims.userinfo || {})]);
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, {
    login: { accountId, acr, amr: ['pwd'] },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

// GET /test/logout-confirm?xsrf=…: the confirmation form, POSTed on the user's behalf.
async function confirmLogout(req, res, url) {
  const upstream = await fetch(`${BASE}/session/end/confirm`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
    },
    body: new URLSearchParams({ xsrf: url.searchParams.get('xsrf') || '', logout: 'yes' }).toString(),
    redirect: 'manual',
  });
  const headers = { 'cache-control': 'no-store' };
  for (const name of ['location', 'content-type']) {
    const v = upstream.headers.get(name);
    if (v) headers[name] = v;
  }
  const cookies = upstream.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  send(res, upstream.status, headers, await upstream.text());
}

async function admin(req, res, path) {
  let body;
  try {
    body = JSON.parse((await readBody(req)).toString('utf8') || '{}');
  } catch {
    return json(res, 400, { error: 'body is not JSON' });
  }
  if (path === '/test/next') {
    const account = body.account ?? nextLogin.account;
    const acr = body.acr ?? nextLogin.acr;
    if (!ACCOUNTS[account]) return json(res, 400, { error: `unknown account ${account}` });
    if (!ACRS.includes(acr)) return json(res, 400, { error: `unknown acr ${acr}` });
    nextLogin = { account, acr };
    return json(res, 200, { ok: true, ...nextLogin });
  }
  if (path === '/test/mutate') {
    if (body.kind !== null && !MUTATIONS.has(body.kind)) {
      return json(res, 400, { error: `unknown kind ${body.kind}` });
    }
    mutation = body.kind;
    return json(res, 200, { ok: true, kind: mutation });
  }
  return json(res, 404, { error: 'not found' });
}

server.on('request', async (req, res) => {
  const url = new URL(req.url, BASE);
  res.on('finish', () => console.error(`oidc-op: ${req.method} ${url.pathname} ${res.statusCode}`));
  try {
    if (url.pathname === '/test-token') {
      await passThroughToken(req, res);
    } else if (req.method === 'GET' && url.pathname === '/test/logout-confirm') {
      await confirmLogout(req, res, url);
    } else if (req.method === 'POST' && url.pathname.startsWith('/test/')) {
      await admin(req, res, url.pathname);
    } else if (req.method === 'GET' && /^\/interaction\/[^/]+$/.test(url.pathname)) {
      await finishInteraction(req, res);
    } else {
      handle(req, res);
    }
  } catch (err) {
    console.error(`oidc-op: error ${err.name}: ${err.message}`);
    if (!res.headersSent) json(res, 500, { error: 'server_error', error_description: err.message });
    else res.end();
  }
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}

process.stdout.write(`${BASE}\n`);
