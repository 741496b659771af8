'use strict';
// The official SignalR JavaScript client against Latch, over each of the three transports.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, stopServer } = require('./helpers/server');
const {
  TRANSPORTS, buildConnection, watchLifecycle, withTimeout, sleep, signalR,
} = require('./helpers/client');

const LIMITS = {
  keepalive_interval_ms: 1000,
  client_timeout_ms: 3000,
  handshake_timeout_ms: 2000,
  long_poll_timeout_ms: 2000,
  disconnect_timeout_ms: 2000,
};
const CLIENT_TIMERS = { serverTimeoutMs: 3000, keepAliveMs: 1000 };
const RECONNECT_DELAYS = [0, 200, 500, 1000, 2000];

let server;
before(async () => { server = await startServer(LIMITS); });
after(() => stopServer(server));

// Starts a connection over `transport` and tracks its lifecycle; stopped by `cleanup`.
async function connect(transport, options = {}, cleanup) {
  const connection = buildConnection(server.hubUrl, transport, { ...CLIENT_TIMERS, ...options });
  const life = watchLifecycle(connection);
  if (cleanup) cleanup.push(connection);
  await withTimeout(connection.start(), 5000, `starting a ${transport} connection`);
  return { connection, life };
}

async function stopAll(connections) {
  await Promise.all(connections.map((c) => c.stop().catch(() => {})));
}

describe('official client', { concurrency: true }, () => {
  for (const { name: transport } of TRANSPORTS) {
    // One transport's tests run in order: some share a connection, and the idle test needs
    // the connection to itself.
    describe(transport, { concurrency: 1 }, () => {
      const cleanup = [];
      let connection;
      let life;

      before(async () => { ({ connection, life } = await connect(transport, {}, cleanup)); });
      after(() => stopAll(cleanup));

      it('connects', () => {
        assert.equal(connection.state, signalR.HubConnectionState.Connected);
        assert.equal(typeof connection.connectionId, 'string');
        assert.ok(connection.connectionId.length > 0);
      });

      it('Whoami reports the subject, roles and expiry of the token, the connection and transport', async () => {
        const me = await connection.invoke('Whoami');
        const { expiresAt, ...rest } = me;
        assert.deepEqual(rest, {
          sub: 'interop-user', roles: ['user'], homes: [],
          connectionId: connection.connectionId, transport,
        });
        const now = Math.floor(Date.now() / 1000);
        assert.ok(expiresAt > now + 3500 && expiresAt <= now + 3600, `expiresAt ${expiresAt}`);
      });

      it('Echo returns its argument', async () => {
        const values = [
          'hello',
          '',
          'ünïcødé ✓ 😀 "quotes" \\ back\nslash\r\n\t\u001e',
          42,
          -1.5,
          true,
          null,
          [1, 'two', [3], { four: 4 }],
          { nested: { list: [1, 2, 3], text: 'x'.repeat(1000), empty: {} } },
        ];
        for (const value of values) {
          assert.deepEqual(await connection.invoke('Echo', value), value);
        }
      });

      it('Add adds two whole numbers', async () => {
        assert.equal(await connection.invoke('Add', 2, 3), 5);
        assert.equal(await connection.invoke('Add', -10, 4), -6);
        assert.equal(await connection.invoke('Add', 1000000000, 2000000000), 3000000000);
      });

      it('invocations run in parallel and complete by id', async () => {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => connection.invoke('Add', i, 100)),
        );
        assert.deepEqual(results, Array.from({ length: 8 }, (_, i) => i + 100));
      });

      it('bad invocations are rejected with the server error', async () => {
        await assert.rejects(connection.invoke('Add', 1),
          /Invocation provides 1 argument\(s\) but target expects 2\./);
        await assert.rejects(connection.invoke('Add', 'one', 2),
          /Argument 1 has the wrong type: expected a whole number\./);
        await assert.rejects(connection.invoke('NoSuchMethod'),
          /Unknown hub method 'NoSuchMethod'/);
        await assert.rejects(connection.invoke('FailForTest', 'it failed on purpose'),
          /it failed on purpose/);
        // The connection survives all of these.
        assert.equal(await connection.invoke('Add', 1, 1), 2);
      });

      it('receives a server-to-client message', async () => {
        const received = new Promise((resolve) => {
          connection.on('noteForTest', (...args) => resolve(args));
        });
        const payload = { text: 'from the server', n: 7 };
        assert.equal(await connection.invoke('SendToCallerForTest', 'noteForTest', payload), null);
        assert.deepEqual(await withTimeout(received, 3000, 'noteForTest'), [payload]);
        connection.off('noteForTest');
      });

      it('answers a server-to-client invocation with a client result', async () => {
        connection.on('multiplyForTest', (arg) => arg.a * arg.b);
        connection.on('asyncConcatForTest', async (arg) => {
          await sleep(20);
          return `${arg}-${transport}`;
        });
        try {
          assert.equal(
            await connection.invoke('InvokeCallerForTest', 'multiplyForTest', { a: 6, b: 7 }, 3000),
            42,
          );
          assert.equal(
            await connection.invoke('InvokeCallerForTest', 'asyncConcatForTest', 'abc', 3000),
            `abc-${transport}`,
          );
        } finally {
          connection.off('multiplyForTest');
          connection.off('asyncConcatForTest');
        }
      });

      it('a client handler that throws fails the server invocation', async () => {
        connection.on('throwForTest', () => { throw new Error('kaboom from the client'); });
        try {
          const started = Date.now();
          // A long client-result timeout: the error must come from the client's answer,
          // not from the server giving up.
          await assert.rejects(
            connection.invoke('InvokeCallerForTest', 'throwForTest', 1, 10000),
            /kaboom from the client/,
          );
          assert.ok(Date.now() - started < 5000, 'the client error was not relayed promptly');
          // A client method that does not exist is answered with an error too.
          await assert.rejects(
            connection.invoke('InvokeCallerForTest', 'noHandlerForTest', 1, 10000),
            /Client didn't provide a result\./,
          );
          assert.ok(Date.now() - started < 8000, 'the missing-handler error was not relayed promptly');
        } finally {
          connection.off('throwForTest');
        }
        assert.equal(await connection.invoke('Add', 2, 2), 4);
      });

      it('a client result that never comes times out', async () => {
        connection.on('neverAnswersForTest', () => new Promise(() => {}));
        try {
          await assert.rejects(
            connection.invoke('InvokeCallerForTest', 'neverAnswersForTest', 1, 300),
            /The client did not answer in time\./,
          );
        } finally {
          connection.off('neverAnswersForTest');
        }
      });

      // Over long polling the official client sends no pings (the polls are its keep-alive,
      // "inherentKeepAlive"): the server counts each poll as a sign of life.
      it('survives an idle keep-alive period', async () => {
        // Longer than both sides' 3 s timeouts: only the pings keep the connection up.
        await sleep(4500);
        assert.equal(life.events.closes.length, 0, `closed: ${life.events.closes[0]}`);
        assert.equal(connection.state, signalR.HubConnectionState.Connected);
        assert.equal(await connection.invoke('Echo', 'still here'), 'still here');
      });

      it('stops cleanly', async () => {
        const { connection: c, life: l } = await connect(transport, {}, cleanup);
        assert.equal(await c.invoke('Echo', 1), 1);
        await withTimeout(c.stop(), 5000, 'stop');
        const error = await l.closed();
        assert.equal(error, undefined);
        assert.equal(c.state, signalR.HubConnectionState.Disconnected);
      });

      it('reconnects automatically after the server drops the transport', async () => {
        const { connection: c, life: l } =
          await connect(transport, { reconnect: RECONNECT_DELAYS }, cleanup);
        const before = await c.invoke('Whoami');
        assert.equal(before.transport, transport);
        await c.send('DropForTest');
        await l.reconnecting();
        const newId = await l.reconnected();
        assert.equal(c.state, signalR.HubConnectionState.Connected);
        const after = await c.invoke('Whoami');
        assert.equal(after.transport, transport);
        assert.equal(after.connectionId, newId);
        assert.notEqual(after.connectionId, before.connectionId);
        assert.equal(l.events.closes.length, 0);
      });

      it('sees a Close with an error', async () => {
        const { connection: c, life: l } = await connect(transport, {}, cleanup);
        await c.invoke('CloseForTest', 'boom', false);
        const error = await l.closed();
        assert.ok(error instanceof Error, 'onclose got no error');
        assert.match(error.message, /boom/);
        assert.equal(c.state, signalR.HubConnectionState.Disconnected);
      });

      it('a Close without an error ends the connection without an error', async () => {
        const { connection: c, life: l } = await connect(transport, {}, cleanup);
        await c.invoke('CloseForTest', '', false);
        assert.equal(await l.closed(), undefined);
        assert.equal(c.state, signalR.HubConnectionState.Disconnected);
      });

      it('reconnects after a Close that allows it', async () => {
        const { connection: c, life: l } =
          await connect(transport, { reconnect: RECONNECT_DELAYS }, cleanup);
        const before = c.connectionId;
        await c.invoke('CloseForTest', 'boom but come back', true);
        const error = await l.reconnecting();
        assert.match(String(error && error.message), /boom but come back/);
        const newId = await l.reconnected();
        assert.notEqual(newId, before);
        assert.equal(await c.invoke('Add', 20, 22), 42);
        assert.equal(l.events.closes.length, 0);
      });

      it('a Close that allows reconnecting ends a connection without automatic reconnect', async () => {
        const { connection: c, life: l } = await connect(transport, {}, cleanup);
        await c.invoke('CloseForTest', 'bye', true);
        const error = await l.closed();
        assert.match(String(error && error.message), /bye/);
      });
    });
  }
});
