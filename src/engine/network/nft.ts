// Runs nft(8) with a script on stdin: one atomic transaction (the whole script
// applies or none of it). Used when a network is made or removed and to rebuild
// the table, never per container start (the monitor adds port elements itself).
// A machine without nft gets it from apt, as docker's package pulls iptables in;
// where that cannot be done the error is one line naming the package.
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { SystemError } from '../errors.js';

const CANDIDATES = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft', '/usr/local/sbin/nft'];

export function findNft(): string | undefined {
  if (process.env.HUTCH_NFT) return process.env.HUTCH_NFT;
  return CANDIDATES.find((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

let installed: string | undefined;

/** The nft program, installed with apt-get when missing (root, Debian/Ubuntu). */
export function ensureNft(): string {
  const found = installed ?? findNft();
  if (found) return (installed = found);
  const apt = ['/usr/bin/apt-get', '/bin/apt-get'].find((p) => fs.existsSync(p));
  if (apt && process.getuid?.() === 0 && process.env.HUTCH_NO_INSTALL !== '1') {
    const r = spawnSync(apt, ['install', '-y', '--no-install-recommends', 'nftables'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      timeout: 300_000,
    });
    const after = findNft();
    if (after) return (installed = after);
    const why = (r.stderr ?? '').trim().split('\n').pop() || `exit ${r.status}`;
    throw new SystemError(`bridge networking needs nft: apt-get install nftables failed (${why})`, 'ENOENT', 2, 'exec', 'nft');
  }
  throw new SystemError('bridge networking needs the nft program: install the nftables package (apt-get install nftables)', 'ENOENT', 2, 'exec', 'nft');
}

/** Applies `script` in one transaction; throws with nft's first error line. */
export function runNft(script: string): void {
  const nft = ensureNft();
  const r = spawnSync(nft, ['-f', '-'], { input: script, encoding: 'utf8', stdio: ['pipe', 'ignore', 'pipe'], timeout: 30_000 });
  if (r.status !== 0) {
    const line = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').find((l) => /error/i.test(l)) ?? (r.stderr || '').trim().split('\n')[0];
    throw new SystemError(`setting up the firewall (nft): ${line}`, 'EIO', 5, 'nft');
  }
}

/** `nft -j list WHAT…` (JSON), or '' when nft or the object is missing. */
export function listNft(what: string[]): string {
  const nft = findNft();
  if (!nft) return '';
  const r = spawnSync(nft, ['-j', 'list', ...what], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
  return r.status === 0 ? r.stdout : '';
}
