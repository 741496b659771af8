'use strict';
// A recorded command is worthless (SPEC section 5): the exact SendCommand frame sent again
// over a second WebSocket, over long polling, over Server-Sent Events, or after a
// reconnect gets "replayed", and the device runs the command once. Nonces are per subject:
// another user may use the same nonce with their own signature. After RefreshToken, envelopes
// signed with the previous session key are refused (no grace window).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer, stopServer, runLatch } = require('./helpers/server');
const { buildConnection } = require('./helpers/client');
const { RawHubSocket, RS } = require('./helpers/wire');
const { startDevice } = require('./helpers/device');
const { signEnvelope } = require('../../clients/js/latch-envelope');

describe('replays', () => {
  let server;
  let home;
  let door;
  let device;
  const users = {};

  async function manage(...args) {
    const r = await runLatch([...args, '--data', server.dataDir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  }

  before(async () => {
    server = await startServer();
    home = await manage('home', 'add', 'Replay home', '--owner', 'alice');
    await manage('home', 'member', 'add', home.id, 'bob', '--role', 'member');
    door = await manage('device', 'add', home.id, 'door', '--commands', 'OPEN_DOOR,LOCK_DOOR');
    device = await startDevice(server, door, { transport: 'WebSockets' });
    for (const sub of ['alice', 'bob']) {
      users[sub] = await manage('token', 'issue', '--sub', sub, '--role', 'user', '--ttl', '10m');
    }
  });
  after(async () => {
    await device?.stop();
    await stopServer(server);
  });

  const msg = (command = 'LOCK_DOOR') => ({ home: home.id, device: door.id, command, args: [] });

  async function connect(sub, transport) {
    const c = buildConnection(server.hubUrl, transport, { accessTokenFactory: () => users[sub].access_token });
    await c.start();
    return c;
  }

  it('the same frame over a second WebSocket, long polling, SSE and after a reconnect is refused', async () => {
    const before = device.executed.length;
    const envelope = await signEnvelope(users.alice.session_key, 'SendCommand', msg());
    const frame = JSON.stringify({ type: 1, invocationId: '7', target: 'SendCommand', arguments: [envelope] }) + RS;

    const first = await RawHubSocket.connect(`${server.wsUrl}`, { token: users.alice.access_token });
    await first.handshake();
    first.sendText(frame);
    const ok = await first.next(5000);
    assert.equal(ok.result.status, 'ok', JSON.stringify(ok));

    const second = await RawHubSocket.connect(`${server.wsUrl}`, { token: users.alice.access_token });
    await second.handshake();
    second.sendText(frame);  // verbatim
    assert.equal((await second.next(5000)).result.status, 'replayed');

    for (const transport of ['LongPolling', 'ServerSentEvents']) {
      const c = await connect('alice', transport);
      assert.equal((await c.invoke('SendCommand', envelope)).status, 'replayed', transport);
      await c.stop();
    }
    const c = await connect('alice', 'WebSockets');
    await c.stop();
    await c.start();  // a reconnect: same subject, fresh connection
    assert.equal((await c.invoke('SendCommand', envelope)).status, 'replayed');
    await c.stop();
    first.terminate();
    second.terminate();
    assert.equal(device.executed.length - before, 1, 'the device ran the command exactly once');
  });

  it('another user may use the same nonce, signed with their own key', async () => {
    const aliceEnvelope = await signEnvelope(users.alice.session_key, 'SendCommand', msg());
    const bobEnvelope = await signEnvelope(users.bob.session_key, 'SendCommand', msg());
    // Same nonce as alice's, bob's own signature.
    const reuse = { ...bobEnvelope, nonce: aliceEnvelope.nonce };
    const resigned = await resign(users.bob.session_key, reuse);
    const a = await connect('alice', 'WebSockets');
    const b = await connect('bob', 'LongPolling');
    assert.equal((await a.invoke('SendCommand', aliceEnvelope)).status, 'ok');
    assert.equal((await b.invoke('SendCommand', resigned)).status, 'ok');
    await a.stop();
    await b.stop();
  });

  it('after RefreshToken an envelope signed with the previous session key is refused', async () => {
    const c = await connect('alice', 'WebSockets');
    const oldKey = users.alice.session_key;
    const signedBefore = await signEnvelope(oldKey, 'SendCommand', msg());
    const fresh = await manage('token', 'issue', '--sub', 'alice', '--role', 'user', '--ttl', '10m');
    await c.invoke('RefreshToken', fresh.access_token);
    assert.equal((await c.invoke('SendCommand', signedBefore)).status, 'invalid');
    const signedAfter = await signEnvelope(fresh.session_key, 'SendCommand', msg());
    assert.equal((await c.invoke('SendCommand', signedAfter)).status, 'ok');
    await c.stop();
  });
});

// Re-signs `envelope` (its iat, exp, nonce and msg as they are) with `sessionKey`.
async function resign(sessionKey, envelope) {
  const crypto = require('node:crypto');
  const key = Buffer.from(sessionKey, 'base64url');
  const input = `latch-env-v1|SendCommand|${envelope.iat}|${envelope.exp}|${envelope.nonce}|${envelope.msg}`;
  return { ...envelope, sig: crypto.createHmac('sha256', key).update(input).digest('base64url') };
}
