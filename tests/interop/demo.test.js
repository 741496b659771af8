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
      assert.match(stdout, /\[latch agent\] info connected to /);
      assert.match(stdout, /ok: front door opened for alice {3}\(exit 0\)/);
      assert.equal(stdout.match(/execute OPEN_DOOR \[[^\]]+\] args=1 -> ok/g).length, 1);
      assert.match(stdout, /first: +\{"status":"ok","output":"front door locked\\n"\}/);
      assert.match(stdout, /replayed: \{"status":"replayed"/);
      assert.equal(stdout.match(/execute LOCK_DOOR/g).length, 1);
      assert.match(stdout, /denied: You are not a member of this home\. {3}\(exit 1\)/);
      assert.match(stdout, /chain: intact, \d+ records/);
      assert.doesNotMatch(stdout, /latch_pat_/);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
