#!/usr/bin/env node
'use strict';
// A chaos run (issue 13): two homes, each with a real `latch agent` behind a TCP link that is
// cut and slowed down at random, users sending commands with `latch send` while the agents are
// killed and restarted and the server is restarted or killed. At the end it checks what users
// of such a system rely on: every command has exactly one outcome at its sender, no handler
// ran a command twice, after its exp or for another home, every `ok` the senders saw is one
// `ok` in the audit log and one handler run, and the audit chain verifies.
//
//   node scripts/chaos.js [commands=600] [parallel=6]
//   LATCH_BIN=build/release/src/latch-with-test-hooks (the default: build/release/src/latch)
//
// A short run (200 commands) is part of the interop suite: tests/interop/chaos.test.js. Prints
// one JSON report line; exit status 0 when every check holds.
const { execFile, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { FlakyLink } = require('../tests/interop/helpers/flaky_link');
const { freePort, waitForOutput } = require('../tests/interop/helpers/home_processes');

const ROOT = path.resolve(__dirname, '..');
const BIN = process.env.LATCH_BIN || path.join(ROOT, 'build/release/src/latch');
const COMMANDS = Number(process.argv[2] || 600);
const PARALLEL = Number(process.argv[3] || 6);
const LIFETIME_S = 5;
// How long after exp a handler's own clock reading may come (it reads the clock after it was
// started, and the agent starts it only before exp); more on a loaded or sanitizer build.
const START_SLACK_MS = Number(process.env.CHAOS_START_SLACK_MS || 250);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = (list) => list[Math.floor(Math.random() * list.length)];

function run(args) {
  return new Promise((resolve) => {
    execFile(BIN, args, { timeout: 60000, maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? error.signal) : 0, stdout, stderr });
    });
  });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-chaos-'));
  const dataDir = path.join(dir, 'data');
  const execLog = path.join(dir, 'executed.log');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const latchJson = async (args) => {
    const r = await run([...args, '--data', dataDir, '--json']);
    if (r.code !== 0) throw new Error(`latch ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  let server;
  let serverLog = '';
  const startServer = async () => {
    serverLog = '';
    server = spawn(BIN, ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`,
      '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout.on('data', (c) => { serverLog += c; });
    server.stderr.on('data', (c) => { serverLog += c; });
    server.exited = new Promise((resolve) => server.once('exit', (code, signal) => resolve(code ?? signal)));
    await waitForOutput(() => serverLog, (t) => /latch listening on/.test(t), 15000, 'the server');
  };
  const stopServer = async () => {
    server.kill('SIGTERM');
    const code = await server.exited;
    if (code !== 0) throw new Error(`the server exited with ${code} on SIGTERM:\n${serverLog}`);
  };

  await startServer();
  // Records "home|id|time ms|exp ms" for every run: what the handler saw.
  const handler = path.join(dir, 'record.sh');
  fs.writeFileSync(handler, `#!/bin/sh
[ "$1" = "--" ] && shift
printf '%s|%s|%s|%s\\n' "$LATCH_HOME" "$1" "$(date +%s%3N)" "$LATCH_EXP_MS" >> '${execLog}'
echo "ran $1"
`, { mode: 0o755 });

  const homes = [];
  for (const owner of ['alice', 'bob']) {
    const home = await latchJson(['home', 'add', `${owner}'s`, '--owner', owner]);
    const device = await latchJson(['device', 'add', home.id, 'door', '--commands', 'OPEN_DOOR',
      '--args', 'OPEN_DOOR=word']);
    const patFile = path.join(dir, `${owner}.pat`);
    fs.writeFileSync(patFile, device.pat, { mode: 0o600 });
    const tokenFile = path.join(dir, `${owner}.json`);
    fs.writeFileSync(tokenFile, (await run(['token', 'issue', '--sub', owner, '--role', 'user',
      '--ttl', '1h', '--data', dataDir])).stdout, { mode: 0o600 });
    const link = await FlakyLink.start(port);
    homes.push({ owner, home, device, patFile, tokenFile, link, agent: null });
  }
  const startAgent = (h) => {
    h.agent = spawn(BIN, ['agent', '--server', h.link.url, '--device', h.device.id, '--pat-file',
      h.patFile, '--handler', `OPEN_DOOR=${handler}`], { stdio: ['ignore', 'ignore', 'ignore'] });
    h.agent.exited = new Promise((resolve) => h.agent.once('exit', resolve));
  };
  homes.forEach(startAgent);
  await sleep(1500);

  // The chaos: every 300-900 ms, one of: cut a home's link, slow it down, kill and restart
  // its agent, restart the server (SIGTERM) or kill it (SIGKILL) and start it again.
  let chaosOn = true;
  const events = { cut: 0, slowed: 0, agentKilled: 0, serverRestarted: 0, serverKilled: 0 };
  const chaos = (async () => {
    while (chaosOn) {
      await sleep(300 + Math.random() * 600);
      if (!chaosOn) break;
      const h = pick(homes);
      const what = Math.random();
      if (what < 0.4) {
        h.link.down();
        await sleep(Math.random() * 400);
        h.link.up();
        events.cut += 1;
      } else if (what < 0.55) {
        // A slow link for a while: every chunk either way held up to 50-300 ms.
        h.link.slow(50 + Math.random() * 250);
        sleep(500 + Math.random() * 1500).then(() => h.link.slow(0));
        events.slowed += 1;
      } else if (what < 0.85) {
        h.agent.kill('SIGKILL');
        await h.agent.exited;
        startAgent(h);
        events.agentKilled += 1;
      } else if (what < 0.93) {
        await stopServer();
        await startServer();
        events.serverRestarted += 1;
      } else {
        // Killed outright: no flush, no goodbye. What it had committed must hold (the audit
        // chain, the replay mark); a command it dispatched but had not yet audited ran once.
        server.kill('SIGKILL');
        await server.exited;
        await startServer();
        events.serverKilled += 1;
      }
    }
  })();

  // The senders: each command a unique id, to a random home, through `latch send --json`.
  const sent = [];
  let next = 0;
  const sender = async () => {
    while (next < COMMANDS) {
      const n = next++;
      const h = pick(homes);
      const id = `c${n}`;
      const startedMs = Date.now();
      const r = await run(['send', '--server', url, '--token-file', h.tokenFile, '--json',
        '--lifetime', `${LIFETIME_S}s`, h.home.id, h.device.id, 'OPEN_DOOR', id]);
      const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
      sent.push({ id, home: h.home.id, startedMs, lines, code: r.code, stderr: r.stderr });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, sender));
  chaosOn = false;
  await chaos;
  await sleep(LIFETIME_S * 1000);  // whatever is still running has had its exp

  // The checks.
  const problems = [];
  const runs = fs.existsSync(execLog)
    ? fs.readFileSync(execLog, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split('|'))
    : [];
  const runsById = new Map();
  for (const [home, id, atMs, expMs] of runs) {
    if (!runsById.has(id)) runsById.set(id, []);
    runsById.get(id).push({ home, atMs: Number(atMs), expMs: Number(expMs) });
  }
  const outcomes = {};
  let okCount = 0;
  for (const s of sent) {
    const json = s.lines.filter((l) => l.startsWith('{'));
    // No JSON answer: the sender could not reach the server (it was restarting) and said so
    // on stderr with a non-zero status; that is its one outcome.
    let status = 'unreachable';
    if (json.length === 1) status = JSON.parse(json[0]).status;
    else if (json.length > 1) problems.push(`${s.id}: ${json.length} outcomes`);
    else if (s.code === 0 || s.stderr.trim() === '') problems.push(`${s.id}: no outcome at all`);
    outcomes[status] = (outcomes[status] || 0) + 1;
    const ran = runsById.get(s.id) || [];
    if (ran.length > 1) problems.push(`${s.id}: ran ${ran.length} times`);
    for (const r of ran) {
      if (r.home !== s.home) problems.push(`${s.id}: ran in home ${r.home}, sent to ${s.home}`);
      // exp itself is within the lifetime of the send.
      if (!(r.expMs <= Date.now()) || r.expMs > s.startedMs + LIFETIME_S * 1000 + 5000) {
        problems.push(`${s.id}: exp ${r.expMs} is not the one it was sent with`);
      }
      if (r.atMs > r.expMs + START_SLACK_MS) problems.push(`${s.id}: ran ${r.atMs - r.expMs} ms after its exp`);
    }
    if (status === 'ok') {
      okCount += 1;
      if (ran.length !== 1) problems.push(`${s.id}: ok, but ran ${ran.length} times`);
    }
  }
  const sentIds = new Set(sent.map((s) => s.id));
  for (const id of runsById.keys()) {
    if (!sentIds.has(id)) problems.push(`${id}: ran, but nobody sent it`);
  }
  await stopServer();
  await startServer();
  const audit = await latchJson(['audit', 'list', '--limit', '1000000']);
  const records = Array.isArray(audit) ? audit : audit.records;
  const auditOk = records.filter((r) => r.kind === 'command' && r.outcome === 'ok').length;
  // Every ok a sender saw is audited, and no more oks are audited than handlers ran. (An ok
  // may be audited and its answer lost with the connection: the sender then saw an error.)
  if (auditOk < okCount || auditOk > runs.length) {
    problems.push(`${okCount} ok outcomes, ${auditOk} ok audit records, ${runs.length} runs`);
  }
  const verify = await latchJson(['audit', 'verify']);
  if (!verify.intact) problems.push(`the audit chain is broken: ${JSON.stringify(verify)}`);

  for (const h of homes) {
    h.agent.kill('SIGTERM');
    await h.agent.exited;
    await h.link.close();
  }
  await stopServer();
  const report = { commands: sent.length, outcomes, handlerRuns: runs.length, auditOk, events,
    problems: problems.length };
  console.log(JSON.stringify(report));
  for (const p of problems.slice(0, 20)) console.error(p);
  if (problems.length === 0) fs.rmSync(dir, { recursive: true, force: true });
  else console.error(`kept ${dir}`);
  process.exit(problems.length === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(2); });
