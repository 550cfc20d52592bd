// The /etc/hosts and /etc/resolv.conf a container gets (bind-mounted from its
// bundle, as docker does).
import fs from 'node:fs';
import type { ContainerSpec, Endpoint } from '../types.js';

/** /etc/hosts: localhost, the container's own name on its address, --add-host lines. */
export function hostsFile(hostname: string, e: Endpoint | undefined, addHosts: readonly string[] = []): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const h of addHosts) {
    const i = h.indexOf(':');
    lines.push(`${h.slice(i + 1)}\t${h.slice(0, i)}`);
  }
  lines.push(e ? `${e.ipAddress}\t${hostname}` : `127.0.1.1\t${hostname}`);
  return lines.join('\n') + '\n';
}

/**
 * /etc/resolv.conf: the host's, without nameservers on 127.0.0.0/8 (the host's
 * loopback is not the container's: systemd-resolved's 127.0.0.53 cannot be
 * reached), then systemd-resolved's upstream list, then Google's as docker falls
 * back to. `--dns`, `--dns-search` and `--dns-option` replace their parts.
 */
export function resolvConf(spec: Pick<ContainerSpec, 'dns' | 'dnsSearch' | 'dnsOptions'>, host: string, upstream: string, embedded = false): string {
  const parse = (text: string) => {
    const ns: string[] = [];
    const search: string[] = [];
    const options: string[] = [];
    for (const raw of text.split('\n')) {
      const f = raw.trim().split(/\s+/);
      if (f[0] === 'nameserver' && f[1]) ns.push(f[1]);
      else if ((f[0] === 'search' || f[0] === 'domain') && f.length > 1) search.splice(0, search.length, ...f.slice(1));
      else if (f[0] === 'options') options.push(...f.slice(1));
    }
    return { ns, search, options };
  };
  const h = parse(host);
  const reachable = (list: string[]) => list.filter((n) => !n.startsWith('127.') && n !== '::1');
  let ns = reachable(h.ns);
  if (ns.length === 0) ns = reachable(parse(upstream).ns);
  if (ns.length === 0) ns = ['8.8.8.8', '8.8.4.4'];
  // On a user network the monitor answers on 127.0.0.11 (names there, the rest
  // forwarded to --dns or the host's servers), as docker's embedded DNS does.
  const nameservers = embedded ? ['127.0.0.11'] : spec.dns?.length ? spec.dns : ns;
  const search = spec.dnsSearch?.length ? spec.dnsSearch.filter((s) => s !== '.') : h.search;
  const options = spec.dnsOptions?.length ? spec.dnsOptions : embedded ? ['ndots:0', ...h.options.filter((o) => !o.startsWith('ndots:'))] : h.options;
  return [
    ...(search.length ? [`search ${search.join(' ')}`] : []),
    ...nameservers.map((n) => `nameserver ${n}`),
    ...(options.length ? [`options ${options.join(' ')}`] : []),
  ].join('\n') + '\n';
}

/** The host's resolver files, read once per container: /etc/resolv.conf and
 * systemd-resolved's upstream list ('' for a file that is not there). */
export function readHostResolv(): { host: string; upstream: string } {
  const read = (f: string) => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };
  return { host: read('/etc/resolv.conf'), upstream: read('/run/systemd/resolve/resolv.conf') };
}
