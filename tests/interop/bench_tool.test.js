'use strict';
// `latch-bench`, the raw-protocol yardstick built with the tests (next to the server binary's
// build directory): its JSON report names the URL it measured, never the token in it.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFile } = require('node:child_process');

const { startServer, stopServer, latchBin } = require('./helpers/server');

// build/<dir>/src/latch-with-test-hooks -> build/<dir>/bench/latch-bench
const BENCH = path.join(path.dirname(path.dirname(latchBin())), 'bench', 'latch-bench');

function run(args) {
  return new Promise((resolve) => {
    execFile(BENCH, args, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

describe('latch-bench', () => {
  let server;
  before(async () => {
    assert.ok(fs.existsSync(BENCH), `${BENCH} was not built`);
    server = await startServer();
  });
  after(async () => {
    await stopServer(server);
  });

  it('echo --json reports the URL with its access_token elided', async () => {
    const url = `${server.wsUrl}?access_token=${server.token}`;
    const r = await run(['echo', '--url', url, '--connections', '1', '--duration', '0.3',
      '--warmup', '0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(server.token), 'the token is in the report');
    assert.ok(!r.stderr.includes(server.token), 'the token is on stderr');
    const report = JSON.parse(r.stdout);
    assert.equal(report.url, `${server.wsUrl}?access_token=[redacted]`);
    assert.ok(report.rps > 0);
  });
});
