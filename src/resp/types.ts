// Reply values handlers return. Plain JS values cover the common cases without allocating:
// a string is a bulk string (one char per byte), a number or bigint an integer, null the null
// bulk, an array an array. Wrapper classes mark the other RESP2/RESP3 types; the encoder picks
// the wire form for the connection's protocol (HELLO 2|3).

import { ReplyError } from "../errors.ts";

/** `+OK`-style status reply. */
export class SimpleString {
  constructor(readonly value: string) {}
}

/** RESP3 map (`%`); RESP2 flattens it into an array of 2N items. */
export class RespMap {
  constructor(readonly entries: Reply[]) {} // flat: k1, v1, k2, v2 ...
}

/** RESP3 set (`~`); RESP2 sends an array. */
export class RespSet {
  constructor(readonly items: Reply[]) {}
}

/**
 * RESP3 double (`,`); RESP2 sends the formatted number as a bulk string. `text`, when given,
 * replaces the %.17g form (GEOPOS's coordinates use Redis's human long-double format).
 */
export class RespDouble {
  constructor(readonly value: number, readonly text?: string) {}
}

/** RESP3 boolean (`#t`/`#f`); RESP2 sends `:1`/`:0`. */
export class RespBool {
  constructor(readonly value: boolean) {}
}

/** RESP3 verbatim string (`=len\r\ntxt:...`); RESP2 sends a bulk string. */
export class Verbatim {
  constructor(readonly format: string, readonly text: string) {}
}

/** RESP3 big number (`(`); RESP2 sends a bulk string. */
export class BigNumber {
  constructor(readonly digits: string) {}
}

/** Out-of-band push (`>` in RESP3, an array in RESP2): pub/sub messages, invalidations. */
export class Push {
  constructor(readonly items: Reply[]) {}
}

/** Several replies written back to back (EXEC's elements are nested, this is not). */
export class Multi {
  constructor(readonly replies: Reply[]) {}
}

/** The null array: `*-1` in RESP2, `_` in RESP3 (timeouts of blocking pops, EXEC abort). */
export const NULL_ARRAY: unique symbol = Symbol("null-array");
/** No reply at all (CLIENT REPLY OFF, commands answered later). */
export const NO_REPLY: unique symbol = Symbol("no-reply");

/** Anything a handler may return. */
export type Reply =
  | string
  | number
  | bigint
  | null
  | Reply[]
  | SimpleString
  | ReplyError
  | RespMap
  | RespSet
  | RespDouble
  | RespBool
  | Verbatim
  | BigNumber
  | Push
  | Multi
  | typeof NULL_ARRAY
  | typeof NO_REPLY;

/** Shared replies, allocated once. */
export const OK = new SimpleString("OK");
export const PONG = new SimpleString("PONG");
export const QUEUED = new SimpleString("QUEUED");
