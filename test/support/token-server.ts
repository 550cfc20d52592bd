// A tiny token server for the registry's bearer auth (distribution's token spec):
// GET /token?service=…&scope=… with basic credentials → a JWT (ES256, the signing
// certificate in its x5c header) granting the scopes asked for. Wrong credentials
// get 401; no credentials get a token granting nothing, as Docker Hub's anonymous
// tokens do for private repositories.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, sign } from 'node:crypto';
import { selfSignedCert, type SelfSigned } from './x509.js';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  cert: SelfSigned;
  /** Every request: scopes asked, user ('' when anonymous), status answered. */
  requests: { scopes: string[]; user: string; status: number }[];
  close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export async function startTokenServer(users: Record<string, string>, opts: { lifetimeS?: number } = {}): Promise<TokenServer> {
  const cert = selfSignedCert('hutch-test-token-signer');
  const service = 'hutch-test-registry';
  const issuer = 'hutch-test-issuer';
  const requests: TokenServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope');
    let user = '';
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Basic ')) {
      const plain = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const colon = plain.indexOf(':');
      const [u, p] = [plain.slice(0, colon), plain.slice(colon + 1)];
      if (users[u] === undefined || users[u] !== p) {
        requests.push({ scopes, user: u, status: 401 });
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
        return;
      }
      user = u;
    }
    const access = user
      ? scopes.map((s) => {
          const [type, ...rest] = s.split(':');
          const actions = rest.pop()!.split(',');
          return { type, name: rest.join(':'), actions };
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const lifetime = opts.lifetimeS ?? 300;
    const header = { typ: 'JWT', alg: 'ES256', x5c: [cert.certDer.toString('base64')] };
    const claims = { iss: issuer, sub: user, aud: service, exp: now + lifetime, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = sign('sha256', Buffer.from(input), { key: cert.key, dsaEncoding: 'ieee-p1363' });
    requests.push({ scopes, user, status: 200 });
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ token: `${input}.${b64url(sig)}`, expires_in: lifetime, issued_at: new Date(now * 1000).toISOString() }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    cert,
    requests,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
