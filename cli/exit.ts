// Exit codes are part of the tool's contract: scripts and schedulers branch on them, so each has one
// meaning, documented in the README ("sohoa (command line)").
export const EXIT = {
  OK: 0,
  /** A fault in the tool itself. */
  INTERNAL: 1,
  /** A bad command line, manifest, folder, state file or configuration: nothing was sent. */
  USAGE: 2,
  /** The run finished but not everything went through: refused files, bad manifest rows, failed documents, an invalid signature. */
  PARTIAL: 3,
  /** The API refused the key (401) or the key may not do this (403). */
  AUTH: 4,
  /** What was asked for does not exist, or is outside the key's units (404). */
  NOT_FOUND: 5,
  /** The API refused the request as invalid (another 4xx), for single requests such as `upload`. */
  REFUSED: 6,
  /** The API could not be reached, or kept answering 5xx, for longer than --retry-for. */
  UNAVAILABLE: 7,
  /** Stopped by Ctrl-C or SIGTERM; the state file is saved and the same command resumes. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the tool explains to its user and maps to an exit code; never shown with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code: string = 'CLI_ERROR',
  ) {
    super(message);
    this.name = 'CliError';
  }
}
