// Default bounds of one layer extraction (ExtractOptions documents each).
export const EXTRACT_DEFAULTS = Object.freeze({
  maxEntries: 1_000_000,
  maxDepth: 128,
  maxBytes: 64 * 1024 ** 3,
});

/**
 * The longest entry path, in bytes relative to the root: PATH_MAX less the NUL.
 * The addon would write longer ones (one component at a time), but nothing that
 * works by path (rm -r, du, the container's own tools) could reach them.
 */
export const MAX_PATH_BYTES = 4095;
