// The hashes family (t_hash.c): HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS
// HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN. The dirty counter moves as Redis's does
// (one per field written or deleted); HINCRBYFLOAT propagates as HSET with the final value.
// Encoding thresholds (hash-max-listpack-*) are read per write, so CONFIG SET applies at once.

import {
  HASH_NOT_FLOAT,
  HASH_NOT_INTEGER,
  INVALID_CURSOR,
  LONG_RANGE,
  NAN_OR_INFINITY,
  NOT_FLOAT,
  NOT_FLOAT_INCR,
  NOT_INTEGER,
  OUT_OF_RANGE,
  OVERFLOW,
  ReplyError,
  SYNTAX,
  wrongArity,
  WRONGTYPE,
} from "../errors.ts";
import { OK, type Reply, RespMap } from "../resp/types.ts";
import type { RedisValue } from "../store/database.ts";
import { parseCursor } from "../store/scan.ts";
import { HashValue } from "../store/types/hash.ts";
import { globMatch } from "../util/glob.ts";
import {
  addLongDouble,
  formatLongDoubleHuman,
  type LongDouble,
  parseLongDouble,
} from "../util/long_double.ts";
import { fitsI64, normInt, parseI64, parseSafeInt } from "../util/numbers.ts";
import type { CommandSpec, Ctx, KeySpec } from "./spec.ts";

// ---------------------------------------------------------------------------------------------
// Shared helpers (sets.ts uses the SCAN and count ones too)

/** The hash at `key` for a read (lookupKeyRead: counts hits/misses), or undefined. */
function readHash(ctx: Ctx, key: string): HashValue | undefined {
  return ctx.db.readObject<HashValue>(key, "hash");
}

/** The hash at `key` for a write (lookupKeyWrite), or undefined. */
function writeHash(ctx: Ctx, key: string): HashValue | undefined {
  return ctx.db.getObject<HashValue>(key, "hash");
}

/** `v` when it is undefined or of `type`; WRONGTYPE otherwise. */
export function checkType(v: RedisValue | undefined, type: string): RedisValue | undefined {
  if (v !== undefined && (typeof v === "string" || v.type !== type)) {
    throw new ReplyError(WRONGTYPE);
  }
  return v;
}

/** Fires a keyspace event for `key` in the client's db. */
export function notify(ctx: Ctx, type: string, event: string, key: string): void {
  ctx.server.keyspace.hooks.notify(type, event, key, ctx.db.id);
}

/**
 * A count argument accepted over -LONG_MAX..LONG_MAX (getRangeLongFromObjectOrReply), as
 * HRANDFIELD and SRANDMEMBER take it.
 * @returns the value, a bigint beyond 2^53 as parseI64 gives it
 */
export function argSignedCount(s: string): number | bigint {
  const v = parseI64(s);
  if (v === null) throw new ReplyError(NOT_INTEGER);
  if (v === -9223372036854775808n) throw new ReplyError(LONG_RANGE);
  return v;
}

/**
 * Most random picks with repeats a reply may hold. Redis 7.0 would try to send any number
 * (and run out of memory); a JS array cannot, so beyond this the command fails with
 * "value is out of range" instead.
 */
const MAX_PICKS = 1 << 26;

/** The number of picks with repeats for a negative count; too many is a reply error. */
export function picksWithRepeats(count: number): number {
  if (-count > MAX_PICKS) throw new ReplyError(LONG_RANGE);
  return -count;
}

/** SCAN's options for one key's elements: MATCH pattern and COUNT count. */
export interface ScanOptions {
  count: number;
  /** null when there is no pattern or it is `*`. */
  pattern: string | null;
}

/**
 * Parses `[MATCH pattern] [COUNT count]` from argv[3] on, as scanGenericCommand does for
 * HSCAN/SSCAN/ZSCAN (no TYPE; an option without its value is a syntax error).
 */
export function parseScanOptions(argv: string[]): ScanOptions {
  const opts: ScanOptions = { count: 10, pattern: null };
  for (let i = 3; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    if (i + 1 >= argv.length) throw new ReplyError(SYNTAX);
    if (opt === "count") {
      const c = parseSafeInt(argv[i + 1]);
      if (c === null) throw new ReplyError(NOT_INTEGER);
      if (c < 1) throw new ReplyError(SYNTAX);
      opts.count = c;
    } else if (opt === "match") {
      opts.pattern = argv[i + 1] === "*" ? null : argv[i + 1];
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  return opts;
}

/** The cursor argument of HSCAN/SSCAN, checked before the key is looked up. */
export function argCursor(s: string): number {
  const cursor = parseCursor(s);
  if (cursor === null) throw new ReplyError(INVALID_CURSOR);
  return cursor;
}

/** The reply to a SCAN of a missing key. */
export function emptyScan(): Reply {
  return ["0", []];
}

/** The hash-max-listpack-* thresholds, read once per write command. */
function limits(ctx: Ctx): void {
  const cfg = ctx.server.config;
  maxEntries = cfg.num("hash-max-listpack-entries");
  maxValue = cfg.num("hash-max-listpack-value");
}

// Handlers are synchronous, so module slots hold the thresholds between `limits` and use.
let maxEntries = 512;
let maxValue = 64;

// ---------------------------------------------------------------------------------------------
// Commands

// HSET key field value [field value ...] / HMSET key field value [field value ...]
function hsetGeneric(ctx: Ctx, argv: string[], hmset: boolean): Reply {
  const n = argv.length;
  // The arity only says "at least 4": an odd count is checked here, as hsetCommand does.
  if ((n & 1) === 1) throw new ReplyError(wrongArity(ctx.command.name));
  const db = ctx.db;
  const key = argv[1];
  let h = writeHash(ctx, key);
  const isNew = h === undefined;
  if (h === undefined) h = new HashValue();
  limits(ctx);
  let created = 0;
  for (let i = 2; i < n; i += 2) {
    if (h.set(argv[i], argv[i + 1], maxEntries, maxValue)) created++;
  }
  const ks = ctx.server.keyspace;
  const dirty = ks.dirty;
  if (isNew) db.add(key, h);
  else db.modified(key, h);
  ks.dirty = dirty + (n - 2) / 2;
  notify(ctx, "h", "hset", key);
  return hmset ? OK : created;
}

// HSETNX key field value
function hsetnx(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const key = argv[1];
  let h = writeHash(ctx, key);
  if (h !== undefined && h.map.has(argv[2])) return 0;
  const isNew = h === undefined;
  if (h === undefined) h = new HashValue();
  limits(ctx);
  h.set(argv[2], argv[3], maxEntries, maxValue);
  const ks = ctx.server.keyspace;
  const dirty = ks.dirty;
  if (isNew) db.add(key, h);
  else db.modified(key, h);
  ks.dirty = dirty + 1;
  notify(ctx, "h", "hset", key);
  return 1;
}

// HGET key field
function hget(ctx: Ctx, argv: string[]): Reply {
  const h = readHash(ctx, argv[1]);
  if (h === undefined) return null;
  return h.map.get(argv[2]) ?? null;
}

// HMGET key field [field ...]
function hmget(ctx: Ctx, argv: string[]): Reply {
  const h = readHash(ctx, argv[1]);
  const out: Reply[] = new Array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) out[i - 2] = h?.map.get(argv[i]) ?? null;
  return out;
}

// HDEL key field [field ...]
function hdel(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const key = argv[1];
  const h = writeHash(ctx, key);
  if (h === undefined) return 0;
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (h.delete(argv[i])) {
      deleted++;
      if (h.size === 0) break;
    }
  }
  if (deleted === 0) return 0;
  const ks = ctx.server.keyspace;
  const dirty = ks.dirty;
  db.modified(key, h);
  ks.dirty = dirty + deleted;
  notify(ctx, "h", "hdel", key);
  if (h.size === 0) notify(ctx, "g", "del", key);
  return deleted;
}

// HLEN key
function hlen(ctx: Ctx, argv: string[]): Reply {
  return readHash(ctx, argv[1])?.size ?? 0;
}

// HSTRLEN key field
function hstrlen(ctx: Ctx, argv: string[]): Reply {
  return readHash(ctx, argv[1])?.map.get(argv[2])?.length ?? 0;
}

// HEXISTS key field
function hexists(ctx: Ctx, argv: string[]): Reply {
  return readHash(ctx, argv[1])?.map.has(argv[2]) ? 1 : 0;
}

// HKEYS key
function hkeys(ctx: Ctx, argv: string[]): Reply {
  const h = readHash(ctx, argv[1]);
  return h === undefined ? [] : [...h.map.keys()];
}

// HVALS key
function hvals(ctx: Ctx, argv: string[]): Reply {
  const h = readHash(ctx, argv[1]);
  return h === undefined ? [] : [...h.map.values()];
}

// HGETALL key
// A map in RESP3 (an empty one for a missing key), a flat array in RESP2.
function hgetall(ctx: Ctx, argv: string[]): Reply {
  const h = readHash(ctx, argv[1]);
  if (h === undefined) return new RespMap([]);
  const out: string[] = new Array(h.size * 2);
  let i = 0;
  for (const [f, v] of h.map) {
    out[i++] = f;
    out[i++] = v;
  }
  return new RespMap(out);
}

// HINCRBY key field increment
function hincrby(ctx: Ctx, argv: string[]): Reply {
  const incr = parseI64(argv[3]);
  if (incr === null) throw new ReplyError(NOT_INTEGER);
  const key = argv[1];
  const field = argv[2];
  const h = writeHash(ctx, key);
  let value: number | bigint = 0;
  const cur = h?.map.get(field);
  if (cur !== undefined) {
    const v = parseI64(cur);
    if (v === null) throw new ReplyError(HASH_NOT_INTEGER);
    value = v;
  }
  let result: number | bigint;
  if (typeof value === "number" && typeof incr === "number" && Number.isSafeInteger(value + incr)) {
    result = value + incr;
  } else {
    const big = BigInt(value) + BigInt(incr);
    if (!fitsI64(big)) throw new ReplyError(OVERFLOW);
    result = normInt(big);
  }
  hashStore(ctx, h, key, field, String(result));
  notify(ctx, "h", "hincrby", key);
  return result;
}

const LD_ZERO: LongDouble = { neg: false, mant: 0n, exp: 0, inf: false };

// HINCRBYFLOAT key field increment
// Computed in long double exactly as Redis does (util/long_double.ts).
function hincrbyfloat(ctx: Ctx, argv: string[]): Reply {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) throw new ReplyError(NOT_FLOAT);
  if (incr.inf) throw new ReplyError(NAN_OR_INFINITY);
  const key = argv[1];
  const field = argv[2];
  const h = writeHash(ctx, key);
  let value = LD_ZERO;
  const cur = h?.map.get(field);
  if (cur !== undefined) {
    const v = parseLongDouble(cur);
    if (v === null) throw new ReplyError(HASH_NOT_FLOAT);
    value = v;
  }
  const sum = addLongDouble(value, incr);
  if (sum === null) throw new ReplyError(NOT_FLOAT_INCR);
  const out = formatLongDoubleHuman(sum);
  hashStore(ctx, h, key, field, out);
  notify(ctx, "h", "hincrbyfloat", key);
  // Replicas and the AOF get the final value, so float precision and formatting cannot drift.
  ctx.rewrite(["HSET", key, field, out]);
  return out;
}

// Stores one field for HINCRBY/HINCRBYFLOAT, creating the hash when needed (one dirty change).
function hashStore(
  ctx: Ctx,
  h: HashValue | undefined,
  key: string,
  field: string,
  value: string,
): void {
  const isNew = h === undefined;
  if (h === undefined) h = new HashValue();
  limits(ctx);
  h.set(field, value, maxEntries, maxValue);
  const ks = ctx.server.keyspace;
  const dirty = ks.dirty;
  if (isNew) ctx.db.add(key, h);
  else ctx.db.modified(key, h);
  ks.dirty = dirty + 1;
}

// HRANDFIELD key [count [WITHVALUES]]
function hrandfield(ctx: Ctx, argv: string[]): Reply {
  if (argv.length >= 3) {
    const count = argSignedCount(argv[2]);
    let withValues = false;
    if (argv.length > 4 || (argv.length === 4 && argv[3].toLowerCase() !== "withvalues")) {
      throw new ReplyError(SYNTAX);
    } else if (argv.length === 4) {
      withValues = true;
      // Redis refuses counts whose doubled reply length would overflow a long.
      if (count < -4611686018427387903n || count > 4611686018427387903n) {
        throw new ReplyError(OUT_OF_RANGE);
      }
    }
    return hrandfieldWithCount(ctx, argv[1], Number(count), withValues);
  }
  const h = readHash(ctx, argv[1]);
  return h === undefined ? null : h.randomField();
}

// hrandfieldWithCountCommand. A negative count allows repeats and replies exactly that many;
// a positive one replies distinct fields, all of them (in hash order) when it covers the hash.
// RESP3 nests each field/value pair in an array.
function hrandfieldWithCount(ctx: Ctx, key: string, l: number, withValues: boolean): Reply {
  const h = readHash(ctx, key);
  if (h === undefined || l === 0) return [];
  const map = h.map;
  const nested = withValues && ctx.client.resp === 3;
  const out: Reply[] = [];
  const push = (f: string) => {
    if (!withValues) out.push(f);
    else if (nested) out.push([f, map.get(f)!]);
    else out.push(f, map.get(f)!);
  };
  if (l < 0 || l === 1) {
    const fields = h.fields();
    for (let n = l < 0 ? picksWithRepeats(l) : 1; n > 0; n--) {
      push(fields[Math.floor(Math.random() * fields.length)]);
    }
    return out;
  }
  if (l >= map.size) {
    for (const f of map.keys()) push(f);
    return out;
  }
  // A partial Fisher-Yates shuffle over a copy picks `l` distinct fields.
  const fields = h.fields().slice();
  for (let i = 0; i < l; i++) {
    const j = i + Math.floor(Math.random() * (fields.length - i));
    const f = fields[j];
    fields[j] = fields[i];
    push(f);
  }
  return out;
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
// A listpack hash is returned whole with cursor 0, as Redis does; a hashtable is walked with
// the shared cursor machinery (store/scan.ts), COUNT fields per call.
function hscan(ctx: Ctx, argv: string[]): Reply {
  const cursor = argCursor(argv[2]);
  const key = argv[1];
  const h = readHash(ctx, key);
  if (h === undefined) return emptyScan();
  const { count, pattern } = parseScanOptions(argv);
  const map = h.map;
  const out: string[] = [];
  if (h.isListpack) {
    for (const [f, v] of map) if (pattern === null || globMatch(pattern, f)) out.push(f, v);
    return ["0", out];
  }
  const db = ctx.db;
  const next = ctx.server.keyspace.scans.step(cursor, map, count, (f) => {
    if (pattern === null || globMatch(pattern, f)) out.push(f, map.get(f)!);
  }, () => db.data.get(key) === h);
  return [String(next), out];
}

// ---------------------------------------------------------------------------------------------
// Table

/** The one key spec of a single-key command (argument 1) with `flags`. */
export function keyAt1(...flags: string[]): KeySpec[] {
  return [{ flags, begin: { index: 1 }, find: { lastKey: 0, keyStep: 1, limit: 0 } }];
}

const KEY1 = { first: 1, last: 1, step: 1 };
const ARG_KEY = { name: "key", type: "key", keySpecIndex: 0 };
const ARG_FIELD = { name: "field", type: "string" };
const ARG_FIELD_VALUE = {
  name: "field_value",
  type: "block",
  flags: ["multiple"],
  arguments: [{ name: "field", type: "string" }, { name: "value", type: "string" }],
};

/** Hashes command specs. */
export const HASHES_COMMANDS: CommandSpec[] = [
  {
    name: "hset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "hash", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RW", "update"),
    handler: (ctx, argv) => hsetGeneric(ctx, argv, false),
    summary: "Set the string value of a hash field",
    since: "2.0.0",
    group: "hash",
    complexity:
      "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
    history: [["4.0.0", "Accepts multiple `field` and `value` arguments."]],
    arguments: [ARG_KEY, ARG_FIELD_VALUE],
  },
  {
    name: "hsetnx",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "hash", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RW", "insert"),
    handler: hsetnx,
    summary: "Set the value of a hash field, only if the field does not exist",
    since: "2.0.0",
    group: "hash",
    complexity: "O(1)",
    arguments: [ARG_KEY, ARG_FIELD, { name: "value", type: "string" }],
  },
  {
    name: "hget",
    arity: 3,
    flags: ["readonly", "fast"],
    categories: ["read", "hash", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RO", "access"),
    handler: hget,
    summary: "Get the value of a hash field",
    since: "2.0.0",
    group: "hash",
    complexity: "O(1)",
    arguments: [ARG_KEY, ARG_FIELD],
  },
  {
    name: "hmget",
    arity: -3,
    flags: ["readonly", "fast"],
    categories: ["read", "hash", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RO", "access"),
    handler: hmget,
    summary: "Get the values of all the given hash fields",
    since: "2.0.0",
    group: "hash",
    complexity: "O(N) where N is the number of fields being requested.",
    arguments: [ARG_KEY, { name: "field", type: "string", flags: ["multiple"] }],
  },
  {
    name: "hmset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "hash", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RW", "update"),
    handler: (ctx, argv) => hsetGeneric(ctx, argv, true),
    summary: "Set multiple hash fields to multiple values",
    since: "2.0.0",
    group: "hash",
    complexity: "O(N) where N is the number of fields being set.",
    docFlags: ["deprecated"],
    deprecatedSince: "4.0.0",
    replacedBy: "`HSET` with multiple field-value pairs",
    arguments: [ARG_KEY, ARG_FIELD_VALUE],
  },
  {
    name: "hdel",
    arity: -3,
    flags: ["write", "fast"],
    categories: ["write", "hash", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RW", "delete"),
    handler: hdel,
    summary: "Delete one or more hash fields",
    since: "2.0.0",
    group: "hash",
    complexity: "O(N) where N is the number of fields to be removed.",
    history: [["2.4.0", "Accepts multiple `field` arguments."]],
    arguments: [ARG_KEY, { name: "field", type: "string", flags: ["multiple"] }],
  },
  {
    name: "hlen",
    arity: 2,
    flags: ["readonly", "fast"],
    categories: ["read", "hash", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RO"),
    handler: hlen,
    summary: "Get the number of fields in a hash",
    since: "2.0.0",
    group: "hash",
    complexity: "O(1)",
    arguments: [ARG_KEY],
  },
  {
    name: "hstrlen",
    arity: 3,
    flags: ["readonly", "fast"],
    categories: ["read", "hash", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RO"),
    handler: hstrlen,
    summary: "Get the length of the value of a hash field",
    since: "3.2.0",
    group: "hash",
    complexity: "O(1)",
    arguments: [ARG_KEY, ARG_FIELD],
  },
  {
    name: "hexists",
    arity: 3,
    flags: ["readonly", "fast"],
    categories: ["read", "hash", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RO"),
    handler: hexists,
    summary: "Determine if a hash field exists",
    since: "2.0.0",
    group: "hash",
    complexity: "O(1)",
    arguments: [ARG_KEY, ARG_FIELD],
  },
  {
    name: "hkeys",
    arity: 2,
    flags: ["readonly"],
    categories: ["read", "hash", "slow"],
    keys: KEY1,
    keySpecs: keyAt1("RO", "access"),
    tips: ["nondeterministic_output_order"],
    handler: hkeys,
    summary: "Get all the fields in a hash",
    since: "2.0.0",
    group: "hash",
    complexity: "O(N) where N is the size of the hash.",
    arguments: [ARG_KEY],
  },
  {
    name: "hvals",
    arity: 2,
    flags: ["readonly"],
    categories: ["read", "hash", "slow"],
    keys: KEY1,
    keySpecs: keyAt1("RO", "access"),
    tips: ["nondeterministic_output_order"],
    handler: hvals,
    summary: "Get all the values in a hash",
    since: "2.0.0",
    group: "hash",
    complexity: "O(N) where N is the size of the hash.",
    arguments: [ARG_KEY],
  },
  {
    name: "hgetall",
    arity: 2,
    flags: ["readonly"],
    categories: ["read", "hash", "slow"],
    keys: KEY1,
    keySpecs: keyAt1("RO", "access"),
    tips: ["nondeterministic_output_order"],
    handler: hgetall,
    summary: "Get all the fields and values in a hash",
    since: "2.0.0",
    group: "hash",
    complexity: "O(N) where N is the size of the hash.",
    arguments: [ARG_KEY],
  },
  {
    name: "hincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "hash", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RW", "access", "update"),
    handler: hincrby,
    summary: "Increment the integer value of a hash field by the given number",
    since: "2.0.0",
    group: "hash",
    complexity: "O(1)",
    arguments: [ARG_KEY, ARG_FIELD, { name: "increment", type: "integer" }],
  },
  {
    name: "hincrbyfloat",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "hash", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RW", "access", "update"),
    handler: hincrbyfloat,
    summary: "Increment the float value of a hash field by the given amount",
    since: "2.6.0",
    group: "hash",
    complexity: "O(1)",
    arguments: [ARG_KEY, ARG_FIELD, { name: "increment", type: "double" }],
  },
  {
    name: "hrandfield",
    arity: -2,
    flags: ["readonly"],
    categories: ["read", "hash", "slow"],
    keys: KEY1,
    keySpecs: keyAt1("RO", "access"),
    tips: ["nondeterministic_output"],
    handler: hrandfield,
    summary: "Get one or multiple random fields from a hash",
    since: "6.2.0",
    group: "hash",
    complexity: "O(N) where N is the number of fields returned",
    arguments: [ARG_KEY, {
      name: "options",
      type: "block",
      flags: ["optional"],
      arguments: [{ name: "count", type: "integer" }, {
        name: "withvalues",
        type: "pure-token",
        token: "WITHVALUES",
        flags: ["optional"],
      }],
    }],
  },
  {
    name: "hscan",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "hash", "slow"],
    keys: KEY1,
    keySpecs: keyAt1("RO", "access"),
    tips: ["nondeterministic_output"],
    handler: hscan,
    summary: "Incrementally iterate hash fields and associated values",
    since: "2.8.0",
    group: "hash",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    arguments: [ARG_KEY, { name: "cursor", type: "integer" }, {
      name: "pattern",
      type: "pattern",
      token: "MATCH",
      flags: ["optional"],
    }, { name: "count", type: "integer", token: "COUNT", flags: ["optional"] }],
  },
];
