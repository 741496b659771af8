'use strict';
// A TCP link between a client and a server on loopback that can go dark, as a home network
// does when the router drops: while down, nothing passes either way on open connections (no
// FIN, no RST: the bytes are held, as TCP would retransmit them) and new connections are
// accepted but get no answer. When it comes back, connections from before the outage are cut
// (their peers gave up on them long ago) and new ones pass again.
//
//   const link = await FlakyLink.start(targetPort);  link.url -> http://127.0.0.1:PORT
//   link.down(); ...; link.up();  await link.close();
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
    this.pairs.add(pair);
    const forget = () => { this.pairs.delete(pair); client.destroy(); upstream.destroy(); };
    client.on('close', forget);
    upstream.on('close', forget);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  // Nothing passes from now on.
  down() {
    this.isDown = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
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
