'use strict';
// A home hub stand-in for the relay tests, built on the official @microsoft/signalr client:
// it exchanges its PAT at POST /auth/token (client_credentials), connects on one transport,
// verifies every Execute envelope with its own session key (clients/js/latch-envelope.js),
// records what it executed, and answers with a behaviour the test chooses.
//
//   const device = await startDevice(server, provisioned, { transport: 'LongPolling' });
//   device.behaviour = 'never';           // see BEHAVIOURS below, or a function
//   await device.waitExecuted(1);         // resolves with the list of executed commands
//   device.executed  // [{ msg, envelope, receivedAt }] of the verified Execute envelopes
//   device.refused   // [{ envelope, error }] of the envelopes that failed verification
//   await device.stop();
//
// `provisioned` is the JSON of `latch device add --json` ({ id, home, name, pat }).
const path = require('node:path');

const { REPO_ROOT } = require('./server');
const { buildConnection, watchLifecycle, withTimeout, sleep } = require('./client');

const { verifyEnvelope } = require(path.join(REPO_ROOT, 'clients', 'js', 'latch-envelope'));

// What the device answers to an Execute it verified:
//   ok          {status: "ok", output: "<COMMAND> done"}
//   failed      {status: "failed", output: "jammed"}
//   garbage     a plain string, not a {status, output} object
//   throw       the handler throws (the client sends a Completion with an error)
//   never       never answers (the server must time out)
//   disconnect  stops its connection instead of answering
// A function (msg, envelope, device) => result (or a promise of one) answers anything else.
const BEHAVIOURS = ['ok', 'failed', 'garbage', 'throw', 'never', 'disconnect'];

// POST /auth/token with the device's PAT; resolves to the token response JSON.
async function exchangePat(server, provisioned) {
  const res = await fetch(`${server.url}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_id: provisioned.id, client_secret: provisioned.pat,
    }).toString(),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`PAT exchange for ${provisioned.id} refused: ${res.status} ${text}`);
  return JSON.parse(text);
}

class DeviceStandIn {
  constructor(provisioned, tokenResponse, transport, behaviour) {
    this.id = provisioned.id;
    this.home = provisioned.home;
    this.pat = provisioned.pat;
    this.transport = transport;
    this.tokenResponse = tokenResponse;
    this.token = tokenResponse.access_token;
    this.sessionKey = tokenResponse.session_key;
    this.behaviour = behaviour;
    this.executed = [];
    this.refused = [];
    this.invocations = 0;  // every Execute received, verified or not
    this._waiters = [];
    this.connection = null;
    this.life = null;
  }

  async _onExecute(envelope, ...extra) {
    this.invocations++;
    let msg;
    try {
      if (extra.length) throw new Error(`Execute takes one envelope, got ${1 + extra.length} arguments`);
      msg = await verifyEnvelope(this.sessionKey, 'Execute', envelope);
    } catch (error) {
      this.refused.push({ envelope, error });
      this._wake();
      return { status: 'failed', output: `refused: ${error.message}` };
    }
    this.executed.push({ msg, envelope, receivedAt: Date.now() });
    this._wake();
    const behaviour = this.behaviour;
    if (typeof behaviour === 'function') return behaviour(msg, envelope, this);
    switch (behaviour) {
      case 'ok':
        return { status: 'ok', output: `${msg.command} done` };
      case 'failed':
        return { status: 'failed', output: 'jammed' };
      case 'garbage':
        return 'this is not a result';
      case 'throw':
        throw new Error('the hub crashed');
      case 'never':
        return new Promise(() => {});
      case 'disconnect':
        setImmediate(() => { this.connection.stop().catch(() => {}); });
        return new Promise(() => {});
      default:
        throw new Error(`unknown device behaviour ${behaviour}`);
    }
  }

  _wake() {
    const w = this._waiters;
    this._waiters = [];
    for (const fn of w) fn();
  }

  // Resolves with `executed` once it holds at least `count` commands.
  waitExecuted(count = 1, ms = 5000) {
    const check = async () => {
      while (this.executed.length < count) {
        await new Promise((resolve) => this._waiters.push(resolve));
      }
      return this.executed;
    };
    return withTimeout(check(), ms, `waiting for device ${this.id} to execute ${count} command(s)`);
  }

  // Exchanges the PAT again and swaps the new token in on the live connection
  // (RefreshToken); from then on Execute envelopes must be signed with the new session key.
  async refresh(server) {
    const response = await exchangePat(server, { id: this.id, pat: this.pat });
    const result = await this.connection.invoke('RefreshToken', response.access_token);
    this.tokenResponse = response;
    this.token = response.access_token;
    this.sessionKey = response.session_key;
    return result;
  }

  // True if nothing at all reached the device within `ms` (default: look once, now).
  async receivedNothing(ms = 0) {
    if (ms) await sleep(ms);
    return this.invocations === 0;
  }

  async stop() {
    if (this.connection) await this.connection.stop().catch(() => {});
  }
}

// Exchanges the PAT and connects; resolves to a started DeviceStandIn.
//   transport: 'WebSockets' | 'ServerSentEvents' | 'LongPolling'
//   behaviour: one of BEHAVIOURS or a function (default 'ok')
//   tokenResponse: use this token response instead of exchanging the PAT
//   reconnect: retry delays for withAutomaticReconnect (default: no automatic reconnect)
async function startDevice(server, provisioned, {
  transport = 'WebSockets', behaviour = 'ok', tokenResponse, reconnect,
} = {}) {
  if (typeof behaviour !== 'function' && !BEHAVIOURS.includes(behaviour)) {
    throw new Error(`unknown device behaviour ${behaviour}`);
  }
  const response = tokenResponse ?? await exchangePat(server, provisioned);
  const device = new DeviceStandIn(provisioned, response, transport, behaviour);
  const connection = buildConnection(server.hubUrl, transport, {
    accessTokenFactory: () => device.token, reconnect,
  });
  device.connection = connection;
  device.life = watchLifecycle(connection);
  connection.on('Execute', (...args) => device._onExecute(...args));
  await connection.start();
  return device;
}

module.exports = { startDevice, exchangePat, BEHAVIOURS, DeviceStandIn };
