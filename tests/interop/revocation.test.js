'use strict';
// Revocation reaches live connections: `latch token revoke` (another process, writing the
// data directory's store) closes every connection holding the revoked token with
// "Token revoked" and no reconnect, within 2 seconds, on every transport; a revoked token
// opens nothing new and cannot be used to refresh.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer, stopServer, runLatch } = require('./helpers/server');
const { TRANSPORTS, buildConnection, watchLifecycle, sleep } = require('./helpers/client');
const { negotiate } = require('./helpers/wire');

const LIMITS = { keepalive_interval_ms: 1000, client_timeout_ms: 5000 };
// SPEC section 6: revocation reaches live connections within 2 seconds.
const REVOCATION_DEADLINE_MS = 2000;

let serial = 0;
const uniqueSub = (what) => `${what}-${process.pid}-${++serial}`;

describe('token revocation', () => {
  let server;
  let jose;
  before(async () => {
    jose = await import('jose');
    server = await startServer(LIMITS);
  });
  after(() => stopServer(server));

  // Revocations reach the server within the deadline, not at once: retries `check` (which
  // throws while the old state holds) until it passes or the deadline is over.
  async function withinDeadline(check) {
    const deadline = Date.now() + REVOCATION_DEADLINE_MS;
    for (;;) {
      try {
        return await check();
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(50);
      }
    }
  }

  async function revoke(...args) {
    const r = await runLatch(['token', 'revoke', ...args, '--data', server.dataDir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  }

  // A started connection for a fresh token of `sub`, with automatic reconnect on: a
  // revocation must not be retried.
  async function connect(transport, sub) {
    const token = await server.mintToken({ sub, ttlSeconds: 600 });
    const c = buildConnection(server.hubUrl, transport, {
      accessTokenFactory: () => token, reconnect: [0, 100, 200],
    });
    const life = watchLifecycle(c);
    await c.start();
    return { c, life, token, jti: jose.decodeJwt(token).jti };
  }

  for (const { name: transport } of TRANSPORTS) {
    describe(transport, () => {
      it('revoking the token\'s jti closes the connection with "Token revoked", no reconnect', async () => {
        const { c, life, jti } = await connect(transport, uniqueSub('jti'));
        assert.equal((await c.invoke('Whoami')).transport, transport);
        const printed = await revoke('--jti', jti);
        assert.equal(printed.jti, jti);
        const error = await life.closed(REVOCATION_DEADLINE_MS);
        assert.match(String(error), /Token revoked/);
        await sleep(300);
        assert.equal(life.events.reconnecting.length, 0, 'a revoked connection must not reconnect');
      });

      it('revoking the subject closes all its connections and no one else\'s', async () => {
        const sub = uniqueSub('sub');
        const first = await connect(transport, sub);
        const second = await connect('LongPolling', sub);
        const bystander = await connect(transport, uniqueSub('bystander'));
        await revoke('--sub', sub);
        await Promise.all([first.life.closed(REVOCATION_DEADLINE_MS),
          second.life.closed(REVOCATION_DEADLINE_MS)]);
        assert.match(String(first.life.events.closes[0]), /Token revoked/);
        assert.match(String(second.life.events.closes[0]), /Token revoked/);
        assert.equal(await bystander.c.invoke('Echo', 'still here'), 'still here');
        await bystander.c.stop();
      });
    });
  }

  // A long-polling client sends its token on every poll. The poll after a revocation must
  // carry the Close "Token revoked", not a 401: the official client takes a failed poll for
  // a lost connection and reconnects (and then reports no reason at all), whichever of the
  // server's revocation check and the poll comes first.
  describe('a long poll carrying the revoked token', () => {
    const RS = '\x1e';
    async function longPolling(token) {
      const auth = { Authorization: `Bearer ${token}` };
      const { body } = await negotiate(server, 'negotiateVersion=1', { token });
      const url = `${server.hubUrl}?id=${encodeURIComponent(body.connectionToken)}`;
      const poll = async (as = token) => {
        const r = await fetch(url, { headers: { Authorization: `Bearer ${as}` } });
        return { status: r.status, body: await r.text() };
      };
      assert.equal((await poll()).status, 200);
      const post = await fetch(url, { method: 'POST', headers: auth,
        body: JSON.stringify({ protocol: 'json', version: 1 }) + RS });
      assert.equal(post.status, 200);
      assert.equal((await poll()).body, `{}${RS}`);
      return poll;
    }
    const closeOf = (body) => body.split(RS).filter(Boolean).map((r) => JSON.parse(r))
      .find((m) => m.type === 7);

    for (const when of ['at once', 'after the server has noticed']) {
      it(`gets the Close "Token revoked" (polled ${when})`, async () => {
        const sub = uniqueSub('poll');
        const token = await server.mintToken({ sub, ttlSeconds: 600 });
        const poll = await longPolling(token);
        await revoke('--sub', sub);
        if (when !== 'at once') await sleep(REVOCATION_DEADLINE_MS);
        // A poll that the server's keep-alive ended early holds a Ping: poll again, until the
        // revocation deadline (each poll ends within the 1 s keep-alive).
        const deadline = Date.now() + REVOCATION_DEADLINE_MS;
        let r = await poll();
        while (r.status === 200 && !closeOf(r.body) && Date.now() < deadline) r = await poll();
        assert.equal(r.status, 200, r.body);
        const close = closeOf(r.body);
        assert.ok(close, `no Close within ${REVOCATION_DEADLINE_MS} ms: ${r.body}`);
        assert.equal(close.error, 'Token revoked');
        assert.notEqual(close.allowReconnect, true);
        // After its Close the connection is gone, and the token opens nothing.
        assert.equal((await poll()).status, 401);
      });
    }

    it('is refused with 401 when the connection\'s own token is not revoked', async () => {
      const sub = uniqueSub('other-jti');
      const token = await server.mintToken({ sub, ttlSeconds: 600 });
      const poll = await longPolling(token);
      const other = await server.mintToken({ sub, ttlSeconds: 600 });
      await revoke('--jti', jose.decodeJwt(other).jti);
      await withinDeadline(async () => {
        const r = await poll(other);
        assert.equal(r.status, 401);
        assert.match(r.body, /revoked/);
      });
      // The connection itself lives on: its own token still polls (a keep-alive Ping or
      // nothing, never a Close).
      const r = await poll();
      assert.equal(r.status, 200);
      assert.equal(closeOf(r.body), undefined);
    });
  });

  it('a revoked token is refused at negotiate with 401 and the reason "revoked"', async () => {
    const token = await server.mintToken({ sub: uniqueSub('later'), ttlSeconds: 600 });
    await revoke('--jti', jose.decodeJwt(token).jti);
    await withinDeadline(async () => {
      const r = await negotiate(server, 'negotiateVersion=1', { token });
      assert.equal(r.status, 401);
      assert.match(r.headers.get('www-authenticate'), /error_description="revoked"/);
    });
  });

  it('a token issued after a subject revocation connects again', async () => {
    const sub = uniqueSub('again');
    const { epoch } = await revoke('--sub', sub);
    // Issued in the revocation's second (iat <= epoch is revoked): minting "now" could land in
    // the next second on a slow machine, and that token is rightly not revoked.
    const before = await server.mintToken({ sub, ttlSeconds: 600, issuedAt: epoch });
    await withinDeadline(async () => {
      assert.equal((await negotiate(server, 'negotiateVersion=1', { token: before })).status, 401);
    });
    const after = await server.mintToken({ sub, ttlSeconds: 600, issuedAt: epoch + 1 });
    const c = buildConnection(server.hubUrl, 'WebSockets', { accessTokenFactory: () => after });
    await c.start();
    assert.equal((await c.invoke('Whoami')).sub, sub);
    await c.stop();
  });

  it('RefreshToken with a revoked token fails and the connection keeps its own', async () => {
    const sub = uniqueSub('refresh');
    const { c, life } = await connect('WebSockets', sub);
    const spare = await server.mintToken({ sub, ttlSeconds: 600 });
    await revoke('--jti', jose.decodeJwt(spare).jti);
    // Once the server knows (negotiate refuses it), RefreshToken must refuse it too.
    await withinDeadline(async () => {
      assert.equal((await negotiate(server, 'negotiateVersion=1', { token: spare })).status, 401);
    });
    await assert.rejects(c.invoke('RefreshToken', spare), /Token refused: revoked/);
    assert.equal(await c.invoke('Echo', 1), 1);
    assert.equal(life.events.closes.length, 0);
    await c.stop();
  });

  it('token revoke refuses a call naming neither or both of --jti and --sub', async () => {
    const neither = await runLatch(['token', 'revoke', '--data', server.dataDir]);
    assert.notEqual(neither.code, 0);
    assert.match(neither.stderr, /exactly one of --jti, --sub/);
    const both = await runLatch(['token', 'revoke', '--jti', 'a', '--sub', 'b', '--data', server.dataDir]);
    assert.notEqual(both.code, 0);
  });
});
