'use strict';
// Bad input over a raw WebSocket (the `ws` package): every case must end that connection
// the way the protocol says, and leave the server serving new connections.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, stopServer } = require('./helpers/server');
const { RS, MessageType, negotiate, RawHubSocket } = require('./helpers/wire');
const { sleep } = require('./helpers/client');

const MAX_MESSAGE_BYTES = 4096;
const HANDSHAKE_TIMEOUT_MS = 1000;
const KEEPALIVE_MS = 400;
const CLIENT_TIMEOUT_MS = 2000;
const LIMITS = {
  max_message_bytes: MAX_MESSAGE_BYTES,
  handshake_timeout_ms: HANDSHAKE_TIMEOUT_MS,
  keepalive_interval_ms: KEEPALIVE_MS,
  client_timeout_ms: CLIENT_TIMEOUT_MS,
};

let server;
before(async () => { server = await startServer(LIMITS); });
after(() => stopServer(server));

async function open() {
  return RawHubSocket.connect(server.wsUrl);
}

async function connected() {
  const ws = await open();
  await ws.handshake();
  return ws;
}

// A new connection still works: nothing crashed or stalled.
async function assertServerServes() {
  assert.ok(server.alive(), 'the server process exited');
  const ws = await connected();
  try {
    const done = await ws.invoke('Add', [19, 23]);
    assert.equal(done.result, 42);
  } finally {
    ws.terminate();
  }
}

// The next record is a Close with an error matching `pattern`, then the socket closes.
async function expectCloseMessage(ws, pattern) {
  const close = await ws.next(3000);
  assert.ok(close, `the socket closed without a Close message (${JSON.stringify(ws.closeInfo)})`);
  assert.equal(close.type, MessageType.Close, `expected a Close, got ${JSON.stringify(close)}`);
  assert.equal(typeof close.error, 'string');
  assert.match(close.error, pattern);
  assert.notEqual(close.allowReconnect, true);
  await ws.waitClosed(3000);
  return close;
}

// A handshake error response, then the socket closes with nothing else sent.
async function expectHandshakeError(ws, pattern) {
  const response = await ws.next(3000, { keepPings: true });
  assert.ok(response, 'the socket closed without a handshake response');
  assert.equal(typeof response.error, 'string', `got ${JSON.stringify(response)}`);
  assert.match(response.error, pattern);
  await ws.waitClosed(3000);
  assert.equal(await ws.next(10, { keepPings: true }), null, 'records after the handshake error');
}

describe('WebSocket handshake', () => {
  it('connects without negotiate and completes the JSON handshake', async () => {
    const ws = await open();
    ws.sendRecord({ protocol: 'json', version: 1 });
    assert.deepEqual(await ws.next(3000, { keepPings: true }), {});
    const me = await ws.invoke('Whoami', []);
    assert.equal(me.result.transport, 'WebSockets');
    assert.equal(typeof me.result.connectionId, 'string');
    ws.terminate();
  });

  it('a negotiated connection token upgrades', async () => {
    const { body } = await negotiate(server);
    const ws = await RawHubSocket.connect(`${server.wsUrl}?id=${encodeURIComponent(body.connectionToken)}`);
    await ws.handshake();
    const me = await ws.invoke('Whoami', []);
    assert.equal(me.result.connectionId, body.connectionId);
    ws.terminate();
  });

  it('protocol "messagepack" is refused with an error response and a close', async () => {
    const ws = await open();
    ws.sendRecord({ protocol: 'messagepack', version: 1 });
    await expectHandshakeError(ws, /messagepack/);
    await assertServerServes();
  });

  it('json version 2 is refused', async () => {
    const ws = await open();
    ws.sendRecord({ protocol: 'json', version: 2 });
    await expectHandshakeError(ws, /version 2/);
    await assertServerServes();
  });

  it('a handshake that is not JSON is refused', async () => {
    const ws = await open();
    ws.sendText(`not json${RS}`);
    await expectHandshakeError(ws, /./);
    await assertServerServes();
  });

  it('no handshake within handshake_timeout_ms: error response and close', async () => {
    const ws = await open();
    const started = Date.now();
    await expectHandshakeError(ws, /Handshake was not received in time/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= HANDSHAKE_TIMEOUT_MS - 100, `closed after ${elapsed} ms`);
    assert.ok(elapsed < HANDSHAKE_TIMEOUT_MS + 1500, `closed after ${elapsed} ms`);
    await assertServerServes();
  });

  it('a handshake split across frames is accepted', async () => {
    const ws = await open();
    const text = JSON.stringify({ protocol: 'json', version: 1 }) + RS;
    ws.sendText(text.slice(0, 10));
    await sleep(50);
    ws.sendText(text.slice(10));
    assert.deepEqual(await ws.next(3000, { keepPings: true }), {});
    assert.equal((await ws.invoke('Echo', ['split'])).result, 'split');
    ws.terminate();
  });
});

// The upgrade request itself, written by hand: RFC 6455 section 4.2.1 wants the key to be the
// base64 encoding of 16 bytes; anything else is answered 400, never 101.
async function upgradeStatus(key) {
  const net = require('node:net');
  const headers = [
    `GET /hubs/command?access_token=${server.token} HTTP/1.1`,
    `Host: 127.0.0.1:${server.port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Version: 13',
  ];
  if (key !== undefined) headers.push(`Sec-WebSocket-Key: ${key}`);
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => {
      socket.write(headers.join('\r\n') + '\r\n\r\n');
    });
    let got = '';
    socket.on('data', (chunk) => {
      got += chunk.toString('latin1');
      const line = got.indexOf('\r\n');
      if (line >= 0) {
        socket.destroy();
        resolve(Number(got.slice(0, line).split(' ')[1]));
      }
    });
    socket.on('error', reject);
    socket.setTimeout(3000, () => { socket.destroy(); reject(new Error('no answer')); });
  });
}

describe('WebSocket upgrade request', () => {
  it('a key that is the base64 of 16 bytes upgrades (101)', async () => {
    assert.equal(await upgradeStatus(require('node:crypto').randomBytes(16).toString('base64')), 101);
  });
  for (const [what, key] of [['no key', undefined], ['an empty key', ''],
    ['a garbage key', 'not a key at all!'], ['the base64 of 15 bytes', Buffer.alloc(15, 7).toString('base64')],
    ['the base64 of 17 bytes', Buffer.alloc(17, 7).toString('base64')],
    ['24 characters that are not base64', '************************']]) {
    it(`${what}: 400`, async () => {
      assert.equal(await upgradeStatus(key), 400);
      await assertServerServes();
    });
  }
});

describe('WebSocket messages after the handshake', () => {
  it('batched and split records are all handled', async () => {
    const ws = await connected();
    const a = JSON.stringify({ type: 1, invocationId: 'a', target: 'Add', arguments: [1, 1] });
    const b = JSON.stringify({ type: 1, invocationId: 'b', target: 'Add', arguments: [2, 2] });
    ws.sendText(a + RS + b.slice(0, 7));
    await sleep(50);
    ws.sendText(b.slice(7) + RS);
    const results = {};
    while (Object.keys(results).length < 2) {
      const r = await ws.next(3000);
      assert.ok(r, 'socket closed');
      if (r.type === MessageType.Completion) results[r.invocationId] = r.result;
    }
    assert.deepEqual(results, { a: 2, b: 4 });
    ws.terminate();
  });

  it('the server pings an idle client', async () => {
    const ws = await connected();
    const started = Date.now();
    const ping = await ws.next(KEEPALIVE_MS * 4, { keepPings: true });
    assert.deepEqual(ping, { type: MessageType.Ping });
    assert.ok(Date.now() - started >= KEEPALIVE_MS / 2);
    ws.terminate();
  });

  it('a client that sends nothing for client_timeout_ms is closed', async () => {
    const ws = await connected();
    const started = Date.now();
    await expectCloseMessage(ws, /timeout/i);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= CLIENT_TIMEOUT_MS - 100, `closed after ${elapsed} ms`);
  });

  it('a client that pings is not timed out', async () => {
    const ws = await connected();
    const timer = setInterval(() => ws.sendRecord({ type: MessageType.Ping }), KEEPALIVE_MS);
    try {
      await sleep(CLIENT_TIMEOUT_MS + 500);
      assert.equal(ws.closeInfo, null);
      assert.equal((await ws.invoke('Echo', ['alive'])).result, 'alive');
    } finally {
      clearInterval(timer);
      ws.terminate();
    }
  });

  it('invalid JSON: Close with an error, then the socket closes', async () => {
    const ws = await connected();
    ws.sendText(`{"type":1,"target":${RS}`);
    await expectCloseMessage(ws, /JSON/);
    await assertServerServes();
  });

  it('a message larger than max_message_bytes: Close mentioning the maximum size', async () => {
    const ws = await connected();
    // Just under the limit works.
    const fits = 'y'.repeat(MAX_MESSAGE_BYTES - 200);
    assert.equal((await ws.invoke('Echo', [fits])).result, fits);
    ws.sendRecord({ type: 1, invocationId: 'big', target: 'Echo', arguments: ['x'.repeat(MAX_MESSAGE_BYTES + 1000)] });
    await expectCloseMessage(ws, new RegExp(`maximum size.*${MAX_MESSAGE_BYTES}`));
    await assertServerServes();
  });

  it('an unterminated record growing past max_message_bytes is refused', async () => {
    const ws = await connected();
    ws.sendText(`{"type":1,"target":"Echo","arguments":["${'z'.repeat(MAX_MESSAGE_BYTES)}`);
    await expectCloseMessage(ws, /maximum size/);
    await assertServerServes();
  });

  it('a huge frame is refused at the WebSocket layer (close 1009)', async () => {
    const ws = await connected();
    ws.sendText('x'.repeat(MAX_MESSAGE_BYTES * 4));
    const info = await ws.waitClosed(3000);
    assert.equal(info.code, 1009);
    await assertServerServes();
  });

  it('unknown message type 99: Close with an error', async () => {
    const ws = await connected();
    ws.sendRecord({ type: 99 });
    await expectCloseMessage(ws, /type/i);
    await assertServerServes();
  });

  it('a binary frame: Close with an error', async () => {
    const ws = await connected();
    ws.ws.send(Buffer.from(JSON.stringify({ type: 6 }) + RS), { binary: true });
    await expectCloseMessage(ws, /[Bb]inary/);
    await assertServerServes();
  });

  it('an invalid UTF-8 text frame closes the socket with 1007', async () => {
    const ws = await connected();
    ws.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x1e]), { binary: false });
    const info = await ws.waitClosed(3000);
    assert.equal(info.code, 1007);
    await assertServerServes();
  });

  it('a duplicate invocation id in flight is a protocol error', async () => {
    const ws = await connected();
    ws.sendRecord({ type: 1, invocationId: 'same', target: 'InvokeCallerForTest', arguments: ['nobody', 1, 5000] });
    ws.sendRecord({ type: 1, invocationId: 'same', target: 'Echo', arguments: [1] });
    // The first invocation makes the server call the client; skip that invocation.
    let close;
    for (;;) {
      close = await ws.next(3000);
      assert.ok(close, 'the socket closed without a Close message');
      if (close.type !== MessageType.Invocation) break;
    }
    assert.equal(close.type, MessageType.Close, JSON.stringify(close));
    assert.match(close.error, /already in use/);
    await ws.waitClosed(3000);
    await assertServerServes();
  });

  it('a Close from the client ends the connection', async () => {
    const ws = await connected();
    ws.sendRecord({ type: MessageType.Close });
    await ws.waitClosed(3000);
    await assertServerServes();
  });
});
