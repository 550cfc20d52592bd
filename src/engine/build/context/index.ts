// The build context: what .dockerignore leaves of it (ignore.ts), COPY/ADD sources
// resolved in it (sources.ts, walk.ts) and their content key for the build cache
// (hash.ts, stat-cache.ts).
export { IgnoreMatcher, loadIgnore, readIgnoreFile } from './ignore.js';
export { resolveSources, type ResolveOptions, type SourceMatch } from './sources.js';
export { walkTree, entryOf, type EntryType, type SourceEntry } from './walk.js';
export { hashSources, parseChmod, type HashOptions, type SourcesHash } from './hash.js';
export { StatCache } from './stat-cache.js';
export { cleanPath, matchName, hasWildcards, BadPattern } from './pattern.js';
