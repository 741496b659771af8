'use strict';
// Configured token keys ([auth] in the TOML file): EdDSA and ES256 pairs beside the generated
// HS256 key, several at once for rotation, their public halves at /.well-known/jwks.json;
// `latch token issue` signs with the configured signing key; issuer and audience come from
// the configuration. Keys and tokens on the test side are made by Node's crypto and jose.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { startServer, stopServer, runLatch } = require('./helpers/server');
const { buildConnection } = require('./helpers/client');
const { negotiate } = require('./helpers/wire');

describe('configured token keys and the JWKS endpoint', () => {
  let server;
  let jose;
  let dir;
  let configFile;
  const ed = crypto.generateKeyPairSync('ed25519');
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });

  before(async () => {
    jose = await import('jose');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-keys-'));
    const write = (name, pem) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, pem, { mode: 0o600 });
      return file;
    };
    const edFile = write('ed.pem', ed.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    // A retiring key: only its public half is configured, tokens it signed still verify.
    const ecFile = write('ec.pub.pem', ec.publicKey.export({ type: 'spki', format: 'pem' }));
    const auth = [
      '[auth]',
      'issuer = "https://latch.example"',
      'audience = ["homes", "latch"]',
      'signing_key = "ed-2026"',
      '[[auth.keys]]', 'kid = "ed-2026"', 'alg = "EdDSA"', `private_key = "${edFile}"`,
      '[[auth.keys]]', 'kid = "ec-2025"', 'alg = "ES256"', `public_key = "${ecFile}"`,
    ].join('\n');
    configFile = write('latch.toml', auth + '\n');
    server = await startServer({}, {
      extraToml: auth, defaultTokenOptions: { issuer: 'https://latch.example', audience: 'homes' },
    });
  });
  after(async () => {
    await stopServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the public keys, never the HMAC secret or a private part', async () => {
    const res = await fetch(`${server.url}/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/jwk-set\+json/);
    const jwks = await res.json();
    const byKid = Object.fromEntries(jwks.keys.map((k) => [k.kid, k]));
    assert.deepEqual(Object.keys(byKid).sort(), ['ec-2025', 'ed-2026']);
    assert.equal(byKid['ed-2026'].kty, 'OKP');
    assert.equal(byKid['ed-2026'].alg, 'EdDSA');
    assert.equal(byKid['ed-2026'].x, ed.publicKey.export({ format: 'jwk' }).x);
    assert.equal(byKid['ec-2025'].kty, 'EC');
    assert.equal(byKid['ec-2025'].x, ec.publicKey.export({ format: 'jwk' }).x);
    for (const k of jwks.keys) {
      for (const secret of ['d', 'k', 'p', 'q']) assert.equal(k[secret], undefined);
    }
    const post = await fetch(`${server.url}/.well-known/jwks.json`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('accepts tokens signed by jose with each configured key, on the official client', async () => {
    for (const [key, kid, alg] of [[ed.privateKey, 'ed-2026', 'EdDSA'], [ec.privateKey, 'ec-2025', 'ES256']]) {
      const token = await server.mintToken({
        key, kid, alg, sub: `by-${kid}`, issuer: 'https://latch.example', audience: 'latch',
      });
      const c = buildConnection(server.hubUrl, 'WebSockets', { accessTokenFactory: () => token });
      await c.start();
      assert.equal((await c.invoke('Whoami')).sub, `by-${kid}`);
      await c.stop();
    }
  });

  it('refuses the wrong issuer, a foreign audience, and HS256 keyed with a public key', async () => {
    const wrongIssuer = await server.mintToken({ issuer: 'latch', audience: 'homes' });
    let r = await negotiate(server, 'negotiateVersion=1', { token: wrongIssuer });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate'), /wrong_issuer/);
    const foreign = await server.mintToken({ issuer: 'https://latch.example', audience: 'other' });
    r = await negotiate(server, 'negotiateVersion=1', { token: foreign });
    assert.match(r.headers.get('www-authenticate'), /wrong_audience/);
    // Key confusion: HS256 whose "secret" is the EdDSA public key, naming the EdDSA kid.
    const publicBytes = ed.publicKey.export({ type: 'spki', format: 'der' });
    const confused = await server.mintToken({
      key: new Uint8Array(publicBytes), kid: 'ed-2026', alg: 'HS256',
      issuer: 'https://latch.example', audience: 'homes',
    });
    r = await negotiate(server, 'negotiateVersion=1', { token: confused });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate'), /algorithm_mismatch/);
  });

  it('latch token issue signs with the configured key; jose verifies it with the served JWKS', async () => {
    const r = await runLatch(['token', 'issue', '--config', configFile, '--data', server.dataDir,
      '--sub', 'cli-user', '--role', 'user', '--ttl', '5m']);
    assert.equal(r.code, 0, r.stderr);
    const { access_token: token } = JSON.parse(r.stdout);
    const jwks = jose.createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
      issuer: 'https://latch.example', audience: 'homes', algorithms: ['EdDSA'],
    });
    assert.equal(protectedHeader.kid, 'ed-2026');
    assert.equal(payload.sub, 'cli-user');
    assert.equal((await negotiate(server, 'negotiateVersion=1', { token })).status, 200);
  });

  it('a bad key configuration stops the server with one clear line', async () => {
    const bad = path.join(dir, 'bad.toml');
    fs.writeFileSync(bad, `[auth]\n[[auth.keys]]\nkid = "x"\nalg = "EdDSA"\nprivate_key = "${path.join(dir, 'ec.pub.pem')}"\n`);
    const res = await runLatch(['serve', '--config', bad, '--data', path.join(dir, 'data'),
      '--listen', '127.0.0.1:0']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /auth key 'x'/);
    assert.equal(res.stderr.trim().split('\n').length, 1);
  });
});
