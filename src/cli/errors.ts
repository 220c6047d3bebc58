import { ValueError } from '../errors.js';

/** Thrown for bad command-line input: printed as one line plus the usage, exit code 2. */
export class UsageError extends ValueError {}
