// The Dockerfile front end: parse (parse.ts), plan the stages (plan.ts), then, step
// by step while building, substitute variables (expand.ts, vars.ts) and turn RUN
// into a process (run.ts). Pure: reads no file, runs nothing.
export type * from './types.js';
export { parseDockerfile, parseTrigger } from './parse.js';
export { planBuild, resolveCopyFrom, type BuildPlan, type PlannedStage, type PlanOptions, type BaseRef, type CopyFromRef } from './plan.js';
export { expandInstruction, exposePorts, type Expanded, type ExpandContext } from './expand.js';
export { StageVariables, DEFAULT_PATH, type ArgScope, type DeclaredArg } from './vars.js';
export { lex, fromMap, nothing, LexError, type Lookup, type LexOptions, type LexResult } from './lex.js';
export { runProcess, commandArgs, withShell, normalizeWorkdir, DEFAULT_SHELL, SCRIPT_DIR, type RunProcess } from './run.js';
export { hostPlatform, parsePlatform, formatPlatform, automaticArgs, AUTOMATIC_ARGS, PROXY_ARGS, type Platform } from './platform.js';
export { lineError, Problem } from './location.js';
