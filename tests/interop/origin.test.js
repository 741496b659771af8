'use strict';
// Browser origin policy: cross-origin WebSocket upgrades and CORS requests are refused unless
// the origin is configured (allowed_origins). A hijacking page on an unlisted origin gets
// nothing, not even a negotiate answer.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');

const { startServer, stopServer } = require('./helpers/server');
const { authHeaders } = require('./helpers/wire');

const ALLOWED = 'http://app.example';
const EVIL = 'http://evil.example';

function upgrade(server, origin) {
  return new Promise((resolve) => {
    const headers = { ...authHeaders(server.wsUrl), ...(origin ? { Origin: origin } : {}) };
    const ws = new WebSocket(`${server.wsUrl}`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.once('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode }));
    ws.once('error', () => resolve({ opened: false, status: 0 }));
  });
}

describe('origin policy', () => {
  let server;
  before(async () => {
    server = await startServer({}, { extraToml: `allowed_origins = ["${ALLOWED}"]` });
  });
  after(async () => { await stopServer(server); });

  it('refuses a WebSocket upgrade from an unlisted origin (hijacking attempt)', async () => {
    assert.deepEqual(await upgrade(server, EVIL), { opened: false, status: 403 });
  });

  it('accepts a WebSocket upgrade from a configured origin, and from non-browser clients', async () => {
    assert.deepEqual(await upgrade(server, ALLOWED), { opened: true });
    assert.deepEqual(await upgrade(server, undefined), { opened: true });
  });

  it('refuses negotiate from an unlisted origin', async () => {
    const res = await fetch(`${server.hubUrl}/negotiate?negotiateVersion=1`,
      { method: 'POST', headers: { ...authHeaders(server.hubUrl), Origin: EVIL } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  it('answers negotiate from a configured origin with CORS headers', async () => {
    const res = await fetch(`${server.hubUrl}/negotiate?negotiateVersion=1`,
      { method: 'POST', headers: { ...authHeaders(server.hubUrl), Origin: ALLOWED } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  });

  it('answers a CORS preflight only for a configured origin', async () => {
    const preflight = (origin) => fetch(`${server.hubUrl}/negotiate?negotiateVersion=1`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,x-signalr-user-agent',
      },
    });
    const bad = await preflight(EVIL);
    assert.equal(bad.status, 403);
    const good = await preflight(ALLOWED);
    assert.equal(good.status, 204);
    assert.equal(good.headers.get('access-control-allow-origin'), ALLOWED);
    assert.match(good.headers.get('access-control-allow-methods'), /POST/);
    assert.match(good.headers.get('access-control-allow-headers'), /Authorization/);
  });

  it('refuses long polling and sends from an unlisted origin', async () => {
    const neg = await (await fetch(`${server.hubUrl}/negotiate?negotiateVersion=1`,
      { method: 'POST', headers: authHeaders(server.hubUrl) })).json();
    const poll = await fetch(`${server.hubUrl}?id=${neg.connectionToken}`, { headers: { ...authHeaders(server.hubUrl), Origin: EVIL } });
    assert.equal(poll.status, 403);
    const send = await fetch(`${server.hubUrl}?id=${neg.connectionToken}`,
      { method: 'POST', headers: { ...authHeaders(server.hubUrl), Origin: EVIL }, body: '{}\x1e' });
    assert.equal(send.status, 403);
  });
});

describe('origin policy with no configured origins', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await stopServer(server); });

  it('refuses every cross-origin browser request by default', async () => {
    assert.deepEqual(await upgrade(server, ALLOWED), { opened: false, status: 403 });
    const res = await fetch(`${server.hubUrl}/negotiate?negotiateVersion=1`,
      { method: 'POST', headers: { ...authHeaders(server.hubUrl), Origin: ALLOWED } });
    assert.equal(res.status, 403);
  });
});
