// Validation and unit conversion of Limits, shared by v1 and v2.
import { InvalidArgument } from '../errors.js';
import type { Limits } from './types.js';

export const CPU_PERIOD_US = 100_000;

/** CFS quota in µs per CPU_PERIOD_US for `cpus` cores. */
export function cpuQuotaUs(cpus: number): number {
  return Math.round(cpus * CPU_PERIOD_US);
}

/** Throws InvalidArgument for values the kernel would reject or that make no sense. */
export function validateLimits(l: Limits): void {
  const isInt = (n: number) => Number.isSafeInteger(n);
  if (l.memory !== undefined && (!isInt(l.memory) || l.memory <= 0))
    throw new InvalidArgument(`invalid memory limit: ${l.memory} (a positive number of bytes)`);
  if (l.memorySwap !== undefined) {
    if (!isInt(l.memorySwap) || (l.memorySwap <= 0 && l.memorySwap !== -1))
      throw new InvalidArgument(`invalid memory+swap limit: ${l.memorySwap} (bytes, or -1 for unlimited swap)`);
    if (l.memory === undefined)
      throw new InvalidArgument('You should always set the Memory limit when using Memoryswap limit');
    if (l.memorySwap !== -1 && l.memorySwap < l.memory)
      throw new InvalidArgument('Minimum memoryswap limit should be larger than memory limit');
  }
  if (l.cpus !== undefined && (!Number.isFinite(l.cpus) || l.cpus <= 0 || cpuQuotaUs(l.cpus) < 1000))
    throw new InvalidArgument(`invalid cpus: ${l.cpus} (at least 0.01)`);
  if (l.pidsLimit !== undefined && !isInt(l.pidsLimit)) throw new InvalidArgument(`invalid pids limit: ${l.pidsLimit}`);
}

/** Controllers the limits need: creating fails when one is missing rather than
 * silently running the container unconstrained. */
export function requiredControllers(l: Limits): string[] {
  const out: string[] = [];
  if (l.memory !== undefined) out.push('memory');
  if (l.cpus !== undefined) out.push('cpu');
  if (l.pidsLimit !== undefined && l.pidsLimit > 0) out.push('pids');
  return out;
}

export const LIMIT_FLAG: Record<string, string> = { memory: 'memory limit', cpu: 'cpus limit', pids: 'pids limit' };
