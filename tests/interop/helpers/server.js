'use strict';
// Starts the Latch server binary (with test hooks) for one test file or suite.
//
//   const server = await startServer({ keepalive_interval_ms: 1000 });
//   server.port, server.url (http://127.0.0.1:PORT), server.hubUrl (.../hubs/command)
//   await server.stop();  // SIGTERM, waits for exit, removes the temporary files
//
// The binary comes from env LATCH_BIN, by default build/release/src/latch-with-test-hooks
// relative to the repository root. Set LATCH_INTEROP_DEBUG=1 to run the server with
// --log-level debug and print its stderr when it stops.
const { execFile, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const DEFAULT_BIN = path.join(REPO_ROOT, 'build', 'release', 'src', 'latch-with-test-hooks');
const LISTEN_RE = /latch listening on http:\/\/127\.0\.0\.1:(\d+)\/hubs\/command/;
const START_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 5000;
const DEBUG = !!process.env.LATCH_INTEROP_DEBUG;

// The default token of each running server, by port: helpers attach it to every request
// (the server authenticates every one), unless a test asks for none.
const defaultTokens = new Map();

// The default token of the server that `url` points at, or undefined.
function tokenFor(url) {
  const m = /:(\d+)\//.exec(String(url) + '/');
  return m ? defaultTokens.get(Number(m[1])) : undefined;
}

// Mints a Latch access token with jose (an implementation independent of the server) and
// the HS256 key the test put in the server's data directory.
// `issuedAt` (seconds) moves iat, e.g. past a subject revocation made in the same second.
// `secret`: the HS256 key bytes, or a private KeyObject for alg EdDSA/ES256.
async function mintToken(secret, { sub = 'interop-user', roles = ['user'], ttlSeconds = 3600,
  expiresAt, issuedAt, kid = 'latch-hs256', alg = 'HS256', issuer = 'latch', audience = 'latch',
  claims = {} } = {}) {
  const jose = await import('jose');
  const now = issuedAt ?? Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ roles, ...claims })
    .setProtectedHeader({ alg, typ: 'JWT', kid })
    .setIssuer(issuer).setAudience(audience).setSubject(sub)
    .setIssuedAt(now).setNotBefore(Math.min(now, Math.floor(Date.now() / 1000)))
    .setExpirationTime(expiresAt ?? now + ttlSeconds)
    .setJti(crypto.randomBytes(16).toString('base64url'))
    .sign(secret);
}

function latchBin() {
  return process.env.LATCH_BIN || DEFAULT_BIN;
}

// Runs the latch binary with `args`; resolves to { code, stdout, stderr }.
function runLatch(args) {
  return new Promise((resolve) => {
    execFile(latchBin(), args, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

// The [limits] table for `limits` ({ key: whole number }).
function limitsToml(limits) {
  const lines = ['[limits]'];
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value)) throw new TypeError(`limit ${key} must be a whole number`);
    lines.push(`${key} = ${value}`);
  }
  return lines.join('\n') + '\n';
}

// `extraToml`: top-level settings written before the [limits] table.
// `defaultTokenOptions`: how the default token is minted (see mintToken), e.g. another issuer.
async function startServer(limits = {}, { logLevel, extraToml = '', defaultTokenOptions } = {}) {
  const bin = latchBin();
  if (!fs.existsSync(bin)) {
    throw new Error(`Latch binary not found at ${bin} (set LATCH_BIN)`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-interop-'));
  const dataDir = path.join(tmp, 'data');
  fs.mkdirSync(dataDir, { mode: 0o700 });
  // The token key, chosen by the test so that jose can mint tokens the server accepts.
  const secret = crypto.randomBytes(32);
  fs.writeFileSync(path.join(dataDir, 'jwt-hs256.key'), secret.toString('base64url') + '\n',
    { mode: 0o600 });
  const configFile = path.join(tmp, 'latch.toml');
  fs.writeFileSync(configFile, extraToml + '\n' + limitsToml(limits));

  const level = logLevel || (DEBUG ? 'debug' : 'warn');
  const child = spawn(
    bin,
    ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--config', configFile,
      '--log-level', level],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  child.stdout.setEncoding('utf8');

  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not print its address within ${START_TIMEOUT_MS} ms\n` +
        `stdout: ${stdout}\nstderr: ${stderr}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk) => {
      stdout += chunk;
      const m = LISTEN_RE.exec(stdout);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume();  // keep draining
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${code}, signal ${signal})\n` +
        `stdout: ${stdout}\nstderr: ${stderr}`));
    });
  }).catch(async (err) => {
    child.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  });

  const url = `http://127.0.0.1:${port}`;
  const token = await mintToken(secret, defaultTokenOptions);
  defaultTokens.set(port, token);
  let stopping = null;
  return {
    port,
    // A valid token for 'interop-user' (role user), used by the helpers by default.
    token,
    // Mints another token: { sub, roles, ttlSeconds, expiresAt, issuedAt, issuer, audience,
    // claims }, with the HS256 key, or with { key, kid, alg } for a configured key pair.
    mintToken: (options = {}) => mintToken(options.key ?? secret, options),
    dataDir,
    url,
    hubUrl: `${url}/hubs/command`,
    wsUrl: `ws://127.0.0.1:${port}/hubs/command`,
    stderr: () => stderr,
    // True while the process runs: a test can check that bad input crashed nothing.
    alive: () => child.exitCode === null && child.signalCode === null,
    // Stops the server; resolves to { code, signal } of its exit.
    stop() {
      if (stopping) return stopping;
      stopping = (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        const result = await exited;
        clearTimeout(timer);
        defaultTokens.delete(port);
        fs.rmSync(tmp, { recursive: true, force: true });
        if (DEBUG && stderr) process.stderr.write(`--- latch stderr (port ${port}) ---\n${stderr}`);
        return result;
      })();
      return stopping;
    },
  };
}

// For after() hooks: checks that the server survived the tests, stops it and checks that it
// exited cleanly on SIGTERM.
async function stopServer(server) {
  if (!server) return;
  const wasAlive = server.alive();
  const { code, signal } = await server.stop();
  if (!wasAlive) throw new Error(`the server died during the tests:\n${server.stderr()}`);
  if (code !== 0) {
    throw new Error(`the server exited with code ${code} (signal ${signal}) on SIGTERM:\n${server.stderr()}`);
  }
}

module.exports = { startServer, stopServer, latchBin, runLatch, tokenFor, REPO_ROOT };
