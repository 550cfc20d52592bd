// A self-signed X.509 certificate built with node:crypto alone (Node can sign but
// not issue certificates, and the CI image need not have openssl): DER by hand,
// ECDSA P-256. Used for the registry's token-signing root and a TLS test server.
import { createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const int = (b: Buffer) => tlv(0x02, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const bits = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const octets = (b: Buffer) => tlv(0x04, b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));

function oid(s: string): Buffer {
  const parts = s.split('.').map(Number);
  const out = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const b: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

export interface SelfSigned {
  key: KeyObject;
  keyPem: string;
  certPem: string;
  certDer: Buffer;
}

/** A self-signed CA-capable certificate for `cn`, valid from an hour ago for a day,
 * with subjectAltName IP:127.0.0.1 and DNS:localhost. */
export function selfSignedCert(cn = 'hutch-test', key?: KeyObject): SelfSigned {
  const priv = key ?? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const pub = createPublicFrom(priv);
  const name = seq(set(seq(oid('2.5.4.3'), utf8(cn))));
  const now = Date.now();
  const san = seq(tlv(0x82, Buffer.from('localhost')), tlv(0x87, Buffer.from([127, 0, 0, 1])));
  const extensions = tlv(
    0xa3,
    seq(
      seq(oid('2.5.29.19'), bool(true), octets(seq(bool(true)))), // basicConstraints CA:TRUE
      seq(oid('2.5.29.15'), bool(true), octets(bits(Buffer.from([0x86])))), // keyUsage digitalSignature, keyCertSign, cRLSign
      seq(oid('2.5.29.17'), octets(san)),
    ),
  );
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(randomBytes(8)),
    ECDSA_SHA256,
    name,
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 86400_000))),
    name,
    pub,
    extensions,
  );
  const sig = sign('sha256', tbs, priv);
  const certDer = seq(tbs, ECDSA_SHA256, bits(sig));
  const certPem = `-----BEGIN CERTIFICATE-----\n${certDer.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  return { key: priv, keyPem: priv.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem, certDer };
}

/** The key pair's SubjectPublicKeyInfo, as DER. */
function createPublicFrom(priv: KeyObject): Buffer {
  return createPublicKey(priv).export({ type: 'spki', format: 'der' });
}
