'use strict';
// The store in the data directory: a file that is not a Latch database stops the server and
// the management commands with one clear line, and is never reset or overwritten.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { runLatch } = require('./helpers/server');

describe('a corrupted store', () => {
  let dir;
  const garbage = Buffer.alloc(8192, 'not a database ');
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-corrupt-'));
    fs.chmodSync(dir, 0o700);
    fs.writeFileSync(path.join(dir, 'latch.db'), garbage, { mode: 0o600 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const args of [['serve', '--listen', '127.0.0.1:0'], ['home', 'list'], ['token', 'revoke', '--sub', 'x']]) {
    it(`latch ${args[0]} ${args[1]} refuses it with one line and leaves it as it was`, async () => {
      const r = await runLatch([...args, '--data', dir]);
      assert.notEqual(r.code, 0);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /latch\.db/);
      assert.match(lines[0], /not a usable database|not a database/);
      assert.deepEqual(fs.readFileSync(path.join(dir, 'latch.db')), garbage);
    });
  }
});
