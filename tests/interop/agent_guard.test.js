'use strict';
// The device side's own checks (SPEC section 5: "the agent verifies it, refuses it after exp,
// and executes each nonce at most once"), tested against a scripted stand-in server that can
// send `latch agent` any Execute frame: a verbatim replay of a frame it already ran, an
// expired envelope, one signed with another key or for another method, one for another
// device, arguments argv cannot carry. Each must be refused and run nothing. And the reconnect
// race: an Execute whose connection drops before its answer, delivered again on the next
// connection, runs once.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { WebSocketServer } = require('ws');

const { latchBin } = require('./helpers/server');
const { waitForOutput } = require('./helpers/home_processes');
const { signEnvelope, base64urlEncode } = require('../../clients/js/latch-envelope');

const RS = '\x1e';
const DEVICE = 'd_guardtestdevice000000';
const PAT = `latch_pat_${'A'.repeat(42)}E`;

// A stand-in Latch server: /auth/token gives the PAT's holder a token and session key,
// negotiate offers WebSockets, and the test drives the hub connection frame by frame.
class ScriptedServer {
  async start() {
    this.sessionKey = base64urlEncode(crypto.randomBytes(32));
    this.completions = [];
    this.waiters = [];
    this.http = http.createServer((req, res) => this.onRequest(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    await new Promise((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.http.address().port}`;
    this.connected = this.nextConnection();
  }

  // Resolves once the agent's next connection has completed its handshake.
  nextConnection() {
    return new Promise((resolve) => { this.onConnected = resolve; });
  }

  // Drops the agent's connection at once, as a failing network would.
  drop() {
    this.ws.terminate();
  }

  onRequest(req, res) {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (req.url === '/auth/token') {
        const form = new URLSearchParams(body);
        if (form.get('client_id') !== DEVICE || form.get('client_secret') !== PAT) {
          res.writeHead(401, { 'Content-Type': 'application/json' });
          return res.end('{"error":"invalid_client"}');
        }
        const payload = base64urlEncode(Buffer.from(JSON.stringify({
          sub: DEVICE, exp: Math.floor(Date.now() / 1000) + 3600, jti: 'x' })));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ access_token: `eyJhbGciOiJIUzI1NiJ9.${payload}.c2ln`,
          token_type: 'Bearer', expires_in: 3600, session_key: this.sessionKey }));
      }
      if (req.url.startsWith('/hubs/command/negotiate')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ negotiateVersion: 1, connectionId: 'c1', connectionToken: 't1',
          availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text'] }] }));
      }
      res.writeHead(404);
      res.end();
    });
  }

  onSocket(ws) {
    this.ws = ws;
    ws.on('message', (data) => {
      if (ws !== this.ws) return;  // a dropped connection's last words
      for (const record of data.toString().split(RS).filter((r) => r)) {
        const msg = JSON.parse(record);
        if (msg.protocol) {
          ws.send(`{}${RS}`);
          this.onConnected();
        } else if (msg.type === 3) {
          this.completions.push(msg);
          this.waiters.splice(0).forEach((w) => w());
        }
      }
    });
  }

  // Sends `frame` (one record's text) and resolves with the Completion for `invocationId`.
  async execute(frame, invocationId) {
    this.ws.send(frame + RS);
    const started = Date.now();
    for (;;) {
      const found = this.completions.find((c) => c.invocationId === invocationId);
      if (found) {
        this.completions.splice(this.completions.indexOf(found), 1);
        return found;
      }
      if (Date.now() - started > 10000) throw new Error(`no Completion for ${invocationId}`);
      await new Promise((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 100); });
    }
  }

  async stop() {
    this.wss.clients.forEach((c) => c.terminate());
    await new Promise((resolve) => this.http.close(resolve));
  }
}

const command = (overrides = {}) => ({ home: 'h_1', device: DEVICE, command: 'OPEN_DOOR', args: [], ...overrides });
const frame = (id, envelope) => JSON.stringify({ type: 1, invocationId: id, target: 'Execute', arguments: [envelope] });

describe('latch agent refuses what it must not run', () => {
  let server; let agent; let dir; let runsFile; let log = ''; let nextId = 1;
  const runs = () => (fs.existsSync(runsFile) ? fs.readFileSync(runsFile, 'utf8').split('\n').filter((l) => l) : []);
  const id = () => String(nextId++);

  before(async () => {
    server = new ScriptedServer();
    await server.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-guard-'));
    runsFile = path.join(dir, 'runs');
    const patFile = path.join(dir, 'pat');
    fs.writeFileSync(patFile, PAT, { mode: 0o600 });
    const handler = path.join(dir, 'h.sh');
    fs.writeFileSync(handler, `#!/bin/sh\necho "$*" >> '${runsFile}'\nprintf 'bin\\377\\376ary'\n`, { mode: 0o755 });
    // Slow enough that the connection can be dropped while it runs.
    const slow = path.join(dir, 'slow.sh');
    fs.writeFileSync(slow, `#!/bin/sh\necho "slow $*" >> '${runsFile}'\nsleep 1\necho done\n`, { mode: 0o755 });
    agent = spawn(latchBin(), ['agent', '--server', server.url, '--device', DEVICE, '--pat-file', patFile,
      '--handler', `OPEN_DOOR=${handler}`, '--handler', `SLOW_DOOR=${slow}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    agent.stderr.on('data', (c) => { log += c; });
    await server.connected;
  });
  after(async () => {
    agent.kill('SIGKILL');
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs a valid Execute once; the same frame sent again verbatim is refused and runs nothing', async () => {
    const envelope = await signEnvelope(server.sessionKey, 'Execute', command({ args: ['once'] }));
    const text = frame('replay-1', envelope);
    const first = await server.execute(text, 'replay-1');
    assert.equal(first.result.status, 'ok', JSON.stringify(first));
    // Output is arbitrary bytes; it comes back as valid JSON text, invalid bytes replaced.
    assert.equal(first.result.output, 'bin\uFFFD\uFFFDary');
    const again = await server.execute(text, 'replay-1');
    assert.equal(again.result.status, 'failed');
    assert.match(again.result.output, /already executed/);
    assert.deepEqual(runs(), ['-- once']);  // `--` first: the handler contract
    await waitForOutput(() => log, (t) => /execute refused: replayed/.test(t), 5000, 'the refusal logged');
  });

  it('refuses an expired envelope, one signed with another key or for another method, and one for another device', async () => {
    const before = runs().length;
    const otherKey = base64urlEncode(crypto.randomBytes(32));
    const cases = [
      [await signEnvelope(server.sessionKey, 'Execute', command(), { now: Date.now() - 20_000, lifetimeMs: 10_000 }), /expired/],
      [await signEnvelope(otherKey, 'Execute', command()), /bad_signature/],
      [await signEnvelope(server.sessionKey, 'SendCommand', command()), /bad_signature/],
      [await signEnvelope(server.sessionKey, 'Execute', command({ device: 'd_someoneelse' })), /another device/],
      [await signEnvelope(server.sessionKey, 'Execute', command({ command: 'LOCK_DOOR' })), /no handler for LOCK_DOOR/],
      [await signEnvelope(server.sessionKey, 'Execute', command(), { lifetimeMs: 120_000 }), /lifetime/],
      [{ ...(await signEnvelope(server.sessionKey, 'Execute', command())), extra: 1 }, /malformed/],
      ['not an envelope', /malformed/],
    ];
    for (const [envelope, reason] of cases) {
      const invocation = id();
      const answer = await server.execute(frame(invocation, envelope), invocation);
      assert.equal(answer.result.status, 'failed', JSON.stringify(answer));
      assert.match(answer.result.output, /^refused by the device: /);
      assert.match(answer.result.output + log, reason);
    }
    assert.equal(runs().length, before);
  });

  it('refuses arguments that argv cannot carry (a NUL byte) without running anything', async () => {
    const before = runs().length;
    const envelope = await signEnvelope(server.sessionKey, 'Execute', command({ args: ['a\u0000b'] }));
    const invocation = id();
    const answer = await server.execute(frame(invocation, envelope), invocation);
    assert.equal(answer.result.status, 'failed');
    assert.match(answer.result.output, /arguments refused: argument 1 holds a control character/);
    assert.equal(runs().length, before);
  });

  it('an invocation it has no handler for at all gets an error Completion, and the agent stays up', async () => {
    const invocation = id();
    const answer = await server.execute(JSON.stringify({ type: 1, invocationId: invocation, target: 'Nope', arguments: [] }), invocation);
    assert.match(answer.error, /didn't provide a result/);
    const envelope = await signEnvelope(server.sessionKey, 'Execute', command({ args: ['still'] }));
    const next = id();
    assert.equal((await server.execute(frame(next, envelope), next)).result.status, 'ok');
    assert.equal(agent.exitCode, null);
  });

  it('reconnect race: an Execute whose connection dropped before its answer, delivered again, runs once', async () => {
    const before = runs().length;
    const envelope = await signEnvelope(server.sessionKey, 'Execute', command({ command: 'SLOW_DOOR', args: ['race'] }));
    const text = frame('race-1', envelope);
    const reconnected = server.nextConnection();
    server.ws.send(text + RS);
    await waitForOutput(() => runs().join('\n'), (t) => t.includes('slow -- race'), 5000, 'the handler started');
    server.drop();
    await reconnected;
    // The server (or a confused one) delivers the same frame again on the new connection.
    const again = await server.execute(text, 'race-1');
    assert.equal(again.result.status, 'failed', JSON.stringify(again));
    assert.match(again.result.output, /already executed/);
    await new Promise((resolve) => setTimeout(resolve, 1500));  // the first run has finished
    assert.deepEqual(runs().slice(before), ['slow -- race']);
    // The first run's answer belonged to the dropped connection: it never reaches the new one.
    assert.equal(server.completions.filter((c) => c.invocationId === 'race-1').length, 0);
    assert.equal(agent.exitCode, null);
  });
});
