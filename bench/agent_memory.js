'use strict';
// The home agent's memory after it has run commands: starts `latch serve`, a home with one
// device and its agent (`latch-agent`, or `latch agent` with --combined), sends `--commands`
// commands through `latch send`, waits `--settle` seconds and prints the agent's VmRSS, its
// RssAnon / RssFile split, its Pss, and the resident KiB of each mapped file, largest first.
//
//   node bench/agent_memory.js [--commands 5] [--settle 2] [--combined] [--rounds 3] [--paths]
//
// --paths names mappings by their full path (an aarch64 agent under qemu-user maps the guest's
// libraries beside the emulator's own, with the same file names).
// LATCH_BIN names the server binary (default build/release/src/latch-with-test-hooks); the
// agent is the `latch-agent` beside it. Memory is read from /proc, so the figures are the
// kernel's, not the agent's own estimate.
const fs = require('node:fs');
const path = require('node:path');

process.env.LATCH_BIN ||= path.join(__dirname, '..', 'build', 'release', 'src', 'latch-with-test-hooks');
const { HomeProcesses } = require('../tests/interop/helpers/home_processes');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const COMMANDS = option('commands', 5);
const SETTLE_S = option('settle', 2);
const ROUNDS = option('rounds', 1);
const COMBINED = process.argv.includes('--combined');
const FULL_PATHS = process.argv.includes('--paths');

const kib = (text, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);

// Resident KiB per mapped file (anonymous mappings together), from /proc/PID/smaps.
function residentByMapping(pid) {
  const totals = new Map();
  let name = null;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      name = head[1] ? (FULL_PATHS ? head[1] : path.basename(head[1])) : '[anonymous]';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && name) totals.set(name, (totals.get(name) || 0) + Number(rss[1]));
  }
  return [...totals.entries()].filter(([, k]) => k > 0).sort((a, b) => b[1] - a[1]);
}

async function measure() {
  const env = await HomeProcesses.create();
  try {
    const agent = env.startAgent({ standalone: !COMBINED });
    await agent.connected();
    for (let i = 0; i < COMMANDS; ++i) {
      const r = await env.send('OPEN_DOOR', [String(i)]);
      if (r.code !== 0) throw new Error(`latch send failed: ${r.stderr}`);
    }
    if (env.runs().length !== COMMANDS) throw new Error(`the handler ran ${env.runs().length} times`);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_S * 1000));
    const pid = agent.child.pid;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return {
      rss: kib(status, 'VmRSS'),
      anon: kib(status, 'RssAnon'),
      file: kib(status, 'RssFile'),
      pss: kib(rollup, 'Pss'),
      mappings: residentByMapping(pid),
    };
  } finally {
    await env.close();
  }
}

(async () => {
  const results = [];
  for (let round = 0; round < ROUNDS; ++round) results.push(await measure());
  const what = COMBINED ? 'latch agent' : 'latch-agent';
  for (const r of results) {
    console.log(`${what} after ${COMMANDS} commands: VmRSS ${r.rss} KiB (anon ${r.anon}, file ${r.file}), Pss ${r.pss} KiB`);
  }
  const median = [...results].sort((a, b) => a.rss - b.rss)[Math.floor(results.length / 2)];
  console.log(`resident KiB by mapping (the median round):`);
  for (const [name, k] of median.mappings.slice(0, FULL_PATHS ? 40 : 12)) console.log(`  ${String(k).padStart(6)}  ${name}`);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
