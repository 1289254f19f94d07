// Shared argument parsing for handlers: every helper throws the exact Redis error reply, so
// handlers read arguments in one line each.

import {
  NOT_FLOAT,
  NOT_INTEGER,
  ReplyError,
  SYNTAX,
  TIMEOUT_NEGATIVE,
  TIMEOUT_NOT_FLOAT,
} from "../errors.ts";
import { parseFloatStrict, parseI64, parseSafeInt } from "../util/numbers.ts";

/** A 64-bit integer argument (number when safe, bigint beyond), or ERR not an integer. */
export function argI64(s: string): number | bigint {
  const v = parseI64(s);
  if (v === null) throw new ReplyError(NOT_INTEGER);
  return v;
}

/** An integer argument as a JS number (clamped beyond 2^53), or ERR not an integer. */
export function argInt(s: string, message: string = NOT_INTEGER): number {
  const v = parseSafeInt(s);
  if (v === null) throw new ReplyError(message);
  return v;
}

/** A float argument (inf allowed, nan rejected), or ERR not a valid float. */
export function argFloat(s: string, message: string = NOT_FLOAT): number {
  const v = parseFloatStrict(s);
  if (v === null) throw new ReplyError(message);
  return v;
}

/**
 * A blocking-command timeout in seconds (fractions allowed) as an absolute deadline in ms,
 * 0 meaning forever; Redis's errors for invalid and negative values.
 */
export function argTimeout(s: string, now: number): number {
  const v = parseFloatStrict(s);
  if (v === null || !Number.isFinite(v)) throw new ReplyError(TIMEOUT_NOT_FLOAT);
  if (v < 0) throw new ReplyError(TIMEOUT_NEGATIVE);
  if (v === 0) return 0;
  return now + Math.ceil(v * 1000);
}

/** Uppercase ASCII (option keywords), leaving other bytes alone. */
export function upper(s: string): string {
  return s.toUpperCase();
}

/** Throws ERR syntax error. */
export function syntaxError(): never {
  throw new ReplyError(SYNTAX);
}

/** Throws a ReplyError with `message`. */
export function fail(message: string): never {
  throw new ReplyError(message);
}
