'use strict';
// The home network going dark for a minute (issue: the home hub agent, resilience): `latch
// agent` reaches the server through a link that stops passing anything, without closing a
// connection, for 60 s. The agent must notice on its own (no message within its server
// timeout), keep trying without giving up, reconnect by itself once the link is back (within
// its 30 s backoff cap and a 15 s open timeout), and then run the next command exactly once.
// Meanwhile the server has noticed too: a command sent during the outage is "offline".
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { HomeProcesses } = require('./helpers/home_processes');
const { FlakyLink } = require('./helpers/flaky_link');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const OUTAGE_MS = 60_000;
// Longest the agent may take once the link is back: a backoff of at most 30 s, then a
// connection attempt of at most 15 s that may have started just before the link returned.
const RECONNECT_LIMIT_MS = 50_000;

describe('latch agent and a minute-long network outage', { timeout: 240_000 }, () => {
  let env;
  let link;
  let agent;
  before(async () => {
    env = await HomeProcesses.create({ commands: 'OPEN_DOOR' });
    link = await FlakyLink.start(env.port);
    agent = env.startAgent({ server: link.url });
    await agent.connected();
  });
  after(async () => {
    await env.close();
    await link.close();
  });

  it('notices the dead link, reconnects by itself when it returns, and runs the next command once', async (t) => {
    const first = await env.send('OPEN_DOOR', ['before']);
    assert.equal(first.code, 0, first.stderr);

    link.down();
    const downAt = Date.now();
    // No FIN, no RST: only the missing pings tell (30 s server timeout).
    await agent.waitForLog(/no message from the server for \d+ ms/, 45_000);
    const noticedAfter = Date.now() - downAt;
    assert.ok(noticedAfter >= 25_000, `noticed after ${noticedAfter} ms: before any timeout could`);
    const acceptedWhileDown = link.accepted;
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt) - 5_000));
    // The agent kept trying through the outage (each attempt caught by the dead link).
    assert.ok(link.accepted > acceptedWhileDown, 'the agent stopped trying during the outage');
    const during = await env.send('OPEN_DOOR', ['during']);
    assert.equal(during.code, 1);
    assert.match(during.stderr, /^offline/);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));

    const attempts = link.accepted - acceptedWhileDown;
    link.up();
    const upAt = Date.now();
    await agent.connected(2, RECONNECT_LIMIT_MS);
    const reconnectMs = Date.now() - upAt;
    assert.ok(reconnectMs < RECONNECT_LIMIT_MS, `reconnected ${reconnectMs} ms after the link returned`);
    t.diagnostic(`lost connection noticed ${noticedAfter} ms into the outage; ` +
      `${attempts} connection attempts after that; reconnected ${reconnectMs} ms after it`);

    const next = await env.send('OPEN_DOOR', ['after']);
    assert.equal(next.code, 0, next.stderr);
    await sleep(300);
    assert.deepEqual(env.runs(), ['OPEN_DOOR|before', 'OPEN_DOOR|after']);
    assert.equal(agent.child.exitCode, null, 'the agent gave up');
    assert.doesNotMatch(agent.log, /giving up/);
  });
});
