// Types of scripts/system-packages.mjs (plain JS: .ci/run runs it before npm ci).
export declare const PACKAGES: { test: Record<string, string>; bench: Record<string, string> };
export declare function missingPackages(set: 'test' | 'bench'): string[];
export declare function ensurePackages(set: 'test' | 'bench', who?: string): boolean;
