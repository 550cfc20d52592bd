// A small HTTP proxy in front of the test registry, to see and disturb what
// hutch sends: it counts the body bytes of blob downloads, can answer the first
// N requests with an error status, can always answer one status, and can
// throttle blob downloads so a test can kill a pull half way.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyOptions {
  /** Answer this many requests (that `match`) with `failStatus` before passing any through. */
  failFirst?: number;
  failStatus?: number;
  /** Headers sent with the failures (e.g. Retry-After). */
  failHeaders?: Record<string, string>;
  /** Which requests the failures apply to (default: all). */
  match?: (method: string, url: string) => boolean;
  /** Bytes per second for blob download bodies (default unthrottled). */
  blobRate?: number;
  /** Cut the connection of the next GET whose URL contains `url` after `after` body bytes (once). */
  cut?: { url: string; after: number };
}

export interface Proxy {
  host: string;
  url: string;
  /** method + url + status of every request, in order. */
  requests: { method: string; url: string; status: number; range?: string }[];
  /** Body bytes sent for GET /v2/…/blobs/… responses. */
  blobBytes(): number;
  failed(): number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startProxy(target: string, o: ProxyOptions = {}): Promise<Proxy> {
  const t = new URL(target);
  const requests: Proxy['requests'] = [];
  let blobBytes = 0;
  let failed = 0;
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const entry: Proxy['requests'][number] = { method, url, status: 0, range: req.headers.range };
    requests.push(entry);
    if ((o.failFirst ?? 0) > failed && (!o.match || o.match(method, url))) {
      failed++;
      entry.status = o.failStatus ?? 503;
      req.resume();
      res.writeHead(entry.status, { 'content-type': 'application/json', ...o.failHeaders });
      res.end('{"errors":[{"code":"UNAVAILABLE","message":"proxy says no"}]}');
      return;
    }
    const up = http.request(
      { host: t.hostname, port: t.port, method, path: url, headers: req.headers },
      async (ur) => {
        entry.status = ur.statusCode ?? 0;
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        const isBlob = method === 'GET' && /\/blobs\/sha256:/.test(url);
        const cutAt = method === 'GET' && o.cut && url.includes(o.cut.url) ? o.cut.after : undefined;
        if (cutAt !== undefined) o.cut = undefined;
        let sent = 0;
        try {
          for await (const chunk of ur as AsyncIterable<Buffer>) {
            if (isBlob && o.blobRate) {
              for (let i = 0; i < chunk.length; i += 4096) {
                const piece = chunk.subarray(i, i + 4096);
                if (!res.write(piece)) await new Promise((r) => res.once('drain', r));
                blobBytes += piece.length;
                await sleep((piece.length / o.blobRate) * 1000);
                if (res.destroyed) return;
              }
            } else {
              const piece = cutAt !== undefined ? chunk.subarray(0, Math.max(0, cutAt - sent)) : chunk;
              if (isBlob) blobBytes += piece.length;
              sent += piece.length;
              if (piece.length && !res.write(piece)) await new Promise((r) => res.once('drain', r));
              if (cutAt !== undefined && sent >= cutAt) {
                entry.status = -1; // cut
                await new Promise((r) => setTimeout(r, 20));
                res.destroy();
                ur.destroy();
                return;
              }
            }
            if (res.destroyed) return;
          }
          res.end();
        } catch {
          res.destroy();
        }
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    blobBytes: () => blobBytes,
    failed: () => failed,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
