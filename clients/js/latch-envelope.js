// Signs and verifies Latch command envelopes (SPEC section 5) with WebCrypto: works in Node
// (>= 18) and in browsers, with no dependencies.
//
//   const { signEnvelope, verifyEnvelope } = require('./latch-envelope');
//   const envelope = await signEnvelope(sessionKey, 'SendCommand',
//     { home, device, command: 'OPEN_DOOR', args: [] });
//   const result = await connection.invoke('SendCommand', envelope);
//
// sessionKey is the "session_key" of the token response (base64url); the HMAC key is its
// 32 decoded bytes. sig = HMAC-SHA256(key, "latch-env-v1|" + method + "|" + iat + "|" + exp +
// "|" + nonce + "|" + msg), base64url without padding; iat/exp in milliseconds.
'use strict';

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();

function base64urlEncode(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64urlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function hmacKey(sessionKey, usage) {
  const raw = typeof sessionKey === 'string' ? base64urlDecode(sessionKey) : sessionKey;
  return subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

function signingInput(method, { iat, exp, nonce, msg }) {
  return encoder.encode(`latch-env-v1|${method}|${iat}|${exp}|${nonce}|${msg}`);
}

// An envelope for `method` carrying `message` (any JSON value, or a JSON text string with
// { raw: true }), valid for `lifetimeMs` (at most 30 s by default on the server).
async function signEnvelope(sessionKey, method, message, { lifetimeMs = 10_000, now = Date.now(), raw = false } = {}) {
  const nonce = base64urlEncode(globalThis.crypto.getRandomValues(new Uint8Array(16)));
  const envelope = { iat: now, exp: now + lifetimeMs, nonce, msg: raw ? message : JSON.stringify(message) };
  const key = await hmacKey(sessionKey, 'sign');
  const sig = new Uint8Array(await subtle.sign('HMAC', key, signingInput(method, envelope)));
  return { ...envelope, sig: base64urlEncode(sig) };
}

// The parsed message if `envelope` is a valid, unexpired envelope for `method` signed with
// `sessionKey`; otherwise throws an Error whose `reason` is 'malformed', 'bad_signature',
// 'expired' or 'issued_in_future'. The comparison is WebCrypto's (constant time).
async function verifyEnvelope(sessionKey, method, envelope, { now = Date.now(), skewMs = 5_000 } = {}) {
  const fail = (reason) => Object.assign(new Error(`envelope refused: ${reason}`), { reason });
  const keys = envelope && typeof envelope === 'object' ? Object.keys(envelope).sort().join(',') : '';
  if (keys !== 'exp,iat,msg,nonce,sig' || !Number.isSafeInteger(envelope.iat) ||
      !Number.isSafeInteger(envelope.exp) || typeof envelope.msg !== 'string' ||
      typeof envelope.nonce !== 'string' || typeof envelope.sig !== 'string') {
    throw fail('malformed');
  }
  let sig;
  try {
    sig = base64urlDecode(envelope.sig);
  } catch {
    throw fail('malformed');
  }
  const key = await hmacKey(sessionKey, 'verify');
  if (!(await subtle.verify('HMAC', key, sig, signingInput(method, envelope)))) throw fail('bad_signature');
  if (envelope.exp <= now) throw fail('expired');
  if (envelope.iat > now + skewMs) throw fail('issued_in_future');
  try {
    return JSON.parse(envelope.msg);
  } catch {
    throw fail('malformed');
  }
}

module.exports = { signEnvelope, verifyEnvelope, base64urlEncode, base64urlDecode };
