'use strict';
// A TCP link between a client and a server on loopback that can go dark, as a home network
// does when the router drops: while down, nothing passes either way on open connections (no
// FIN, no RST: the bytes are held, as TCP would retransmit them) and new connections are
// accepted but get no answer. When it comes back, connections from before the outage are cut
// (their peers gave up on them long ago) and new ones pass again. It can also be slow: with
// slow(ms), each chunk either way is held a random 0..ms before it passes, in order.
//
//   const link = await FlakyLink.start(targetPort);  link.url -> http://127.0.0.1:PORT
//   link.down(); ...; link.up();  link.slow(200); ...; link.slow(0);  await link.close();
const net = require('node:net');

class FlakyLink {
  static async start(targetPort) {
    const link = new FlakyLink(targetPort);
    await new Promise((resolve) => link.server.listen(0, '127.0.0.1', resolve));
    link.url = `http://127.0.0.1:${link.server.address().port}`;
    return link;
  }

  constructor(targetPort) {
    this.targetPort = targetPort;
    this.isDown = false;
    this.delayMs = 0;         // the longest hold of a chunk (slow); 0: none
    this.pairs = new Set();   // [client, upstream] that pass data
    this.held = new Set();    // sockets caught by an outage
    this.accepted = 0;        // connections accepted, down or up
    this.server = net.createServer((client) => this.onClient(client));
  }

  onClient(client) {
    this.accepted += 1;
    client.on('error', () => {});
    if (this.isDown) {
      client.pause();
      this.held.add(client);
      return;
    }
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair = [client, upstream];
    pair.open = true;
    this.pairs.add(pair);
    const forget = () => { pair.open = false; this.pairs.delete(pair); client.destroy(); upstream.destroy(); };
    client.on('close', forget);
    upstream.on('close', forget);
    this.forward(client, upstream, pair);
    this.forward(upstream, client, pair);
  }

  // Copies `from` to `to`, each chunk held a random 0..delayMs when the link is slow, never
  // overtaking the one before it; the end follows the last chunk. Nothing more passes once
  // the pair is caught by an outage (its sockets are cut when the link comes back).
  forward(from, to, pair) {
    let releaseAt = 0;
    const later = (action) => {
      const now = Date.now();
      releaseAt = Math.max(releaseAt, now + Math.random() * this.delayMs);
      if (releaseAt <= now) return action();
      setTimeout(() => { if (pair.open) action(); }, releaseAt - now);
    };
    from.on('data', (chunk) => { if (pair.open) later(() => to.write(chunk)); });
    from.on('end', () => { if (pair.open) later(() => to.end()); });
  }

  // Each chunk from now on is held up to `ms` (0: passes at once).
  slow(ms) {
    this.delayMs = ms;
  }

  // Nothing passes from now on.
  down() {
    this.isDown = true;
    for (const pair of this.pairs) {
      const [client, upstream] = pair;
      pair.open = false;
      client.pause();
      upstream.pause();
      this.held.add(client);
      this.held.add(upstream);
    }
    this.pairs.clear();
  }

  // New connections pass again; the ones caught by the outage are cut.
  up() {
    this.isDown = false;
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }

  async close() {
    this.up();
    for (const [client, upstream] of this.pairs) { client.destroy(); upstream.destroy(); }
    await new Promise((resolve) => this.server.close(resolve));
  }
}

module.exports = { FlakyLink };
