'use strict';
// A client that stops reading must not make the server queue without bound: once the
// connection's outbound backlog passes max_backlog_bytes the server drops it, and other
// connections are unaffected.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, stopServer } = require('./helpers/server');
const { MessageType, RawHubSocket } = require('./helpers/wire');
const { TRANSPORTS, buildConnection, withTimeout, sleep } = require('./helpers/client');

const MAX_BACKLOG_BYTES = 262144;
const FLOOD_COUNT = 2000;
const FLOOD_BYTES = 8000;  // 2000 x 8000 = 16 MB, far past the backlog and the socket buffers

let server;
before(async () => { server = await startServer({ max_backlog_bytes: MAX_BACKLOG_BYTES }); });
after(() => stopServer(server));

describe('slow consumer', () => {
  it('a WebSocket client that stops reading is disconnected; others still work', async () => {
    const other = buildConnection(server.hubUrl, 'WebSockets');
    await other.start();
    const slow = await RawHubSocket.connect(server.wsUrl);
    try {
      await slow.handshake();
      let floodRecords = 0;
      let completion = null;
      slow.ws.on('message', (data) => {
        const text = data.toString('utf8');
        floodRecords += text.split('"target":"floodForTest"').length - 1;
        if (text.includes('"invocationId":"flood"')) completion = text;
      });

      slow.ws._socket.pause();
      slow.sendRecord({
        type: MessageType.Invocation, invocationId: 'flood', target: 'FloodForTest',
        arguments: ['floodForTest', FLOOD_COUNT, FLOOD_BYTES],
      });

      // While the slow client holds its backlog, another connection is served promptly.
      await sleep(300);
      const started = Date.now();
      assert.equal(await withTimeout(other.invoke('Echo', 'meanwhile'), 2000, 'Echo'), 'meanwhile');
      assert.ok(Date.now() - started < 1000, 'the other connection was held up');

      // Give the server time to overflow the backlog and drop the connection, then read
      // what was delivered: the stream must end well short of the whole flood.
      await sleep(1500);
      slow.ws._socket.resume();
      const info = await slow.waitClosed(5000);
      assert.ok(info, 'the slow socket was not closed');
      assert.ok(floodRecords < FLOOD_COUNT,
        `all ${FLOOD_COUNT} records were delivered: the backlog was not bounded`);
      assert.equal(completion, null, `the flood completed: ${completion}`);
    } finally {
      slow.terminate();
    }
    assert.equal(await other.invoke('Add', 2, 40), 42);
    await other.stop();

    // A new connection works too.
    const fresh = buildConnection(server.hubUrl, 'WebSockets');
    await fresh.start();
    assert.equal(await fresh.invoke('Echo', 'after'), 'after');
    await fresh.stop();
  });

  it('a client that reads keeps up with a flood within the backlog', async () => {
    const ws = await RawHubSocket.connect(server.wsUrl);
    try {
      await ws.handshake();
      const count = 20;
      const done = await ws.invoke('FloodForTest', ['smallFloodForTest', count, 1000], 'f', 5000);
      assert.equal(done.result, count);
      const received = ws.records.filter((r) => r.target === 'smallFloodForTest');
      assert.equal(received.length, count);
      assert.equal(received[0].arguments[0].length, 1000);
    } finally {
      ws.terminate();
    }
  });

  for (const { name: transport } of TRANSPORTS) {
    it(`the official client over ${transport} receives a whole flood`, async () => {
      const c = buildConnection(server.hubUrl, transport);
      const got = [];
      c.on('orderedFloodForTest', (s) => got.push(s.length));
      await c.start();
      try {
        assert.equal(await c.invoke('FloodForTest', 'orderedFloodForTest', 50, 2000), 50);
        const deadline = Date.now() + 3000;
        while (got.length < 50 && Date.now() < deadline) await sleep(20);
        assert.equal(got.length, 50);
        assert.ok(got.every((n) => n === 2000));
      } finally {
        await c.stop();
      }
    });
  }
});
