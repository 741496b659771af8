'use strict';
// Connection limits an attacker cannot turn against others (issue 13, item 2): one subject's
// negotiates stop at its own share (429) while everyone else still connects; users never take
// the tenth of the slots kept for devices, so a home hub gets back on; negotiated
// connections that no transport claims have their own budget and a shorter timeout; a
// subject's refusals are audited up to a budget, then its connection is closed (item 7).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer, stopServer, runLatch } = require('./helpers/server');
const { signEnvelope } = require('../../clients/js/latch-envelope');
const { negotiate } = require('./helpers/wire');
const { buildConnection } = require('./helpers/client');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('connection limits', () => {
  let server;
  before(async () => {
    server = await startServer({
      max_connections: 20,
      max_connections_per_subject: 5,
      max_unattached_connections: 100,
      negotiate_timeout_ms: 1000,
    });
  });
  after(() => stopServer(server));

  const as = async (sub, roles = ['user']) => server.mintToken({ sub, roles });

  it('one user\'s negotiates stop at the per-subject limit; others still connect; a hub gets the kept tenth', async () => {
    const mallory = await as('mallory');
    for (let i = 0; i < 5; ++i) assert.equal((await negotiate(server, undefined, { token: mallory })).status, 200);
    const refused = await negotiate(server, undefined, { token: mallory });
    assert.equal(refused.status, 429);
    assert.match(refused.body.error, /Too many connections for this user/);
    // Others fill the users' share (18 of 20), then are refused with 503.
    for (let i = 0; i < 13; ++i) {
      assert.equal((await negotiate(server, undefined, { token: await as(`user${i}`) })).status, 200, `user${i}`);
    }
    assert.equal((await negotiate(server, undefined, { token: await as('one-too-many') })).status, 503);
    // A home hub still gets on.
    assert.equal((await negotiate(server, undefined, { token: await as('d_hub', ['device']) })).status, 200);
    // Unclaimed, they all expire after negotiate_timeout_ms and the slots come back.
    await sleep(1800);
    assert.equal((await negotiate(server, undefined, { token: mallory })).status, 200);
    assert.ok(server.alive());
  });
});

describe('negotiated but never attached', () => {
  let server;
  before(async () => {
    server = await startServer({ max_unattached_connections: 3, negotiate_timeout_ms: 1000 });
  });
  after(() => stopServer(server));

  it('have their own budget: a flood of negotiates cannot stop clients that connect', async () => {
    for (let i = 0; i < 3; ++i) {
      const token = await server.mintToken({ sub: `flood${i}` });
      assert.equal((await negotiate(server, undefined, { token })).status, 200);
    }
    const token = await server.mintToken({ sub: 'flood-more' });
    const refused = await negotiate(server, undefined, { token });
    assert.equal(refused.status, 503);
    assert.match(refused.body.error, /starting/);
    // A client that skips negotiate (WebSockets) connects at once.
    const c = buildConnection(server.hubUrl, 'WebSockets');
    const signalR = require('@microsoft/signalr');
    const direct = new signalR.HubConnectionBuilder()
      .withUrl(server.hubUrl, { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true,
        accessTokenFactory: () => server.token })
      .configureLogging(signalR.LogLevel.None).build();
    await direct.start();
    assert.equal(await direct.invoke('Echo', 'on'), 'on');
    await direct.stop();
    await sleep(1500);
    await c.start();  // negotiates again once the flood expired
    assert.equal(await c.invoke('Echo', 'later'), 'later');
    await c.stop();
  });
});

describe('the refusal budget', () => {
  let server;
  before(async () => {
    server = await startServer({ refusal_budget: 5, refusal_window_ms: 1000 });
  });
  after(() => stopServer(server));

  async function manage(...args) {
    const r = await runLatch([...args, '--data', server.dataDir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  }

  it('a stranger\'s refusals are audited up to the budget, then the connection is closed and the rest summarised', async () => {
    const home = await manage('home', 'add', 'Budget', '--owner', 'alice');
    const door = await manage('device', 'add', home.id, 'door', '--commands', 'OPEN_DOOR');
    const mallory = await manage('token', 'issue', '--sub', 'mallory', '--role', 'user', '--ttl', '10m');
    const c = buildConnection(server.hubUrl, 'WebSockets', { accessTokenFactory: () => mallory.access_token });
    const closed = new Promise((resolve) => c.onclose(resolve));
    await c.start();
    const message = { home: home.id, device: door.id, command: 'OPEN_DOOR', args: [] };
    const answers = [];
    for (let i = 0; i < 6; ++i) {
      const envelope = await signEnvelope(mallory.session_key, 'SendCommand', message);
      answers.push(await c.invoke('SendCommand', envelope).catch((e) => e));
    }
    for (const a of answers.slice(0, 5)) assert.equal(a.status, 'denied');
    const error = await closed;
    assert.match(String(error), /Too many refused requests/);
    // Back within the window: refused again without a record each.
    const again = buildConnection(server.hubUrl, 'WebSockets', { accessTokenFactory: () => mallory.access_token });
    const closedAgain = new Promise((resolve) => again.onclose(resolve));
    await again.start();
    for (let i = 0; i < 3; ++i) {
      const envelope = await signEnvelope(mallory.session_key, 'SendCommand', message);
      again.invoke('SendCommand', envelope).catch(() => {});
    }
    await closedAgain;
    await sleep(1600);  // the window ends; the next tick writes the summary
    const audit = await manage('audit', 'list', '--limit', '100');
    const records = (Array.isArray(audit) ? audit : audit.records).filter((r) => r.actor === 'mallory');
    assert.equal(records.filter((r) => r.outcome === 'denied').length, 5, JSON.stringify(records));
    assert.equal(records.filter((r) => r.outcome === 'closed').length, 1);
    const summary = records.filter((r) => r.outcome === 'suppressed');
    assert.equal(summary.length, 1, JSON.stringify(records));
    assert.match(summary[0].detail, /^count=[1-3] reason=past_refusal_budget$/);
    assert.ok(server.alive());
  });
});
