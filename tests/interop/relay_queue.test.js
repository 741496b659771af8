'use strict';
// Queued commands (SPEC section 5): a SendCommand whose msg has "queue": true waits for an
// offline device to connect, or for its envelope's exp ("expired"); nothing runs after exp.
// Every check of an unqueued command comes first, so a stranger's queued command is "denied"
// and never held. The official SignalR client plays the users and the devices
// (helpers/device.js); tokens come from `latch token issue` and the device PATs.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { startServer, stopServer, runLatch, REPO_ROOT } = require('./helpers/server');
const { TRANSPORTS, buildConnection, sleep } = require('./helpers/client');
const { startDevice } = require('./helpers/device');

const { signEnvelope } = require(path.join(REPO_ROOT, 'clients', 'js', 'latch-envelope'));

// How long a test waits to be sure that something did NOT happen.
const QUIET_MS = 400;
// The server's per-device cap on held commands (RelayOptions::maxHeldPerDevice).
const MAX_HELD_PER_DEVICE = 32;

let serial = 0;
const unique = (what) => `${what}-${process.pid}-${++serial}`;

const command = (home, device, name, args = []) => ({ home, device, command: name, args });
const queued = (home, device, name, args = []) => ({ ...command(home, device, name, args), queue: true });

// A promise that also says whether it has settled yet.
function track(promise) {
  const t = { settled: false, value: undefined, error: undefined };
  t.promise = promise.then(
    (value) => { Object.assign(t, { settled: true, value, at: Date.now() }); return value; },
    (error) => { Object.assign(t, { settled: true, error, at: Date.now() }); throw error; });
  t.promise.catch(() => {});  // a test that fails early leaves it unawaited
  return t;
}

describe('queued commands', () => {
  let server;
  const connections = [];  // stopped at the end

  before(async () => {
    // Tick every 250 ms (keep-alive / 4); one connection may hold more than the cap in flight.
    server = await startServer({
      keepalive_interval_ms: 1000, client_timeout_ms: 10000,
      max_parallel_invocations: MAX_HELD_PER_DEVICE + 8,
    });
  });
  after(async () => {
    await Promise.all(connections.map((c) => c.stop().catch(() => {})));
    await stopServer(server);
  });

  async function manage(...args) {
    const r = await runLatch([...args, '--data', server.dataDir, '--json']);
    assert.equal(r.code, 0, `latch ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  // A home owned by a new subject with one device per name (commands LOCK_DOOR, OPEN_DOOR).
  async function provisionHome(...names) {
    const owner = unique('owner');
    const home = await manage('home', 'add', unique('home'), '--owner', owner);
    const devices = {};
    for (const name of names) {
      devices[name] = await manage('device', 'add', home.id, name, '--commands', 'LOCK_DOOR,OPEN_DOOR');
    }
    return { owner, home, devices };
  }

  // A connected user; send(msg, opts) signs msg with its session key and invokes SendCommand.
  async function connectUser(transport, sub) {
    const t = await manage('token', 'issue', '--sub', sub, '--role', 'user', '--ttl', '10m');
    const user = {
      sub,
      envelope: (msg, opts = {}) => signEnvelope(t.session_key, 'SendCommand', msg, opts),
      async send(msg, opts = {}) { return user.c.invoke('SendCommand', await user.envelope(msg, opts)); },
    };
    user.c = buildConnection(server.hubUrl, transport, { accessTokenFactory: () => t.access_token });
    await user.c.start();
    connections.push(user.c);
    return user;
  }

  async function connectDevice(provisioned, transport, behaviour = 'ok') {
    const d = await startDevice(server, provisioned, { transport, behaviour });
    connections.push(d);
    return d;
  }

  // The audit log's command records about `deviceId`, once there are `count` of them.
  async function commandRecords(deviceId, count) {
    const deadline = Date.now() + 3000;
    for (;;) {
      const records = (await manage('audit', 'list')).records
        .filter((r) => r.kind === 'command' && r.device === deviceId);
      if (records.length >= count || Date.now() > deadline) return records;
      await sleep(100);
    }
  }

  for (const { name: transport } of TRANSPORTS) {
    it(`over ${transport}: a queued command to an offline device runs once when it connects before the exp`, async () => {
      const { owner, home, devices } = await provisionHome('front');
      const user = await connectUser(transport, owner);
      const msg = queued(home.id, devices.front.id, 'OPEN_DOOR', ['front', 1]);
      const env = await user.envelope(msg, { lifetimeMs: 10_000 });
      const result = track(user.c.invoke('SendCommand', env));
      await sleep(QUIET_MS);
      assert.equal(result.settled, false, `answered while the device was offline: ${JSON.stringify(result.value)}`);

      const device = await connectDevice(devices.front, transport);
      assert.deepEqual(await result.promise, { status: 'ok', output: 'OPEN_DOOR done' });
      assert.equal(device.executed.length, 1);
      assert.deepEqual(device.refused, []);
      const exec = device.executed[0];
      const { queue, ...forwarded } = msg;
      assert.deepEqual(exec.msg, forwarded);
      assert.ok(exec.envelope.exp <= env.exp, `Execute exp ${exec.envelope.exp} > user exp ${env.exp}`);
      assert.notEqual(exec.envelope.nonce, env.nonce);

      await sleep(QUIET_MS);
      assert.equal(device.invocations, 1, 'the held command ran more than once');
      const records = await commandRecords(devices.front.id, 1);
      assert.deepEqual(records.map((r) => r.outcome), ['ok']);
    });
  }

  it('a device that never connects: "expired", no earlier than the exp', async () => {
    const { owner, home, devices } = await provisionHome('front');
    const user = await connectUser('WebSockets', owner);
    const env = await user.envelope(queued(home.id, devices.front.id, 'LOCK_DOOR'), { lifetimeMs: 1500 });
    const result = await user.c.invoke('SendCommand', env);
    const at = Date.now();
    assert.equal(result.status, 'expired', JSON.stringify(result));
    assert.ok(at >= env.exp, `expired ${env.exp - at} ms before the exp`);
    assert.ok(at <= env.exp + 1500, `expired ${at - env.exp} ms after the exp`);
    const records = await commandRecords(devices.front.id, 1);
    assert.deepEqual(records.map((r) => [r.outcome, r.detail]), [['expired', 'queue_expired']]);
  });

  it('a device that connects after the exp runs nothing', async () => {
    const { owner, home, devices } = await provisionHome('front');
    const user = await connectUser('WebSockets', owner);
    const env = await user.envelope(queued(home.id, devices.front.id, 'OPEN_DOOR'), { lifetimeMs: 1000 });
    const result = track(user.c.invoke('SendCommand', env));
    await sleep(Math.max(0, env.exp - Date.now()) + 50);
    const device = await connectDevice(devices.front, 'WebSockets');
    assert.equal((await result.promise).status, 'expired');
    await sleep(QUIET_MS);
    assert.equal(device.invocations, 0, 'a command ran after its exp');
    assert.equal((await commandRecords(devices.front.id, 1)).length, 1);
  });

  it('without "queue": true an offline device still gives "offline" at once, and the command never runs', async () => {
    const { owner, home, devices } = await provisionHome('front');
    const user = await connectUser('WebSockets', owner);
    const held = track(user.send(queued(home.id, devices.front.id, 'LOCK_DOOR', ['queued'])));
    const started = Date.now();
    assert.deepEqual(await user.send(command(home.id, devices.front.id, 'LOCK_DOOR', ['unqueued'])),
      { status: 'offline', output: null });
    // A held one would wait for the device or its exp (10 s).
    assert.ok(Date.now() - started < 5000, 'the unqueued command waited');

    const device = await connectDevice(devices.front, 'WebSockets');
    assert.equal((await held.promise).status, 'ok');
    await sleep(QUIET_MS);
    assert.deepEqual(device.executed.map((e) => e.msg.args), [['queued']]);
  });

  it(`beyond ${MAX_HELD_PER_DEVICE} held for one device the next is "offline" (queue full); the held ones all run`, async () => {
    const { owner, home, devices } = await provisionHome('front', 'back');
    const user = await connectUser('WebSockets', owner);
    // Signed first, then invoked in this order: the server reads one connection's invocations
    // in the order they were sent, so the last one is the one over the cap.
    const envelopes = await Promise.all([...Array(MAX_HELD_PER_DEVICE + 1).keys()].map(
      (i) => user.envelope(queued(home.id, devices.front.id, 'LOCK_DOOR', [i]))));
    const results = envelopes.map((env) => track(user.c.invoke('SendCommand', env)));
    const over = await results.pop().promise;
    assert.equal(over.status, 'offline', JSON.stringify(over));
    assert.match(over.output, /queue/);
    // Another device's queue is its own.
    const other = track(user.send(queued(home.id, devices.back.id, 'LOCK_DOOR', ['back'])));
    await sleep(QUIET_MS);
    assert.ok(results.every((r) => !r.settled) && !other.settled, 'a held command was answered early');

    const front = await connectDevice(devices.front, 'WebSockets');
    const outcomes = await Promise.all(results.map((r) => r.promise));
    assert.ok(outcomes.every((r) => r.status === 'ok'), JSON.stringify(outcomes));
    // Each exactly once. (Their order is the unit tests' to check: the stand-in verifies
    // envelopes with asynchronous WebCrypto, so `executed` is not in arrival order.)
    assert.deepEqual(front.executed.map((e) => e.msg.args[0]).sort((a, b) => a - b),
      [...Array(MAX_HELD_PER_DEVICE).keys()]);
    const back = await connectDevice(devices.back, 'WebSockets');
    assert.equal((await other.promise).status, 'ok');
    assert.equal(back.executed.length, 1);
  });

  it('tenant isolation: a queued command to another home\'s device is "denied" and never held', async () => {
    const A = await provisionHome('door');
    const B = await provisionHome('door');
    const alice = await connectUser('WebSockets', A.owner);
    const bob = await connectUser('WebSockets', B.owner);
    const dB = B.devices.door.id;
    assert.equal((await alice.send(queued(A.home.id, dB, 'OPEN_DOOR', ['alice-A']))).status, 'denied');
    assert.equal((await alice.send(queued(B.home.id, dB, 'OPEN_DOOR', ['alice-B']))).status, 'denied');
    const bobs = track(bob.send(queued(B.home.id, dB, 'OPEN_DOOR', ['bob'])));

    const device = await connectDevice(B.devices.door, 'WebSockets');
    assert.equal((await bobs.promise).status, 'ok');
    await sleep(QUIET_MS);
    assert.deepEqual(device.executed.map((e) => e.msg.args), [['bob']]);
  });

  it('a caller that disconnects while its command is held: the command is dropped, never run', async () => {
    const { owner, home, devices } = await provisionHome('front');
    const user = await connectUser('WebSockets', owner);
    user.send(queued(home.id, devices.front.id, 'OPEN_DOOR')).catch(() => {});
    await sleep(QUIET_MS);
    await user.c.stop();
    const records = await commandRecords(devices.front.id, 1);
    assert.deepEqual(records.map((r) => [r.outcome, r.detail]), [['offline', 'caller_disconnected']]);
    const device = await connectDevice(devices.front, 'WebSockets');
    await sleep(QUIET_MS);
    assert.equal(device.invocations, 0);
  });
});
