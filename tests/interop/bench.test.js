'use strict';
// `latch bench`, the load generator on the C++ client library, against a real server: the
// relay mode provisions homes, devices and users, sends signed commands over each transport
// and reports them all ok, each admitted once by its device and audited once (checked here
// against the server's own audit log too); the echo mode checks every result. Bad flags and
// a wrong data directory give one clear line and a non-zero exit. The runs use 1 s envelopes
// to keep the drain at the end short.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { execFile } = require('node:child_process');

const { makeCertificate } = require('./helpers/certificate');
const { HomeProcesses } = require('./helpers/home_processes');
const { startServer, stopServer, runLatch, latchBin } = require('./helpers/server');

const TRANSPORTS = ['WebSockets', 'ServerSentEvents', 'LongPolling'];
// Client I/O threads per transport's run: one per connection (as the agent), one shared (the
// default), two shared (handlers of one connection never run at once, on either thread).
const THREADS = { WebSockets: 0, ServerSentEvents: 2, LongPolling: 1 };

// The process's threads while measuring show whether the connections shared the pool: at most
// the pool, Asio's resolver thread and the main thread when shared; more than one per
// connection when not.
function assertClientThreads(report, connections) {
  if (report.threads === 0) {
    assert.ok(report.client_threads > connections, `${report.client_threads} threads`);
  } else {
    assert.ok(report.client_threads <= report.threads + 2, `${report.client_threads} threads`);
  }
}

// Command records in the server's audit log by bench users (a long listing: tens of MB).
async function benchCommandRecords(dataDir) {
  const stdout = await new Promise((resolve, reject) => {
    execFile(latchBin(), ['audit', 'list', '--data', dataDir, '--json', '--limit', '1000000'],
      { maxBuffer: 1 << 30 }, (error, out, err) => (error ? reject(new Error(err)) : resolve(out)));
  });
  return JSON.parse(stdout).records.filter(
    (rec) => rec.kind === 'command' && /^bench-[0-9]+-[0-9]+-user-\d+$/.test(rec.actor));
}

function oneLine(text) {
  assert.equal(text.trim().split('\n').length, 1, `not one line: ${text}`);
}

describe('latch bench', () => {
  let server;
  let tokenFile;
  before(async () => {
    server = await startServer();
    const issued = await runLatch(['token', 'issue', '--sub', 'bencher', '--role', 'user',
      '--data', server.dataDir]);
    assert.equal(issued.code, 0, issued.stderr);
    tokenFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'latch-bench-')), 'token.json');
    fs.writeFileSync(tokenFile, issued.stdout, { mode: 0o600 });
  });
  after(async () => {
    fs.rmSync(path.dirname(tokenFile), { recursive: true, force: true });
    await stopServer(server);
  });

  for (const transport of TRANSPORTS) {
    it(`relay over ${transport}: every command ok, admitted once by its device, audited once`, async () => {
      const before = (await benchCommandRecords(server.dataDir)).length;
      const r = await runLatch(['bench', 'relay', '--server', server.url, '--data', server.dataDir,
        '--transport', transport, '--users', '3', '--devices', '2', '--inflight', '2',
        '--duration', '1', '--warmup', '0.2', '--lifetime', '1', '--threads', String(THREADS[transport]),
        '--json']);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.equal(report.mode, 'relay');
      assert.equal(report.transport, transport);
      assert.equal(report.threads, THREADS[transport]);
      assertClientThreads(report, 5);
      assert.ok(report.commands > 0, 'nothing was measured');
      assert.ok(report.rps > 0);
      assert.ok(report.sent >= report.commands);
      assert.deepEqual(report.outcomes, { ok: report.sent });
      assert.equal(report.executed, report.sent, 'a device did not admit every command once');
      assert.equal(report.refused, 0);
      assert.equal(report.unanswered, 0);
      assert.equal(report.audit.complete, true);
      assert.equal(report.audit.command_records, report.sent);
      assert.ok(report.latency_us.p50 > 0 && report.latency_us.p50 <= report.latency_us.p99);
      // The server's own log, read here: one record per command sent.
      const fresh = (await benchCommandRecords(server.dataDir)).length - before;
      assert.equal(fresh, report.sent);
    });
  }

  it('relay --rate sends on a schedule, not as fast as answers come', async () => {
    // 100 per second in all for 1.5 s: about 150 sent, whatever the server could take; a
    // closed loop of 3 users would send thousands in that time.
    const r = await runLatch(['bench', 'relay', '--server', server.url, '--data', server.dataDir,
      '--users', '3', '--devices', '1', '--rate', '100', '--duration', '1', '--warmup', '0.5',
      '--lifetime', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.rate, 100);
    assert.ok(report.sent >= 100 && report.sent <= 160, `${report.sent} sent`);
    assert.deepEqual(report.outcomes, { ok: report.sent });
    assert.equal(report.audit.command_records, report.sent);
    assert.ok(report.commands > 0 && report.commands < report.sent, `${report.commands} timed`);
    // How late the pacer sent, beside the latency it is part of.
    assert.ok(report.send_lag_us.p50 <= report.send_lag_us.p99);
    assert.ok(report.send_lag_us.p99 <= report.latency_us.max);
  });

  it('relay prints a readable summary without --json', async () => {
    const r = await runLatch(['bench', 'relay', '--server', server.url, '--data', server.dataDir,
      '--users', '1', '--devices', '1', '--duration', '0.5', '--warmup', '0', '--lifetime', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout,
      /^relay: 1 user\(s\) x 1 in flight -> 1 device\(s\) over WebSockets, 1\.0 s envelopes, 1 shared client thread\(s\); setup/);
    assert.match(r.stdout, /commands in .* per second/);
    assert.match(r.stdout, /outcomes of all (\d+) sent: ok \1\n/);
    assert.match(r.stdout, /audit log: (\d+) of \1 command records/);
  });

  for (const transport of TRANSPORTS) {
    it(`echo over ${transport}: round trips with every result checked`, async () => {
      const r = await runLatch(['bench', 'echo', '--server', server.url, '--token-file', tokenFile,
        '--transport', transport, '--connections', '4', '--inflight', '4', '--payload', '100',
        '--duration', '0.5', '--warmup', '0.1', '--threads', String(THREADS[transport]), '--json']);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.equal(report.mode, 'echo');
      assert.equal(report.transport, transport);
      assert.equal(report.threads, THREADS[transport]);
      assertClientThreads(report, 4);
      assert.ok(report.round_trips > 0);
      assert.equal(report.failed, 0);
      assert.ok(report.sent >= report.round_trips);
      assert.equal(report.payload_bytes, 100);
    });
  }

  it('relay with another data directory than the server\'s fails in one clear line', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-bench-other-'));
    try {
      const r = await runLatch(['bench', 'relay', '--server', server.url, '--data', other,
        '--users', '1', '--devices', '1', '--duration', '0.2']);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      oneLine(r.stderr);
      assert.match(r.stderr, /^latch bench relay: POST \/auth\/token .*--data/);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
    assert.ok(server.alive());
  });

  it('relay to a server that is not there fails in one clear line', async () => {
    const r = await runLatch(['bench', 'relay', '--server', 'http://127.0.0.1:9', '--data',
      server.dataDir, '--users', '1', '--devices', '1', '--duration', '0.2']);
    assert.equal(r.code, 1);
    oneLine(r.stderr);
    assert.match(r.stderr, /^latch bench relay: /);
  });

  it('bad flags are refused before anything is provisioned', async () => {
    const before = (await runLatch(['home', 'list', '--data', server.dataDir, '--json'])).stdout;
    for (const [args, why] of [
      [['--users', '1', '--devices', '2'], /--users must be >= --devices/],
      [['--inflight', '0'], /--inflight must be >= 1/],
      [['--lifetime', '31'], /--lifetime must be from 0.001 to 30 seconds/],
      [['--duration', '0'], /--duration must be > 0/],
      [['--rate', '-5'], /--rate must be from 0 to/],
      [['--transport', 'Pigeon'], /unknown --transport 'Pigeon'/],
    ]) {
      const r = await runLatch(['bench', 'relay', '--server', server.url, '--data', server.dataDir,
        ...args]);
      assert.equal(r.code, 1, args.join(' '));
      oneLine(r.stderr);
      assert.match(r.stderr, why);
    }
    const after = (await runLatch(['home', 'list', '--data', server.dataDir, '--json'])).stdout;
    assert.equal(after, before, 'a refused run provisioned homes');
  });

  it('echo refuses a token file others can read, and a payload over its limit', async () => {
    const loose = path.join(path.dirname(tokenFile), 'loose.json');
    fs.copyFileSync(tokenFile, loose);
    fs.chmodSync(loose, 0o644);
    let r = await runLatch(['bench', 'echo', '--server', server.url, '--token-file', loose]);
    assert.equal(r.code, 1);
    oneLine(r.stderr);
    assert.match(r.stderr, /^latch bench echo: .*(group|others)/);
    r = await runLatch(['bench', 'echo', '--server', server.url, '--token-file', tokenFile,
      '--payload', '16001']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--payload must be at most 16000 bytes/);
  });
});

describe('latch bench over HTTPS', () => {
  let certificate;
  let env;
  before(async () => {
    certificate = makeCertificate();
    env = await HomeProcesses.create({
      extraToml: `[tls]\ncert = "${certificate.cert}"\nkey = "${certificate.key}"\n`,
    });
    env.url = `https://127.0.0.1:${env.port}`;
  });
  after(async () => {
    if (env) await env.close();
    if (certificate) fs.rmSync(certificate.dir, { recursive: true, force: true });
  });

  it('relays signed commands over TLS with the server\'s certificate trusted by --ca-file', async () => {
    const r = await runLatch(['bench', 'relay', '--server', env.url, '--ca-file', certificate.cert,
      '--data', env.dataDir, '--users', '2', '--devices', '1', '--duration', '0.5', '--warmup', '0',
      '--lifetime', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.match(report.server, /^https:\/\/127\.0\.0\.1:/);
    assert.ok(report.commands > 0);
    assert.deepEqual(report.outcomes, { ok: report.sent });
    assert.equal(report.audit.complete, true);
  });

  it('refuses a certificate it was not told to trust, in one line, before any command', async () => {
    const r = await runLatch(['bench', 'relay', '--server', env.url, '--data', env.dataDir,
      '--users', '1', '--devices', '1', '--duration', '0.2']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    oneLine(r.stderr);
    assert.match(r.stderr, /^latch bench relay: .*(certificate|verify|TLS)/i);
  });
});
