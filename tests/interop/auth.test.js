'use strict';
// Authentication and token lifetime on every transport, with the official client and tokens
// minted by jose (independent of the server): no token, no connection; a token that expires
// closes the connection with "Token expired"; RefreshToken keeps it open past the first
// token's expiry; a method needing another role is refused; another subject's token cannot
// use a stolen connection token.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const signalR = require('@microsoft/signalr');

const { startServer, stopServer } = require('./helpers/server');
const { TRANSPORTS, buildConnection, watchLifecycle: lifecycle } = require('./helpers/client');
const { negotiate } = require('./helpers/wire');

const LIMITS = { keepalive_interval_ms: 1000, client_timeout_ms: 5000 };

describe('authentication and token lifetime', () => {
  let server;
  before(async () => { server = await startServer(LIMITS); });
  after(() => stopServer(server));

  it('negotiate without a token, or with a forged one, is refused with 401 and a reason', async () => {
    const none = await negotiate(server, 'negotiateVersion=1', { token: null });
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate'), /^Bearer error="invalid_token", error_description="missing_token"$/);
    const jose = await import('jose');
    const unsigned = new jose.UnsecuredJWT({ roles: ['user'] }).setSubject('x').setIssuer('latch')
      .setAudience('latch').setExpirationTime('10m').encode();
    const noneAlg = await negotiate(server, 'negotiateVersion=1', { token: unsigned });
    assert.equal(noneAlg.status, 401);
    const otherKey = await new jose.SignJWT({ roles: ['user'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'latch-hs256' }).setSubject('x').setIssuer('latch')
      .setAudience('latch').setExpirationTime('10m').sign(new Uint8Array(32).fill(7));
    const forged = await negotiate(server, 'negotiateVersion=1', { token: otherKey });
    assert.equal(forged.status, 401);
    assert.match(forged.headers.get('www-authenticate'), /bad_signature/);
    assert.equal(JSON.stringify(forged.body).includes(otherKey), false);
  });

  for (const { name: transport } of TRANSPORTS) {
    describe(transport, () => {
      it('the official client without a token cannot start', async () => {
        const c = buildConnection(server.hubUrl, transport, { accessTokenFactory: () => '' });
        await assert.rejects(c.start());
      });

      it('a token that expires during the connection closes it with "Token expired"', async () => {
        const token = await server.mintToken({ sub: 'short', ttlSeconds: 3 });
        const c = buildConnection(server.hubUrl, transport, { accessTokenFactory: () => token });
        const life = lifecycle(c);
        const expiring = new Promise((resolve) => c.on('TokenExpiring', resolve));
        await c.start();
        assert.equal((await c.invoke('Whoami')).sub, 'short');
        const secondsLeft = await expiring;
        assert.ok(secondsLeft >= 1 && secondsLeft <= 3, `secondsLeft ${secondsLeft}`);
        const error = await life.closed(8000);
        assert.match(String(error), /Token expired/);
        assert.equal(c.state, signalR.HubConnectionState.Disconnected);
      });

      it('RefreshToken keeps the connection open past the first token\'s expiry', async () => {
        const first = await server.mintToken({ sub: 'refresher', ttlSeconds: 3 });
        const c = buildConnection(server.hubUrl, transport, { accessTokenFactory: () => first });
        const life = lifecycle(c);
        await c.start();
        const second = await server.mintToken({ sub: 'refresher', ttlSeconds: 60 });
        const { expiresAt } = await c.invoke('RefreshToken', second);
        assert.ok(expiresAt >= Math.floor(Date.now() / 1000) + 55);
        await new Promise((r) => setTimeout(r, 4000));  // past the first token's exp
        assert.equal(life.events.closes.length, 0);
        assert.equal(await c.invoke('Echo', 'still here'), 'still here');
        await c.stop();
      });

      it('RefreshToken with another subject\'s token fails and the old deadline holds', async () => {
        const first = await server.mintToken({ sub: 'alice', ttlSeconds: 3 });
        const c = buildConnection(server.hubUrl, transport, { accessTokenFactory: () => first });
        const life = lifecycle(c);
        await c.start();
        const mallory = await server.mintToken({ sub: 'mallory', ttlSeconds: 600 });
        await assert.rejects(c.invoke('RefreshToken', mallory), /another subject/);
        assert.match(String(await life.closed(8000)), /Token expired/);
      });

      it('a method needing another role is refused, with the role it runs', async () => {
        const user = buildConnection(server.hubUrl, transport);
        await user.start();
        await assert.rejects(user.invoke('AdminOnlyForTest'), /Forbidden/);
        assert.equal(await user.invoke('Echo', 1), 1);  // the connection stays usable
        await user.stop();
        const adminToken = await server.mintToken({ sub: 'ops', roles: ['admin'] });
        const admin = buildConnection(server.hubUrl, transport, { accessTokenFactory: () => adminToken });
        await admin.start();
        assert.equal(await admin.invoke('AdminOnlyForTest'), 'admin ok');
        await admin.stop();
      });
    });
  }

  it('another user\'s valid token plus a stolen connection token gets nothing', async () => {
    const { body } = await negotiate(server);
    const url = `${server.hubUrl}?id=${encodeURIComponent(body.connectionToken)}`;
    const mallory = await server.mintToken({ sub: 'mallory' });
    const asMallory = { Authorization: `Bearer ${mallory}` };
    assert.equal((await fetch(url, { headers: asMallory })).status, 403);
    assert.equal((await fetch(url, { headers: { ...asMallory, Accept: 'text/event-stream' } })).status, 403);
    assert.equal((await fetch(url, { method: 'POST', headers: asMallory, body: '{}\x1e' })).status, 403);
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(`${url}&access_token=${mallory}`)).status, 403);
  });

  it('a header token and a different query token are refused, whatever the transport', async () => {
    const mallory = await server.mintToken({ sub: 'mallory' });
    const asUser = { Authorization: `Bearer ${server.token}` };
    // Negotiate: the header says one subject, the query another.
    let r = await fetch(`${server.hubUrl}/negotiate?negotiateVersion=1&access_token=${mallory}`,
      { method: 'POST', headers: asUser });
    assert.equal(r.status, 400);
    assert.match(await r.text(), /Conflicting access tokens/);
    // Two query tokens, or two Authorization headers.
    r = await fetch(`${server.hubUrl}/negotiate?negotiateVersion=1&access_token=${server.token}&access_token=${mallory}`,
      { method: 'POST' });
    assert.equal(r.status, 400);
    const { body } = await negotiate(server);
    const url = `${server.hubUrl}?id=${encodeURIComponent(body.connectionToken)}`;
    for (const headers of [asUser, { ...asUser, Accept: 'text/event-stream' }]) {
      r = await fetch(`${url}&access_token=${mallory}`, { headers });
      assert.equal(r.status, 400);
    }
    // The same token in both places is one token.
    r = await fetch(`${server.hubUrl}/negotiate?negotiateVersion=1&access_token=${server.token}`,
      { method: 'POST', headers: asUser });
    assert.equal(r.status, 200);
  });

  it('a token that expired a moment ago opens no connection, though within the clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await server.mintToken({ sub: 'late', issuedAt: now - 60, expiresAt: now - 2 });
    const r = await negotiate(server, 'negotiateVersion=1', { token: expired });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate'), /expired/);
  });
});
