#!/usr/bin/env node
// The Latch relay workload on Socket.IO 4, for bench/peers/compare.sh (see socketio_server.js).
//
//   node socketio_loadgen.js --port P --secret-file F [--users 10] [--devices 10]
//        [--duration 8] [--warmup 1] [--workers 2] [--server-pid PID] [--check]
//
// Mints one HS256 JWT per user and device with the server's secret, connects the devices then
// the users (WebSocket transport only, one connection each), and has each user keep one
// `command` in flight: emit with ack, the answer comes back through the server from device
// i % D. The sockets are spread over --workers worker threads (node:worker_threads), the main
// thread only keeps time. Prints one JSON object; exits 1 if a socket fails or a command is
// not answered `ok`. --check instead proves the server's checks: a token signed with another
// key is refused, a user cannot reach another home's device, a device cannot send commands.
'use strict';
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const jwt = require('jsonwebtoken');
const { io } = require('socket.io-client');

const kSetupTimeoutMs = 15000;
const kDrainTimeoutMs = 2000;
const Phase = { Setup: 0, Warmup: 1, Measure: 2, Drain: 3 };

function connect(port, token) {
  return new Promise((resolve, reject) => {
    const socket = io(`http://127.0.0.1:${port}`, {
      transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true,
      timeout: kSetupTimeoutMs,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => { socket.close(); reject(err); });
  });
}

// ---- worker: a share of the devices and users ----------------------------------------------
async function workerMain() {
  const { port, deviceTokens, users, phaseBuffer } = workerData;
  const phase = new Int32Array(phaseBuffer);
  const sockets = [];
  const fail = (what) => parentPort.postMessage({ type: 'failed', what: String(what) });
  let latencies = new Float64Array(1 << 16);
  let recorded = 0;
  let sent = 0;
  let answered = 0;
  let notOk = 0;
  let firstNotOk = null;
  let outstanding = 0;
  let executed = 0;

  for (const token of deviceTokens) {
    const socket = await connect(port, token);
    socket.on('execute', (cmd, ack) => {
      executed++;
      ack({ status: 'ok', output: null });
    });
    socket.on('disconnect', (reason) => { if (Atomics.load(phase, 0) < Phase.Drain) fail(reason); });
    sockets.push(socket);
  }
  parentPort.postMessage({ type: 'devices-ready' });
  await new Promise((resolve) => parentPort.once('message', resolve));  // all devices are up
  const userSockets = [];
  for (const { token, device } of users) {
    const socket = await connect(port, token);
    socket.on('disconnect', (reason) => { if (Atomics.load(phase, 0) < Phase.Drain) fail(reason); });
    userSockets.push({ socket, device });
    sockets.push(socket);
  }
  parentPort.postMessage({ type: 'ready' });
  await new Promise((resolve) => parentPort.once('message', resolve));  // go

  const send = (u) => {
    const started = performance.now();
    sent++;
    u.socket.emit('command', { device: u.device, command: 'BENCH', args: [] }, (answer) => {
      const now = performance.now();
      answered++;
      if (answer?.status !== 'ok') {
        notOk++;
        firstNotOk ??= answer;
      }
      const p = Atomics.load(phase, 0);
      if (p === Phase.Measure) {
        if (recorded === latencies.length) {
          const grown = new Float64Array(latencies.length * 2);
          grown.set(latencies);
          latencies = grown;
        }
        latencies[recorded++] = (now - started) * 1000;
      }
      if (p <= Phase.Measure) {
        send(u);
      } else if (--outstanding === 0) {
        finish();
      }
    });
  };
  const finish = () => {
    const lat = latencies.slice(0, recorded);
    parentPort.postMessage({ type: 'done', latencies: lat, sent, answered, notOk, firstNotOk,
      executed }, [lat.buffer]);
    for (const s of sockets) s.close();
  };
  outstanding = userSockets.length;
  for (const u of userSockets) send(u);
  if (outstanding === 0) {
    parentPort.once('message', finish);  // a worker with devices only reports at the end
  }
}

// ---- main: time, CPU, report -----------------------------------------------------------------
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

function procCpuUs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');  // f[0] is field 3
    return (Number(f[11]) + Number(f[12])) * 1e6 / 100;  // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}
const selfCpuUs = () => { const u = process.cpuUsage(); return u.user + u.system; };  // all threads
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const name = (role, n) => `${role}-${n}`;

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms);
  })]).finally(() => clearTimeout(timer));
}

async function check(port, secret) {
  const token = (sub, role, key = secret) =>
    jwt.sign({ sub, role }, key, { algorithm: 'HS256', expiresIn: '10m' });
  const results = {};
  try {
    (await connect(port, token('user-0', 'user', 'not-the-secret'))).close();
    results.forged_token_refused = false;
  } catch (err) {
    results.forged_token_refused = err.message === 'unauthorized';
  }
  const device1 = await connect(port, token('device-1', 'device'));
  device1.on('execute', (cmd, ack) => ack({ status: 'ok', output: null }));
  const user0 = await connect(port, token('user-0', 'user'));
  const answer = await user0.timeout(2000).emitWithAck('command',
    { device: 'device-1', command: 'BENCH', args: [] });
  results.foreign_device_denied = answer?.status === 'denied';
  const fromDevice = await device1.timeout(2000).emitWithAck('command',
    { device: 'device-1', command: 'BENCH', args: [] }).catch(() => ({ status: 'no answer' }));
  results.device_command_refused = fromDevice?.status === 'denied';
  user0.close();
  device1.close();
  const ok = Object.values(results).every(Boolean);
  console.log(JSON.stringify({ system: 'socketio', checks: results, ok }));
  return ok ? 0 : 1;
}

async function main() {
  const port = Number(arg('port'));
  const secret = fs.readFileSync(arg('secret-file'), 'utf8').trim();
  if (process.argv.includes('--check')) return check(port, secret);
  const U = Number(arg('users', 10));
  const D = Number(arg('devices', 10));
  const W = Math.max(1, Math.min(Number(arg('workers', 2)), U));
  const warmupS = Number(arg('warmup', 1));
  const durationS = Number(arg('duration', 8));
  const serverPid = arg('server-pid') ? Number(arg('server-pid')) : null;
  const token = (sub, role) => jwt.sign({ sub, role }, secret, { algorithm: 'HS256', expiresIn: '1h' });

  const phaseBuffer = new SharedArrayBuffer(4);
  const phase = new Int32Array(phaseBuffer);
  const workers = [];
  for (let w = 0; w < W; w++) {
    const deviceTokens = [];
    const users = [];
    for (let j = w; j < D; j += W) deviceTokens.push(token(name('device', j), 'device'));
    for (let i = w; i < U; i += W) {
      users.push({ token: token(name('user', i), 'user'), device: name('device', i % D) });
    }
    workers.push(new Worker(__filename, { workerData: { port, deviceTokens, users, phaseBuffer } }));
  }
  let failure = null;
  const waitAll = (type) => Promise.all(workers.map((w) => new Promise((resolve) => {
    const on = (m) => { if (m.type === type) { w.off('message', on); resolve(m); } };
    w.on('message', on);
  })));
  for (const w of workers) {
    w.on('message', (m) => { if (m.type === 'failed') failure ??= m.what; });
    w.on('error', (err) => { failure ??= err.message; });
  }
  const exitWith = (code, message) => {
    if (message) console.error(`socketio_loadgen: ${message}`);
    for (const w of workers) w.terminate();
    return code;
  };

  try {
    await withTimeout(waitAll('devices-ready'), kSetupTimeoutMs, 'connecting devices');
    for (const w of workers) w.postMessage('users');
    await withTimeout(waitAll('ready'), kSetupTimeoutMs, 'connecting users');
  } catch (err) {
    return exitWith(1, failure ?? err.message);
  }
  const done = waitAll('done');
  Atomics.store(phase, 0, Phase.Warmup);
  for (const w of workers) w.postMessage('go');
  await sleep(warmupS * 1000);
  const c0 = selfCpuUs();
  const s0 = serverPid ? procCpuUs(serverPid) : null;
  const t0 = performance.now();
  Atomics.store(phase, 0, Phase.Measure);
  await sleep(durationS * 1000);
  Atomics.store(phase, 0, Phase.Drain);
  const t1 = performance.now();
  const c1 = selfCpuUs();
  const s1 = serverPid ? procCpuUs(serverPid) : null;
  for (const w of workers) w.postMessage('drain');  // for workers with no users
  let reports;
  try {
    reports = await withTimeout(done, kDrainTimeoutMs, 'waiting for the last answers');
  } catch (err) {
    return exitWith(1, failure ?? err.message);
  }
  if (failure) return exitWith(1, failure);

  const windowS = (t1 - t0) / 1000;
  const lat = new Float64Array(reports.reduce((n, r) => n + r.latencies.length, 0));
  let at = 0;
  for (const r of reports) { lat.set(r.latencies, at); at += r.latencies.length; }
  lat.sort();
  const n = lat.length;
  const pct = (q) => (n ? Math.round(lat[Math.round(q * (n - 1))]) : 0);
  const sum = (key) => reports.reduce((s, r) => s + r[key], 0);
  const mean = n ? lat.reduce((s, x) => s + x, 0) / n : 0;
  const round2 = (x) => Math.round(x * 100) / 100;
  const report = {
    system: 'socketio', transport: 'websocket', workers: W, users: U, devices: D,
    warmup_s: warmupS, duration_s: Math.round(windowS * 1000) / 1000, round_trips: n,
    rps: Math.round((n / windowS) * 10) / 10,
    latency_us: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), p999: pct(0.999),
      max: n ? Math.round(lat[n - 1]) : 0, mean: Math.round(mean * 10) / 10 },
    sent: sum('sent'), answered: sum('answered'), not_ok: sum('notOk'), executed: sum('executed'),
    client_cpu_us_per_round_trip: n ? round2((c1 - c0) / n) : null,
    server_cpu_us_per_round_trip: n && s0 !== null && s1 !== null ? round2((s1 - s0) / n) : null,
  };
  console.log(JSON.stringify(report));
  const firstNotOk = reports.find((r) => r.firstNotOk)?.firstNotOk;
  return exitWith(report.not_ok ? 1 : 0,
    report.not_ok ? `${report.not_ok} command(s) not ok, first: ${JSON.stringify(firstNotOk)}` : null);
}

if (isMainThread) {
  main().then((code) => { process.exitCode = code; },
    (err) => { console.error(`socketio_loadgen: ${err.message}`); process.exitCode = 1; });
} else {
  workerMain().catch((err) => parentPort.postMessage({ type: 'failed', what: err.message }));
}
