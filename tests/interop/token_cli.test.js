'use strict';
// `latch token issue`: the token it prints is checked by an independent implementation
// (jose), with the key the server keeps in its data directory, and its session_key is
// recomputed with Node's crypto as SPEC section 2 defines it.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { runLatch: run } = require('./helpers/server');

function readSecret(dir, name) {
  return Buffer.from(fs.readFileSync(path.join(dir, name), 'utf8').trim(), 'base64url');
}

describe('latch token issue', () => {
  let dir;
  let jose;
  before(async () => {
    jose = await import('jose');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-token-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints a token response whose JWT jose verifies with the data directory key', async () => {
    const r = await run(['token', 'issue', '--sub', 'alice', '--role', 'user', '--ttl', '10m',
      '--data', dir]);
    assert.equal(r.code, 0, r.stderr);
    const response = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(response).sort(),
      ['access_token', 'expires_in', 'session_key', 'token_type']);
    assert.equal(response.token_type, 'Bearer');
    assert.equal(response.expires_in, 600);

    const key = readSecret(dir, 'jwt-hs256.key');
    assert.equal(key.length, 32);
    const { payload, protectedHeader } = await jose.jwtVerify(response.access_token, key, {
      issuer: 'latch', audience: 'latch', algorithms: ['HS256'],
    });
    assert.equal(protectedHeader.alg, 'HS256');
    assert.equal(protectedHeader.kid, 'latch-hs256');
    assert.equal(payload.sub, 'alice');
    assert.deepEqual(payload.roles, ['user']);
    assert.equal(payload.exp - payload.iat, 600);
    assert.match(payload.jti, /^[A-Za-z0-9_-]{22}$/);

    const envelope = readSecret(dir, 'envelope.key');
    const expected = crypto.createHmac('sha256', envelope)
      .update(`latch-session-v1|${payload.jti}`).digest('base64url');
    assert.equal(response.session_key, expected);
    assert.equal(JSON.stringify(payload).includes(response.session_key), false);
  });

  it('keeps its secrets readable by the owner only, and reuses them', async () => {
    for (const name of ['jwt-hs256.key', 'envelope.key']) {
      assert.equal(fs.statSync(path.join(dir, name)).mode & 0o777, 0o600, name);
    }
    const before = readSecret(dir, 'jwt-hs256.key');
    const r = await run(['token', 'issue', '--sub', 'ops', '--role', 'admin', '--data', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readSecret(dir, 'jwt-hs256.key'), before);
    const { payload } = await jose.jwtVerify(JSON.parse(r.stdout).access_token, before);
    assert.equal(payload.exp - payload.iat, 900);  // default lifetime 15 min
    assert.deepEqual(payload.roles, ['admin']);
  });

  it('creates a missing data directory, readable by its owner only', async () => {
    const fresh = path.join(dir, 'new', 'data');
    const r = await run(['token', 'issue', '--sub', 'a', '--role', 'user', '--data', fresh]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.statSync(fresh).mode & 0o777, 0o700);
  });

  it('refuses an unknown role or a bad lifetime with one clear line', async () => {
    for (const args of [['--role', 'root'], ['--role', 'user', '--ttl', 'forever']]) {
      const r = await run(['token', 'issue', '--sub', 'x', ...args, '--data', dir]);
      assert.notEqual(r.code, 0);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^latch token issue: /);
    }
  });

  it('refuses a key file that others can read', async () => {
    const loose = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-loose-'));
    try {
      assert.equal((await run(['token', 'issue', '--sub', 'a', '--role', 'user', '--data', loose])).code, 0);
      fs.chmodSync(path.join(loose, 'jwt-hs256.key'), 0o644);
      const r = await run(['token', 'issue', '--sub', 'a', '--role', 'user', '--data', loose]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /chmod 600/);
    } finally {
      fs.rmSync(loose, { recursive: true, force: true });
    }
  });
});
