/** Builds the console into dist/console when it is missing or older than its sources; true when it built. */
export function ensureConsoleBuilt(opts?: { quiet?: boolean }): Promise<boolean>;
