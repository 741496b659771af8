#!/usr/bin/env node
// The Latch relay on Socket.IO 4, for bench/peers/compare.sh: a user's `command` (with ack) is
// relayed to its device's socket as `execute` (with ack, 5 s timeout) and the device's answer
// acked back to the user.
//
//   node socketio_server.js --secret-file F --members-file M [--port 0]
//
// Every socket authenticates in the handshake: `auth.token` is an HS256 JWT verified with the
// secret in F (jsonwebtoken.verify, HS256 only), with `sub` and `role` "user" or "device". A
// user may reach only the devices M lists for it (JSON {"user-0": ["device-0"], ...}): a
// membership check on every command. A device never sends commands. Prints
// `socketio listening on PORT` once it listens (loopback only).
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const jwt = require('jsonwebtoken');
const { Server } = require('socket.io');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const kRelayTimeoutMs = 5000;  // a device that does not answer fails the command, not the server

const secret = fs.readFileSync(arg('secret-file'), 'utf8').trim();
const members = new Map(
  Object.entries(JSON.parse(fs.readFileSync(arg('members-file'), 'utf8')))
    .map(([user, devices]) => [user, new Set(devices)]));
const devices = new Map();  // device name -> its socket

const httpServer = http.createServer();
const io = new Server(httpServer, { transports: ['websocket'], serveClient: false });

io.use((socket, next) => {
  try {
    const claims = jwt.verify(String(socket.handshake.auth?.token ?? ''), secret,
      { algorithms: ['HS256'] });
    if (typeof claims.sub !== 'string' || (claims.role !== 'user' && claims.role !== 'device')) {
      return next(new Error('unauthorized'));
    }
    socket.data.sub = claims.sub;
    socket.data.role = claims.role;
    next();
  } catch {
    next(new Error('unauthorized'));
  }
});

io.on('connection', (socket) => {
  const { sub, role } = socket.data;
  if (role === 'device') {
    devices.get(sub)?.disconnect(true);  // the newest connection of a device wins
    devices.set(sub, socket);
    socket.on('disconnect', () => {
      if (devices.get(sub) === socket) devices.delete(sub);
    });
    socket.on('command', (msg, ack) => typeof ack === 'function' && ack({ status: 'denied' }));
    return;
  }
  const allowed = members.get(sub);
  socket.on('command', (msg, ack) => {
    if (typeof ack !== 'function') return;
    const device = msg?.device;
    if (typeof device !== 'string' || !allowed?.has(device)) {
      return ack({ status: 'denied' });
    }
    const target = devices.get(device);
    if (!target) return ack({ status: 'offline' });
    target.timeout(kRelayTimeoutMs).emit('execute',
      { from: sub, command: msg.command, args: msg.args }, (err, answer) => {
        ack(err ? { status: 'failed', error: 'device timeout' } : answer);
      });
  });
});

httpServer.listen(Number(arg('port', 0)), '127.0.0.1', () => {
  process.stdout.write(`socketio listening on ${httpServer.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
