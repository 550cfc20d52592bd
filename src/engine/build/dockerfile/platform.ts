// Platforms (`linux/amd64`, `linux/arm/v7`) and BuildKit's automatic build args
// (TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT, BUILDPLATFORM…), which a
// Dockerfile may use in FROM lines without declaring them, and inside a stage
// after a bare `ARG NAME`.
import { Problem } from './location.js';

export interface Platform {
  os: string;
  arch: string;
  variant?: string;
}

const NODE_ARCH: Record<string, Platform> = {
  x64: { os: 'linux', arch: 'amd64' },
  arm64: { os: 'linux', arch: 'arm64' },
  arm: { os: 'linux', arch: 'arm', variant: 'v7' },
  ia32: { os: 'linux', arch: '386' },
  ppc64: { os: 'linux', arch: 'ppc64le' },
  s390x: { os: 'linux', arch: 's390x' },
  riscv64: { os: 'linux', arch: 'riscv64' },
  loong64: { os: 'linux', arch: 'loong64' },
};

/** The machine hutch runs on (linux/amd64 here). */
export function hostPlatform(): Platform {
  return { ...(NODE_ARCH[process.arch] ?? { os: 'linux', arch: process.arch }) };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.arch, p.variant].filter(Boolean).join('/');
}

const OSES = new Set(['linux', 'windows', 'darwin', 'freebsd', 'netbsd', 'openbsd', 'solaris', 'illumos', 'aix', 'android', 'ios', 'plan9', 'dragonfly', 'js', 'wasip1']);
/** Architecture spellings containerd accepts, normalised (variant given when implied). */
const ARCHES: Record<string, [string, string?]> = {
  amd64: ['amd64'], x86_64: ['amd64'], 'x86-64': ['amd64'],
  arm64: ['arm64'], aarch64: ['arm64'],
  arm: ['arm'], armhf: ['arm', 'v7'], armel: ['arm', 'v6'],
  '386': ['386'], i386: ['386'], i686: ['386'], x86: ['386'],
  ppc64le: ['ppc64le'], ppc64: ['ppc64'], s390x: ['s390x'], riscv64: ['riscv64'],
  mips: ['mips'], mipsle: ['mipsle'], mips64: ['mips64'], mips64le: ['mips64le'], loong64: ['loong64'], wasm: ['wasm'],
};

/** containerd's platforms.Parse, normalised: `amd64`, `linux`, `linux/arm64/v8`… */
export function parsePlatform(text: string): Platform {
  const parts = text.toLowerCase().split('/');
  const unknown = () => new Problem(`failed to parse platform ${text}: ${JSON.stringify(text)}: unknown operating system or architecture: invalid argument`);
  if (parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/.test(p))) throw unknown();
  const host = hostPlatform();
  let os: string;
  let archWord: string;
  let variant: string | undefined;
  if (parts.length === 1) {
    if (OSES.has(parts[0])) return { os: parts[0], arch: host.arch, ...(host.variant ? { variant: host.variant } : {}) };
    os = 'linux';
    archWord = parts[0];
  } else {
    [os, archWord, variant] = parts;
    if (!OSES.has(os)) throw unknown();
  }
  const a = ARCHES[archWord];
  if (!a) throw unknown();
  const [arch, implied] = a;
  variant = variant ?? implied;
  if (arch === 'arm64' && variant === 'v8') variant = undefined;
  if (arch === 'arm' && variant === undefined) variant = 'v7';
  if (arch === 'amd64' && variant === 'v1') variant = undefined;
  return { os, arch, ...(variant ? { variant } : {}) };
}

/** BuildKit's eleven automatic args, each overridable by a --build-arg of that name. */
export function automaticArgs(target: Platform, build: Platform, targetStage: string, overrides: ReadonlyMap<string, string>): Map<string, string> {
  const m = new Map<string, string>([
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDOSVERSION', ''],
    ['BUILDARCH', build.arch],
    ['BUILDVARIANT', build.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETOSVERSION', ''],
    ['TARGETARCH', target.arch],
    ['TARGETVARIANT', target.variant ?? ''],
    ['TARGETSTAGE', targetStage],
  ]);
  for (const k of m.keys()) {
    const v = overrides.get(k);
    if (v !== undefined) m.set(k, v);
  }
  return m;
}

export const AUTOMATIC_ARGS = ['BUILDPLATFORM', 'BUILDOS', 'BUILDOSVERSION', 'BUILDARCH', 'BUILDVARIANT', 'TARGETPLATFORM', 'TARGETOS', 'TARGETOSVERSION', 'TARGETARCH', 'TARGETVARIANT', 'TARGETSTAGE'];

/** Docker's predefined args: usable without ARG, passed to RUN, kept out of the history and cache key. */
export const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];
