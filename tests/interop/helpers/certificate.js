'use strict';
// A self-signed certificate for IP 127.0.0.1 and its key (openssl), in a new temporary
// directory: { dir, cert, key }. Remove `dir` when done.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function makeCertificate() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec',
    '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
  { stdio: 'ignore' });
  fs.chmodSync(key, 0o600);
  return { dir, cert, key };
}

module.exports = { makeCertificate };
