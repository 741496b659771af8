'use strict';
// The command relay (SPEC sections 1, 4 and 5; issue 4), with the official SignalR client
// playing both the user and the device (client results), over each transport:
// SendCommand → membership and command policy → Execute on the device, re-signed with the
// device's session key → the device's {status, output} back, with exactly one outcome and one
// audit record; tenant isolation path by path; one connection per device; the audit log;
// hostile input.
//
// User tokens come from `latch token issue --json` (access_token + session_key); device tokens
// from POST /auth/token with the PAT printed by `latch device add --json`.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { startServer, stopServer, runLatch, REPO_ROOT } = require('./helpers/server');
const { TRANSPORTS, buildConnection, watchLifecycle, withTimeout, sleep } = require('./helpers/client');
const { startDevice, exchangePat } = require('./helpers/device');

const { signEnvelope, verifyEnvelope, base64urlEncode } =
  require(path.join(REPO_ROOT, 'clients', 'js', 'latch-envelope'));

// How long a test waits to be sure that something did NOT happen (an event, an Execute).
const QUIET_MS = 300;

let serial = 0;
const unique = (what) => `${what}-${process.pid}-${++serial}`;

const command = (home, device, name, args = []) => ({ home, device, command: name, args });

describe('the command relay', () => {
  let server;
  const connections = [];  // every HubConnection and device started, stopped at the end
  // Every secret handed out in this file: none may ever appear in the audit log.
  const secrets = [];

  before(async () => {
    // Its hostile-input cases send more refusals than a subject's default budget.
    server = await startServer({ keepalive_interval_ms: 1000, client_timeout_ms: 10000, refusal_budget: 1000 });
  });
  after(async () => {
    await Promise.all(connections.map((c) => c.stop().catch(() => {})));
    await stopServer(server);
  });

  // Runs a management command on the server's data directory; resolves to its JSON.
  async function manage(...args) {
    const r = await runLatch([...args, '--data', server.dataDir, '--json']);
    assert.equal(r.code, 0, `latch ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  // A home owned by `owner` with `members` and `devices` ({ name, commands, ownerOnly }).
  async function provisionHome({ owner, members = [], devices = [] }) {
    const home = await manage('home', 'add', unique('home'), '--owner', owner);
    for (const sub of members) await manage('home', 'member', 'add', home.id, sub, '--role', 'member');
    const provisioned = {};
    for (const { name, commands = ['OPEN_DOOR', 'LOCK_DOOR', 'SET_TEMP'], ownerOnly = ['OPEN_DOOR'] } of devices) {
      const args = ['device', 'add', home.id, name, '--commands', commands.join(',')];
      if (ownerOnly.length) args.push('--owner-only', ownerOnly.join(','));
      const d = await manage(...args);
      assert.equal(d.home, home.id);
      assert.match(d.pat, /^latch_pat_[A-Za-z0-9_-]{43}$/);
      secrets.push(d.pat);
      provisioned[name] = d;
    }
    return { home, devices: provisioned };
  }

  // `latch token issue` for `sub` with `roles`: { access_token, session_key, ... }.
  async function issue(sub, roles = ['user']) {
    const r = await runLatch(['token', 'issue', '--sub', sub, ...roles.flatMap((x) => ['--role', x]),
      '--ttl', '10m', '--data', server.dataDir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const t = JSON.parse(r.stdout);
    secrets.push(t.access_token, t.session_key);
    return t;
  }

  // A started connection of a user (or any token holder) on `transport`, recording the
  // Events it receives; send() signs a command with its session key and invokes SendCommand.
  async function connectUser(transport, sub, roles = ['user']) {
    const t = await issue(sub, roles);
    const user = {
      sub, events: [], token: t.access_token, sessionKey: t.session_key,
      envelope: (msg, opts = {}) => signEnvelope(opts.key ?? user.sessionKey, opts.method ?? 'SendCommand',
        msg, opts),
      async send(msg, opts = {}) {
        return user.c.invoke('SendCommand', await user.envelope(msg, opts));
      },
      // A new token of the same subject swapped in on the live connection (RefreshToken).
      async refresh() {
        const fresh = await issue(sub, roles);
        const result = await user.c.invoke('RefreshToken', fresh.access_token);
        user.token = fresh.access_token;
        user.sessionKey = fresh.session_key;
        return result;
      },
    };
    const c = buildConnection(server.hubUrl, transport, { accessTokenFactory: () => user.token });
    c.on('Event', (...args) => user.events.push(args));
    user.c = c;
    user.life = watchLifecycle(c);
    await c.start();
    connections.push(c);
    return user;
  }

  async function device(provisioned, transport, behaviour = 'ok', options = {}) {
    const d = await startDevice(server, provisioned, { transport, behaviour, ...options });
    secrets.push(d.token, d.sessionKey);
    connections.push(d);
    return d;
  }

  // Nothing reached `d` (no Execute at all, verified or not) after a quiet period.
  async function assertUntouched(d, what) {
    await sleep(QUIET_MS);
    assert.equal(d.invocations, 0, `${what}: device ${d.id} received ${d.invocations} Execute(s)`);
  }

  // The audit log as JSON records.
  async function auditRecords() {
    return (await manage('audit', 'list')).records;
  }

  // Polls the audit log (written off the network threads) until `predicate(records)` holds.
  async function auditUntil(predicate, ms = 3000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const records = await auditRecords();
      if (predicate(records)) return records;
      if (Date.now() > deadline) return records;
      await sleep(100);
    }
  }

  // No PAT, access token (whole, or its signature) or session key handed out so far appears
  // in either form of `latch audit list`, nor in the server's log.
  async function assertNoSecretLeaked() {
    const json = await runLatch(['audit', 'list', '--data', server.dataDir, '--json']);
    const text = await runLatch(['audit', 'list', '--data', server.dataDir]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(text.code, 0, text.stderr);
    const needles = secrets.flatMap((x) => (x.split('.').length === 3 ? [x, x.split('.')[2]] : [x]));
    needles.push(...secrets.filter((x) => x.startsWith('latch_pat_')).map((x) => x.slice('latch_pat_'.length)));
    assert.ok(needles.length > 20);
    for (const [what, out] of [['audit list --json', json.stdout], ['audit list', text.stdout],
      ['the server log', server.stderr()]]) {
      for (const needle of needles) {
        assert.ok(!out.includes(needle), `${what} contains a secret (${needle.slice(0, 12)}...)`);
      }
    }
  }

  for (const { name: transport } of TRANSPORTS) {
    describe(`relay over ${transport}`, () => {
      let owner; let member; let stranger;
      let home; let provisioned; let front;

      before(async () => {
        const ownerSub = unique('owner');
        const memberSub = unique('member');
        ({ home, devices: provisioned } = await provisionHome({
          owner: ownerSub, members: [memberSub],
          devices: [{ name: 'front' }, { name: 'garage' }, { name: 'back', ownerOnly: [] },
            { name: 'hall' }, { name: 'attic' }, { name: 'hall2' }],
        }));
        front = await device(provisioned.front, transport);
        owner = await connectUser(transport, ownerSub);
        member = await connectUser(transport, memberSub);
        stranger = await connectUser(transport, unique('stranger'));
        assert.equal((await owner.c.invoke('Whoami')).transport, transport);
        assert.equal((await front.connection.invoke('Whoami')).transport, transport);
      });

      it('the owner\'s OPEN_DOOR reaches the device in an Execute envelope signed with the device\'s key, and the result comes back', async () => {
        const before = front.executed.length;
        const msg = command(home.id, front.id, 'OPEN_DOOR', ['front', 3, { hold: true }]);
        const env = await owner.envelope(msg);
        const result = await owner.c.invoke('SendCommand', env);
        assert.deepEqual(result, { status: 'ok', output: 'OPEN_DOOR done' });

        assert.equal(front.executed.length, before + 1);
        assert.deepEqual(front.refused, []);
        const exec = front.executed[before];
        assert.deepEqual(exec.msg, msg);
        // Re-wrapped, not forwarded: its own nonce, expiring no later than the user's.
        assert.ok(exec.envelope.exp <= env.exp, `Execute exp ${exec.envelope.exp} > user exp ${env.exp}`);
        assert.ok(exec.envelope.exp > exec.envelope.iat);
        assert.notEqual(exec.envelope.nonce, env.nonce);
        assert.deepEqual(Object.keys(exec.envelope).sort(), ['exp', 'iat', 'msg', 'nonce', 'sig']);
        // Signed for Execute with the device's key only: not the user's key, not another method.
        await verifyEnvelope(front.sessionKey, 'Execute', exec.envelope);
        await assert.rejects(verifyEnvelope(owner.sessionKey, 'Execute', exec.envelope),
          (e) => e.reason === 'bad_signature');
        await assert.rejects(verifyEnvelope(front.sessionKey, 'SendCommand', exec.envelope),
          (e) => e.reason === 'bad_signature');
      });

      it('a member sends a command that is not owner-only, and gets "denied" for an owner-only one', async () => {
        const before = front.executed.length;
        assert.deepEqual(await member.send(command(home.id, front.id, 'LOCK_DOOR')),
          { status: 'ok', output: 'LOCK_DOOR done' });
        const denied = await member.send(command(home.id, front.id, 'OPEN_DOOR'));
        assert.equal(denied.status, 'denied');
        await sleep(QUIET_MS);
        assert.deepEqual(front.executed.slice(before).map((e) => e.msg.command), ['LOCK_DOOR']);
      });

      it('membership changes made by the CLI reach the running server: a new member at once, a new owner within 0.5 s', async () => {
        const late = await connectUser(transport, unique('late'));
        assert.equal((await late.send(command(home.id, front.id, 'LOCK_DOOR'))).status, 'denied');
        await manage('home', 'member', 'add', home.id, late.sub, '--role', 'member');
        // Unknown to the server's copy a moment ago: it reads the change log before refusing.
        assert.deepEqual(await late.send(command(home.id, front.id, 'LOCK_DOOR')),
          { status: 'ok', output: 'LOCK_DOOR done' });
        assert.equal((await late.send(command(home.id, front.id, 'OPEN_DOOR'))).status, 'denied');
        await manage('home', 'member', 'add', home.id, late.sub, '--role', 'owner');
        const changed = Date.now();
        let result = await late.send(command(home.id, front.id, 'OPEN_DOOR'));
        while (result.status === 'denied' && Date.now() - changed < 2000) {
          await sleep(25);
          result = await late.send(command(home.id, front.id, 'OPEN_DOOR'));
        }
        assert.deepEqual(result, { status: 'ok', output: 'OPEN_DOOR done' });
        assert.ok(Date.now() - changed <= 500, `the new role took ${Date.now() - changed} ms`);
      });

      it('a command the device does not accept, or to an unknown device, is "denied"', async () => {
        const before = front.invocations;
        assert.equal((await owner.send(command(home.id, front.id, 'SELF_DESTRUCT'))).status, 'denied');
        assert.equal((await owner.send(command(home.id, 'd_doesnotexist', 'OPEN_DOOR'))).status, 'denied');
        assert.equal((await owner.send(command('h_doesnotexist', front.id, 'OPEN_DOOR'))).status, 'denied');
        await sleep(QUIET_MS);
        assert.equal(front.invocations, before);
      });

      it('a device that is not connected gives "offline"', async () => {
        const result = await owner.send(command(home.id, provisioned.garage.id, 'OPEN_DOOR'));
        assert.equal(result.status, 'offline');
      });

      it('a device answering "failed" gives "failed" with its output', async () => {
        front.behaviour = 'failed';
        try {
          assert.deepEqual(await owner.send(command(home.id, front.id, 'LOCK_DOOR')),
            { status: 'failed', output: 'jammed' });
        } finally {
          front.behaviour = 'ok';
        }
      });

      it('a device answering garbage (or an error) gives "failed"', async () => {
        const garbage = [
          'garbage', 'throw', () => null, () => 42, () => ['ok'],
          () => ({ status: 'maybe', output: 'x' }), () => ({ output: 'no status' }),
          () => ({ status: 1 }), () => ({ status: 'OK' }), () => ({ status: ['ok'] }),
        ];
        try {
          for (const behaviour of garbage) {
            front.behaviour = behaviour;
            const before = front.executed.length;
            const result = await owner.send(command(home.id, front.id, 'LOCK_DOOR'));
            assert.equal(result.status, 'failed', `device answering ${behaviour}: ${JSON.stringify(result)}`);
            assert.equal(front.executed.length, before + 1);
          }
        } finally {
          front.behaviour = 'ok';
        }
        assert.deepEqual(await owner.send(command(home.id, front.id, 'LOCK_DOOR')),
          { status: 'ok', output: 'LOCK_DOOR done' });
      });

      it('a device answering with a result above the 32 KiB message limit gives "failed", not silence', async () => {
        const attic = await device(provisioned.attic, transport,
          () => ({ status: 'ok', output: 'x'.repeat(64 * 1024) }));
        const started = Date.now();
        const env = await owner.envelope(command(home.id, attic.id, 'LOCK_DOOR'), { lifetimeMs: 20_000 });
        const result = await owner.c.invoke('SendCommand', env);
        assert.equal(result.status, 'failed', JSON.stringify(result).slice(0, 200));
        assert.ok(Date.now() - started < 10_000, 'the caller waited for the exp');
        assert.equal(attic.executed.length, 1);
        assert.ok(server.alive());
      });

      it('a device that never answers gives "timeout" by the envelope\'s exp', async () => {
        front.behaviour = 'never';
        try {
          const env = await owner.envelope(command(home.id, front.id, 'LOCK_DOOR'), { lifetimeMs: 2000 });
          const result = await owner.c.invoke('SendCommand', env);
          const at = Date.now();
          assert.equal(result.status, 'timeout');
          assert.ok(at >= env.exp - 200, `timed out ${env.exp - at} ms before the envelope's exp`);
          assert.ok(at <= env.exp + 1000, `timed out ${at - env.exp} ms after the envelope's exp`);
          assert.ok(front.executed.at(-1).envelope.exp <= env.exp);
        } finally {
          front.behaviour = 'ok';
        }
        // The connection is still usable.
        assert.equal((await owner.send(command(home.id, front.id, 'LOCK_DOOR'))).status, 'ok');
      });

      it('a device that disconnects mid-command gives "failed", long before the exp', async () => {
        const back = await device(provisioned.back, transport, 'disconnect');
        const env = await owner.envelope(command(home.id, back.id, 'OPEN_DOOR'), { lifetimeMs: 20_000 });
        const started = Date.now();
        const result = await owner.c.invoke('SendCommand', env);
        assert.equal(result.status, 'failed', JSON.stringify(result));
        assert.ok(Date.now() - started < 10_000, 'the caller waited for the exp');
        assert.equal(back.executed.length, 1);
        // It is gone: the next command finds it offline, and so does ListDevices.
        assert.equal((await owner.send(command(home.id, back.id, 'OPEN_DOOR'))).status, 'offline');
        const listed = await owner.c.invoke('ListDevices', home.id);
        assert.equal(listed.find((d) => d.id === back.id).online, false);
        assert.equal(listed.find((d) => d.id === front.id).online, true);
      });

      it('an expired envelope gives "expired" and reaches nothing', async () => {
        const before = front.invocations;
        const result = await owner.send(command(home.id, front.id, 'OPEN_DOOR'),
          { now: Date.now() - 20_000, lifetimeMs: 10_000 });
        assert.equal(result.status, 'expired');
        await sleep(QUIET_MS);
        assert.equal(front.invocations, before);
      });

      it('a tampered envelope gives "invalid" and reaches nothing', async () => {
        const before = front.invocations;
        const tamper = [
          (e) => ({ ...e, msg: JSON.stringify(command(home.id, front.id, 'OPEN_DOOR')) }),  // command
          (e) => ({ ...e, msg: e.msg.replace('"args":[]', '"args":[1]') }),
          (e) => ({ ...e, exp: e.exp + 1000 }),
          (e) => ({ ...e, iat: e.iat - 1 }),
          (e) => ({ ...e, nonce: base64urlEncode(new Uint8Array(16)) }),
          (e) => ({ ...e, sig: (e.sig[0] === 'A' ? 'B' : 'A') + e.sig.slice(1) }),
        ];
        for (const change of tamper) {
          // A member's LOCK_DOOR, turned into something else.
          const env = await member.envelope(command(home.id, front.id, 'LOCK_DOOR'));
          const result = await member.c.invoke('SendCommand', change(env));
          assert.equal(result.status, 'invalid', `${change}: ${JSON.stringify(result)}`);
        }
        await sleep(QUIET_MS);
        assert.equal(front.invocations, before);
      });

      it('the same envelope sent twice, one after the other or at once, runs once: the other is "replayed"', async () => {
        const before = front.executed.length;
        const env = await owner.envelope(command(home.id, front.id, 'LOCK_DOOR'));
        assert.equal((await owner.c.invoke('SendCommand', env)).status, 'ok');
        assert.equal((await owner.c.invoke('SendCommand', env)).status, 'replayed');
        const twice = await owner.envelope(command(home.id, front.id, 'LOCK_DOOR'));
        const statuses = (await Promise.all([owner.c.invoke('SendCommand', twice),
          owner.c.invoke('SendCommand', twice)])).map((r) => r.status).sort();
        assert.deepEqual(statuses, ['ok', 'replayed']);
        await sleep(QUIET_MS);
        assert.equal(front.executed.length, before + 2);
      });

      it('an envelope signed with another user\'s session key, or for another method, gives "invalid"', async () => {
        const before = front.invocations;
        const msg = command(home.id, front.id, 'OPEN_DOOR');
        // The owner's connection with the stranger's key, and the owner's key on the member's connection.
        assert.equal((await owner.send(msg, { key: stranger.sessionKey })).status, 'invalid');
        assert.equal((await member.send(msg, { key: member.sessionKey.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')) })).status, 'invalid');
        assert.equal((await member.c.invoke('SendCommand', await owner.envelope(msg))).status, 'invalid');
        assert.equal((await owner.send(msg, { method: 'PublishEvent' })).status, 'invalid');
        assert.equal((await owner.send(msg, { method: 'Execute' })).status, 'invalid');
        // The device's own key does not make a user's command valid either.
        assert.equal((await owner.send(msg, { key: front.sessionKey })).status, 'invalid');
        await sleep(QUIET_MS);
        assert.equal(front.invocations, before);
      });

      it('concurrent commands from several connections each get their own answer, exactly once', async () => {
        // Six at a time per connection: under the server's limit of parallel invocations.
        const owner2 = await connectUser(transport, owner.sub);
        const senders = [owner, member, owner2];
        front.behaviour = async (msg) => {
          await sleep(Math.floor(Math.random() * 50));
          return { status: 'ok', output: msg.args[0] };
        };
        const before = front.executed.length;
        try {
          const sends = [];
          for (let i = 0; i < 18; i++) {
            sends.push(senders[i % 3].send(command(home.id, front.id, 'SET_TEMP', [`#${i}`])));
          }
          const results = await Promise.all(sends);
          results.forEach((r, i) => assert.deepEqual(r, { status: 'ok', output: `#${i}` }));
        } finally {
          front.behaviour = 'ok';
        }
        assert.equal(front.executed.length, before + 18);
        assert.deepEqual(front.executed.slice(before).map((e) => e.msg.args[0]).sort(),
          Array.from({ length: 18 }, (_, i) => `#${i}`).sort());
      });

      it('after RefreshToken the new session keys sign: the user\'s old key is refused, the device\'s Execute uses its new key', async () => {
        const refresher = await connectUser(transport, owner.sub);
        const oldKey = refresher.sessionKey;
        const refreshed = await refresher.refresh();
        assert.ok(refreshed.expiresAt > 0);
        assert.notEqual(refresher.sessionKey, oldKey);
        const msg = command(home.id, front.id, 'LOCK_DOOR');
        assert.equal((await refresher.send(msg, { key: oldKey })).status, 'invalid');
        assert.equal((await refresher.send(msg)).status, 'ok');

        const hub2 = await device(provisioned.hall2, transport);
        const oldDeviceKey = hub2.sessionKey;
        await hub2.refresh(server);
        secrets.push(hub2.token, hub2.sessionKey);
        assert.deepEqual(await refresher.send(command(home.id, hub2.id, 'LOCK_DOOR')),
          { status: 'ok', output: 'LOCK_DOOR done' });
        assert.deepEqual(hub2.refused, [], 'the Execute was not signed with the device\'s new key');
        await assert.rejects(verifyEnvelope(oldDeviceKey, 'Execute', hub2.executed[0].envelope));
      });

      it('a second connection of a device replaces the first, which is closed with "Replaced"', async () => {
        // With automatic reconnect on: the Close must forbid it (allowReconnect false), or the
        // two connections would keep replacing each other.
        const first = await device(provisioned.hall, transport, 'ok', { reconnect: [0, 100, 200] });
        assert.equal((await owner.send(command(home.id, first.id, 'LOCK_DOOR'))).status, 'ok');
        assert.equal(first.executed.length, 1);
        const second = await device(provisioned.hall, transport);
        assert.notEqual(second.sessionKey, first.sessionKey);
        const error = await first.life.closed(3000);
        assert.match(String(error), /Replaced/);
        await sleep(QUIET_MS);
        assert.equal(first.life.events.reconnecting.length, 0);

        assert.deepEqual(await owner.send(command(home.id, first.id, 'OPEN_DOOR')),
          { status: 'ok', output: 'OPEN_DOOR done' });
        assert.equal(first.executed.length, 1);
        assert.equal(second.executed.length, 1);
        assert.deepEqual(second.refused, []);
        const listed = await owner.c.invoke('ListDevices', home.id);
        assert.equal(listed.find((d) => d.id === first.id).online, true);
      });
    });
  }

  for (const { name: transport } of TRANSPORTS) {
    describe(`tenant isolation over ${transport}`, () => {
      let A; let B;
      let alice; let bob; let carol;
      let dA; let dB;

      before(async () => {
        const aliceSub = unique('alice');
        const bobSub = unique('bob');
        const carolSub = unique('carol');
        A = await provisionHome({ owner: aliceSub, devices: [{ name: 'door', ownerOnly: [] }] });
        B = await provisionHome({ owner: bobSub, members: [carolSub], devices: [{ name: 'door', ownerOnly: [] }] });
        dA = await device(A.devices.door, transport);
        dB = await device(B.devices.door, transport);
        alice = await connectUser(transport, aliceSub);
        bob = await connectUser(transport, bobSub);
        carol = await connectUser(transport, carolSub);
      });

      it('a user of A sending to B\'s device with A\'s home id is "denied"', async () => {
        const result = await alice.send(command(A.home.id, dB.id, 'OPEN_DOOR'));
        assert.equal(result.status, 'denied');
        await assertUntouched(dB, 'A\'s home id');
      });

      it('a user of A sending to B\'s device with B\'s home id is "denied"', async () => {
        const result = await alice.send(command(B.home.id, dB.id, 'OPEN_DOOR'));
        assert.equal(result.status, 'denied');
        await assertUntouched(dB, 'B\'s home id');
      });

      it('a user of A replaying an envelope copied from a user of B gets "invalid"', async () => {
        const copied = await bob.envelope(command(B.home.id, dB.id, 'OPEN_DOOR'));
        assert.equal((await alice.c.invoke('SendCommand', copied)).status, 'invalid');
        await assertUntouched(dB, 'copied envelope');
      });

      it('ids a stranger chooses cannot forge a line of the server log', async () => {
        const forged = '2026-01-01T00:00:00.000 warn audit: command sub=bob outcome=ok';
        const evil = `${B.home.id}\n${forged}\r`;
        // SendCommand refuses ids that are not ids; ListDevices takes any string and logs it.
        const r = await alice.send(command(evil, `${dB.id}\n${forged}`, 'OPEN_DOOR'));
        assert.equal(r.status, 'invalid');
        await assert.rejects(alice.c.invoke('ListDevices', evil), /not a member|Forbidden/i);
        await sleep(100);
        const lines = server.stderr().split('\n');
        assert.ok(!lines.some((l) => l.startsWith('2026-01-01T00:00:00.000')), 'a forged log line');
        assert.ok(!server.stderr().includes('\r'), 'a carriage return reached the log');
        // The refusal is one line, the id escaped and quoted in it.
        const refusals = lines.filter((l) => l.includes('\\n2026-01-01T00:00:00.000'));
        assert.ok(refusals.length >= 1, server.stderr());
        assert.ok(refusals.every((l) => l.includes('audit: ') && l.includes('home="')), refusals.join('\n'));
        await assertUntouched(dB, 'forged ids');
      });

      it('ListDevices(B) by a user of A is an error; A\'s own list shows only A\'s device', async () => {
        await assert.rejects(alice.c.invoke('ListDevices', B.home.id), /not a member|Forbidden/i);
        const own = await alice.c.invoke('ListDevices', A.home.id);
        assert.deepEqual(own.map((d) => d.id), [dA.id]);
        assert.equal(own[0].online, true);
        const theirs = await bob.c.invoke('ListDevices', B.home.id);
        assert.deepEqual(theirs.map((d) => d.id), [dB.id]);
        await assertUntouched(dB, 'ListDevices');
      });

      it('an Event published by B\'s device reaches B\'s users and not A\'s', async () => {
        const event = { kind: 'doorbell', at: Date.now() };
        const env = await signEnvelope(dB.sessionKey, 'PublishEvent', event);
        const published = await dB.connection.invoke('PublishEvent', env);
        assert.equal(published.status, 'ok', JSON.stringify(published));
        const received = (u) => u.events.filter((args) => args[1] === dB.id);
        await withTimeout((async () => {
          while (received(bob).length < 1 || received(carol).length < 1) await sleep(20);
        })(), 3000, 'waiting for B\'s users to get the event');
        assert.deepEqual(received(bob), [[B.home.id, dB.id, event]]);
        assert.deepEqual(received(carol), [[B.home.id, dB.id, event]]);
        await sleep(QUIET_MS);
        assert.deepEqual(alice.events.filter((args) => args[0] !== A.home.id || args[1] !== dA.id), []);
        assert.equal(received(alice).length, 0);
        assert.equal(published.delivered, 2);
        await assertUntouched(dB, 'PublishEvent');
      });

      it('a device publishes only to its own home, whatever its event says', async () => {
        const event = { home: B.home.id, device: dB.id, kind: 'spoof' };
        const published = await dA.connection.invoke('PublishEvent',
          await signEnvelope(dA.sessionKey, 'PublishEvent', event));
        assert.equal(published.status, 'ok');
        await withTimeout((async () => {
          while (!alice.events.some((args) => args[2]?.kind === 'spoof')) await sleep(20);
        })(), 3000, 'waiting for A\'s user to get the event');
        assert.deepEqual(alice.events.find((args) => args[2]?.kind === 'spoof'), [A.home.id, dA.id, event]);
        await sleep(QUIET_MS);
        for (const u of [bob, carol]) assert.equal(u.events.filter((args) => args[2]?.kind === 'spoof').length, 0);
        await assertUntouched(dB, 'A\'s event');
      });

      it('an admin-only token cannot SendCommand at all; an admin who is a user but not a member gets "denied"', async () => {
        const admin = await connectUser(transport, unique('admin'), ['admin']);
        const msg = command(B.home.id, dB.id, 'OPEN_DOOR');
        await assert.rejects(admin.send(msg), /Forbidden|role/i);
        await assert.rejects(admin.c.invoke('ListDevices', B.home.id));
        const operator = await connectUser(transport, unique('operator'), ['admin', 'user']);
        assert.equal((await operator.send(msg)).status, 'denied');
        await assert.rejects(operator.c.invoke('ListDevices', B.home.id));
        await assertUntouched(dB, 'admin');
      });

      it('an event with a bad signature, signed for another method, or expired reaches nobody', async () => {
        const counts = () => [alice, bob, carol].map((u) => u.events.length);
        const before = counts();
        const forged = [
          await signEnvelope(dA.sessionKey, 'PublishEvent', { kind: 'stolen-key' }),  // A's key on B's device
          await signEnvelope(bob.sessionKey, 'PublishEvent', { kind: 'user-key' }),
          await signEnvelope(dB.sessionKey, 'SendCommand', { kind: 'other-method' }),
          await signEnvelope(dB.sessionKey, 'PublishEvent', { kind: 'expired' }, { now: Date.now() - 20_000 }),
          { ...(await signEnvelope(dB.sessionKey, 'PublishEvent', { kind: 'tampered' })), msg: '{"kind":"evil"}' },
        ];
        for (const env of forged) {
          let result;
          try {
            result = await dB.connection.invoke('PublishEvent', env);
          } catch (error) {
            result = { error: error.message };
          }
          assert.ok(result.error || (result.status !== 'ok' && !result.delivered), `${env.msg}: ${JSON.stringify(result)}`);
        }
        await sleep(QUIET_MS);
        assert.deepEqual(counts(), before);
      });

      it('a device token cannot call SendCommand or ListDevices', async () => {
        await assert.rejects(dA.connection.invoke('ListDevices', A.home.id), /Forbidden|role/i);
        const env = await signEnvelope(dA.sessionKey, 'SendCommand', command(B.home.id, dB.id, 'OPEN_DOOR'));
        await assert.rejects(dA.connection.invoke('SendCommand', env), /Forbidden|role/i);
        const own = await signEnvelope(dA.sessionKey, 'SendCommand', command(A.home.id, dA.id, 'OPEN_DOOR'));
        await assert.rejects(dA.connection.invoke('SendCommand', own), /Forbidden|role/i);
        await assertUntouched(dB, 'device token');
        assert.equal(dA.invocations, 0);
      });

      it('a user token cannot call PublishEvent', async () => {
        const before = bob.events.length;
        const env = await alice.envelope({ kind: 'fake-doorbell' }, { method: 'PublishEvent' });
        await assert.rejects(alice.c.invoke('PublishEvent', env), /Forbidden|role/i);
        await sleep(QUIET_MS);
        assert.equal(bob.events.length, before);
        assert.equal(alice.events.filter((args) => args[2]?.kind === 'fake-doorbell').length, 0);
        await assertUntouched(dB, 'user PublishEvent');
      });

      // Last of this suite: B's device executes a command of B's owner here.
      it('a device of A cannot answer a command pending on B\'s device', async () => {
        // B's device holds its answer; meanwhile A's device sends Completions for every id the
        // server may have used, with the official client's wire writer.
        let release;
        const gate = new Promise((resolve) => { release = resolve; });
        let arrived;
        const arrival = new Promise((resolve) => { arrived = resolve; });
        dB.behaviour = async () => {
          arrived();
          await gate;
          return { status: 'failed', output: 'B answered' };
        };
        try {
          const pending = bob.send(command(B.home.id, dB.id, 'LOCK_DOOR'));
          await withTimeout(arrival, 3000, 'B\'s Execute');
          for (let id = 0; id <= 60; id++) {
            await dA.connection._sendWithProtocol({ type: 3, invocationId: String(id), result: { status: 'ok', output: 'forged by A' } });
          }
          await sleep(100);
          release();
          assert.deepEqual(await pending, { status: 'failed', output: 'B answered' });
        } finally {
          release();
          dB.behaviour = 'ok';
        }
        assert.equal(dB.executed.length, 1);
        assert.equal(dA.invocations, 0);
      });
    });
  }

  describe('the audit log', () => {
    it('has exactly one record per command with its outcome, never a secret, and verifies intact', async () => {
      const ownerSub = unique('auditor');
      const { home, devices } = await provisionHome({
        owner: ownerSub, devices: [{ name: 'front' }, { name: 'away' }],
      });
      const front = await device(devices.front, 'WebSockets');
      const owner = await connectUser('WebSockets', ownerSub);
      const stranger = await connectUser('WebSockets', unique('audit-stranger'));
      const { connectionId } = await owner.c.invoke('Whoami');

      const ok = await owner.send(command(home.id, front.id, 'OPEN_DOOR', ['audit']));
      assert.equal(ok.status, 'ok');
      const records = await auditUntil((rs) => rs.some((r) => r.kind === 'command' && r.device === front.id));
      const mine = records.filter((r) => r.kind === 'command' && r.device === front.id);
      assert.equal(mine.length, 1, JSON.stringify(mine));
      assert.equal(mine[0].outcome, 'ok');
      assert.equal(mine[0].actor, ownerSub);
      assert.equal(mine[0].home, home.id);
      assert.equal(mine[0].action, 'OPEN_DOOR');
      assert.equal(mine[0].connectionId, connectionId);
      assert.ok(Math.abs(mine[0].timeMs - Date.now()) < 10_000);

      // Every other outcome: one record each, in order.
      front.behaviour = 'failed';
      const outcomes = [
        await owner.send(command(home.id, front.id, 'LOCK_DOOR')),  // failed
        await owner.send(command(home.id, devices.away.id, 'LOCK_DOOR')),  // offline
        await owner.send(command(home.id, front.id, 'LOCK_DOOR'), { now: Date.now() - 20_000 }),  // expired
        await owner.send(command(home.id, front.id, 'LOCK_DOOR'), { key: stranger.sessionKey }),  // invalid
        await stranger.send(command(home.id, front.id, 'OPEN_DOOR')),  // denied
      ].map((r) => r.status);
      front.behaviour = 'ok';
      assert.deepEqual(outcomes, ['failed', 'offline', 'expired', 'invalid', 'denied']);
      await auditUntil((rs) => rs.filter((r) => r.kind === 'command' &&
        (r.actor === ownerSub || r.actor === stranger.sub)).length >= 6);
      await sleep(QUIET_MS);
      const commands = (await auditRecords()).filter((r) => r.kind === 'command' &&
        (r.actor === ownerSub || r.actor === stranger.sub));
      assert.deepEqual(commands.map((r) => r.outcome), ['ok', ...outcomes]);
      assert.deepEqual(commands.map((r) => r.actor), [ownerSub, ownerSub, ownerSub, ownerSub, ownerSub, stranger.sub]);

      await assertNoSecretLeaked();
      assert.match((await runLatch(['audit', 'list', '--data', server.dataDir])).stdout,
        new RegExp(`${ownerSub}.*OPEN_DOOR.*ok`));

      const verify = await manage('audit', 'verify');
      assert.equal(verify.intact, true, JSON.stringify(verify));
      assert.equal(verify.records, (await auditRecords()).length);
    });
  });

  describe('the audit log, for a caller that leaves mid-command', () => {
    it('still has exactly one record for the command, and the server stays up', async () => {
      const ownerSub = unique('leaver');
      const { home, devices } = await provisionHome({ owner: ownerSub, devices: [{ name: 'front' }] });
      const front = await device(devices.front, 'WebSockets');
      const leaver = await connectUser('LongPolling', ownerSub);
      let release;
      const gate = new Promise((resolve) => { release = resolve; });
      front.behaviour = async () => {
        await gate;
        return { status: 'ok', output: 'nobody is listening' };
      };
      const pending = leaver.send(command(home.id, front.id, 'LOCK_DOOR')).catch((e) => e);
      await front.waitExecuted(1, 3000);
      await leaver.c.stop();
      assert.ok(await pending instanceof Error);
      release();
      await auditUntil((rs) => rs.some((r) => r.kind === 'command' && r.device === front.id));
      await sleep(QUIET_MS);
      const mine = (await auditRecords()).filter((r) => r.kind === 'command' && r.device === front.id);
      assert.equal(mine.length, 1, JSON.stringify(mine));
      assert.ok(['ok', 'failed'].includes(mine[0].outcome), mine[0].outcome);
      assert.ok(server.alive());
      const back = await connectUser('WebSockets', ownerSub);
      front.behaviour = 'ok';
      assert.equal((await back.send(command(home.id, front.id, 'LOCK_DOOR'))).status, 'ok');
    });
  });

  describe('the audit log, for denials outside the relay', () => {
    it('records a stranger\'s ListDevices and a device\'s PAT exchange', async () => {
      const { home, devices } = await provisionHome({ owner: unique('audit2'), devices: [{ name: 'front' }] });
      const front = await device(devices.front, 'WebSockets');
      const stranger = await connectUser('WebSockets', unique('lister'));
      await assert.rejects(stranger.c.invoke('ListDevices', home.id));
      const records = await auditUntil((rs) => rs.some((r) => r.actor === stranger.sub && r.action === 'ListDevices'));
      const denial = records.filter((r) => r.actor === stranger.sub && r.action === 'ListDevices');
      assert.equal(denial.length, 1, JSON.stringify(denial));
      assert.equal(denial[0].outcome, 'denied');
      assert.equal(denial[0].home, home.id);
      const issued = records.filter((r) => r.kind === 'token' && r.actor === front.id && r.device === front.id);
      assert.ok(issued.length >= 1, 'no audit record for the device\'s token');
    });

    // SPEC section 4: "Every command gets exactly one such outcome, and exactly one audit
    // record"; issue 4: one audit record "per command attempt ..., per denial", including the
    // hub's role check that refuses these before the relay sees them.
    it('records a SendCommand refused by role (an admin-only token, a device token) as a denial', async () => {
      const { home, devices } = await provisionHome({ owner: unique('audit3'), devices: [{ name: 'front' }] });
      const front = await device(devices.front, 'WebSockets');
      const admin = await connectUser('WebSockets', unique('admin-only'), ['admin']);
      await assert.rejects(admin.send(command(home.id, front.id, 'OPEN_DOOR')), /Forbidden|role/i);
      await assert.rejects(front.connection.invoke('SendCommand',
        await signEnvelope(front.sessionKey, 'SendCommand', command(home.id, front.id, 'OPEN_DOOR'))), /Forbidden|role/i);
      const records = await auditUntil((rs) => rs.filter((r) => (r.actor === admin.sub || r.actor === front.id) &&
        r.outcome === 'denied').length >= 2, 1000);
      const denials = records.filter((r) => (r.actor === admin.sub || r.actor === front.id) && r.outcome === 'denied');
      assert.equal(denials.length, 2, `expected one denial record per refused SendCommand, got ${JSON.stringify(denials)}`);
    });
  });

  for (const { name: transport } of TRANSPORTS) {
    describe(`hostile input over ${transport}`, () => {
      let owner; let home; let provisioned; let front;

      before(async () => {
        const ownerSub = unique('hostile-owner');
        ({ home, devices: provisioned } = await provisionHome({ owner: ownerSub, devices: [{ name: 'front' }] }));
        front = await device(provisioned.front, transport);
        owner = await connectUser(transport, ownerSub);
      });

      it('args within the argument policy pass intact; larger ones are refused clearly; the server survives', async () => {
        // 16 args of 128 bytes (2 KiB in all): the most the default policy allows.
        const full = Array.from({ length: 16 }, (_, i) => String(i % 10).repeat(128));
        const before = front.executed.length;
        assert.equal((await owner.send(command(home.id, front.id, 'SET_TEMP', full))).status, 'ok');
        assert.deepEqual(front.executed[before].msg.args, full);

        // 12 KiB in one arg, ~30 KiB (the hub message still fits in 32 KiB), 4000 small args:
        // each is refused with a clear outcome and reaches nothing.
        const invocations = front.invocations;
        for (const args of [['x'.repeat(12 * 1024)], ['y'.repeat(30 * 1024)],
          Array.from({ length: 4000 }, (_, i) => i)]) {
          const env = await owner.envelope(command(home.id, front.id, 'SET_TEMP', args));
          assert.ok(JSON.stringify(env).length < 32 * 1024 - 200);
          const result = await owner.c.invoke('SendCommand', env);
          assert.equal(result.status, 'invalid', JSON.stringify(result).slice(0, 200));
          assert.match(result.output, /The arguments are refused|Envelope msg is too large/);
        }
        assert.equal(front.invocations, invocations);

        assert.ok(server.alive());
        assert.equal((await owner.send(command(home.id, front.id, 'LOCK_DOOR'))).status, 'ok');
      });

      it('args above the 32 KiB message limit execute nothing; the server survives and serves new connections', async () => {
        const before = front.invocations;
        const victim = await connectUser(transport, owner.sub);
        const over = ['z'.repeat(40 * 1024)];
        let outcome;
        try {
          outcome = await withTimeout(victim.send(command(home.id, front.id, 'SET_TEMP', over)), 5000,
            'an oversized SendCommand');
        } catch (error) {
          outcome = error;
        }
        // Refused one way or the other: an error (the connection is dropped) or a non-ok outcome.
        if (outcome instanceof Error) assert.match(outcome.message, /maximum size|too large|exceeds/i);
        else assert.notEqual(outcome.status, 'ok', JSON.stringify(outcome).slice(0, 200));
        await sleep(QUIET_MS);
        assert.equal(front.invocations, before);
        assert.ok(server.alive());
        const fresh = await connectUser(transport, owner.sub);
        assert.equal((await fresh.send(command(home.id, front.id, 'LOCK_DOOR'))).status, 'ok');
      });

      it('a result for an invocation the device was never sent is ignored', async () => {
        // The official client's own wire writer, for a Completion nobody asked for.
        const forge = (conn, invocationId, result) =>
          conn._sendWithProtocol({ type: 3, invocationId, result });
        const forged = { status: 'ok', output: 'forged' };
        // Before any command: ids the server may use next.
        for (const id of ['1', '2', '3', '10', '99', 'x']) await forge(front.connection, id, forged);
        await sleep(QUIET_MS);
        assert.ok(server.alive());
        assert.equal(front.connection.state, 'Connected');

        // During a command: forged completions for the ids around the real one from the device,
        // and for the real id from the caller's own connection, change nothing: the real
        // answer wins. The device's client is watched for the id the server chose.
        const ids = [];
        const original = front.connection._invokeClientMethod;
        front.connection._invokeClientMethod = function watched(message) {
          if (message.target === 'Execute') ids.push(message.invocationId);
          return original.call(this, message);
        };
        let release;
        const gate = new Promise((resolve) => { release = resolve; });
        front.behaviour = async () => {
          await gate;
          return { status: 'ok', output: 'real' };
        };
        let realId;
        try {
          const pending = owner.send(command(home.id, front.id, 'LOCK_DOOR'));
          await withTimeout((async () => { while (!ids.length) await sleep(10); })(), 3000, 'the Execute');
          realId = ids[0];
          const n = Number(realId);
          const around = Number.isInteger(n)
            ? Array.from({ length: 41 }, (_, i) => String(n - 20 + i)).filter((id) => id !== realId)
            : ['0', '1', '2', `${realId}x`];
          for (const id of around) await forge(front.connection, id, forged);
          await forge(owner.c, realId, forged);
          await sleep(100);
          release();
          assert.deepEqual(await pending, { status: 'ok', output: 'real' });
        } finally {
          front.connection._invokeClientMethod = original;
          release();
          front.behaviour = 'ok';
        }
        // After the command: the same id answered again.
        await forge(front.connection, realId, forged);
        await sleep(QUIET_MS);
        assert.ok(server.alive());
        assert.equal(front.connection.state, 'Connected');
        assert.equal(owner.c.state, 'Connected');
        assert.deepEqual(await owner.send(command(home.id, front.id, 'LOCK_DOOR')),
          { status: 'ok', output: 'LOCK_DOOR done' });
      });

      it('malformed envelopes and command messages give "invalid" and reach nothing', async () => {
        const before = front.invocations;
        const good = await owner.envelope(command(home.id, front.id, 'LOCK_DOOR'));
        const signedMsg = (msg) => owner.envelope(msg, { raw: true });
        const { iat, exp, nonce, msg, sig } = good;
        const cases = {
          'not an object (string)': 'envelope',
          'not an object (null)': null,
          'not an object (array)': [iat, exp, nonce, msg, sig],
          'not an object (number)': 7,
          'empty object': {},
          'missing sig': { iat, exp, nonce, msg },
          'missing nonce': { iat, exp, msg, sig },
          'missing msg': { iat, exp, nonce, sig },
          'missing iat': { exp, nonce, msg, sig },
          'missing exp': { iat, nonce, msg, sig },
          'extra field': { ...good, queue: true },
          'iat as a string': { ...good, iat: String(iat) },
          'exp as a string': { ...good, exp: String(exp) },
          'exp as a fraction': { ...good, exp: exp + 0.5 },
          'negative iat': { ...good, iat: -1 },
          'msg as an object': { ...good, msg: JSON.parse(msg) },
          'nonce as a number': { ...good, nonce: 12345 },
          'sig as null': { ...good, sig: null },
          'short nonce': { ...good, nonce: 'abc' },
          'nonce not base64url': { ...good, nonce: '!'.repeat(22) },
          'sig not base64url': { ...good, sig: '+/'.repeat(21) + '=' },
          'short sig': { ...good, sig: sig.slice(0, 20) },
          'msg not JSON': await signedMsg('{"home": '),
          'msg a JSON string': await signedMsg(JSON.stringify('OPEN_DOOR')),
          'msg an array': await signedMsg(JSON.stringify([home.id, front.id, 'LOCK_DOOR'])),
          'msg without command': await signedMsg(JSON.stringify({ home: home.id, device: front.id, args: [] })),
          'msg without home': await signedMsg(JSON.stringify({ device: front.id, command: 'LOCK_DOOR', args: [] })),
          'msg without device': await signedMsg(JSON.stringify({ home: home.id, command: 'LOCK_DOOR', args: [] })),
          'command a number': await signedMsg(JSON.stringify({ home: home.id, device: front.id, command: 7, args: [] })),
          'command lower case': await signedMsg(JSON.stringify(command(home.id, front.id, 'lock_door'))),
          'home a number': await signedMsg(JSON.stringify({ home: 1, device: front.id, command: 'LOCK_DOOR', args: [] })),
          'home too long': await signedMsg(JSON.stringify(command('h'.repeat(5000), front.id, 'LOCK_DOOR'))),
          'args an object': await signedMsg(JSON.stringify({ ...command(home.id, front.id, 'LOCK_DOOR'), args: { a: 1 } })),
          'args a string': await signedMsg(JSON.stringify({ ...command(home.id, front.id, 'LOCK_DOOR'), args: 'x' })),
          'unknown msg field': await signedMsg(JSON.stringify({ ...command(home.id, front.id, 'LOCK_DOOR'), sudo: true })),
          'lifetime above the maximum': await owner.envelope(command(home.id, front.id, 'LOCK_DOOR'), { lifetimeMs: 120_000 }),
          'exp before iat': await owner.envelope(command(home.id, front.id, 'LOCK_DOOR'), { lifetimeMs: -1000, now: Date.now() + 2000 }),
          'issued in the future': await owner.envelope(command(home.id, front.id, 'LOCK_DOOR'), { now: Date.now() + 60_000 }),
        };
        for (const [what, envelope] of Object.entries(cases)) {
          const result = await owner.c.invoke('SendCommand', envelope);
          assert.equal(result.status, 'invalid', `${what}: ${JSON.stringify(result)}`);
        }
        // Wrong arity: no envelope, two envelopes.
        for (const args of [[], [good, good]]) {
          let result;
          try {
            result = await owner.c.invoke('SendCommand', ...args);
          } catch (error) {
            result = { error: error.message };
          }
          assert.ok(result.error || result.status === 'invalid', `${args.length} arguments: ${JSON.stringify(result)}`);
        }
        await sleep(QUIET_MS);
        assert.equal(front.invocations, before);
        assert.ok(server.alive());
        // The well-formed envelope of the same session still goes through.
        assert.equal((await owner.c.invoke('SendCommand', good)).status, 'ok');
      });
    });
  }

  describe('the device stand-in', () => {
    it('refuses an envelope its own key did not sign (the helper\'s check works)', async () => {
      const { home, devices } = await provisionHome({ owner: unique('selfcheck'), devices: [{ name: 'front' }] });
      const token = await exchangePat(server, devices.front);
      secrets.push(token.access_token, token.session_key);
      const d = await device(devices.front, 'WebSockets');
      const bogus = await signEnvelope(token.session_key, 'Execute', command(home.id, d.id, 'OPEN_DOOR'));
      assert.deepEqual(await d._onExecute(bogus), { status: 'failed', output: 'refused: envelope refused: bad_signature' });
      assert.equal(d.refused.length, 1);
      assert.equal(d.executed.length, 0);
    });
  });

  describe('at the end', () => {
    it('no secret handed out in this file is in the audit log or the server log, and the chain is intact', async () => {
      await assertNoSecretLeaked();
      const verify = await manage('audit', 'verify');
      assert.equal(verify.intact, true, JSON.stringify(verify));
      assert.ok(server.alive());
    });
  });
});
