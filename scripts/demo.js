#!/usr/bin/env node
// The Latch story on embedded defaults: a server, a home with a front door, a device
// stand-in acting as the home hub (until `latch agent` exists), the owner opening the door,
// a stranger refused, and the audit log. Run by scripts/run.sh; needs the npm packages of
// tests/interop (scripts/setup.sh installs them).
//
//   node scripts/demo.js [path/to/latch]   (default build/release/src/latch)
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const signalR = require(path.join(ROOT, 'tests/interop/node_modules/@microsoft/signalr'));
const { signEnvelope, verifyEnvelope } = require(path.join(ROOT, 'clients/js/latch-envelope'));

const LATCH = process.argv[2] || path.join(ROOT, 'build/release/src/latch');
const DATA = process.env.LATCH_DEMO_DATA || path.join(ROOT, 'latch-demo');  // recreated at every run
const LISTEN = process.env.LATCH_DEMO_LISTEN || '127.0.0.1:5000';

const say = (text) => console.log(`\n== ${text}`);
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

// The home hub: exchanges its PAT for a token, then runs each Execute it can verify, once.
async function startDevice(baseUrl, hubUrl, device) {
  const res = await fetch(`${baseUrl}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: device.id, client_secret: device.pat }),
  });
  if (!res.ok) throw new Error(`device token refused: ${await res.text()}`);
  const { access_token: token, session_key: sessionKey } = await res.json();
  const seen = new Set();
  const hub = connect(hubUrl, token);
  hub.on('Execute', async (envelope) => {
    try {
      const msg = await verifyEnvelope(sessionKey, 'Execute', envelope);
      if (seen.has(envelope.nonce)) return { status: 'failed', output: 'replayed: refused' };
      seen.add(envelope.nonce);
      console.log(`   [front-door hub] running ${msg.command} for home ${msg.home}`);
      return { status: 'ok', output: msg.command === 'OPEN_DOOR' ? 'door opened' : 'door locked' };
    } catch (err) {
      return { status: 'failed', output: err.message };
    }
  });
  await hub.start();
  return hub;
}

async function main() {
  fs.rmSync(DATA, { recursive: true, force: true });
  say(`starting latch serve on ${LISTEN} (data in ${path.relative(process.cwd(), DATA) || DATA})`);
  const { server, hubUrl, baseUrl } = await startServer();
  console.log(`   ${hubUrl}`);
  const connections = [];
  try {
    say('provisioning: a home owned by alice, with a front door');
    const home = latch('home', 'add', 'Demo home', '--owner', 'alice');
    const device = latch('device', 'add', home.id, 'front-door', '--commands', 'OPEN_DOOR,LOCK_DOOR',
      '--owner-only', 'OPEN_DOOR');
    console.log(`   home ${home.id}, device ${device.id} (its PAT is printed once, stored only hashed)`);

    say('the home hub connects with its PAT');
    connections.push(await startDevice(baseUrl, hubUrl, device));

    say('alice (owner) sends OPEN_DOOR in a signed envelope');
    const alice = latch('token', 'issue', '--sub', 'alice', '--role', 'user', '--ttl', '10m');
    const aliceHub = connect(hubUrl, alice.access_token);
    connections.push(aliceHub);
    await aliceHub.start();
    const command = { home: home.id, device: device.id, command: 'OPEN_DOOR', args: [] };
    const envelope = await signEnvelope(alice.session_key, 'SendCommand', command);
    console.log('   result:', JSON.stringify(await aliceHub.invoke('SendCommand', envelope)));

    say('someone replays the exact envelope alice sent');
    console.log('   result:', JSON.stringify(await aliceHub.invoke('SendCommand', envelope)));

    say('mallory (not a member) tries the same door');
    const mallory = latch('token', 'issue', '--sub', 'mallory', '--role', 'user', '--ttl', '10m');
    const malloryHub = connect(hubUrl, mallory.access_token);
    connections.push(malloryHub);
    await malloryHub.start();
    const forged = await signEnvelope(mallory.session_key, 'SendCommand', command);
    console.log('   result:', JSON.stringify(await malloryHub.invoke('SendCommand', forged)));

    say('the audit log');
    for (const r of latch('audit', 'list').records) {
      console.log(`   #${r.seq} ${new Date(r.timeMs).toISOString()} ${r.kind} ${r.actor || '-'} ` +
        `${r.action} ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`);
    }
    const verdict = latch('audit', 'verify');
    console.log(`   chain: ${verdict.intact ? 'intact' : 'BROKEN'}, ${verdict.records} records`);
  } finally {
    await Promise.all(connections.map((c) => c.stop().catch(() => {})));
    server.kill('SIGTERM');
  }
  say('done. Run `build/release/src/latch serve` to keep a server up (see README).');
}

main().catch((err) => {
  console.error(`demo failed: ${err.message}`);
  process.exit(1);
});
