// Published ports: docker's `-p [IP:][HOSTPORT:]CONTAINERPORT[/PROTO]` (with ranges)
// parsed into one mapping per port, and the text `hutch port` / `ps` print.
import { InvalidArgument } from '../errors.js';

export type PortProtocol = 'tcp' | 'udp';

export interface PortMapping {
  /** '0.0.0.0' for every address of the host. */
  hostIp: string;
  /** 0 until the engine picks a free port (`-p 80`, `-P`). */
  hostPort: number;
  containerPort: number;
  protocol: PortProtocol;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(s: string): boolean {
  return IPV4.test(s);
}

/** `8000` or `8000-8002` → [first, last]; `what` names the field in the error, as docker does. */
function portRange(s: string, what: string): [number, number] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || lo < 1 || hi > 65535 || hi < lo) throw new InvalidArgument(`invalid ${what}: ${s}`);
  return [lo, hi];
}

/** One `-p` value → its mappings (one per port of a range). */
export function parsePublish(value: string): PortMapping[] {
  let rest = value;
  let protocol: PortProtocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') throw new InvalidArgument(`invalid proto: ${rest.slice(slash + 1)}`);
    protocol = p;
    rest = rest.slice(0, slash);
  }
  const parts = rest.split(':');
  if (parts.length > 3) throw new InvalidArgument(`invalid publish spec: ${value}`);
  const ctr = parts.pop() ?? '';
  const host = parts.length > 0 ? (parts.pop() ?? '') : '';
  let hostIp = parts.length > 0 ? (parts.pop() ?? '') : '0.0.0.0';
  if (hostIp.startsWith('[')) throw new InvalidArgument(`IPv6 host addresses are not supported yet: ${value}`);
  if (hostIp === '') hostIp = '0.0.0.0';
  if (!isIpv4(hostIp)) throw new InvalidArgument(`invalid IP address: ${hostIp}`);
  const [cLo, cHi] = portRange(ctr, 'containerPort');
  const out: PortMapping[] = [];
  if (host === '') {
    for (let p = cLo; p <= cHi; p++) out.push({ hostIp, hostPort: 0, containerPort: p, protocol });
    return out;
  }
  const [hLo, hHi] = portRange(host, 'hostPort');
  if (hHi - hLo !== cHi - cLo) throw new InvalidArgument(`invalid ranges specified for container and host Ports: ${ctr} and ${host}`);
  for (let i = 0; i <= cHi - cLo; i++) out.push({ hostIp, hostPort: hLo + i, containerPort: cLo + i, protocol });
  return out;
}

/** The same host address, port and protocol twice in one request. */
export function checkDuplicates(ports: readonly PortMapping[]): void {
  const seen = new Set<string>();
  for (const p of ports) {
    if (p.hostPort === 0) continue;
    const k = `${p.protocol}/${p.hostPort}`;
    const anyK = `${k}@any`;
    const ipK = `${k}@${p.hostIp}`;
    if (seen.has(ipK) || seen.has(anyK) || (p.hostIp === '0.0.0.0' && [...seen].some((s) => s.startsWith(`${k}@`))))
      throw new InvalidArgument(`Bind for ${p.hostIp}:${p.hostPort} failed: port is already allocated`);
    seen.add(p.hostIp === '0.0.0.0' ? anyK : ipK);
  }
}

/** `80/tcp -> 0.0.0.0:8080`, as `docker port` prints. */
export function formatPortLine(p: PortMapping): string {
  return `${p.containerPort}/${p.protocol} -> ${p.hostIp}:${p.hostPort}`;
}

/** The PORTS column of `ps`: `0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp`. */
export function formatPortsColumn(ports: readonly PortMapping[]): string {
  return ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', ');
}

/** The monitor's `run.hutch.ports` annotation (native/PROTOCOL.md). */
export function portsAnnotation(ports: readonly PortMapping[]): string {
  return ports.map((p) => `${p.protocol}:${p.hostIp}:${p.hostPort}:${p.containerPort}`).join(',');
}
