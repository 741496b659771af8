#!/usr/bin/env node
// The markdown tables of compare.sh: medians over rounds of each system's runs, per
// users/devices pair, then the ratios of the medians. A run is used if its load generator
// reported and every command was answered, with fewer than 1% of the answers not `ok` (a
// Latch run exits 1 on a single `denied`): "clean" counts the runs that exited 0, "not ok"
// the answers that were not `ok` in all runs.
//
//   node bench/peers/summarize.js RUNS.jsonl
'use strict';
const fs = require('node:fs');

const kSystems = [
  ['latch', 'Latch'], ['latch-nosig', 'Latch, no signature check'],
  ['mosquitto', 'Mosquitto 2 (MQTT 5, QoS 1)'], ['socketio', 'Socket.IO 4'],
];

const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
// Latch's `bench relay` says "command", the peers' load generators "round trip".
const perRt = (r, side) => r[`${side}_cpu_us_per_round_trip`] ?? r[`${side}_cpu_us_per_command`];
const fmt = (x, digits = 0) => (Number.isFinite(x)
  ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b ? `${fmt(a / b, 2)}x` : 'n/a');

// Answers that were not `ok`, and commands never answered.
const notOk = (r) => (r.outcomes ? r.sent - (r.outcomes.ok ?? 0) : (r.not_ok ?? 0) + r.sent - r.answered);
const usable = (l) => l.report && (l.report.round_trips ?? l.report.commands) > 0
  && !l.report.unanswered && !l.report.refused && notOk(l.report) < 0.01 * l.report.sent;

const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean)
  .map((l) => JSON.parse(l)).filter((l) => l.round !== undefined);
const pairs = [...new Set(lines.map((l) => `${l.users}/${l.devices}`))];
const stats = new Map();  // "system users/devices" -> medians
for (const [system] of kSystems) {
  for (const pair of pairs) {
    const all = lines.filter((l) => l.system === system && `${l.users}/${l.devices}` === pair);
    if (!all.length) continue;
    const ok = all.filter(usable).map((l) => l.report);
    stats.set(`${system} ${pair}`, {
      runs: all.length, used: ok.length, clean: all.filter((l) => l.exit === 0).length,
      notOk: all.reduce((n, l) => n + (l.report ? notOk(l.report) : 0), 0),
      rps: median(ok.map((r) => r.rps)),
      p50: median(ok.map((r) => r.latency_us.p50 / 1000)),
      p99: median(ok.map((r) => r.latency_us.p99 / 1000)),
      server: median(ok.map((r) => perRt(r, 'server'))),
      serverCores: median(ok.map((r) => (perRt(r, 'server') * r.rps) / 1e6)),
      client: median(ok.map((r) => perRt(r, 'client'))),
      clientCores: median(ok.map((r) => (perRt(r, 'client') * r.rps) / 1e6)),
    });
  }
}

const out = [];
out.push('| system | users/devices | runs used (clean) | not ok | round trips/s | p50 ms | p99 ms | server CPU us/rt '
  + '| server cores | load gen CPU us/rt | load gen cores |');
out.push('|---|---|---|---|---|---|---|---|---|---|---|');
for (const pair of pairs) {
  for (const [system, label] of kSystems) {
    const s = stats.get(`${system} ${pair}`);
    if (!s) continue;
    out.push(`| ${label} | ${pair} | ${s.used}/${s.runs} (${s.clean}) | ${s.notOk} | ${fmt(s.rps)} | ${fmt(s.p50, 2)} | `
      + `${fmt(s.p99, 2)} | ${fmt(s.server, 1)} | ${fmt(s.serverCores, 2)} | ${fmt(s.client, 1)} | `
      + `${fmt(s.clientCores, 2)} |`);
  }
}
const latchPairs = pairs.filter((p) => stats.has(`latch ${p}`));
if (latchPairs.length) {
  out.push('', '| users/devices | Latch / Mosquitto: rate | server CPU per rt | Latch / Socket.IO: rate '
    + '| server CPU per rt | Latch / Latch without signature check: rate | server CPU per rt |');
  out.push('|---|---|---|---|---|---|---|');
  for (const pair of latchPairs) {
    const l = stats.get(`latch ${pair}`);
    const cells = ['mosquitto', 'socketio', 'latch-nosig'].map((other) => {
      const o = stats.get(`${other} ${pair}`);
      return o ? `${ratio(l.rps, o.rps)} | ${ratio(l.server, o.server)}` : 'n/a | n/a';
    });
    out.push(`| ${pair} | ${cells.join(' | ')} |`);
  }
}
console.log(out.join('\n'));
