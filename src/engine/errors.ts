// One error class per kind. The CLI maps every EngineError to one line and exit 125
// (or the code the error carries, e.g. 126/127 when a command cannot be run).

export class EngineError extends Error {
  /** Process exit status the CLI should use for this error. */
  exitCode = 125;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends EngineError {}
export class Conflict extends EngineError {}
export class InvalidArgument extends EngineError {}

/** A syscall or setup step failed (in the addon or in the monitor). */
export class SystemError extends EngineError {
  constructor(
    message: string,
    readonly code?: string,
    readonly errno?: number,
    readonly syscall?: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/** The container's command could not be run: 127 not found, 126 not executable. */
export class CommandError extends EngineError {
  constructor(message: string, exitCode: 126 | 127) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A container's state file exists but cannot be read (truncated, empty, not JSON). */
export class BrokenRecord extends EngineError {
  constructor(
    readonly id: string,
    readonly reason: string,
  ) {
    super(`container ${id.slice(0, 12)}: its state (state.json) cannot be read: ${reason}; 'hutch rm -f ${id.slice(0, 12)}' removes it`);
  }
}
