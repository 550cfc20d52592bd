// Default bounds of one layer extraction (ExtractOptions documents each).
export const EXTRACT_DEFAULTS = Object.freeze({
  maxEntries: 1_000_000,
  maxDepth: 128,
  maxBytes: 64 * 1024 ** 3,
});
