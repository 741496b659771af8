'use strict';
// The README's first command ends in scripts/demo.js: it must keep telling the whole story
// (owner's command executed once, its replay refused, stranger denied, audit chain intact) against the real binary.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { latchBin, REPO_ROOT } = require('./helpers/server');

describe('the demo', () => {
  it('opens the door for the owner, denies a stranger and shows an intact audit log', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-demo-'));
    try {
      const { code, stdout, stderr } = await new Promise((resolve) => {
        execFile('node', [path.join(REPO_ROOT, 'scripts', 'demo.js'), latchBin()], {
          env: { ...process.env, LATCH_DEMO_DATA: data, LATCH_DEMO_LISTEN: '127.0.0.1:0' },
          timeout: 60_000,
        }, (error, out, err) => resolve({ code: error ? error.code : 0, stdout: out, stderr: err }));
      });
      assert.equal(code, 0, stderr);
      assert.match(stdout, /\[front-door hub\] running OPEN_DOOR/);
      assert.match(stdout, /result: \{"status":"ok","output":"door opened"\}/);
      assert.match(stdout, /result: \{"status":"replayed"/);
      assert.match(stdout, /result: \{"status":"denied"/);
      assert.equal(stdout.match(/running OPEN_DOOR/g).length, 1);
      assert.match(stdout, /chain: intact, \d+ records/);
      assert.doesNotMatch(stdout, /latch_pat_/);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
