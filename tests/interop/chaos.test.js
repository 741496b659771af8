'use strict';
// The short chaos run (issue 13): scripts/chaos.js with 200 commands from 4 senders while
// links are cut, agents killed and the server restarted. It checks one outcome per sender,
// no command run twice, after its exp or in another home, and the audit; this asserts that it
// found no problem and that the run meant something (commands got through, chaos happened).
// The long run (1,500 and more) is reported in bench/README.md.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFile } = require('node:child_process');

const { latchBin, REPO_ROOT } = require('./helpers/server');

describe('chaos', () => {
  it('200 commands through cut links, killed agents and server restarts: once, in time, in the right home', async () => {
    const r = await new Promise((resolve) => {
      execFile(process.execPath, [path.join(REPO_ROOT, 'scripts', 'chaos.js'), '200', '4'], {
        timeout: 240000,
        env: { ...process.env, LATCH_BIN: latchBin(), CHAOS_START_SLACK_MS: '1000' },
      }, (error, stdout, stderr) => resolve({ code: error ? (error.code ?? error.signal) : 0, stdout, stderr }));
    });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const report = JSON.parse(r.stdout.trim().split('\n').pop());
    assert.equal(report.problems, 0);
    assert.equal(report.commands, 200);
    assert.ok(report.outcomes.ok > 0, JSON.stringify(report));
    const { cut, slowed, agentKilled, serverRestarted, serverKilled } = report.events;
    assert.ok(cut + slowed + agentKilled + serverRestarted + serverKilled > 0, JSON.stringify(report));
  });
});
