'use strict';
// "Once" survives a restart of the server (issue 13, item 1): an envelope whose iat is in the
// server's future (a client's clock ahead, within the skew) runs, the server restarts within
// that skew, and the same envelope sent again is refused: the nonce cache starts empty, but
// the replay mark in the data directory remembers how far ahead accepted envelopes reached.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { HomeProcesses } = require('./helpers/home_processes');
const { buildConnection } = require('./helpers/client');
const { signEnvelope } = require('../../clients/js/latch-envelope');

async function invokeOnce(env, token, envelope) {
  const c = buildConnection(`${env.url}/hubs/command`, 'WebSockets', { accessTokenFactory: () => token });
  await c.start();
  try {
    return await c.invoke('SendCommand', envelope);
  } finally {
    await c.stop();
  }
}

describe('replay across a server restart', () => {
  it('a future-dated envelope that ran before a restart is refused after it; the device ran it once', async () => {
    const env = await HomeProcesses.create();
    try {
      const agent = env.startAgent();
      await agent.connected();
      const alice = JSON.parse(fs.readFileSync(env.tokenFile, 'utf8'));
      const message = { home: env.home.id, device: env.device.id, command: 'OPEN_DOOR', args: ['once'] };
      // Signed 4.5 s ahead of now: the default skew (5 s) lets it through.
      const t0 = Date.now();
      const ahead = await signEnvelope(alice.session_key, 'SendCommand', message,
        { now: t0 + 4500, lifetimeMs: 20_000 });
      assert.equal((await invokeOnce(env, alice.access_token, ahead)).status, 'ok');

      await env.stopServer();
      await env.startServer();
      await agent.connected(2, 20000);

      const again = await invokeOnce(env, alice.access_token, ahead);
      assert.equal(again.status, 'replayed', JSON.stringify(again));
      assert.deepEqual(env.runs(), ['OPEN_DOOR|once'], 'the handler ran the command once');
      // A new envelope (signed past the mark, which is at most a second past the old iat)
      // runs: the mark refuses only what an earlier run may have accepted.
      while (Date.now() < t0 + 800) await new Promise((resolve) => setTimeout(resolve, 50));
      const fresh = await signEnvelope(alice.session_key, 'SendCommand', { ...message, args: ['new'] },
        { now: Date.now() + 4900, lifetimeMs: 20_000 });
      const r = await invokeOnce(env, alice.access_token, fresh);
      assert.equal(r.status, 'ok', JSON.stringify(r));
      assert.deepEqual(env.runs(), ['OPEN_DOOR|once', 'OPEN_DOOR|new']);
      assert.match(env.serverLog, /signed_before_start/);
    } finally {
      await env.close();
    }
  });
});
