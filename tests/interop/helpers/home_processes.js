'use strict';
// Real processes for end-to-end tests of the C++ client side: a `latch serve` that can be
// stopped and started again on the same port and data directory, `latch agent` with a
// handler script that records each run, and `latch send`.
//
//   const env = await HomeProcesses.create({ commands: 'OPEN_DOOR,LOCK_DOOR' });
//   const agent = env.startAgent({ handlers: { OPEN_DOOR: env.recorder } });
//   await agent.connected();
//   const r = await env.send('OPEN_DOOR', ['a']);   // { code, stdout, stderr }
//   await env.close();
const { execFile, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { latchBin } = require('./server');

const START_TIMEOUT_MS = 15000;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function run(args, options = {}) {
  return new Promise((resolve) => {
    execFile(latchBin(), args, { timeout: 60000, ...options }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? error.signal) : 0, stdout, stderr });
    });
  });
}

// Waits until `predicate(text)` holds for the output collected so far, or fails after `ms`.
function waitForOutput(getText, predicate, ms, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const text = getText();
      if (predicate(text)) return resolve(text);
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}:\n${text}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

// `latch-agent` (the agent alone, for the hub), built next to the server binary.
function agentBin() {
  return path.join(path.dirname(latchBin()), 'latch-agent');
}

class AgentProcess {
  // `standalone`: run `latch-agent ARGS` instead of `latch agent ARGS`.
  constructor(args, standalone = false) {
    this.log = '';
    this.child = standalone
      ? spawn(agentBin(), args, { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(latchBin(), ['agent', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr.on('data', (chunk) => { this.log += chunk; });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  // Resolves once the agent has logged its `n`th connection.
  connected(n = 1, ms = START_TIMEOUT_MS) {
    return waitForOutput(() => this.log, (t) => (t.match(/ connected to /g) || []).length >= n, ms,
      `agent connection #${n}`);
  }

  waitForLog(pattern, ms = START_TIMEOUT_MS) {
    return waitForOutput(() => this.log, (t) => pattern.test(t), ms, `agent log ${pattern}`);
  }

  async stop(signal = 'SIGTERM') {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

class HomeProcesses {
  // `deviceArgs`: extra flags for `latch device add` (argument rules: ['--args', 'X=int']).
  static async create({ commands = 'OPEN_DOOR,LOCK_DOOR', extraToml = '', deviceArgs = [] } = {}) {
    const env = new HomeProcesses();
    env.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-home-'));
    env.dataDir = path.join(env.dir, 'data');
    env.configFile = path.join(env.dir, 'latch.toml');
    fs.writeFileSync(env.configFile, extraToml);
    env.port = await freePort();
    env.url = `http://127.0.0.1:${env.port}`;
    env.agents = [];
    await env.startServer();
    env.home = await env.latchJson(['home', 'add', 'Test home', '--owner', 'alice']);
    env.device = await env.latchJson(['device', 'add', env.home.id, 'front-door', '--commands', commands,
      ...deviceArgs]);
    env.patFile = env.privateFile('pat', env.device.pat);
    env.tokenFile = env.privateFile('alice.json',
      (await env.latch(['token', 'issue', '--sub', 'alice', '--role', 'user', '--ttl', '1h'])).stdout);
    env.runsFile = path.join(env.dir, 'runs.log');
    // Records "COMMAND|arg1|arg2..." per run, then prints what it did. The agent puts `--`
    // before the arguments (the handler contract): recorded as "--|" when it is there.
    env.recorder = env.script('record.sh', `#!/bin/sh
line="$LATCH_COMMAND"
[ "$1" = "--" ] && shift || line="$line|(no --)"
for a in "$@"; do line="$line|$a"; done
printf '%s\\n' "$line" >> '${env.runsFile}'
echo "did $LATCH_COMMAND with $# args"
`);
    return env;
  }

  privateFile(name, content) {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, content, { mode: 0o600 });
    return file;
  }

  script(name, content) {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, content, { mode: 0o755 });
    return file;
  }

  latch(args) {
    return run([...args, '--data', this.dataDir, '--config', this.configFile]);
  }

  async latchJson(args) {
    const r = await this.latch([...args, '--json']);
    if (r.code !== 0) throw new Error(`latch ${args.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  async startServer() {
    this.serverLog = '';
    this.server = spawn(latchBin(), ['serve', '--data', this.dataDir, '--config', this.configFile,
      '--listen', `127.0.0.1:${this.port}`, '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.server.stdout.on('data', (chunk) => { this.serverLog += chunk; });
    this.server.stderr.on('data', (chunk) => { this.serverLog += chunk; });
    this.serverExited = new Promise((resolve) => this.server.once('exit', (code, signal) => resolve(code ?? signal)));
    await waitForOutput(() => this.serverLog, (t) => /latch listening on/.test(t), START_TIMEOUT_MS,
      'latch serve to listen');
  }

  // Resolves to the exit status (or the signal that ended it).
  async stopServer() {
    this.server.kill('SIGTERM');
    return this.serverExited;
  }

  // The recorded runs, one "COMMAND|args..." string each.
  runs() {
    return fs.existsSync(this.runsFile)
      ? fs.readFileSync(this.runsFile, 'utf8').split('\n').filter((l) => l !== '') : [];
  }

  // `server`: where the agent connects (by default the server itself; a proxy, say).
  startAgent({ handlers = { OPEN_DOOR: this.recorder }, extra = [], patFile = this.patFile,
    server = this.url, standalone = false } = {}) {
    const args = ['--server', server, '--device', this.device.id, '--pat-file', patFile, ...extra];
    for (const [command, file] of Object.entries(handlers)) args.push('--handler', `${command}=${file}`);
    const agent = new AgentProcess(args, standalone);
    this.agents.push(agent);
    return agent;
  }

  send(command, args = [], extra = []) {
    return run(['send', '--server', this.url, '--token-file', this.tokenFile, ...extra,
      this.home.id, this.device.id, command, ...args]);
  }

  // Stops what still runs with SIGTERM and checks that each exits cleanly (status 0), so a
  // sanitizer report at exit, or a crash on shutdown, fails the test instead of vanishing.
  async close() {
    const problems = [];
    await Promise.all(this.agents.map(async (a) => {
      const running = a.child.exitCode === null && a.child.signalCode === null;
      const { code, signal } = await a.stop('SIGTERM');
      if (running && code !== 0) problems.push(`an agent exited with ${code ?? signal} on SIGTERM:\n${a.log}`);
      if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(a.log)) problems.push(`an agent's sanitizer report:\n${a.log}`);
    }));
    if (this.server.exitCode === null && this.server.signalCode === null) {
      const code = await this.stopServer();
      if (code !== 0) problems.push(`the server exited with ${code} on SIGTERM:\n${this.serverLog}`);
    }
    if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(this.serverLog)) {
      problems.push(`the server's sanitizer report:\n${this.serverLog}`);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (problems.length) throw new Error(problems.join('\n'));
  }
}

module.exports = { HomeProcesses, freePort, waitForOutput, agentBin };
