// IPv4 arithmetic for subnets, gateways and leases: addresses as unsigned 32-bit
// numbers, CIDRs as [base, prefix].
import { InvalidArgument } from '../errors.js';
import { isIpv4 } from './ports.js';

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  base: number;
  prefix: number;
}

/** `10.78.0.0/24`; the base must be the network address, as docker requires. */
export function parseCidr(s: string): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s);
  if (!m || !isIpv4(m[1]) || Number(m[2]) > 32) throw new InvalidArgument(`invalid subnet ${s}: not an IPv4 CIDR`);
  const prefix = Number(m[2]);
  const base = ipToInt(m[1]);
  if (prefix < 8 || prefix > 30) throw new InvalidArgument(`invalid subnet ${s}: the prefix length must be between 8 and 30`);
  if ((base & mask(prefix)) >>> 0 !== base) throw new InvalidArgument(`invalid subnet ${s}: host bits are set (did you mean ${intToIp((base & mask(prefix)) >>> 0)}/${prefix}?)`);
  return { base, prefix };
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}

export function contains(c: Cidr, ip: number): boolean {
  return (ip & mask(c.prefix)) >>> 0 === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.base & mask(p)) >>> 0 === (b.base & mask(p)) >>> 0;
}

/** First and last addresses a container may get (network and broadcast excluded). */
export function hostRange(c: Cidr): [number, number] {
  const size = 2 ** (32 - c.prefix);
  return [c.base + 1, c.base + size - 2];
}

/** The host's IPv4 routes (destination CIDRs) in the current network namespace, from /proc/net/route. */
export function hostRoutes(routeFile: string, read: (f: string) => string): Cidr[] {
  let text: string;
  try {
    text = read(routeFile);
  } catch {
    return [];
  }
  const out: Cidr[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    // Little-endian hex on x86 and arm64 (the kernel prints the __be32 as a host int).
    const le = (h: string) => (((parseInt(h, 16) >>> 0) & 255) << 24 | ((parseInt(h, 16) >>> 8) & 255) << 16 | ((parseInt(h, 16) >>> 16) & 255) << 8 | ((parseInt(h, 16) >>> 24) & 255)) >>> 0;
    const dest = le(f[1]);
    const m = le(f[7]);
    if (m === 0) continue; // the default route overlaps everything; it is not a conflict
    let prefix = 0;
    while (prefix < 32 && (m & (0x80000000 >>> prefix)) !== 0) prefix++;
    out.push({ base: dest, prefix });
  }
  return out;
}
