'use strict';
// Helpers for the official SignalR JavaScript client (@microsoft/signalr).
const signalR = require('@microsoft/signalr');

const DEBUG = !!process.env.LATCH_INTEROP_DEBUG;

// The three transports, by the name the server reports in Whoami.
const TRANSPORTS = [
  { name: 'WebSockets', type: signalR.HttpTransportType.WebSockets },
  { name: 'ServerSentEvents', type: signalR.HttpTransportType.ServerSentEvents },
  { name: 'LongPolling', type: signalR.HttpTransportType.LongPolling },
];

function transportType(name) {
  const t = TRANSPORTS.find((x) => x.name === name);
  if (!t) throw new Error(`unknown transport ${name}`);
  return t.type;
}

// A HubConnection to `hubUrl` restricted to one transport.
//   logLevel: 'warning' | 'none' (default: none, or warning with LATCH_INTEROP_DEBUG)
//   reconnect: an array of retry delays in ms (withAutomaticReconnect), or undefined
//   serverTimeoutMs / keepAliveMs: the client's timers
//   accessTokenFactory: by default the server's default token (helpers/server.js)
function buildConnection(hubUrl, transport, {
  logLevel, reconnect, serverTimeoutMs, keepAliveMs, accessTokenFactory,
} = {}) {
  const level = (logLevel || (DEBUG ? 'warning' : 'none')) === 'warning'
    ? signalR.LogLevel.Warning : signalR.LogLevel.None;
  let builder = new signalR.HubConnectionBuilder()
    .withUrl(hubUrl, {
      transport: transportType(transport),
      accessTokenFactory: accessTokenFactory ?? (() => require('./server').tokenFor(hubUrl)),
    })
    .configureLogging(level);
  if (reconnect) builder = builder.withAutomaticReconnect(reconnect);
  if (serverTimeoutMs !== undefined) builder = builder.withServerTimeout(serverTimeoutMs);
  if (keepAliveMs !== undefined) builder = builder.withKeepAliveInterval(keepAliveMs);
  return builder.build();
}

// Records the lifecycle callbacks of a connection as promises and lists.
function watchLifecycle(connection) {
  const events = { closes: [], reconnecting: [], reconnected: [] };
  const waiters = { closes: [], reconnecting: [], reconnected: [] };
  const record = (kind) => (arg) => {
    events[kind].push(arg);
    const w = waiters[kind];
    waiters[kind] = [];
    for (const resolve of w) resolve(arg);
  };
  connection.onclose(record('closes'));
  connection.onreconnecting(record('reconnecting'));
  connection.onreconnected(record('reconnected'));
  // Resolves with the argument of the next (or first unseen) `kind` event.
  const next = (kind, ms, seen = events[kind].length) => withTimeout(
    new Promise((resolve) => {
      if (events[kind].length > seen) resolve(events[kind][seen]);
      else waiters[kind].push(resolve);
    }),
    ms, `waiting for ${kind}`);
  return {
    events,
    closed: (ms = 5000) => next('closes', ms, 0),
    reconnecting: (ms = 5000) => next('reconnecting', ms, 0),
    reconnected: (ms = 5000) => next('reconnected', ms, 0),
  };
}

function withTimeout(promise, ms, what = 'operation') {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = {
  signalR, TRANSPORTS, transportType, buildConnection, watchLifecycle, withTimeout, sleep,
};
