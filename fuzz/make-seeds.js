#!/usr/bin/env node
// Writes the seed corpora of fuzz_jwt, fuzz_envelope, fuzz_client_input and
// fuzz_hub_connection (fuzz/seeds/<target>/), from the fixed keys and the fixed clock of the
// harnesses. Each seed starts with the harness's selector byte (see the comment at the top of
// each fuzz_*.cpp). Run it again after changing a harness's keys, clock or modes:
//   node fuzz/make-seeds.js
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const NOW_MS = 1764405600000;  // kNowMillis of the harnesses; ManualWallClock's start
const NOW = NOW_MS / 1000;
const RS = '\x1e';  // record separator: SignalR records, envelope sequences
const US = '\x1f';  // chunk separator of fuzz_hub_connection (a clock step between chunks)

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const json = (v) => JSON.stringify(v);

function write(target, name, selector, body) {
  const dir = path.join(__dirname, 'seeds', target);
  fs.mkdirSync(dir, {recursive: true});
  const bytes = Buffer.concat([Buffer.from([selector]), Buffer.from(body)]);
  fs.writeFileSync(path.join(dir, name), bytes);
}

function clearSeeds(target) {
  const dir = path.join(__dirname, 'seeds', target);
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) fs.unlinkSync(path.join(dir, f));
}

function hs256Token(secret, header, claims) {
  const input = b64url(json(header)) + '.' + b64url(json(claims));
  return input + '.' + b64url(crypto.createHmac('sha256', secret).update(input).digest());
}

// SPEC section 5: HMAC-SHA256 over "latch-env-v1|method|iat|exp|nonce|msg".
function signEnvelope(key, method, e) {
  const input = `latch-env-v1|${method}|${e.iat}|${e.exp}|${e.nonce}|${e.msg}`;
  return {...e, sig: b64url(crypto.createHmac('sha256', key).update(input).digest())};
}

// A deterministic 128-bit nonce per index, so rerunning the script changes no seed.
const nonce = (i) => b64url(Buffer.alloc(16, i + 1));
const command = (extra = {}) =>
  json({home: 'h_1', device: 'd_1', command: 'OPEN_DOOR', args: [], ...extra});
// An envelope without "sig" (the signing modes add it), valid from NOW_MS for 30 s.
const unsigned = (i, msg = command(), iat = NOW_MS, exp = NOW_MS + 30000) =>
  ({iat, exp, nonce: nonce(i), msg});

// --- fuzz_jwt: secret 32 x 0x42 for kid "hs"; issuer and audience "latch" ---
function jwtSeeds() {
  const t = 'fuzz_jwt';
  clearSeeds(t);
  const secret = Buffer.alloc(32, 0x42);
  const claims = {sub: 'alice', iss: 'latch', aud: 'latch', iat: NOW - 10, exp: NOW + 300};
  const header = {alg: 'HS256', typ: 'JWT', kid: 'hs'};
  // Raw (selector 0): a token that verifies as it is, and one whose signature does not.
  write(t, 'raw_valid_hs256', 0, hs256Token(secret, header, claims));
  write(t, 'raw_bad_signature', 0,
        hs256Token(Buffer.alloc(32, 1), header, {...claims, sub: 'mallory'}));
  // Signed claims (selector % 3 == 1; key (selector / 3) % 3: 0 hs, 1 ed, 2 es).
  write(t, 'claims_hs_valid', 1, json(claims));
  write(t, 'claims_ed_arrays', 4,
        json({...claims, aud: ['other', 'latch'], roles: ['user', 'admin'], nbf: NOW - 5,
              jti: 'j1'}));
  write(t, 'claims_es_expired', 7, json({...claims, exp: NOW - 1}));
  write(t, 'claims_hs_not_yet', 1, json({...claims, nbf: NOW + 3600, iat: NOW + 3600}));
  write(t, 'claims_hs_wrong_aud_iss', 1, json({...claims, iss: 'x', aud: ['y']}));
  write(t, 'claims_hs_types', 1, '{"sub":"a","exp":1.5e9,"iat":"x","aud":[1]}');
  // Signed header and claims (selector % 3 == 2), split at '\n'.
  write(t, 'header_hs_no_kid', 2, json({alg: 'HS256'}) + '\n' + json(claims));
  write(t, 'header_ed_media_type', 5,
        json({alg: 'EdDSA', typ: 'application/JWT', kid: 'ed'}) + '\n' + json(claims));
  write(t, 'header_es_crit', 8, json({alg: 'ES256', kid: 'es', crit: ['b64']}) + '\n' +
        json(claims));
}

// --- fuzz_envelope: session key {7, 0, ..., 0}, method SendCommand ---
function envelopeSeeds() {
  const t = 'fuzz_envelope';
  clearSeeds(t);
  const key = Buffer.alloc(32);
  key[0] = 7;
  // Raw (even selector): a signed envelope that verifies, and a bare command message.
  write(t, 'raw_valid', 0,
        json(signEnvelope(key, 'SendCommand', unsigned(0, command(), NOW_MS - 1000,
                                                       NOW_MS + 9000))));
  write(t, 'raw_command', 0, command({args: [1, {a: []}], queue: true}));
  // Signed (odd selector; step (selector >> 1) s per envelope).
  write(t, 'signed_one', 1, json(unsigned(0)));
  write(t, 'signed_replay', 3, [unsigned(0), unsigned(0)].map(json).join(RS));
  // The nonce's first byte picks the subject (i + 1: even for alice, odd for bob). Alice
  // fills her window of 3 (the oldest is forgotten, then refused as stale), bob meets the
  // home's cap of 4, then a second home meets the cache's cap of 6. Exps rise, so the floor
  // refuses only what was forgotten.
  const rising = (i, msg = command()) => unsigned(i, msg, NOW_MS, NOW_MS + 15000 + i * 1000);
  write(t, 'signed_window', 3, [
    ...[1, 3, 5, 7, 1, 0, 2].map((i) => rising(i)),
    ...[9, 11, 13].map((i) => rising(i, command({home: 'h_2'}))),
  ].map(json).join(RS));
  write(t, 'signed_times', 21, [
    unsigned(0, command(), NOW_MS, NOW_MS + 25000),          // valid at +10 s
    unsigned(1, command(), NOW_MS, NOW_MS + 60000),          // lifetime too long
    unsigned(2, command(), NOW_MS + 60000, NOW_MS + 70000),  // issued in the future
    unsigned(3, command(), NOW_MS, NOW_MS + 20000),          // expired at +40 s
  ].map(json).join(RS));
  write(t, 'signed_homes', 1, [
    unsigned(0, command({home: 'h_2', queue: true, args: ['x', 2]})),
    unsigned(1, command({device: ''})),
    unsigned(2, '{"home":"h_1"}'),
  ].map(json).join(RS));
}

// --- fuzz_client_input: the guard of device d_1 (OPEN_DOOR, LIGHT_ON) holds the session keys
// 32 x 7 (previous) and 32 x 9 (newest); method Execute ---
function clientSeeds() {
  const t = 'fuzz_client_input';
  clearSeeds(t);
  const previous = Buffer.alloc(32, 7);
  // Raw (selector % 4 == 0).
  write(t, 'raw_execute', 0,
        json(signEnvelope(previous, 'Execute', unsigned(0, command(), NOW_MS + 123,
                                                        NOW_MS + 10123))));
  write(t, 'raw_negotiate', 0, json({connectionId: 'a', connectionToken: 'b', negotiateVersion: 1,
                                     availableTransports: [{transport: 'WebSockets',
                                                            transferFormats: ['Text']}]}));
  write(t, 'raw_token', 0, json({access_token: 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln',
                                 token_type: 'Bearer', expires_in: 900,
                                 session_key: '9DI7W5f8yGuugSpuIYIcH49cmjtLxjBpov1ATGmA3Wc'}));
  write(t, 'raw_url', 0, 'https://[::1]:8443/base/hubs/command');
  // Signed (selector % 4: 1 newest key, 2 previous, 3 foreign; step (selector >> 2) s).
  write(t, 'signed_newest', 1, json(unsigned(0)));
  write(t, 'signed_previous_replay', 6, [unsigned(0), unsigned(0)].map(json).join(RS));
  write(t, 'signed_foreign', 3, json(unsigned(0)));
  write(t, 'signed_full', 5, [0, 1, 2, 3, 4, 5].map((i) => json(unsigned(i))).join(RS));
  // 10 s per envelope: envelope k is admitted at NOW_MS + (k + 1) * 10 s.
  const at = (k, i, msg = command()) =>
    unsigned(i, msg, NOW_MS + k * 10000 + 9000, NOW_MS + k * 10000 + 19000);
  const first = unsigned(0, command(), NOW_MS, NOW_MS + 25000);
  write(t, 'signed_checks', 41, [
    first,                                             // admitted at +10 s
    first,                                             // replayed at +20 s
    at(2, 1, command({device: 'd_2'})),                // another device
    at(3, 2, command({command: 'LIGHT_ON', args: [1]})),  // admitted; the first is dropped
    at(4, 3, command({command: 'REBOOT'})),            // no handler
    first,                                             // expired at +60 s
    at(6, 4, '{"device":"d_1"}'),                      // not a command message
  ].map(json).join(RS));
}

// --- fuzz_hub_connection: caller "fuzz" (roles user, + admin with selector bit 1); its token
// and RefreshToken's check TestAuth's HS256 key (kid "test", 32 x 0x5a) ---
function hubSeeds() {
  const t = 'fuzz_hub_connection';
  clearSeeds(t);
  const inv = (id, target, args) =>
    json(id === null ? {type: 1, target, arguments: args}
                     : {type: 1, invocationId: id, target, arguments: args}) + RS;
  const handshake = json({protocol: 'json', version: 1}) + RS;
  const ping = json({type: 6}) + RS;
  const token = (sub) => hs256Token(Buffer.alloc(32, 0x5a), {alg: 'HS256', typ: 'JWT', kid: 'test'},
                                    {iss: 'latch', aud: 'latch', sub, roles: ['user'], iat: NOW,
                                     nbf: NOW, exp: NOW + 900, jti: 'fuzz-' + sub,
                                     auth_time: NOW});
  // Selector bit 0: the harness sends the handshake; bit 1: admin; bits 2-7: step in 10 s.
  write(t, 'raw_own_handshake', 0, handshake + inv('1', 'Whoami', []));
  write(t, 'raw_no_handshake', 0, inv('1', 'Whoami', []));
  write(t, 'methods', 1, [
    inv('1', 'Add', [1, 2]), inv('2', 'Echo', [{a: [1, 'x', null]}]), inv('3', 'Whoami', []),
    inv(null, 'Echo', [1]), inv('4', 'Add', ['x', 2]), inv('5', 'Add', [1]),
    inv('6', 'FailForTest', ['no']), inv('7', 'SendToCallerForTest', ['Note', 5]),
    inv('8', 'Nope', []), inv('9', 'AdminOnlyForTest', []), ping,
    json({type: 4, invocationId: '10', target: 'Echo', arguments: [], streamIds: []}) + RS,
    json({type: 2, invocationId: 's', item: 1}) + RS, json({type: 5, invocationId: '10'}) + RS,
    json({type: 7}) + RS,
  ].join(''));
  write(t, 'client_results', 1, [
    inv('1', 'InvokeCallerForTest', ['Q', 1, 10000]),
    json({type: 3, invocationId: '1', result: 5}) + RS,
    inv('2', 'InvokeCallerForTest', ['Q', 2, 10000]),
    json({type: 3, invocationId: '2', error: 'refused'}) + RS,
    json({type: 3, invocationId: '99', result: 1}) + RS,
    inv('3', 'InvokeCallerForTest', ['Q', 3, 10000]),  // times out after the chunk
  ].join('') + US + ping);
  write(t, 'admin_close', 3, inv('1', 'AdminOnlyForTest', []) +
        inv('2', 'FloodForTest', ['F', 3, 10]) + inv('3', 'CloseForTest', ['bye', true]));
  write(t, 'drop', 1, inv('1', 'DropForTest', []) + ping);
  // Nine pending client results (the limit is 8 invocations), then an id still in use.
  const pending = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) =>
    inv(String(i), 'InvokeCallerForTest', ['Q', i, 60000]));
  write(t, 'busy_and_duplicate', 1, pending.join('') + inv('1', 'Echo', [1]));
  write(t, 'refresh', 1, inv('1', 'RefreshToken', [token('fuzz')]) +
        inv('2', 'RefreshToken', [token('someone')]) + inv('3', 'RefreshToken', ['x.y.z']) +
        inv('4', 'Whoami', []));
  // 20 s steps with a ping each: keep-alive pings, then the expiry notice, then expiry (600 s).
  write(t, 'token_expiry', (2 << 2) | 1, Array(32).fill(ping).join(US));
  // 40 s without a message: the client timeout.
  write(t, 'client_timeout', (4 << 2) | 1, inv('1', 'Whoami', []) + US + ping);
}

jwtSeeds();
envelopeSeeds();
clientSeeds();
hubSeeds();
