// Errors of the command line itself (not of the engine): bad flags, missing
// arguments, unknown verbs. Printed as one line plus a hint, exit 125 like docker.

export class UsageError extends Error {
  readonly exitCode = 125;
  /** The verb whose usage was wrong, for the `See 'hutch VERB --help'.` hint. */
  verb?: string;
  constructor(message: string, verb?: string) {
    super(message);
    this.name = 'UsageError';
    this.verb = verb;
  }
}
