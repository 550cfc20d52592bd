// The typed form of a Dockerfile: what the parser returns and the build executor
// consumes. Values are as written (before variable substitution): substitution
// needs the stage's ENV and ARGs, which are known only while building
// (expand.ts does it, step by step).

export type EscapeChar = '\\' | '`';

/** A here-document (`<<EOF`) attached to RUN, COPY or ADD. */
export interface Heredoc {
  /** The delimiter word, quotes removed: also the file name a COPY source creates. */
  name: string;
  /** The body, each line with its newline; leading tabs already removed for `<<-`. */
  content: string;
  /** False when the delimiter was quoted (`<<"EOF"`, `<<'EOF'`): no substitution in the body. */
  expand: boolean;
  /** `<<-`: leading tabs were stripped from the body and the delimiter line. */
  chomp: boolean;
  /** `3<<EOF`: the descriptor number written before `<<` (0 when none). */
  fd: number;
}

interface Base {
  /** 1-based line where the instruction starts. */
  line: number;
  /** 1-based last line (continuations and heredoc bodies included). */
  endLine: number;
  /** The logical line as written, continuations joined, trimmed (heredoc bodies excluded). */
  original: string;
}

/** Shell form keeps the text as one string; exec form is the JSON array. */
export type CommandLine = { form: 'shell'; text: string } | { form: 'exec'; args: string[] };

export interface FromInstruction extends Base {
  kind: 'FROM';
  /** The base: an image reference, `scratch`, or an earlier stage's name (may use meta ARGs). */
  image: string;
  /** `AS name`, lowercased as docker does. */
  stageName?: string;
  /** `--platform=…` as written. */
  platform?: string;
}

export type RunNetwork = 'default' | 'none' | 'host';

export interface RunInstruction extends Base {
  kind: 'RUN';
  command: CommandLine;
  /** Here-documents, in the order their bodies follow the line (shell form only). */
  heredocs: Heredoc[];
  /** `--network=`; absent means the build's own network setting. */
  network?: RunNetwork;
}

export type CopySource = { kind: 'path'; path: string } | { kind: 'heredoc'; heredoc: Heredoc };

export interface CopyInstruction extends Base {
  kind: 'COPY' | 'ADD';
  /** Sources in the order written: context (or stage/image) paths and inline files. */
  sources: CopySource[];
  dest: string;
  /** COPY only: `--from=stage name | stage index | image`. */
  from?: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  /** Written as a JSON array (paths with spaces). */
  json: boolean;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface EnvInstruction extends Base {
  kind: 'ENV';
  pairs: KeyValue[];
}

export interface LabelInstruction extends Base {
  kind: 'LABEL';
  pairs: KeyValue[];
}

export interface ArgDeclaration {
  name: string;
  /** `name=default`; absent for a bare `ARG name`. */
  default?: string;
}

export interface ArgInstruction extends Base {
  kind: 'ARG';
  args: ArgDeclaration[];
}

export interface WorkdirInstruction extends Base {
  kind: 'WORKDIR';
  path: string;
}

export interface UserInstruction extends Base {
  kind: 'USER';
  user: string;
}

export interface CmdInstruction extends Base {
  kind: 'CMD' | 'ENTRYPOINT';
  command: CommandLine;
}

export interface ExposeInstruction extends Base {
  kind: 'EXPOSE';
  /** As written (`80`, `80/udp`, `8000-8010`, `$PORT`); expand.ts normalises them. */
  ports: string[];
}

export interface VolumeInstruction extends Base {
  kind: 'VOLUME';
  paths: string[];
  json: boolean;
}

/** Docker's HealthConfig: durations in nanoseconds, 0 meaning "inherit/default". */
export interface HealthConfig {
  /** `["NONE"]`, `["CMD", arg…]` (exec form) or `["CMD-SHELL", text]`. */
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export interface HealthcheckInstruction extends Base {
  kind: 'HEALTHCHECK';
  health: HealthConfig;
}

export interface ShellInstruction extends Base {
  kind: 'SHELL';
  shell: string[];
}

export interface StopsignalInstruction extends Base {
  kind: 'STOPSIGNAL';
  signal: string;
}

export interface OnbuildInstruction extends Base {
  kind: 'ONBUILD';
  /** The trigger as it goes into the image's config (OnBuild), heredoc bodies appended. */
  expression: string;
  /** The trigger parsed, checked now rather than when a child image builds. */
  trigger: Instruction;
}

export interface MaintainerInstruction extends Base {
  kind: 'MAINTAINER';
  /** Deprecated by docker; becomes the image's author. */
  maintainer: string;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CopyInstruction
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | WorkdirInstruction
  | UserInstruction
  | CmdInstruction
  | ExposeInstruction
  | VolumeInstruction
  | HealthcheckInstruction
  | ShellInstruction
  | StopsignalInstruction
  | OnbuildInstruction
  | MaintainerInstruction;

/** A stage: its FROM and what follows up to the next FROM. */
export interface Stage {
  /** 0-based position in the file (what `COPY --from=N` names). */
  index: number;
  /** `AS name`, lowercased. */
  name?: string;
  from: FromInstruction;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** The name used in messages (`Dockerfile:7: …`). */
  file: string;
  escape: EscapeChar;
  /** `# syntax=` as written, if any (hutch builds with its own front end regardless). */
  syntax?: string;
  /** ARGs before the first FROM. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
  /** Docker's parser warnings (empty continuation lines), one line each. */
  warnings: string[];
}
