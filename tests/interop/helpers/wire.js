'use strict';
// Wire-level helpers: raw HTTP requests and a raw WebSocket speaking the JSON hub protocol.
const WebSocket = require('ws');
const { withTimeout } = require('./client');

const RS = '\x1e';
const MessageType = {
  Invocation: 1, StreamItem: 2, Completion: 3, StreamInvocation: 4, CancelInvocation: 5,
  Ping: 6, Close: 7,
};

// The Authorization header with the default token of the server `url` points at.
function authHeaders(url) {
  const { tokenFor } = require('./server');
  const token = tokenFor(url);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function negotiate(server, query = 'negotiateVersion=1', { token } = {}) {
  const headers = token === undefined ? authHeaders(server.hubUrl)
    : (token ? { Authorization: `Bearer ${token}` } : {});
  const res = await fetch(`${server.hubUrl}/negotiate?${query}`, { method: 'POST', headers });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, headers: res.headers, body };
}

// A raw WebSocket on the hub endpoint that collects whole records (parsed JSON when
// possible) and remembers how the socket closed.
class RawHubSocket {
  constructor(ws) {
    this.ws = ws;
    this.records = [];
    this.frames = [];
    this.waiters = [];
    this.closeInfo = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        this._wake();
        resolve(this.closeInfo);
      });
    });
    ws.on('error', () => {});  // 'close' follows
    ws.on('message', (data, isBinary) => {
      this.frames.push({ data, isBinary });
      const text = data.toString('utf8');
      for (const part of text.split(RS)) {
        if (part === '') continue;
        let parsed;
        try { parsed = JSON.parse(part); } catch { parsed = { unparsed: part }; }
        this.records.push(parsed);
      }
      this._wake();
    });
    this.cursor = 0;
  }

  // Opens a socket; rejects with err.status set when the upgrade is refused.
  // `token`: undefined for the server's default token, null for none.
  static connect(url, { timeoutMs = 5000, token } = {}) {
    return withTimeout(new Promise((resolve, reject) => {
      const headers = token === undefined ? authHeaders(url)
        : (token ? { Authorization: `Bearer ${token}` } : {});
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new RawHubSocket(ws)));
      ws.once('unexpected-response', (req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => { body += c; });
        res.on('end', () => {
          const err = new Error(`upgrade refused with ${res.statusCode}: ${body}`);
          err.status = res.statusCode;
          err.body = body;
          reject(err);
          ws.terminate();
        });
      });
      ws.once('error', reject);
    }), timeoutMs, `opening ${url}`);
  }

  _wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  sendText(text) { this.ws.send(text); }
  sendRecord(obj) { this.ws.send(JSON.stringify(obj) + RS); }

  // The next record not yet taken (pings skipped unless keepPings), or null when the
  // socket closed first.
  async next(timeoutMs = 3000, { keepPings = false } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.records.length) {
        const r = this.records[this.cursor++];
        if (!keepPings && r && r.type === MessageType.Ping) continue;
        return r;
      }
      if (this.closeInfo) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no record within ${timeoutMs} ms`);
      await withTimeout(new Promise((resolve) => this.waiters.push(resolve)), left,
        'waiting for a record').catch(() => {});
    }
  }

  // Sends the JSON handshake and checks the empty response.
  async handshake(request = { protocol: 'json', version: 1 }) {
    this.sendRecord(request);
    const response = await this.next(3000, { keepPings: true });
    if (!response || Object.keys(response).length !== 0) {
      throw new Error(`handshake failed: ${JSON.stringify(response)}`);
    }
  }

  // Invokes `target` and resolves with its completion record (other records are skipped).
  async invoke(target, args, invocationId = String(Math.random()).slice(2), timeoutMs = 3000) {
    this.sendRecord({ type: MessageType.Invocation, invocationId, target, arguments: args });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.next(Math.max(1, deadline - Date.now()));
      if (r === null) throw new Error(`socket closed before the completion of ${target}`);
      if (r.type === MessageType.Completion && r.invocationId === invocationId) return r;
    }
  }

  async waitClosed(timeoutMs = 3000) {
    return withTimeout(this.closed, timeoutMs, 'waiting for the socket to close');
  }

  terminate() { this.ws.terminate(); }
}

module.exports = { RS, MessageType, negotiate, RawHubSocket, authHeaders };
