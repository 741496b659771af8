'use strict';
// The management commands of SPEC section 7 acting on a data directory: `latch home`,
// `latch device`, `latch audit`, and the audit records that `latch token` leaves. Each
// misuse must end in one clear line on stderr and exit status 1.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { runLatch } = require('./helpers/server');

const ID_RE = (prefix) => new RegExp(`^${prefix}_[A-Za-z0-9_-]{22}$`);
const PAT_RE = /^latch_pat_[A-Za-z0-9_-]{43}$/;

// Runs `latch ARGS --data DIR [--json]`; with json, asserts success and parses the one object.
function makeRunner(dir) {
  const run = (args) => runLatch([...args, '--data', dir]);
  const json = async (args) => {
    const r = await run([...args, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
    return JSON.parse(r.stdout);
  };
  // Asserts the command fails with exactly one line `latch <command>: ...` matching `pattern`.
  const fails = async (args, command, pattern) => {
    const r = await run(args);
    assert.equal(r.code, 1, `expected failure: ${r.stdout}`);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`^latch ${command}: `));
    assert.match(lines[0], pattern);
    return lines[0];
  };
  return { run, json, fails };
}

// The bytes of latch.db and its -wal file (when there is one).
function databaseBytes(dir) {
  return ['latch.db', 'latch.db-wal']
    .map((name) => path.join(dir, name))
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file));
}

function sqlite(dir, sql) {
  return execFileSync('sqlite3', [path.join(dir, 'latch.db'), sql], { encoding: 'utf8' });
}

describe('latch home, device and audit', () => {
  let dir;
  let latch;
  let home;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-manage-'));
    latch = makeRunner(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('home add creates a home and prints its id', async () => {
    home = await latch.json(['home', 'add', 'Beach house', '--owner', 'alice']);
    assert.deepEqual(Object.keys(home).sort(), ['id', 'name', 'owner']);
    assert.match(home.id, ID_RE('h'));
    assert.equal(home.name, 'Beach house');
    assert.equal(home.owner, 'alice');

    const plain = await latch.run(['home', 'add', 'Flat', '--owner', 'alice']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout.trim(), ID_RE('h'));
  });

  it('home add refuses a name the owner already uses, and a bad name', async () => {
    await latch.fails(['home', 'add', 'Beach house', '--owner', 'alice'], 'home add',
      /alice already has a home named 'Beach house'/);
    await latch.fails(['home', 'add', 'x'.repeat(65), '--owner', 'alice'], 'home add',
      /at most 64 characters/);
    await latch.fails(['home', 'add', 'Beach house', '--owner', ''], 'home add', /subject/);
    const other = await latch.json(['home', 'add', 'Beach house', '--owner', 'bob']);
    assert.notEqual(other.id, home.id);
  });

  it('home list prints every home', async () => {
    const { homes } = await latch.json(['home', 'list']);
    assert.equal(homes.length, 3);
    assert.deepEqual(homes[0], { id: home.id, name: 'Beach house', owner: 'alice',
      createdAt: homes[0].createdAt });
    assert.equal(typeof homes[0].createdAt, 'number');
    const plain = await latch.run(['home', 'list']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout.trim().split('\n').length, 3);
    assert.ok(plain.stdout.includes(home.id));
  });

  it('home member add adds a member or an owner', async () => {
    const added = await latch.json(['home', 'member', 'add', home.id, 'bob', '--role', 'member']);
    assert.deepEqual(added, { home: home.id, subject: 'bob', role: 'member' });
    const owner = await latch.json(['home', 'member', 'add', home.id, 'carol', '--role', 'owner']);
    assert.equal(owner.role, 'owner');
  });

  it('home member add refuses an unknown home or role', async () => {
    await latch.fails(['home', 'member', 'add', 'h_nope', 'bob', '--role', 'member'],
      'home member add', /^latch home member add: unknown home h_nope$/);
    await latch.fails(['home', 'member', 'add', home.id, 'bob', '--role', 'admin'],
      'home member add', /unknown role/);
    await latch.fails(['home', 'member', 'add', home.id, 'bob'], 'home member add',
      /--role is required/);
  });

  let device;
  let pat;
  it('device add prints the id and a PAT once, and stores only its SHA-256', async () => {
    device = await latch.json(['device', 'add', home.id, 'Front door',
      '--commands', 'OPEN_DOOR,LOCK_DOOR', '--owner-only', 'OPEN_DOOR']);
    assert.deepEqual(Object.keys(device).sort(), ['home', 'id', 'name', 'pat']);
    assert.match(device.id, ID_RE('d'));
    assert.equal(device.home, home.id);
    assert.equal(device.name, 'Front door');
    assert.match(device.pat, PAT_RE);
    pat = device.pat;
    assert.equal(Buffer.from(pat.slice('latch_pat_'.length), 'base64url').length, 32);

    const files = databaseBytes(dir);
    assert.ok(files.length >= 1);
    const hash = crypto.createHash('sha256').update(pat).digest();
    for (const bytes of files) {
      assert.equal(bytes.includes(Buffer.from(pat)), false, 'the PAT text is in the database');
      assert.equal(bytes.includes(Buffer.from(pat.slice('latch_pat_'.length))), false);
    }
    assert.ok(files.some((bytes) => bytes.includes(hash)), 'its SHA-256 is stored');

    const plain = await latch.run(['device', 'add', home.id, 'Garage', '--commands', 'OPEN_DOOR']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^device d_[A-Za-z0-9_-]{22} added to home /);
    assert.match(plain.stdout, /\npat latch_pat_[A-Za-z0-9_-]{43}\n/);
  });

  it('device add refuses each misuse with one clear line', async () => {
    const add = (homeId, name, ...rest) => ['device', 'add', homeId, name, ...rest];
    await latch.fails(add('h_nope', 'Door', '--commands', 'OPEN_DOOR'), 'device add',
      /^latch device add: unknown home h_nope$/);
    await latch.fails(add(home.id, 'Front door', '--commands', 'OPEN_DOOR'), 'device add',
      /already has a device named 'Front door'/);
    await latch.fails(add(home.id, 'Door', '--commands', 'open_door'), 'device add',
      /bad command name 'open_door'/);
    await latch.fails(add(home.id, 'Door', '--commands', 'OPEN_DOOR,LOCK DOOR'), 'device add',
      /bad command name/);
    await latch.fails(add(home.id, 'Door', '--commands', 'LOCK_DOOR', '--owner-only', 'OPEN_DOOR'),
      'device add', /owner-only command OPEN_DOOR is not among the device's commands/);
    await latch.fails(add(home.id, 'Door'), 'device add', /--commands is required/);
    const { devices } = await latch.json(['device', 'list', '--home', home.id]);
    assert.equal(devices.length, 2, 'no misuse created a device');
  });

  it('device list shows devices without any hash or PAT', async () => {
    const { devices } = await latch.json(['device', 'list']);
    assert.equal(devices.length, 2);
    assert.deepEqual(devices[0], {
      id: device.id, home: home.id, name: 'Front door', commands: ['OPEN_DOOR', 'LOCK_DOOR'],
      ownerOnly: ['OPEN_DOOR'], args: {}, revoked: false, createdAt: devices[0].createdAt,
    });
    const other = await latch.json(['home', 'list']);
    const empty = other.homes.find((h) => h.name === 'Flat');
    assert.deepEqual(await latch.json(['device', 'list', '--home', empty.id]), { devices: [] });
    await latch.fails(['device', 'list', '--home', 'h_nope'], 'device list', /unknown home h_nope/);
    const plain = await latch.run(['device', 'list']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /Front door {2}commands=OPEN_DOOR,LOCK_DOOR owner-only=OPEN_DOOR/);
    assert.equal(plain.stdout.includes('pat'), false);
  });

  it('device revoke marks the device revoked and revokes its tokens', async () => {
    const revoked = await latch.json(['device', 'revoke', device.id]);
    assert.equal(revoked.revoked, 'device');
    assert.equal(revoked.id, device.id);
    assert.equal(typeof revoked.epoch, 'number');
    const { devices } = await latch.json(['device', 'list', '--home', home.id]);
    assert.equal(devices.find((d) => d.id === device.id).revoked, true);
    assert.equal(devices.find((d) => d.id !== device.id).revoked, false);
    const epoch = sqlite(dir, `SELECT epoch FROM revoked_subjects WHERE subject = '${device.id}'`);
    assert.equal(Number(epoch.trim()), revoked.epoch);
    await latch.fails(['device', 'revoke', 'd_nope'], 'device revoke',
      /^latch device revoke: unknown device d_nope$/);
  });

  it('token issue and token revoke leave audit records without the token', async () => {
    const issued = await latch.run(['token', 'issue', '--sub', 'alice', '--role', 'user']);
    assert.equal(issued.code, 0, issued.stderr);
    const token = JSON.parse(issued.stdout);
    const jti = JSON.parse(Buffer.from(token.access_token.split('.')[1], 'base64url')).jti;
    await latch.json(['token', 'revoke', '--jti', jti]);
    await latch.json(['token', 'revoke', '--sub', 'mallory']);

    const { records } = await latch.json(['audit', 'list']);
    const text = JSON.stringify(records);
    assert.equal(text.includes(token.access_token), false);
    assert.equal(text.includes(token.session_key), false);
    assert.equal(text.includes(pat), false);
    const tokenRecord = records.find((r) => r.kind === 'token');
    assert.equal(tokenRecord.action, 'issue');
    assert.equal(tokenRecord.outcome, 'issued');
    assert.match(tokenRecord.detail, new RegExp(`sub=alice .*jti=${jti}`));
    const revocations = records.filter((r) => r.kind === 'revocation').map((r) => r.action);
    assert.deepEqual(revocations, ['revoke-device', 'revoke-token', 'revoke-subject']);
    for (const bytes of databaseBytes(dir)) {
      assert.equal(bytes.includes(Buffer.from(token.access_token)), false);
    }
  });

  it('audit list prints every change in order, by home and newest first when limited', async () => {
    const { records } = await latch.json(['audit', 'list']);
    assert.deepEqual(records.map((r) => r.seq), records.map((_, i) => i + 1));
    const kinds = records.map((r) => `${r.kind}/${r.action}`);
    assert.deepEqual(kinds, [
      'home/create', 'home/create', 'home/create', 'home/member-add', 'home/member-add',
      'device/add', 'device/add', 'revocation/revoke-device', 'token/issue',
      'revocation/revoke-token', 'revocation/revoke-subject',
    ]);
    for (const r of records) {
      assert.equal(r.actor, 'cli');
      assert.match(r.hash, /^[0-9a-f]{64}$/);
      assert.deepEqual(Object.keys(r).sort(), ['action', 'actor', 'connectionId', 'detail',
        'device', 'hash', 'home', 'kind', 'outcome', 'prevHash', 'seq', 'timeMs']);
    }
    const added = records.find((r) => r.kind === 'device' && r.device === device.id);
    assert.equal(added.home, home.id);
    assert.match(added.detail, /commands=OPEN_DOOR,LOCK_DOOR owner-only=OPEN_DOOR/);

    const mine = await latch.json(['audit', 'list', '--home', home.id]);
    assert.ok(mine.records.length >= 5);
    assert.ok(mine.records.every((r) => r.home === home.id));
    const last = await latch.json(['audit', 'list', '--limit', '2']);
    assert.deepEqual(last.records.map((r) => r.seq), [records.length - 1, records.length]);
    for (const bad of ['0', '-1', 'ten']) {
      await latch.fails(['audit', 'list', '--limit', bad], 'audit list', /--limit must be/);
    }
    const plain = await latch.run(['audit', 'list', '--limit', '1']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^ *\d+ {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}revocation cli revoke-subject/);
  });

  it('audit verify finds the log intact', async () => {
    const verdict = await latch.json(['audit', 'verify']);
    assert.deepEqual(verdict, { intact: true, records: 11, badSeq: 0, reason: '' });
    const plain = await latch.run(['audit', 'verify']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, 'audit log intact: 11 records\n');
  });

  it('audit verify detects a record edited with the sqlite3 tool', async () => {
    sqlite(dir, "UPDATE audit SET outcome = 'ok' WHERE seq = 8");
    const r = await latch.run(['audit', 'verify', '--json']);
    assert.equal(r.code, 1);
    const verdict = JSON.parse(r.stdout);
    assert.equal(verdict.intact, false);
    assert.equal(verdict.badSeq, 8);
    assert.match(verdict.reason, /hash mismatch/);
    await latch.fails(['audit', 'verify'], 'audit verify',
      /audit log broken at record 8: hash mismatch/);
  });
});

describe('latch audit verify on deletions', () => {
  let dir;
  let latch;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-manage-'));
    latch = makeRunner(dir);
    for (const name of ['A', 'B', 'C', 'D']) {
      await latch.json(['home', 'add', name, '--owner', 'alice']);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('detects a deleted middle record, then a deleted newest record', async () => {
    const backup = fs.readFileSync(path.join(dir, 'latch.db'));
    sqlite(dir, 'DELETE FROM audit WHERE seq = 2');
    let verdict = JSON.parse((await latch.run(['audit', 'verify', '--json'])).stdout);
    assert.equal(verdict.intact, false);
    assert.equal(verdict.badSeq, 3);
    assert.match(verdict.reason, /gap after 1/);

    fs.writeFileSync(path.join(dir, 'latch.db'), backup);
    assert.equal((await latch.json(['audit', 'verify'])).intact, true);
    sqlite(dir, 'DELETE FROM audit WHERE seq = 4');
    verdict = JSON.parse((await latch.run(['audit', 'verify', '--json'])).stdout);
    assert.equal(verdict.intact, false);
    assert.equal(verdict.badSeq, 4);
    assert.match(verdict.reason, /newest records are missing/);
  });
});

describe('the data directory', () => {
  it('a directory holding files that are not Latch\'s is refused, its mode unchanged', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-notdata-'));
    try {
      fs.chmodSync(dir, 0o1777);
      fs.writeFileSync(path.join(dir, 'someone-elses.txt'), 'hello');
      const { fails } = makeRunner(dir);
      await fails(['home', 'list'], 'home list', /refusing data directory .*not Latch's/);
      const serve = await runLatch(['serve', '--listen', '127.0.0.1:0', '--data', dir]);
      assert.equal(serve.code, 1);
      assert.match(serve.stderr, /refusing data directory/);
      assert.equal(fs.statSync(dir).mode & 0o7777, 0o1777);
      assert.deepEqual(fs.readdirSync(dir), ['someone-elses.txt']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
