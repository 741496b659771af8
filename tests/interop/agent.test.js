'use strict';
// `latch agent` and `latch send` end to end with real processes (issue: the home hub agent):
// a command runs exactly once and its output comes back; handlers get their arguments as
// argv, never through a shell; commands without a handler are refused on the device; a
// hanging handler is killed at its timeout; the agent rides out its own restart, the
// server's restart and its token's expiry; a revoked device stops retrying and says why.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { HomeProcesses, agentBin } = require('./helpers/home_processes');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function assertNoSecrets(text, env) {
  assert.ok(!text.includes(env.device.pat), 'a log line holds the PAT');
  const token = JSON.parse(fs.readFileSync(env.tokenFile, 'utf8'));
  assert.ok(!text.includes(token.access_token), 'a log line holds an access token');
  assert.ok(!text.includes(token.session_key), 'a log line holds a session key');
}

describe('latch agent and latch send', () => {
  let env;
  let agent;
  before(async () => {
    env = await HomeProcesses.create({ commands: 'OPEN_DOOR,LOCK_DOOR,SLOW,CRASH' });
    const sleeper = env.script('slow.sh', `#!/bin/sh\necho started\necho $$ > '${env.dir}/slow.pid'\nexec sleep 30\n`);
    const crash = env.script('crash.sh', '#!/bin/sh\necho "jammed" >&2\nexit 3\n');
    agent = env.startAgent({
      handlers: { OPEN_DOOR: env.recorder, SLOW: sleeper, CRASH: crash },
      extra: ['--timeout', '1s'],
    });
    await agent.connected();
  });
  after(async () => {
    await env.close();
  });

  it('runs a command exactly once and prints its output; exit status 0', async () => {
    const before = env.runs().length;
    const r = await env.send('OPEN_DOOR', ['now']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ok: did OPEN_DOOR with 1 args\n');
    assert.deepEqual(env.runs().slice(before), ['OPEN_DOOR|now']);
    await sleep(300);
    assert.equal(env.runs().length, before + 1, 'the command ran more than once');
  });

  it('passes arguments as argv, verbatim, never through a shell', async () => {
    const before = env.runs().length;
    const canary = path.join(env.dir, 'pwned');
    const hostile = [`$(touch ${canary})`, '; touch ' + canary, 'two words', '*', '"quoted"'];
    const r = await env.send('OPEN_DOOR', hostile);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(env.runs().slice(before), [`OPEN_DOOR|${hostile.join('|')}`]);
    assert.equal(fs.existsSync(canary), false);
  });

  it('puts -- before the arguments, so "-rf" or "--foo" is never an option', async () => {
    const before = env.runs().length;
    // `latch send` itself takes arguments after `--` when they look like options.
    const r = await env.send('OPEN_DOOR', ['--', '-rf', '--foo']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(env.runs().slice(before), ['OPEN_DOOR|-rf|--foo']);  // not "(no --)"
  });

  it('refuses control characters, too many and too long arguments before anything runs', async () => {
    const before = env.runs().length;
    for (const args of [['line\nbreak'], ['carriage\rreturn'], ['esc\u001b[31m'],
      Array.from({ length: 17 }, (_, i) => String(i)), ['x'.repeat(257)]]) {
      const r = await env.send('OPEN_DOOR', args, ['--json']);
      const answer = JSON.parse(r.stdout);
      assert.equal(answer.status, 'invalid', JSON.stringify(args));
      assert.match(answer.output, /The arguments are refused/);
    }
    assert.equal(env.runs().length, before, 'a handler ran');
  });

  it('--json prints the server\'s answer as one JSON object', async () => {
    const r = await env.send('OPEN_DOOR', [], ['--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { status: 'ok', output: 'did OPEN_DOOR with 0 args\n' });
  });

  it('a command the server allows but the agent has no handler for is refused on the device', async () => {
    const before = env.runs().length;
    const r = await env.send('LOCK_DOOR', [], ['--json']);
    assert.equal(r.code, 1);
    const answer = JSON.parse(r.stdout);
    assert.equal(answer.status, 'failed');
    assert.match(answer.output, /no handler for LOCK_DOOR/);
    assert.equal(env.runs().length, before);
  });

  it('a handler that fails gives "failed" with its output and exit status 1', async () => {
    const r = await env.send('CRASH');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'failed: jammed\n');
    await agent.waitForLog(/execute CRASH \[[^\]]+\] args=0 -> failed \(exit 3/);
  });

  it('a handler that hangs is killed at its timeout, with its whole process group', async () => {
    const started = Date.now();
    const r = await env.send('SLOW', [], ['--json']);
    const elapsed = Date.now() - started;
    assert.equal(r.code, 1);
    const answer = JSON.parse(r.stdout);
    assert.equal(answer.status, 'failed');
    assert.match(answer.output, /^started\n[\s\S]*timed out after 1000 ms/);
    assert.ok(elapsed < 8000, `took ${elapsed} ms`);
    const pid = Number(fs.readFileSync(path.join(env.dir, 'slow.pid'), 'utf8'));
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the handler is still running');
  });

  it('an unknown device, or a device of no home of yours, gets "denied" from the server', async () => {
    const r = await env.send('OPEN_DOOR', [], ['--json']).then(() =>
      require('node:child_process').spawnSync(require('./helpers/server').latchBin(),
        ['send', '--server', env.url, '--token-file', env.tokenFile, '--json', env.home.id, 'd_nobody', 'OPEN_DOOR'],
        { encoding: 'utf8' }));
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.stdout).status, 'denied');
  });

  it('never logs the PAT, the access token or the session key', () => {
    assertNoSecrets(agent.log, env);
    assertNoSecrets(env.serverLog, env);
  });
});

describe('latch-agent, the agent alone', () => {
  it('is latch agent: connects, runs a command once, and stops cleanly on SIGTERM', async () => {
    const env = await HomeProcesses.create();
    try {
      const agent = env.startAgent({ standalone: true });
      await agent.connected();
      const r = await env.send('OPEN_DOOR', ['alone']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(env.runs(), ['OPEN_DOOR|alone']);
    } finally {
      await env.close();  // checks the exit status
    }
  });

  // Its resident memory (bench/agent_memory.js) stays under 10 MiB because it carries only
  // what the agent uses: no SQLite, and OpenSSL linked in rather than the whole shared library.
  it('needs neither SQLite nor the shared OpenSSL libraries', () => {
    const { execFileSync } = require('node:child_process');
    const dynamic = execFileSync('readelf', ['-d', agentBin()], { encoding: 'utf8' });
    const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    assert.ok(needed.some((n) => n.startsWith('libc.so')), `readelf found no NEEDED entries: ${dynamic}`);
    for (const lib of ['libsqlite3', 'libcrypto', 'libssl']) {
      assert.ok(!needed.some((n) => n.startsWith(lib)), `latch-agent needs ${lib}: ${needed.join(', ')}`);
    }
  });
});

describe('the handler\'s environment', () => {
  it('carries the command\'s exp as LATCH_EXP_MS, the handler\'s deadline', async () => {
    const env = await HomeProcesses.create();
    try {
      const handler = env.script('exp.sh', '#!/bin/sh\necho "exp=$LATCH_EXP_MS home=$LATCH_HOME"\n');
      const agent = env.startAgent({ handlers: { OPEN_DOOR: handler } });
      await agent.connected();
      const before = Date.now();
      const r = await env.send('OPEN_DOOR', [], ['--lifetime', '7s']);
      assert.equal(r.code, 0, r.stderr);
      const m = /exp=(\d+) home=(\S+)/.exec(r.stdout);
      assert.ok(m, r.stdout);
      assert.ok(Number(m[1]) >= before + 7000 && Number(m[1]) <= Date.now() + 7000, r.stdout);
      assert.equal(m[2], env.home.id);
    } finally {
      await env.close();
    }
  });
});

describe('argument rules', () => {
  it('the server refuses arguments outside the device\'s rule; the agent checks its own rules again', async () => {
    const env = await HomeProcesses.create({
      deviceArgs: ['--args', 'OPEN_DOOR=one-of:front|back', '--args', 'LOCK_DOOR=int...'],
    });
    try {
      const listed = await env.latchJson(['device', 'list']);
      assert.deepEqual(listed.devices[0].args, { LOCK_DOOR: 'int...', OPEN_DOOR: 'one-of:front|back' });
      // The agent has a stricter rule of its own for LOCK_DOOR: one int.
      const agent = env.startAgent({ handlers: { OPEN_DOOR: env.recorder, LOCK_DOOR: env.recorder },
        extra: ['--args', 'LOCK_DOOR=int'] });
      await agent.connected();
      assert.equal((await env.send('OPEN_DOOR', ['front'])).code, 0);
      for (const args of [['side'], [], ['front', 'back']]) {
        const answer = JSON.parse((await env.send('OPEN_DOOR', args, ['--json'])).stdout);
        assert.equal(answer.status, 'invalid', JSON.stringify(args));
      }
      assert.equal((await env.send('LOCK_DOOR', ['1'])).code, 0);
      // The server's rule allows two ints; the agent's does not.
      const twice = JSON.parse((await env.send('LOCK_DOOR', ['1', '2'], ['--json'])).stdout);
      assert.equal(twice.status, 'failed');
      assert.match(twice.output, /refused by the device: arguments refused/);
      assert.deepEqual(env.runs(), ['OPEN_DOOR|front', 'LOCK_DOOR|1']);
      // A rule that does not parse is refused when the device is added.
      const bad = await env.latch(['device', 'add', env.home.id, 'other', '--commands', 'X', '--args', 'X=regex:.*']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /argument rule of X: unknown argument shape/);
    } finally {
      await env.close();
    }
  });
});

describe('latch agent publish', () => {
  it('publishes an event given on the local socket to the connected members of the home', async () => {
    const signalR = require('@microsoft/signalr');
    const env = await HomeProcesses.create();
    const socket = path.join(env.dir, 'events.sock');
    let alice;
    try {
      const agent = env.startAgent({ extra: ['--event-socket', socket] });
      await agent.connected();
      assert.equal(fs.statSync(socket).mode & 0o777, 0o600);
      const token = JSON.parse(fs.readFileSync(env.tokenFile, 'utf8')).access_token;
      alice = new signalR.HubConnectionBuilder()
        .withUrl(`${env.url}/hubs/command`, { accessTokenFactory: () => token })
        .configureLogging(signalR.LogLevel.None).build();
      const events = [];
      alice.on('Event', (...args) => events.push(args));
      await alice.start();

      const published = await require('./helpers/server').runLatch(
        ['agent', 'publish', '--socket', socket, '{"kind":"doorbell","at":"front"}']);
      assert.equal(published.code, 0, published.stderr);
      assert.deepEqual(JSON.parse(published.stdout), { status: 'ok', delivered: 1 });
      for (let i = 0; i < 50 && events.length === 0; i++) await sleep(20);
      assert.deepEqual(events, [[env.home.id, env.device.id, { kind: 'doorbell', at: 'front' }]]);

      const garbage = await require('./helpers/server').runLatch(['agent', 'publish', '--socket', socket, 'not json']);
      assert.equal(garbage.code, 1);
      assert.match(garbage.stdout, /"error":"an event is one JSON object on one line"/);
      assert.equal(events.length, 1);
    } finally {
      if (alice) await alice.stop();
      await env.close();
    }
  });
});

describe('latch agent resilience', () => {
  it('reconnects after being killed and restarted, and after the server restarts; each command runs once', async () => {
    const env = await HomeProcesses.create();
    try {
      const first = env.startAgent();
      await first.connected();
      assert.equal((await env.send('OPEN_DOOR', ['1'])).code, 0);
      await first.stop('SIGKILL');
      const offline = await env.send('OPEN_DOOR', ['2'], ['--json']);
      assert.equal(JSON.parse(offline.stdout).status, 'offline');

      const second = env.startAgent();
      await second.connected();
      assert.equal((await env.send('OPEN_DOOR', ['3'])).code, 0);

      await env.stopServer();
      await sleep(1500);  // the agent retries with backoff meanwhile
      await env.startServer();
      await second.connected(2, 20000);
      const r = await env.send('OPEN_DOOR', ['4']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(env.runs(), ['OPEN_DOOR|1', 'OPEN_DOOR|3', 'OPEN_DOOR|4']);
      assert.match(second.log, /reconnecting/);
    } finally {
      await env.close();
    }
  });

  it('refreshes its token in-band before it expires, keeping the same connection', async () => {
    const env = await HomeProcesses.create({
      extraToml: '[auth]\ntoken_lifetime_seconds = 3\nclock_skew_seconds = 0\n',
    });
    try {
      const agent = env.startAgent();
      await agent.connected();
      await sleep(7000);  // more than two lifetimes
      const r = await env.send('OPEN_DOOR', ['late']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((agent.log.match(/ connected to /g) || []).length, 1, agent.log);
      assert.doesNotMatch(agent.log, /reconnecting|expired/i);
      assert.doesNotMatch(env.serverLog, /Token expired/);
    } finally {
      await env.close();
    }
  });

  it('its token expires while the server is down: it gets a new one and reconnects', async () => {
    const env = await HomeProcesses.create({
      extraToml: '[auth]\ntoken_lifetime_seconds = 2\nclock_skew_seconds = 0\n',
    });
    try {
      const agent = env.startAgent();
      await agent.connected();
      await env.stopServer();
      await sleep(3500);  // longer than the token's whole lifetime
      await env.startServer();
      await agent.connected(2, 20000);
      const r = await env.send('OPEN_DOOR', ['after']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(env.runs(), ['OPEN_DOOR|after']);
    } finally {
      await env.close();
    }
  });

  it('a revoked device stops retrying, says why, and exits with status 78', async () => {
    const env = await HomeProcesses.create();
    try {
      const agent = env.startAgent();
      await agent.connected();
      const revoked = await env.latch(['device', 'revoke', env.device.id]);
      assert.equal(revoked.code, 0, revoked.stderr);
      const { code } = await Promise.race([agent.exited, sleep(20000).then(() => ({ code: 'still running' }))]);
      assert.equal(code, 78, agent.log);
      assert.match(agent.log, /giving up: the server refused this device's credentials.*HTTP 401/);
    } finally {
      await env.close();
    }
  });

  it('refuses a PAT file that group or others can read, and a missing handler program', async () => {
    const env = await HomeProcesses.create();
    try {
      fs.chmodSync(env.patFile, 0o644);
      const open = env.startAgent();
      const { code } = await open.exited;
      assert.equal(code, 1);
      assert.match(open.log, /accessible by group or others/);
      assert.ok(!open.log.includes(env.device.pat));

      fs.chmodSync(env.patFile, 0o600);
      const missing = env.startAgent({ handlers: { OPEN_DOOR: path.join(env.dir, 'nope.sh') } });
      assert.equal((await missing.exited).code, 1);
      assert.match(missing.log, /not an executable file/);
    } finally {
      await env.close();
    }
  });
});
