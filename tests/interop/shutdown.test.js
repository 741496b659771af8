'use strict';
// SIGTERM with clients connected: every client is told with a Close, and the process exits 0.
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./helpers/server');
const { TRANSPORTS, buildConnection, watchLifecycle } = require('./helpers/client');

describe('server shutdown', () => {
  let server;
  after(() => server && server.stop());

  it('closes every connection with a Close and exits 0', async () => {
    server = await startServer({});
    const clients = [];
    for (const { name } of TRANSPORTS) {
      const connection = buildConnection(server.hubUrl, name);
      const life = watchLifecycle(connection);
      await connection.start();
      assert.equal(await connection.invoke('Echo', name), name);
      clients.push({ name, life });
    }
    const started = Date.now();
    const { code, signal } = await server.stop();
    assert.equal(code, 0, `exit code ${code}, signal ${signal}:\n${server.stderr()}`);
    assert.ok(Date.now() - started < 4000, 'the server took too long to stop');
    for (const { name, life } of clients) {
      const error = await life.closed(3000);
      assert.ok(error instanceof Error, `${name}: closed without a Close error`);
      assert.match(error.message, /shutting down/, name);
    }
  });
});
