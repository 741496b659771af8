'use strict';
// Wire-level HTTP tests: negotiate, the status codes of the hub endpoint, Server-Sent Events
// and long polling, spoken with plain fetch.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, stopServer } = require('./helpers/server');
const { RS, MessageType, negotiate, RawHubSocket, authHeaders } = require('./helpers/wire');
const { withTimeout } = require('./helpers/client');

const LONG_POLL_TIMEOUT_MS = 1000;
const DISCONNECT_TIMEOUT_MS = 1500;
const MAX_MESSAGE_BYTES = 4096;
const LIMITS = {
  long_poll_timeout_ms: LONG_POLL_TIMEOUT_MS,
  disconnect_timeout_ms: DISCONNECT_TIMEOUT_MS,
  negotiate_timeout_ms: DISCONNECT_TIMEOUT_MS,
  handshake_timeout_ms: 3000,
  // No pings: a poll that returns early would hide the long-poll timeout.
  keepalive_interval_ms: 30000,
  client_timeout_ms: 60000,
  max_message_bytes: MAX_MESSAGE_BYTES,
};
const HANDSHAKE = JSON.stringify({ protocol: 'json', version: 1 }) + RS;

let server;
before(async () => { server = await startServer(LIMITS); });
after(() => stopServer(server));

const hub = (query = '') => `${server.hubUrl}${query ? `?${query}` : ''}`;
const idQuery = (id) => `id=${encodeURIComponent(id)}`;

// Carries the server's default token unless init.headers says otherwise.
async function request(url, init = {}) {
  const res = await fetch(url, { ...init, headers: { ...authHeaders(url), ...(init.headers || {}) } });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

async function negotiated() {
  const { status, body } = await negotiate(server);
  assert.equal(status, 200);
  return body;
}

// Starts long polling on a fresh connection and completes the JSON handshake.
async function longPollingConnection() {
  const { connectionToken } = await negotiated();
  const url = hub(idQuery(connectionToken));
  const first = await request(url);
  assert.equal(first.status, 200);
  const post = await request(url, { method: 'POST', body: HANDSHAKE });
  assert.equal(post.status, 200);
  const handshake = await request(url);
  assert.equal(handshake.status, 200);
  assert.equal(handshake.body, `{}${RS}`);
  return { token: connectionToken, url };
}

describe('negotiate', () => {
  it('version 1 returns a token, an id and the three transports', async () => {
    const { status, headers, body } = await negotiate(server, 'negotiateVersion=1');
    assert.equal(status, 200);
    assert.match(headers.get('content-type'), /^application\/json/);
    assert.equal(body.negotiateVersion, 1);
    assert.equal(typeof body.connectionId, 'string');
    assert.equal(typeof body.connectionToken, 'string');
    assert.ok(body.connectionId.length > 0 && body.connectionToken.length > 0);
    assert.notEqual(body.connectionToken, body.connectionId);
    assert.deepEqual(
      body.availableTransports.map((t) => t.transport).sort(),
      ['LongPolling', 'ServerSentEvents', 'WebSockets'],
    );
    for (const t of body.availableTransports) {
      assert.ok(t.transferFormats.includes('Text'), `${t.transport} lacks Text`);
    }
    assert.equal('useStatefulReconnect' in body, false);
    assert.equal('error' in body, false);
  });

  it('gives every connection a new id and token', async () => {
    const a = await negotiated();
    const b = await negotiated();
    assert.notEqual(a.connectionId, b.connectionId);
    assert.notEqual(a.connectionToken, b.connectionToken);
  });

  it('version 0 (or no version) returns no connection token', async () => {
    for (const query of ['negotiateVersion=0', '']) {
      const { status, body } = await negotiate(server, query);
      assert.equal(status, 200, query);
      assert.equal(body.negotiateVersion, 0, query);
      assert.equal(typeof body.connectionId, 'string');
      assert.equal('connectionToken' in body, false, query);
      assert.equal(body.availableTransports.length, 3);
    }
  });

  it('a version above the highest is answered with version 1', async () => {
    const { status, body } = await negotiate(server, 'negotiateVersion=7');
    assert.equal(status, 200);
    assert.equal(body.negotiateVersion, 1);
    assert.equal(typeof body.connectionToken, 'string');
  });

  it('a version that is not a number is a 400 with an error', async () => {
    for (const bad of ['abc', '-1', '1.5', '']) {
      const { status, body } = await negotiate(server, `negotiateVersion=${bad}`);
      assert.equal(status, 400, `negotiateVersion=${bad}`);
      assert.equal(typeof body.error, 'string', `negotiateVersion=${bad}`);
      assert.equal('connectionId' in body, false);
    }
  });

  it('only POST negotiates', async () => {
    const { status } = await request(`${server.hubUrl}/negotiate?negotiateVersion=1`);
    assert.equal(status, 405);
  });

  it('a negotiated connection that starts no transport expires', async () => {
    const { connectionToken } = await negotiated();
    await new Promise((resolve) => setTimeout(resolve, DISCONNECT_TIMEOUT_MS + 600));
    assert.equal((await request(hub(idQuery(connectionToken)))).status, 404);
  });

  it('a version 0 connection is addressed by its connection id', async () => {
    const { body } = await negotiate(server, 'negotiateVersion=0');
    const url = hub(idQuery(body.connectionId));
    assert.equal((await request(url)).status, 200);  // first poll starts long polling
    assert.equal((await request(url, { method: 'DELETE' })).status, 202);
  });
});

describe('hub endpoint status codes', () => {
  const unknown = idQuery('no-such-connection-token');

  it('unknown id: GET, SSE, POST, DELETE and WebSocket are 404', async () => {
    assert.equal((await request(hub(unknown))).status, 404);
    assert.equal(
      (await request(hub(unknown), { headers: { Accept: 'text/event-stream' } })).status, 404,
    );
    assert.equal((await request(hub(unknown), { method: 'POST', body: HANDSHAKE })).status, 404);
    assert.equal((await request(hub(unknown), { method: 'DELETE' })).status, 404);
    await assert.rejects(
      RawHubSocket.connect(`${server.wsUrl}?${unknown}`),
      (err) => err.status === 404,
    );
  });

  it('a version 1 connection is not found by its connection id', async () => {
    const { connectionId } = await negotiated();
    assert.equal((await request(hub(idQuery(connectionId)))).status, 404);
  });

  it('missing id: SSE, long poll, POST and DELETE are 400', async () => {
    assert.equal(
      (await request(hub(), { headers: { Accept: 'text/event-stream' } })).status, 400,
    );
    assert.equal((await request(hub())).status, 400);
    assert.equal((await request(hub('id='))).status, 400);
    assert.equal((await request(hub(), { method: 'POST', body: HANDSHAKE })).status, 400);
    assert.equal((await request(hub(), { method: 'DELETE' })).status, 400);
  });

  it('other methods and paths are refused', async () => {
    const { connectionToken } = await negotiated();
    assert.equal((await request(hub(idQuery(connectionToken)), { method: 'PUT' })).status, 405);
    assert.equal((await request(`${server.url}/hubs/other`)).status, 404);
  });

  it('a POST before any transport started is 400', async () => {
    const { connectionToken } = await negotiated();
    const res = await request(hub(idQuery(connectionToken)), { method: 'POST', body: HANDSHAKE });
    assert.equal(res.status, 400);
  });

  it('a second WebSocket on the same connection token is 409', async () => {
    const { connectionToken } = await negotiated();
    const url = `${server.wsUrl}?${idQuery(connectionToken)}`;
    const first = await RawHubSocket.connect(url);
    try {
      await assert.rejects(RawHubSocket.connect(url), (err) => err.status === 409);
      // The first socket is unaffected.
      await first.handshake();
      const done = await first.invoke('Add', [1, 2]);
      assert.equal(done.result, 3);
    } finally {
      first.terminate();
    }
  });

  it('a second SSE stream on the same connection is 409', async () => {
    const { connectionToken } = await negotiated();
    const url = hub(idQuery(connectionToken));
    const abort = new AbortController();
    const first = await fetch(url, { headers: { ...authHeaders(url), Accept: 'text/event-stream' }, signal: abort.signal });
    try {
      assert.equal(first.status, 200);
      const second = await request(url, { headers: { Accept: 'text/event-stream' } });
      assert.equal(second.status, 409);
    } finally {
      abort.abort();
    }
  });

  it('a connection cannot change transports', async () => {
    const { url } = await longPollingConnection();
    const sse = await request(url, { headers: { Accept: 'text/event-stream' } });
    assert.equal(sse.status, 400);
    await assert.rejects(
      RawHubSocket.connect(url.replace(/^http/, 'ws')),
      (err) => err.status === 400,
    );
    assert.equal((await request(url, { method: 'DELETE' })).status, 202);
  });
});

// Reads SSE events from a fetch response body until `predicate(dataLines)` holds.
async function readEvents(reader, predicate, timeoutMs = 3000) {
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const data = text.split(/\r?\n/).filter((l) => l.startsWith('data:'))
      .map((l) => l.replace(/^data: ?/, ''));
    if (predicate(data)) return data;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms: ${text}`);
    const { value, done } = await withTimeout(reader.read(), left, 'reading SSE');
    if (done) throw new Error(`stream ended: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
}

describe('Server-Sent Events', () => {
  it('streams text/event-stream and carries the hub messages as data events', async () => {
    const { connectionToken } = await negotiated();
    const url = hub(idQuery(connectionToken));
    const abort = new AbortController();
    const res = await fetch(url, { headers: { ...authHeaders(url), Accept: 'text/event-stream' }, signal: abort.signal });
    try {
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), /^text\/event-stream/);
      const reader = res.body.getReader();
      assert.equal((await request(url, { method: 'POST', body: HANDSHAKE })).status, 200);
      await readEvents(reader, (d) => d.includes(`{}${RS}`));
      const invocation = JSON.stringify({
        type: MessageType.Invocation, invocationId: '1', target: 'Echo', arguments: ['line1\nline2'],
      }) + RS;
      assert.equal((await request(url, { method: 'POST', body: invocation })).status, 200);
      const data = await readEvents(reader, (d) => d.some((l) => l.includes('"invocationId":"1"')));
      const completion = JSON.parse(data.find((l) => l.includes('"invocationId":"1"')).split(RS)[0]);
      assert.equal(completion.type, MessageType.Completion);
      assert.equal(completion.result, 'line1\nline2');
    } finally {
      abort.abort();
    }
  });
});

describe('long polling', () => {
  it('the first poll returns 200 at once with an empty body', async () => {
    const { connectionToken } = await negotiated();
    const started = Date.now();
    const res = await request(hub(idQuery(connectionToken)));
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    assert.ok(Date.now() - started < LONG_POLL_TIMEOUT_MS / 2, 'the first poll waited');
    await request(hub(idQuery(connectionToken)), { method: 'DELETE' });
  });

  it('carries the handshake and invocations over POST and polls', async () => {
    const { url } = await longPollingConnection();
    const invocation = JSON.stringify({
      type: MessageType.Invocation, invocationId: '7', target: 'Add', arguments: [40, 2],
    }) + RS;
    assert.equal((await request(url, { method: 'POST', body: invocation })).status, 200);
    const poll = await request(url);
    assert.equal(poll.status, 200);
    const completion = JSON.parse(poll.body.split(RS)[0]);
    assert.deepEqual(completion, { type: MessageType.Completion, invocationId: '7', result: 42 });
    await request(url, { method: 'DELETE' });
  });

  it('a poll with nothing to send returns 200 empty after long_poll_timeout_ms', async () => {
    const { url } = await longPollingConnection();
    const started = Date.now();
    const res = await request(url);
    const elapsed = Date.now() - started;
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    assert.ok(elapsed >= LONG_POLL_TIMEOUT_MS - 100, `returned after ${elapsed} ms`);
    assert.ok(elapsed < LONG_POLL_TIMEOUT_MS + 1500, `returned after ${elapsed} ms`);
    await request(url, { method: 'DELETE' });
  });

  it('DELETE returns 202, the pending poll gets 204, later requests 404', async () => {
    const { url } = await longPollingConnection();
    const pending = request(url);
    await new Promise((resolve) => setTimeout(resolve, 150));  // let the poll arrive
    const started = Date.now();
    const del = await request(url, { method: 'DELETE' });
    assert.equal(del.status, 202);
    const poll = await pending;
    assert.equal(poll.status, 204);
    assert.ok(Date.now() - started < LONG_POLL_TIMEOUT_MS / 2, 'the pending poll was not ended by the DELETE');
    assert.equal((await request(url)).status, 404);
    assert.equal((await request(url, { method: 'POST', body: HANDSHAKE })).status, 404);
    assert.equal((await request(url, { method: 'DELETE' })).status, 404);
  });

  it('a new poll ends the pending one with 204', async () => {
    const { url } = await longPollingConnection();
    const first = request(url);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = request(url);
    const firstRes = await first;
    assert.equal(firstRes.status, 204);
    const post = JSON.stringify({
      type: MessageType.Invocation, invocationId: '9', target: 'Echo', arguments: ['after'],
    }) + RS;
    assert.equal((await request(url, { method: 'POST', body: post })).status, 200);
    const secondRes = await second;
    assert.equal(secondRes.status, 200);
    assert.equal(JSON.parse(secondRes.body.split(RS)[0]).result, 'after');
    await request(url, { method: 'DELETE' });
  });

  it('the Close of a protocol error is delivered by the next poll', async () => {
    const { url } = await longPollingConnection();
    const big = JSON.stringify({
      type: MessageType.Invocation, invocationId: '1', target: 'Echo',
      arguments: ['x'.repeat(MAX_MESSAGE_BYTES + 100)],
    }) + RS;
    assert.equal((await request(url, { method: 'POST', body: big })).status, 200);
    const poll = await request(url);
    assert.equal(poll.status, 200);
    const close = JSON.parse(poll.body.split(RS)[0]);
    assert.equal(close.type, MessageType.Close);
    assert.match(close.error, /maximum size/);
    assert.equal((await request(url)).status, 404);
  });

  it('a refused handshake is answered by the next poll, then the connection is gone', async () => {
    const { connectionToken } = await negotiated();
    const url = hub(idQuery(connectionToken));
    assert.equal((await request(url)).status, 200);
    const bad = JSON.stringify({ protocol: 'messagepack', version: 1 }) + RS;
    assert.equal((await request(url, { method: 'POST', body: bad })).status, 200);
    const poll = await request(url);
    assert.equal(poll.status, 200);
    assert.match(JSON.parse(poll.body.split(RS)[0]).error, /messagepack/);
    assert.equal((await request(url)).status, 404);
  });

  it('a client that stops polling is removed after disconnect_timeout_ms', async () => {
    const { url } = await longPollingConnection();
    await new Promise((resolve) => setTimeout(resolve, DISCONNECT_TIMEOUT_MS + 600));
    assert.equal((await request(url)).status, 404);
  });

  it('DELETE is only for long polling', async () => {
    const { connectionToken } = await negotiated();
    const ws = await RawHubSocket.connect(`${server.wsUrl}?${idQuery(connectionToken)}`);
    try {
      await ws.handshake();
      const res = await request(hub(idQuery(connectionToken)), { method: 'DELETE' });
      assert.equal(res.status, 400);
      assert.equal((await ws.invoke('Echo', ['ok'])).result, 'ok');
    } finally {
      ws.terminate();
    }
  });
});
