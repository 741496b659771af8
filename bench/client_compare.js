#!/usr/bin/env node
// Round trips per second of the C++ client library (`latch bench echo`) next to the official
// JavaScript client (@microsoft/signalr), against the same `latch-with-test-hooks serve`, in
// the same run, alternating, so the ratio survives a noisy machine. Also measures an idle
// `latch agent`: resident memory and CPU time over an idle minute (or --idle seconds).
//
//   node bench/client_compare.js [--build build/release] [--rounds 3] [--duration 5]
//        [--transport WebSockets] [--idle 60]
'use strict';
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const signalR = require(path.join(ROOT, 'tests/interop/node_modules/@microsoft/signalr'));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const BUILD = path.resolve(arg('build', path.join(ROOT, 'build/release')));
const ROUNDS = Number(arg('rounds', 3));
const DURATION = Number(arg('duration', 5));
const TRANSPORT = arg('transport', 'WebSockets');
const IDLE = Number(arg('idle', 60));
const SERVER_BIN = path.join(BUILD, 'src/latch-with-test-hooks');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startServer(dir) {
  const server = spawn(SERVER_BIN, ['serve', '--data', dir, '--listen', '127.0.0.1:0', '--log-level', 'error'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (c) => {
      out += c;
      const m = /latch listening on (http:\/\/\S+)\/hubs\/command/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { server, url };
}

// One connection keeping `window` Echo calls in flight, after a short warm-up.
function runCpp(url, tokenFile, window) {
  const out = execFileSync(SERVER_BIN, ['bench', 'echo', '--server', url, '--token-file', tokenFile,
    '--transport', TRANSPORT, '--inflight', String(window), '--payload', '16',
    '--warmup', '0.5', '--duration', String(DURATION), '--json'], { encoding: 'utf8' });
  return JSON.parse(out).rps;
}

async function runJs(url, token, window) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${url}/hubs/command`, { accessTokenFactory: () => token, transport: signalR.HttpTransportType[TRANSPORT] })
    .configureLogging(signalR.LogLevel.Error).build();
  await connection.start();
  for (let i = 0; i < 100; i++) await connection.invoke('Echo', 'warm');
  const payload = 'x'.repeat(16);
  const started = process.hrtime.bigint();
  const deadline = Date.now() + DURATION * 1000;
  let count = 0;
  const loop = async () => {
    while (Date.now() < deadline) {
      await connection.invoke('Echo', payload);
      count++;
    }
  };
  await Promise.all(Array.from({ length: window }, loop));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await connection.stop();
  return count / seconds;
}

// RSS (KiB) and CPU ticks (user + system) of a process.
function processStats(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rssKiB: rss, ticks: Number(fields[11]) + Number(fields[12]) };
}

async function measureIdleAgent(url, dir) {
  const latch = (...a) => JSON.parse(execFileSync(SERVER_BIN, [...a, '--data', dir, '--json'], { encoding: 'utf8' }));
  const home = latch('home', 'add', 'Bench', '--owner', 'alice');
  const device = latch('device', 'add', home.id, 'idle', '--commands', 'OPEN_DOOR');
  const patFile = path.join(dir, 'pat');
  fs.writeFileSync(patFile, device.pat, { mode: 0o600 });
  const agent = spawn(SERVER_BIN, ['agent', '--server', url, '--device', device.id, '--pat-file', patFile,
    '--handler', 'OPEN_DOOR=/bin/true'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  agent.stderr.on('data', (c) => { log += c; });
  while (!/ connected to /.test(log)) await sleep(20);
  await sleep(1000);
  const before = processStats(agent.pid);
  await sleep(IDLE * 1000);
  const after = processStats(agent.pid);
  agent.kill('SIGTERM');
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return {
    rssKiB: after.rssKiB,
    cpuPercent: (100 * (after.ticks - before.ticks) / hz) / IDLE,
    cpuMs: (1000 * (after.ticks - before.ticks)) / hz,
  };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-client-bench-'));
  const { server, url } = await startServer(dir);
  try {
    const tokenJson = execFileSync(SERVER_BIN, ['token', 'issue', '--sub', 'bench', '--role', 'user',
      '--ttl', '1h', '--data', dir], { encoding: 'utf8' });
    const tokenFile = path.join(dir, 'token.json');
    fs.writeFileSync(tokenFile, tokenJson, { mode: 0o600 });
    const token = JSON.parse(tokenJson).access_token;
    for (const window of [1, 16]) {
      const cpp = [];
      const js = [];
      for (let round = 0; round < ROUNDS; round++) {
        cpp.push(runCpp(url, tokenFile, window));
        js.push(await runJs(url, token, window));
      }
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      console.log(JSON.stringify({ transport: TRANSPORT, window, cppPerSecond: cpp.map(Math.round),
        jsPerSecond: js.map(Math.round), ratioOfMedians: +(median(cpp) / median(js)).toFixed(2) }));
    }
    if (IDLE > 0) console.log(JSON.stringify({ idleAgent: await measureIdleAgent(url, dir), idleSeconds: IDLE }));
  } finally {
    server.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
