#!/usr/bin/env node
// The Latch story on embedded defaults: a server, a home with a front door, `latch agent` as
// its home hub, the owner opening the door with `latch send`, a replayed envelope and a
// stranger refused, and the audit log. Run by scripts/run.sh; needs the npm packages of
// tests/interop (scripts/setup.sh installs them).
//
//   node scripts/demo.js [path/to/latch]   (default build/release/src/latch)
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const signalR = require(path.join(ROOT, 'tests/interop/node_modules/@microsoft/signalr'));
const { signEnvelope } = require(path.join(ROOT, 'clients/js/latch-envelope'));

const LATCH = process.argv[2] || path.join(ROOT, 'build/release/src/latch');
const DATA = process.env.LATCH_DEMO_DATA || path.join(ROOT, 'latch-demo');  // recreated at every run
const LISTEN = process.env.LATCH_DEMO_LISTEN || '127.0.0.1:5000';

const say = (text) => console.log(`\n== ${text}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const latch = (...args) => JSON.parse(execFileSync(LATCH, [...args, '--data', DATA, '--json'], { encoding: 'utf8' }));

function startServer() {
  const server = spawn(LATCH, ['serve', '--data', DATA, '--listen', LISTEN, '--log-level', 'error'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /latch listening on (\S+)/.exec(out);
      if (m) resolve({ server, hubUrl: m[1], baseUrl: m[1].replace(/\/hubs\/command$/, '') });
    });
    server.on('exit', (code) => reject(new Error(`latch serve exited with ${code} (is ${LISTEN} in use?)`)));
  });
}

function connect(hubUrl, token) {
  return new signalR.HubConnectionBuilder()
    .withUrl(hubUrl, { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
}

// The home hub: the real `latch agent`, with the demo's door handler script. It exchanges
// its PAT for a device token, verifies each Execute and runs the handler for it, once.
function startAgent(baseUrl, device, patFile) {
  const handler = path.join(ROOT, 'scripts/demo-handlers/front-door.sh');
  const agent = spawn(LATCH, ['agent', '--server', baseUrl, '--device', device.id, '--pat-file', patFile,
    '--handler', `OPEN_DOOR=${handler}`, '--handler', `LOCK_DOOR=${handler}`],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    agent.stderr.on('data', (chunk) => {
      for (const line of String(chunk).split('\n').filter((l) => l)) console.log(`   [latch agent] ${line.replace(/^\S+ /, '')}`);
      log += chunk;
      if (/ connected to /.test(log)) resolve(agent);
    });
    agent.on('exit', (code) => reject(new Error(`latch agent exited with ${code}`)));
  });
}

// `latch send` as a person would type it; prints its output and exit status.
function send(baseUrl, tokenFile, home, device, command, args = []) {
  const argv = ['send', '--server', baseUrl, '--token-file', tokenFile, home.id, device.id, command, ...args];
  console.log(`   $ latch send ... ${command}${args.length ? ` ${args.join(' ')}` : ''}`);
  try {
    const out = execFileSync(LATCH, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(`   ${out.trim()}   (exit 0)`);
  } catch (err) {
    console.log(`   ${String(err.stderr).trim()}   (exit ${err.status})`);
  }
}

function privateFile(name, content) {
  const file = path.join(DATA, `demo-${name}`);
  fs.writeFileSync(file, content, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

async function main() {
  fs.rmSync(DATA, { recursive: true, force: true });
  say(`starting latch serve on ${LISTEN} (data in ${path.relative(process.cwd(), DATA) || DATA})`);
  const { server, hubUrl, baseUrl } = await startServer();
  console.log(`   ${hubUrl}`);
  const connections = [];
  const processes = [];
  try {
    say('provisioning: a home owned by alice, with a front door');
    const home = latch('home', 'add', 'Demo home', '--owner', 'alice');
    const device = latch('device', 'add', home.id, 'front-door', '--commands', 'OPEN_DOOR,LOCK_DOOR',
      '--owner-only', 'OPEN_DOOR');
    console.log(`   home ${home.id}, device ${device.id} (its PAT is printed once, stored only hashed)`);

    say('the home hub runs `latch agent` with its PAT (in a file only its user can read)');
    const patFile = privateFile('pat', device.pat);
    const agent = await startAgent(baseUrl, device, patFile);
    processes.push(agent);

    say('alice (owner) opens the door with `latch send`: a signed, single-use envelope');
    const alice = latch('token', 'issue', '--sub', 'alice', '--role', 'user', '--ttl', '10m');
    const aliceFile = privateFile('alice.json', JSON.stringify(alice));
    send(baseUrl, aliceFile, home, device, 'OPEN_DOOR', ['alice']);
    await sleep(100);  // let the agent's log line arrive first

    say('someone replays the exact envelope alice signed (here with the JavaScript client)');
    const aliceHub = connect(hubUrl, alice.access_token);
    connections.push(aliceHub);
    await aliceHub.start();
    const command = { home: home.id, device: device.id, command: 'LOCK_DOOR', args: [] };
    const envelope = await signEnvelope(alice.session_key, 'SendCommand', command);
    console.log('   first:   ', JSON.stringify(await aliceHub.invoke('SendCommand', envelope)));
    console.log('   replayed:', JSON.stringify(await aliceHub.invoke('SendCommand', envelope)));

    say('mallory (not a member) tries the same door');
    const mallory = latch('token', 'issue', '--sub', 'mallory', '--role', 'user', '--ttl', '10m');
    send(baseUrl, privateFile('mallory.json', JSON.stringify(mallory)), home, device, 'OPEN_DOOR');

    say('the audit log');
    for (const r of latch('audit', 'list').records) {
      console.log(`   #${r.seq} ${new Date(r.timeMs).toISOString()} ${r.kind} ${r.actor || '-'} ` +
        `${r.action} ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`);
    }
    const verdict = latch('audit', 'verify');
    console.log(`   chain: ${verdict.intact ? 'intact' : 'BROKEN'}, ${verdict.records} records`);
  } finally {
    await Promise.all(connections.map((c) => c.stop().catch(() => {})));
    for (const p of processes) p.kill('SIGTERM');
    server.kill('SIGTERM');
    for (const name of ['pat', 'alice.json', 'mallory.json']) {
      fs.rmSync(path.join(DATA, `demo-${name}`), { force: true });
    }
  }
  say('done. Run `build/release/src/latch serve` to keep a server up (see README).');
}

main().catch((err) => {
  console.error(`demo failed: ${err.message}`);
  process.exit(1);
});
