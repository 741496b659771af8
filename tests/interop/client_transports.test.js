'use strict';
// The C++ client on each of its three transports, end to end with real processes: `latch
// agent` and `latch send` both restricted to one transport (--transport, so nothing falls
// back to another) against `latch serve`, over plain HTTP and over HTTPS (a self-signed
// certificate for 127.0.0.1, trusted with --ca-file). A command runs exactly once and its
// output comes back; a command without a handler fails; idle time across several long-poll
// timeouts changes nothing; the agent rides out a server restart; a stopped agent ends its
// connection at once (for long polling: the DELETE); no log holds the token or the PAT.
// Then `latch send` against a scripted server that frames its answers in every way the
// protocols allow (SSE comments, other fields, data split over lines and events, CR, LF and
// CRLF line ends cut between writes, chunked bodies; records split over polls, empty polls)
// or refuses the transport.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const { makeCertificate } = require('./helpers/certificate');
const { HomeProcesses } = require('./helpers/home_processes');
const { runLatch } = require('./helpers/server');

const TRANSPORTS = ['WebSockets', 'ServerSentEvents', 'LongPolling'];
// Idle long polls are answered (empty) after this long, so a short wait spans several.
const LONG_POLL_TIMEOUT_MS = 300;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function assertNoSecrets(text, env, what) {
  assert.ok(!text.includes(env.device.pat), `the ${what} holds the PAT`);
  const token = JSON.parse(fs.readFileSync(env.tokenFile, 'utf8'));
  assert.ok(!text.includes(token.access_token), `the ${what} holds the access token`);
  assert.ok(!text.includes(token.session_key), `the ${what} holds the session key`);
}

for (const [tls, transport] of [false, true].flatMap((t) => TRANSPORTS.map((x) => [t, x]))) {
  describe(`latch agent and latch send over ${transport}${tls ? ' with TLS' : ''}`, () => {
    let only = ['--transport', transport];
    let certificate;
    let env;
    let agent;
    let sendLogs = '';
    let earlierServerLogs = '';  // of the server before its restart
    const send = async (command, args = [], extra = []) => {
      const r = await env.send(command, args, [...only, ...extra]);
      sendLogs += r.stdout + r.stderr;
      return r;
    };

    before(async () => {
      let tlsToml = '';
      if (tls) {
        certificate = makeCertificate();
        tlsToml = `[tls]\ncert = "${certificate.cert}"\nkey = "${certificate.key}"\n`;
        only = [...only, '--ca-file', certificate.cert];
      }
      env = await HomeProcesses.create({
        commands: 'OPEN_DOOR,LOCK_DOOR',
        extraToml: `${tlsToml}[limits]\nlong_poll_timeout_ms = ${LONG_POLL_TIMEOUT_MS}\n`,
      });
      if (tls) env.url = `https://127.0.0.1:${env.port}`;
      agent = env.startAgent({ handlers: { OPEN_DOOR: env.recorder }, extra: only });
      await agent.connected();
    });
    after(async () => {
      if (env) await env.close();
      if (certificate) fs.rmSync(certificate.dir, { recursive: true, force: true });
    });

    it(`the agent connects over ${transport}`, () => {
      const scheme = tls ? 'https' : 'http';
      assert.match(agent.log, new RegExp(` connected to ${scheme}://.* over ${transport}\\b`),
        agent.log);
    });

    it('runs a command exactly once and prints its output; exit status 0', async () => {
      const before = env.runs().length;
      const r = await send('OPEN_DOOR', ['now']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'ok: did OPEN_DOOR with 1 args\n');
      assert.deepEqual(env.runs().slice(before), ['OPEN_DOOR|now']);
      await sleep(300);
      assert.equal(env.runs().length, before + 1, 'the command ran more than once');
    });

    it('a command without a handler on the device exits 1 with "failed"', async () => {
      const before = env.runs().length;
      const r = await send('LOCK_DOOR');
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^failed: .*no handler for LOCK_DOOR/);
      assert.equal(env.runs().length, before);
    });

    it('stays connected while idle across several long-poll timeouts', async () => {
      await sleep(LONG_POLL_TIMEOUT_MS * 5);
      const before = env.runs().length;
      const r = await send('OPEN_DOOR', ['after', 'idle']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(env.runs().slice(before), ['OPEN_DOOR|after|idle']);
      assert.equal((agent.log.match(/ connected to /g) || []).length, 1, agent.log);
      assert.doesNotMatch(agent.log, /reconnecting/);
    });

    it('commands one after another each run once, in order', async () => {
      const before = env.runs().length;
      for (const n of ['1', '2', '3']) {
        const r = await send('OPEN_DOOR', [n]);
        assert.equal(r.code, 0, r.stderr);
      }
      assert.deepEqual(env.runs().slice(before), ['OPEN_DOOR|1', 'OPEN_DOOR|2', 'OPEN_DOOR|3']);
    });

    it('the agent reconnects after the server restarts, on the same transport', async () => {
      await env.stopServer();
      earlierServerLogs += env.serverLog;
      await env.startServer();
      await agent.connected(2, 20000);
      const before = env.runs().length;
      const r = await send('OPEN_DOOR', ['again']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(env.runs().slice(before), ['OPEN_DOOR|again']);
      assert.equal((agent.log.match(new RegExp(` over ${transport}\\b`, 'g')) || []).length, 2);
    });

    it('a stopped agent ends its connection at once: the device is offline', async () => {
      const { code } = await agent.stop('SIGTERM');
      assert.equal(code, 0, agent.log);
      const started = Date.now();
      const r = await send('OPEN_DOOR', ['gone'], ['--json']);
      assert.equal(r.code, 1);
      assert.equal(JSON.parse(r.stdout).status, 'offline', r.stdout);
      assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
      assert.ok(!env.runs().includes('OPEN_DOOR|gone'));
    });

    it('never logs the PAT, the access token or the session key', () => {
      assertNoSecrets(agent.log, env, 'agent log');
      assertNoSecrets(earlierServerLogs + env.serverLog, env, 'server log');
      assertNoSecrets(sendLogs, env, 'output of latch send');
    });
  });
}

// ---------------------------------------------------------------------------------------
// A scripted SignalR server for `latch send`: negotiate, then one transport (SSE or long
// polling, with HTTP Post). It answers the handshake and the SendCommand invocation as the
// test scripts it, and records every request's method, path and Authorization header.

const RS = '\x1e';
const OUTPUT = 'scripted "output"';
const COMPLETION =
  `{"type":3,"invocationId":"1","result":{"status":"ok","output":${JSON.stringify(OUTPUT)}}}`;

// A token file for `latch send`: an unsigned JWT with an exp (the client only reads exp)
// and a 32-byte session key. The scripted server never verifies either.
function writeFakeTokenFile(dir) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const token = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'alice', exp })}.c2ln`;
  const file = path.join(dir, 'token.json');
  fs.writeFileSync(file, JSON.stringify({
    access_token: token, session_key: Buffer.alloc(32, 7).toString('base64url'),
  }), { mode: 0o600 });
  return { file, token };
}

// `kind` is 'handshake' or 'completion' (the answer to SendCommand):
//   sse: async (res, kind) => writes the bytes answering `kind` on the open event stream;
//   polls: (kind) => the bodies of the next polls, which together answer `kind`;
//   refuse: () => { status, headers, body }, the answer to every GET of the transport;
//   delayMs: how long the completion waits (idle polls are answered empty after 300 ms).
async function startScriptedServer(transport, { sse, polls, refuse, delayMs = 0, offer = [transport] } = {}) {
  const requests = [];
  let emptyPolls = 0;
  let stream = null;       // SSE: the open event stream
  const queued = [];       // long polling: bodies for the next polls
  let waiting = null;      // long polling: the poll being held
  let polled = false;
  const deliver = () => {
    if (waiting && queued.length > 0) {
      const res = waiting;
      waiting = null;
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(queued.shift());
    }
  };
  const answer = async (kind) => {
    if (kind === 'completion') await sleep(delayMs);
    if (transport === 'ServerSentEvents') {
      await sse(stream, kind);
    } else {
      queued.push(...polls(kind));
      deliver();
    }
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const { authorization } = req.headers;
    requests.push({ method: req.method, path: url.pathname, authorization });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', async () => {
      if (url.pathname === '/hubs/command/negotiate') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({
          negotiateVersion: 1, connectionId: 'c1', connectionToken: 'tok-1',
          availableTransports: offer.map((t) => ({ transport: t, transferFormats: ['Text'] })),
        }));
        return;
      }
      if (url.searchParams.get('id') !== 'tok-1') return res.writeHead(404).end();
      if (req.method === 'GET' && refuse) {
        const r = refuse();
        return res.writeHead(r.status, r.headers || {}).end(r.body || '');
      }
      if (req.method === 'GET' && transport === 'ServerSentEvents') {
        res.socket.setNoDelay(true);
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        res.flushHeaders();
        stream = res;
        return;
      }
      if (req.method === 'GET') {
        if (!polled) {  // the first poll starts the transport: answered at once, empty
          polled = true;
          return res.writeHead(200).end();
        }
        if (waiting) waiting.writeHead(204).end();
        waiting = res;
        deliver();
        // Like the server's long-poll timeout: an empty 200 after a while.
        setTimeout(() => {
          if (waiting !== res) return;
          waiting = null;
          emptyPolls += 1;
          res.writeHead(200).end();
        }, 300);
        return;
      }
      if (req.method === 'DELETE') {
        res.writeHead(202).end();
        if (waiting) { waiting.writeHead(204).end(); waiting = null; }
        return;
      }
      res.writeHead(200).end();  // a POST: whole records
      for (const record of body.split(RS).filter((r) => r !== '')) {
        const message = JSON.parse(record);
        if (message.protocol === 'json') await answer('handshake');
        else if (message.type === 1 && message.target === 'SendCommand') await answer('completion');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    emptyPolls: () => emptyPolls,
    close: () => new Promise((resolve) => {
      if (stream) stream.destroy();
      if (waiting) waiting.destroy();
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

// Writes `pieces` one write each, a little apart, so that they reach the client in separate
// reads.
async function writeApart(res, pieces) {
  for (const piece of pieces) {
    res.write(piece);
    await sleep(5);
  }
}

describe('latch send against a scripted server', () => {
  let dir;
  let tokenFile;
  let token;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-scripted-'));
    ({ file: tokenFile, token } = writeFakeTokenFile(dir));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const send = (server, transport) => runLatch(['send', '--server', server.url, '--token-file',
    tokenFile, '--transport', transport, 'h_home', 'd_device', 'OPEN_DOOR']);

  // Every request carried the token, and nothing printed it.
  function assertTokenUse(server, r) {
    assert.ok(server.requests.length >= 2, `${server.requests.length} requests`);
    for (const request of server.requests) {
      assert.equal(request.authorization, `Bearer ${token}`, `${request.method} ${request.path}`);
    }
    assert.ok(!(r.stdout + r.stderr).includes(token), 'the output holds the token');
  }

  it('Server-Sent Events: comments, other fields, data over lines and events, any line end, any cut', async () => {
    const server = await startScriptedServer('ServerSentEvents', {
      sse: async (res, kind) => {
        if (kind === 'handshake') {
          // A comment, an event without data, an empty data field alone, then the answer
          // without the optional space, its CRLF cut between two writes.
          await writeApart(res, [': hello\r\n', 'retry: 1000\r\n\r\n', 'data\n\n', 'data:{}', `${RS}\r`, '\n\r\n']);
          return;
        }
        // Messages the client must parse before the completion (a garbled one would end the
        // connection): an event over two data lines (joined with "\n", JSON whitespace)
        // among other fields; a Ping cut over two events with CR-only line ends, a comment
        // and a field name too long to be "data"; then the completion over two CRLF data
        // lines. Written three bytes at a time.
        const notice = '{"type":1,"target":"Notice","arguments":["a","b"]}';
        const at = notice.indexOf(',"arguments"') + 1;
        const cut = COMPLETION.indexOf(',"result"') + 1;
        const bytes = `event: message\nid: 7\ndata: ${notice.slice(0, at)}\ndata: ${notice.slice(at)}${RS}\n\n`
          + `datadatadatadatadatadata: not json\r: comment\rdata: {"type"\r\rdata: :6}${RS}\r\r`
          + `data: ${COMPLETION.slice(0, cut)}\r\ndata: ${COMPLETION.slice(cut)}${RS}\r\n\r\n`;
        await writeApart(res, bytes.match(/[\s\S]{1,3}/g));
      },
    });
    try {
      const r = await send(server, 'ServerSentEvents');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `ok: ${OUTPUT}\n`);
      assertTokenUse(server, r);
      // negotiate, the event stream, the handshake, the invocation (and maybe a Ping).
      assert.deepEqual(server.requests.slice(0, 4).map((q) => q.method), ['POST', 'GET', 'POST', 'POST']);
      assert.ok(!server.requests.some((q) => q.method === 'DELETE'), 'a DELETE for SSE');
    } finally {
      await server.close();
    }
  });

  it('long polling: an empty first poll, empty polls, records split over polls, DELETE at the end', async () => {
    const server = await startScriptedServer('LongPolling', {
      polls: (kind) => (kind === 'handshake'
        ? ['{', `}${RS}`]
        : [`{"type":6}${RS}${COMPLETION.slice(0, 10)}`, `${COMPLETION.slice(10)}${RS}`]),
      delayMs: 800,
    });
    try {
      const r = await send(server, 'LongPolling');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `ok: ${OUTPUT}\n`);
      assertTokenUse(server, r);
      assert.ok(server.emptyPolls() >= 1, 'no poll was answered empty');
      assert.equal(server.requests.at(-1).method, 'DELETE');
    } finally {
      await server.close();
    }
  });

  it('falls back from a WebSocket upgrade that fails, and skips transports the server does not offer', async () => {
    // WebSockets offered but the upgrade is dropped (no upgrade handler); SSE not offered.
    const server = await startScriptedServer('LongPolling', {
      polls: (kind) => (kind === 'handshake' ? [`{}${RS}`] : [`${COMPLETION}${RS}`]),
      offer: ['WebSockets', 'LongPolling'],
    });
    try {
      const r = await runLatch(['send', '--server', server.url, '--token-file', tokenFile,
        'h_home', 'd_device', 'OPEN_DOOR']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `ok: ${OUTPUT}\n`);
      const negotiates = server.requests.filter((q) => q.path === '/hubs/command/negotiate');
      assert.equal(negotiates.length, 2, 'one negotiate per transport tried');
      assert.ok(server.requests.some((q) => q.method === 'GET' && q.path === '/hubs/command'));
      assert.equal(server.requests.at(-1).method, 'DELETE');
    } finally {
      await server.close();
    }
  });

  for (const transport of ['ServerSentEvents', 'LongPolling']) {
    it(`${transport}: a refused GET says why, without the token`, async () => {
      const server = await startScriptedServer(transport, {
        refuse: () => ({ status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The token expired"' } }),
      });
      try {
        const r = await send(server, transport);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^latch send: .*HTTP 401 \(The token expired\)\n$/);
        assertTokenUse(server, r);
      } finally {
        await server.close();
      }
    });

    it(`${transport}: a GET refused with 404 fails the send`, async () => {
      const server = await startScriptedServer(transport, {
        refuse: () => ({ status: 404, body: 'No Connection with that ID' }),
      });
      try {
        const r = await send(server, transport);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^latch send: .*HTTP 404\n$/);
      } finally {
        await server.close();
      }
    });
  }
});
