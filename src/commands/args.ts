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
import { type LongDouble, parseLongDouble } from "../util/long_double.ts";

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
 * 0 meaning forever; Redis's errors for invalid and negative values. As Redis 7.0's
 * getTimeoutFromObjectOrReply: a long double (hex and inf accepted), times 1000, rounded up,
 * cast to a long long (inf and anything beyond the range become LLONG_MIN: "negative"), so a
 * tiny negative value such as -0.0001 rounds to 0 and blocks forever.
 */
export function argTimeout(s: string, now: number): number {
  const v = parseLongDouble(s);
  if (v === null) throw new ReplyError(TIMEOUT_NOT_FLOAT);
  const ms = timeoutMillis(v);
  if (ms === null || ms < 0n) throw new ReplyError(TIMEOUT_NEGATIVE);
  if (ms === 0n) return 0;
  return now + Number(ms);
}

// (long long)ceill(v * 1000.0L): the product rounded to the x87 64-bit significand, then up
// to an integer; null when it does not fit a long long.
function timeoutMillis(v: LongDouble): bigint | null {
  if (v.inf) return null;
  let m = v.mant * 1000n;
  let e = v.exp;
  const bits = m.toString(2).length;
  if (bits > 64) {
    const sh = BigInt(bits - 64);
    const q = m >> sh;
    const r = m - (q << sh);
    const half = 1n << (sh - 1n);
    m = r > half || (r === half && (q & 1n) === 1n) ? q + 1n : q;
    e += bits - 64;
  }
  if (e > 64) return null;
  let mag: bigint;
  if (e >= 0) mag = m << BigInt(e);
  else {
    const sh = BigInt(-e);
    const q = m >> sh;
    mag = v.neg || q << sh === m ? q : q + 1n;
  }
  const ms = v.neg ? -mag : mag;
  return ms >= -(2n ** 63n) && ms < 2n ** 63n ? ms : null;
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
