'use strict';
// POST /auth/token (SPEC section 2): devices exchange their PAT (client_credentials), users
// renew a Latch token or exchange an OpenID Connect ID token (made here by jose with a key
// the server only knows from a JWKS file). RFC 6749 errors, rate limits, device revocation.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const { startServer, stopServer, runLatch } = require('./helpers/server');
const { buildConnection, watchLifecycle } = require('./helpers/client');

const ID_ISSUER = 'https://idp.example';
const CLIENT_ID = 'latch-app';

async function postToken(server, params, { contentType = 'application/x-www-form-urlencoded' } = {}) {
  const body = typeof params === 'string' ? params : new URLSearchParams(params).toString();
  const res = await fetch(`${server.url}/auth/token`, {
    method: 'POST', headers: { 'Content-Type': contentType }, body,
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, headers: res.headers, body: json };
}

// The same POST, sent from another loopback source address (all of 127/8 is local on Linux),
// to stand for a second client machine.
function postTokenFrom(server, localAddress, params) {
  const body = new URLSearchParams(params).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}/auth/token`, {
      method: 'POST',
      localAddress,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Runs a management command against the server's data directory; resolves to its JSON.
async function manage(server, ...args) {
  const r = await runLatch([...args, '--data', server.dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('the token endpoint', () => {
  let server;
  let jose;
  let idKey;
  let tmp;
  let device;

  before(async () => {
    jose = await import('jose');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-oidc-'));
    const { publicKey, privateKey } = await jose.generateKeyPair('ES256');
    idKey = privateKey;
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' };
    const jwksFile = path.join(tmp, 'idp-jwks.json');
    fs.writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
    server = await startServer({}, {
      extraToml: ['[auth]', 'max_session_age_seconds = 3600',
        '[[auth.oidc]]', 'name = "idp"', `issuer = "${ID_ISSUER}"`, `audience = "${CLIENT_ID}"`,
        `jwks_file = "${jwksFile}"`].join('\n'),
    });
    const home = await manage(server, 'home', 'add', 'Home', '--owner', 'alice');
    device = await manage(server, 'device', 'add', home.id, 'front', '--commands', 'OPEN_DOOR');
  });
  after(async () => {
    await stopServer(server);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const idToken = (claims = {}, { issuer = ID_ISSUER, audience = CLIENT_ID, key } = {}) =>
    new jose.SignJWT({ email: 'a@example.com', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setIssuer(issuer).setAudience(audience).setSubject('user-42')
      .setIssuedAt().setExpirationTime('5m').sign(key ?? idKey);

  it('a device exchanges its PAT for a device token and connects with it', async () => {
    const r = await postToken(server, {
      grant_type: 'client_credentials', client_id: device.id, client_secret: device.pat,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal(r.body.token_type, 'Bearer');
    assert.equal(r.body.expires_in, 900);
    assert.match(r.body.session_key, /^[A-Za-z0-9_-]{43}$/);
    const claims = jose.decodeJwt(r.body.access_token);
    assert.equal(claims.sub, device.id);
    assert.deepEqual(claims.roles, ['device']);
    const c = buildConnection(server.hubUrl, 'WebSockets', { accessTokenFactory: () => r.body.access_token });
    await c.start();
    assert.equal((await c.invoke('Whoami')).sub, device.id);
    await c.stop();
  });

  it('a wrong PAT and an unknown device both get invalid_client, with nothing to tell them apart', async () => {
    const wrong = await postToken(server, {
      grant_type: 'client_credentials', client_id: device.id, client_secret: `${device.pat.slice(0, -1)}${device.pat.endsWith('A') ? 'E' : 'A'}`,
    });
    const unknown = await postToken(server, {
      grant_type: 'client_credentials', client_id: 'd_nobody', client_secret: device.pat,
    });
    for (const r of [wrong, unknown]) {
      assert.equal(r.status, 401);
      assert.equal(r.body.error, 'invalid_client');
    }
    assert.equal(wrong.body.error_description, unknown.body.error_description);
  });

  it('an ID token from the configured provider becomes a user token for idp:<sub>', async () => {
    const r = await postToken(server, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: await idToken(),
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const claims = jose.decodeJwt(r.body.access_token);
    assert.equal(claims.sub, 'idp:user-42');
    assert.deepEqual(claims.roles, ['user']);
    assert.equal(claims.email, undefined);
  });

  it('ID tokens for another client, from another issuer, or signed by another key are refused', async () => {
    const other = (await jose.generateKeyPair('ES256')).privateKey;
    for (const token of [await idToken({}, { audience: 'someone-else' }),
      await idToken({}, { issuer: 'https://evil.example' }),
      await idToken({}, { key: other })]) {
      const r = await postToken(server, {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      });
      assert.equal(r.status, 400);
      assert.equal(r.body.error, 'invalid_grant');
    }
  });

  it('a still-valid Latch token is renewed, keeping its session start; an old session is not', async () => {
    const now = Math.floor(Date.now() / 1000);
    const current = await server.mintToken({ sub: 'renewer', claims: { auth_time: now - 60 } });
    const r = await postToken(server, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: current,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const claims = jose.decodeJwt(r.body.access_token);
    assert.equal(claims.sub, 'renewer');
    assert.equal(claims.auth_time, now - 60);
    assert.notEqual(claims.jti, jose.decodeJwt(current).jti);

    const stale = await server.mintToken({ sub: 'renewer', claims: { auth_time: now - 3700 } });
    const refused = await postToken(server, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: stale,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    assert.match(refused.body.error_description, /too old/);
  });

  it('a token that expired a moment ago is not renewed, though within the clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await server.mintToken({ sub: 'alice', issuedAt: now - 60, expiresAt: now - 2 });
    const r = await postToken(server, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: expired,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
    assert.match(r.body.error_description, /expired/);
  });

  it('malformed requests get RFC 6749 errors', async () => {
    let r = await postToken(server, { grant_type: 'password', username: 'a', password: 'b' });
    assert.equal(r.body.error, 'unsupported_grant_type');
    r = await postToken(server, '{"grant_type":"client_credentials"}', { contentType: 'application/json' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_request');
    r = await postToken(server, 'grant_type=client_credentials&grant_type=client_credentials');
    assert.equal(r.body.error, 'invalid_request');
    r = await postToken(server, 'grant_type=%zz');
    assert.equal(r.body.error, 'invalid_request');
    const get = await fetch(`${server.url}/auth/token`);
    assert.equal(get.status, 405);
  });

  it('device revoke refuses new tokens and cuts the live device connection', async () => {
    const home = await manage(server, 'home', 'add', 'Cabin', '--owner', 'alice');
    const cabin = await manage(server, 'device', 'add', home.id, 'gate', '--commands', 'OPEN_GATE');
    const r = await postToken(server, {
      grant_type: 'client_credentials', client_id: cabin.id, client_secret: cabin.pat,
    });
    assert.equal(r.status, 200);
    const c = buildConnection(server.hubUrl, 'LongPolling', { accessTokenFactory: () => r.body.access_token });
    const life = watchLifecycle(c);
    await c.start();
    await manage(server, 'device', 'revoke', cabin.id);
    const error = await life.closed(2000);
    assert.match(String(error), /Token revoked/);
    const again = await postToken(server, {
      grant_type: 'client_credentials', client_id: cabin.id, client_secret: cabin.pat,
    });
    assert.equal(again.status, 401);
    assert.equal(again.body.error, 'invalid_client');
  });
});

describe('the token endpoint under guessing', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(() => stopServer(server));

  it('failed attempts are limited per client id and address: 429 with Retry-After', async () => {
    const attempt = () => postToken(server, {
      grant_type: 'client_credentials', client_id: 'd_target', client_secret: 'latch_pat_guess',
    });
    for (let i = 0; i < 10; ++i) assert.equal((await attempt()).status, 401);
    const limited = await attempt();
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(limited.body.error, 'invalid_client');
    assert.ok(server.alive());
  });

  it('a device\'s right PAT is never refused by the limiter, whoever guessed at it', async () => {
    const home = await manage(server, 'home', 'add', 'Barn', '--owner', 'alice');
    const barn = await manage(server, 'device', 'add', home.id, 'door', '--commands', 'OPEN_DOOR');
    const wrong = { grant_type: 'client_credentials', client_id: barn.id, client_secret: 'latch_pat_guess' };
    const right = { grant_type: 'client_credentials', client_id: barn.id, client_secret: barn.pat };
    // An attacker at another address uses up the device's failures, then keeps going.
    for (let i = 0; i < 10; ++i) assert.equal((await postTokenFrom(server, '127.0.0.2', wrong)).status, 401);
    assert.equal((await postTokenFrom(server, '127.0.0.2', wrong)).status, 429);
    // The hub, from its own address and from the attacker's, still gets its token.
    const fromHub = await postToken(server, right);
    assert.equal(fromHub.status, 200, JSON.stringify(fromHub.body));
    assert.equal(fromHub.body.token_type, 'Bearer');
    assert.equal((await postTokenFrom(server, '127.0.0.2', right)).status, 200);
    // Each grant has its own session key: an agent restarted with a new token cannot be
    // made to accept an Execute signed for its previous run.
    assert.notEqual(fromHub.body.session_key, (await postToken(server, right)).body.session_key);
    // And the attacker is still limited.
    assert.equal((await postTokenFrom(server, '127.0.0.2', wrong)).status, 429);
    // Ten refusals audited; the 429s past the budget cost no record each.
    const audit = await manage(server, 'audit', 'list', '--limit', '1000');
    const records = Array.isArray(audit) ? audit : audit.records;
    assert.equal(records.filter((r) => r.actor === barn.id && r.outcome === 'invalid_client').length, 10);
  });

  it('guessing across many client ids from one address is limited too', async () => {
    let limited;
    for (let i = 0; i < 31 && !limited; ++i) {
      const r = await postToken(server, {
        grant_type: 'client_credentials', client_id: `d_spray_${i}`, client_secret: 'latch_pat_guess',
      });
      if (r.status === 429) limited = r;
      else assert.equal(r.status, 401);
    }
    assert.ok(limited, 'no 429 within 30 failures from one address');
    assert.equal(limited.body.error, 'invalid_request');
  });
});
