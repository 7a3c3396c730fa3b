/** A development server could not be started; the message says what to do (install, free, or configure). */
export class DevServiceError extends Error {}
