// The strings family (t_string.c): GET/SET and their variants, the INCR family, APPEND, ranges,
// MGET/MSET and LCS. Values are one-byte JS strings stored bare in the Database. Writes whose
// effect depends on the clock or on float formatting propagate in deterministic form, exactly
// as Redis 7.0 does: SET EX/PX/EXAT → SET PXAT, SETEX → SET PXAT, GETEX → PEXPIREAT/PERSIST/DEL,
// GETDEL → DEL, GETSET → SET, INCRBYFLOAT → SET ... KEEPTTL.

import {
  DECREMENT_OVERFLOW,
  invalidExpire,
  LCS_EXCEEDS_PROTO,
  LCS_LEN_AND_IDX,
  LCS_NO_MEMORY,
  LCS_NOT_STRINGS,
  NOT_FLOAT,
  NOT_FLOAT_INCR,
  NOT_INTEGER,
  OFFSET_OUT_OF_RANGE,
  OVERFLOW,
  ReplyError,
  STRING_TOO_LONG,
  SYNTAX,
  wrongArity,
  WRONGTYPE,
} from "../errors.ts";
import { OK, type Reply, RespMap } from "../resp/types.ts";
import type { Database } from "../store/database.ts";
import { bytesToStr } from "../util/bytes.ts";
import {
  addLongDouble,
  formatLongDoubleHuman,
  type LongDouble,
  parseLongDouble,
} from "../util/long_double.ts";
import { fitsI64, normInt, parseI64, parseSafeInt } from "../util/numbers.ts";
import { type CommandSpec, type Ctx, type KeySpec, rangeKeySpec } from "./spec.ts";

// Option bits of the SET/GETEX grammar (t_string.c OBJ_SET_NX, OBJ_EX, ...).
const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
const EX = 32;
const PX = 64;
const EXAT = 128;
const PXAT = 256;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;
/** Largest seconds value whose milliseconds fit a long long (LLONG_MAX / 1000). */
const MAX_EXPIRE_SECONDS = 9223372036854775n;
/** V8's longest string (2^29 - 24 chars), a little under Redis's 512 MB default limit. */
const MAX_STRING_LENGTH = (1 << 29) - 24;
const LD_ZERO: LongDouble = { neg: false, mant: 0n, exp: 0, inf: false };

/** True when `s` is `word` (lowercase ASCII letters) in any letter case; allocates nothing. */
function isOpt(s: string, word: string): boolean {
  const n = word.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) {
    if ((s.charCodeAt(i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

// Reads go through lookupRead (keyspace hits/misses, `keymiss`), as lookupKeyRead does; write
// paths use db.getString / db.lookup, which count nothing.
function readString(db: Database, key: string): string | undefined {
  const v = db.lookupRead(key);
  if (v === undefined || typeof v === "string") return v;
  throw new ReplyError(WRONGTYPE);
}

// setKey(): the write is preceded by a lookup so that a logically expired key is expired first
// (firing `expired` and propagating its DEL before this command), as lookupKeyWrite does.
function setKey(db: Database, key: string, value: string): void {
  if (db.expires.size !== 0) db.lookup(key);
  db.set(key, value);
}

function notify(ctx: Ctx, type: string, event: string, key: string): void {
  ctx.server.keyspace.hooks.notify(type, event, key, ctx.db.id);
}

// checkStringLength: APPEND and SETRANGE refuse results beyond proto-max-bulk-len, except for
// our master, which must be obeyed. V8's own string limit applies to everyone.
function checkStringLength(ctx: Ctx, size: number, append: number): void {
  const total = size + append;
  if (
    (!ctx.client.isMaster && total > ctx.server.config.num("proto-max-bulk-len")) ||
    total > MAX_STRING_LENGTH
  ) {
    throw new ReplyError(STRING_TOO_LONG);
  }
}

// The expire argument found by parseExtended. Handlers are synchronous and nothing runs between
// parsing and reading it, so one module slot keeps option parsing allocation-free.
let expireArg = "";

/**
 * parseExtendedStringArgumentsOrReply: SET options (`isSet`) or GETEX options from argv[first].
 * Repeating an option is allowed; combining conflicting ones is a syntax error.
 * @returns the option bits; the expire value, if any, is left in `expireArg`
 */
function parseExtended(argv: string[], first: number, isSet: boolean): number {
  let flags = 0;
  const n = argv.length;
  for (let j = first; j < n; j++) {
    const opt = argv[j];
    if (isSet && isOpt(opt, "nx") && (flags & XX) === 0) {
      flags |= NX;
    } else if (isSet && isOpt(opt, "xx") && (flags & NX) === 0) {
      flags |= XX;
    } else if (isSet && isOpt(opt, "get")) {
      flags |= GET;
    } else if (isSet && isOpt(opt, "keepttl") && (flags & (PERSIST | ANY_EXPIRE)) === 0) {
      flags |= KEEPTTL;
    } else if (!isSet && isOpt(opt, "persist") && (flags & (KEEPTTL | ANY_EXPIRE)) === 0) {
      flags |= PERSIST;
    } else {
      const kind = isOpt(opt, "ex")
        ? EX
        : isOpt(opt, "px")
        ? PX
        : isOpt(opt, "exat")
        ? EXAT
        : isOpt(opt, "pxat")
        ? PXAT
        : 0;
      if (kind === 0 || j === n - 1 || (flags & (KEEPTTL | PERSIST | (ANY_EXPIRE & ~kind))) !== 0) {
        throw new ReplyError(SYNTAX);
      }
      flags |= kind;
      expireArg = argv[++j];
    }
  }
  return flags;
}

/**
 * getExpireMillisecondsOrReply: the absolute expiry in unix ms for an EX/PX/EXAT/PXAT value
 * (a bigint only beyond 2^53), with Redis's errors for non-integers, values <= 0 and overflow.
 */
function expireAt(ctx: Ctx, s: string, flags: number): number | bigint {
  const v = parseI64(s);
  if (v === null) throw new ReplyError(NOT_INTEGER);
  const seconds = (flags & (EX | EXAT)) !== 0;
  if (v <= 0 || (seconds && v > MAX_EXPIRE_SECONDS)) {
    throw new ReplyError(invalidExpire(ctx.command.name));
  }
  let ms: number | bigint = v;
  if (seconds) ms = typeof v === "number" && v < 2 ** 42 ? v * 1000 : BigInt(v) * 1000n;
  if ((flags & (EX | PX)) !== 0) {
    ms = typeof ms === "number" && ms < 2 ** 52 ? ms + ctx.now : BigInt(ms) + BigInt(ctx.now);
  }
  if (typeof ms === "number") return ms;
  // Redis detects the signed overflow of the addition as a non-positive result.
  if (ms > LLONG_MAX) throw new ReplyError(invalidExpire(ctx.command.name));
  return normInt(ms);
}

// SET ... GET propagates without its GET arguments (any "get" after the value, as t_string.c).
function withoutGet(argv: string[]): string[] {
  const out = [argv[0], argv[1], argv[2]];
  for (let j = 3; j < argv.length; j++) if (!isOpt(argv[j], "get")) out.push(argv[j]);
  return out;
}

/**
 * setGenericCommand, shared by SET, SETNX, SETEX and PSETEX. `ok` and `abort` are the replies
 * for a done and a skipped (NX/XX) write when GET was not given.
 */
function setGeneric(
  ctx: Ctx,
  argv: string[],
  flags: number,
  key: string,
  value: string,
  expire: string | null,
  ok: Reply,
  abort: Reply,
): Reply {
  const db = ctx.db;
  const at = expire === null ? 0 : expireAt(ctx, expire, flags);
  let old: string | undefined;
  let found: boolean;
  if ((flags & GET) !== 0) {
    old = readString(db, key);
    found = old !== undefined;
  } else {
    found = db.lookup(key) !== undefined;
  }
  if (((flags & NX) !== 0 && found) || ((flags & XX) !== 0 && !found)) {
    return (flags & GET) !== 0 ? old ?? null : abort;
  }
  db.set(key, value, (flags & KEEPTTL) !== 0);
  notify(ctx, "$", "set", key);
  if (expire !== null) {
    // An EXAT/PXAT already in the past still stores the key (Redis 7.0 leaves it to lazy and
    // active expiry, which then propagate the DEL).
    db.setExpire(key, Number(at));
    ctx.rewrite(["SET", key, value, "PXAT", String(at)]);
    notify(ctx, "g", "expire", key);
  } else if ((flags & GET) !== 0) {
    ctx.rewrite(withoutGet(argv));
  }
  return (flags & GET) !== 0 ? old ?? null : ok;
}

// GET key
function get(ctx: Ctx, argv: string[]): Reply {
  return readString(ctx.db, argv[1]) ?? null;
}

// SET key value [NX | XX] [GET] [EX seconds | PX ms | EXAT unix-seconds | PXAT unix-ms | KEEPTTL]
function set(ctx: Ctx, argv: string[]): Reply {
  if (argv.length === 3) {
    const key = argv[1];
    setKey(ctx.db, key, argv[2]);
    notify(ctx, "$", "set", key);
    return OK;
  }
  const flags = parseExtended(argv, 3, true);
  const expire = (flags & ANY_EXPIRE) !== 0 ? expireArg : null;
  return setGeneric(ctx, argv, flags, argv[1], argv[2], expire, OK, null);
}

// SETNX key value
function setnx(ctx: Ctx, argv: string[]): Reply {
  return setGeneric(ctx, argv, NX, argv[1], argv[2], null, 1, 0);
}

// SETEX key seconds value
function setex(ctx: Ctx, argv: string[]): Reply {
  return setGeneric(ctx, argv, EX, argv[1], argv[3], argv[2], OK, null);
}

// PSETEX key milliseconds value
function psetex(ctx: Ctx, argv: string[]): Reply {
  return setGeneric(ctx, argv, PX, argv[1], argv[3], argv[2], OK, null);
}

// GETSET key value
function getset(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const key = argv[1];
  const old = readString(db, key);
  db.set(key, argv[2]);
  notify(ctx, "$", "set", key);
  ctx.rewrite(["SET", key, argv[2]]);
  return old ?? null;
}

// GETDEL key
function getdel(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const key = argv[1];
  const v = readString(db, key);
  if (v === undefined) return null;
  db.delete(key);
  ctx.rewrite([ctx.server.config.bool("lazyfree-lazy-user-del") ? "UNLINK" : "DEL", key]);
  notify(ctx, "g", "del", key);
  return v;
}

// GETEX key [EX seconds | PX ms | EXAT unix-seconds | PXAT unix-ms | PERSIST]
function getex(ctx: Ctx, argv: string[]): Reply {
  const flags = argv.length > 2 ? parseExtended(argv, 2, false) : 0;
  const expire = expireArg;
  const db = ctx.db;
  const key = argv[1];
  // A missing key replies nil before the expire value is even validated, as Redis does.
  const v = readString(db, key);
  if (v === undefined) return null;
  if ((flags & ANY_EXPIRE) !== 0) {
    const at = expireAt(ctx, expire, flags);
    // An absolute time already past deletes the key now (except on a replica, which waits
    // for its master's DEL, and while an AOF loads; checkAlreadyExpired).
    const ks = ctx.server.keyspace;
    if ((flags & (EXAT | PXAT)) !== 0 && at <= ctx.now && !ks.isReplica() && !ks.loading) {
      db.delete(key);
      ctx.rewrite([ctx.server.config.bool("lazyfree-lazy-expire") ? "UNLINK" : "DEL", key]);
      notify(ctx, "g", "del", key);
    } else {
      db.setExpire(key, Number(at));
      db.keyspace.modified(db, key);
      ctx.rewrite(["PEXPIREAT", key, String(at)]);
      notify(ctx, "g", "expire", key);
    }
  } else if ((flags & PERSIST) !== 0 && db.persist(key)) {
    db.keyspace.modified(db, key);
    ctx.rewrite(["PERSIST", key]);
    notify(ctx, "g", "persist", key);
  }
  return v;
}

// MGET key [key ...]
function mget(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const out: Reply[] = new Array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const v = db.lookupRead(argv[i]);
    out[i - 1] = typeof v === "string" ? v : null;
  }
  return out;
}

// MSET / MSETNX: MSETNX sets nothing (and replies 0) when any of the keys exists.
function msetGeneric(ctx: Ctx, argv: string[], nx: boolean): Reply {
  if (argv.length % 2 === 0) throw new ReplyError(wrongArity(ctx.command.name));
  const db = ctx.db;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) if (db.lookup(argv[j]) !== undefined) return 0;
  }
  for (let j = 1; j < argv.length; j += 2) {
    if (nx) db.set(argv[j], argv[j + 1]);
    else setKey(db, argv[j], argv[j + 1]);
    notify(ctx, "$", "set", argv[j]);
  }
  return nx ? 1 : OK;
}

// MSET key value [key value ...]
function mset(ctx: Ctx, argv: string[]): Reply {
  return msetGeneric(ctx, argv, false);
}

// MSETNX key value [key value ...]
function msetnx(ctx: Ctx, argv: string[]): Reply {
  return msetGeneric(ctx, argv, true);
}

// APPEND key value
function append(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const key = argv[1];
  const tail = argv[2];
  const cur = db.getString(key);
  let res: string;
  if (cur === undefined) {
    res = tail;
    db.set(key, res);
  } else {
    checkStringLength(ctx, cur.length, tail.length);
    res = cur + tail;
    db.set(key, res, true);
    db.markRaw(key); // Redis appends in place to an unshared raw sds
  }
  notify(ctx, "$", "append", key);
  return res.length;
}

// STRLEN key
function strlen(ctx: Ctx, argv: string[]): Reply {
  const v = readString(ctx.db, argv[1]);
  return v === undefined ? 0 : v.length;
}

// GETRANGE key start end (and the deprecated SUBSTR, its identical predecessor)
function getrange(ctx: Ctx, argv: string[]): Reply {
  let start = parseSafeInt(argv[2]);
  if (start === null) throw new ReplyError(NOT_INTEGER);
  let end = parseSafeInt(argv[3]);
  if (end === null) throw new ReplyError(NOT_INTEGER);
  const v = readString(ctx.db, argv[1]);
  if (v === undefined) return "";
  const len = v.length;
  if (start < 0 && end < 0 && start > end) return "";
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return "";
  return v.slice(start, end + 1);
}

// SETRANGE key offset value
function setrange(ctx: Ctx, argv: string[]): Reply {
  const offset = parseSafeInt(argv[2]);
  if (offset === null) throw new ReplyError(NOT_INTEGER);
  if (offset < 0) throw new ReplyError(OFFSET_OUT_OF_RANGE);
  const db = ctx.db;
  const key = argv[1];
  const value = argv[3];
  const cur = db.getString(key);
  // Writing nothing changes nothing: no key is created and nothing propagates.
  if (value.length === 0) return cur === undefined ? 0 : cur.length;
  checkStringLength(ctx, offset, value.length);
  let res: string;
  if (cur === undefined) {
    res = "\0".repeat(offset) + value;
    db.set(key, res);
  } else {
    const end = offset + value.length;
    if (offset >= cur.length) res = cur + "\0".repeat(offset - cur.length) + value;
    else res = cur.slice(0, offset) + value + (end < cur.length ? cur.slice(end) : "");
    db.set(key, res, true);
  }
  db.markRaw(key); // the result is always a raw sds in Redis
  notify(ctx, "$", "setrange", key);
  return res.length;
}

/**
 * incrDecrCommand: adds `incr` to the integer at `key` (0 when missing), keeping its TTL.
 * The stored value must parse as string2ll does; 64-bit overflow is an error, not a wrap.
 */
function incrDecr(ctx: Ctx, key: string, incr: number | bigint): Reply {
  const db = ctx.db;
  const cur = db.getString(key);
  let value: number | bigint = 0;
  if (cur !== undefined) {
    const p = parseI64(cur);
    if (p === null) throw new ReplyError(NOT_INTEGER);
    value = p;
  }
  let result: number | bigint;
  if (typeof value === "number" && typeof incr === "number") {
    result = value + incr;
    // Both operands are safe, so an unsafe sum is the only way precision could have been lost.
    if (!Number.isSafeInteger(result)) result = BigInt(value) + BigInt(incr);
  } else {
    result = BigInt(value) + BigInt(incr);
  }
  if (typeof result === "bigint") {
    if (!fitsI64(result)) throw new ReplyError(OVERFLOW);
    result = normInt(result);
  }
  db.set(key, String(result), cur !== undefined);
  notify(ctx, "$", "incrby", key);
  return result;
}

// INCR key
function incr(ctx: Ctx, argv: string[]): Reply {
  return incrDecr(ctx, argv[1], 1);
}

// DECR key
function decr(ctx: Ctx, argv: string[]): Reply {
  return incrDecr(ctx, argv[1], -1);
}

// INCRBY key increment
function incrby(ctx: Ctx, argv: string[]): Reply {
  const by = parseI64(argv[2]);
  if (by === null) throw new ReplyError(NOT_INTEGER);
  return incrDecr(ctx, argv[1], by);
}

// DECRBY key decrement
function decrby(ctx: Ctx, argv: string[]): Reply {
  const by = parseI64(argv[2]);
  if (by === null) throw new ReplyError(NOT_INTEGER);
  // -LLONG_MIN does not exist: Redis refuses it with its own message.
  if (by === LLONG_MIN) throw new ReplyError(DECREMENT_OVERFLOW);
  return incrDecr(ctx, argv[1], -by);
}

// INCRBYFLOAT key increment
function incrbyfloat(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const key = argv[1];
  const cur = db.getString(key);
  // Redis computes in long double; util/long_double.ts emulates it exactly.
  const value = cur === undefined ? LD_ZERO : parseLongDouble(cur);
  if (value === null) throw new ReplyError(NOT_FLOAT);
  const by = parseLongDouble(argv[2]);
  if (by === null) throw new ReplyError(NOT_FLOAT);
  const sum = addLongDouble(value, by);
  if (sum === null) throw new ReplyError(NOT_FLOAT_INCR);
  const out = formatLongDoubleHuman(sum);
  db.set(key, out, cur !== undefined);
  notify(ctx, "$", "incrbyfloat", key);
  // Replicas and the AOF get the final value, so float precision and formatting cannot drift.
  ctx.rewrite(["SET", key, out, "KEEPTTL"]);
  return out;
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
function lcs(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const va = db.lookupRead(argv[1]);
  const vb = db.lookupRead(argv[2]);
  // Checked before the options, with LCS's own error text rather than WRONGTYPE.
  if (
    (va !== undefined && typeof va !== "string") || (vb !== undefined && typeof vb !== "string")
  ) {
    throw new ReplyError(LCS_NOT_STRINGS);
  }
  const a = va ?? "";
  const b = vb ?? "";
  let getIdx = false;
  let getLen = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (isOpt(opt, "idx")) {
      getIdx = true;
    } else if (isOpt(opt, "len")) {
      getLen = true;
    } else if (isOpt(opt, "withmatchlen")) {
      withMatchLen = true;
    } else if (isOpt(opt, "minmatchlen") && j < argv.length - 1) {
      const m = parseSafeInt(argv[++j]);
      if (m === null) throw new ReplyError(NOT_INTEGER);
      minMatchLen = m < 0 ? 0 : m;
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  if (getIdx && getLen) throw new ReplyError(LCS_LEN_AND_IDX);

  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  const cells = (alen + 1) * w;
  // The table is uint32 cells, as in Redis, and bounded by the same limit.
  if (cells * 4 > ctx.server.config.num("proto-max-bulk-len")) {
    throw new ReplyError(LCS_EXCEEDS_PROTO);
  }
  let dp: Uint32Array;
  let bc: Uint8Array;
  try {
    dp = new Uint32Array(cells);
    bc = new Uint8Array(blen);
  } catch {
    throw new ReplyError(LCS_NO_MEMORY);
  }
  for (let j = 0; j < blen; j++) bc[j] = b.charCodeAt(j);
  for (let i = 1; i <= alen; i++) {
    const ca = a.charCodeAt(i - 1);
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ca === bc[j - 1]) {
        dp[row + j] = dp[prev + j - 1] + 1;
      } else {
        const l1 = dp[prev + j];
        const l2 = dp[row + j - 1];
        dp[row + j] = l1 > l2 ? l1 : l2;
      }
    }
  }
  const total = dp[alen * w + blen];
  if (getLen) return total;

  // Walk back from the end, collecting the LCS and (for IDX) its ranges, last match first.
  const result = new Uint8Array(total);
  const matches: Reply[] = [];
  let idx = total;
  let aStart = alen; // alen means "no range open"
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === bc[j - 1]) {
      result[idx - 1] = bc[j - 1];
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (dp[(i - 1) * w + j] > dp[i * w + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getIdx && (minMatchLen === 0 || matchLen >= minMatchLen)) {
        const m: Reply[] = [[aStart, aEnd], [bStart, bEnd]];
        if (withMatchLen) m.push(matchLen);
        matches.push(m);
      }
      aStart = alen;
    }
  }
  if (getIdx) return new RespMap(["matches", matches, "len", total]);
  return bytesToStr(result);
}

// Redis 7 key specs: every string command starts at argument 1 and takes a range of keys.
function keySpec(flags: string[], lastKey: number, keyStep: number, notes?: string): KeySpec {
  return rangeKeySpec(flags, 1, lastKey, keyStep, notes);
}

const KEY1 = { first: 1, last: 1, step: 1 };
const O1 = "O(1)";
const GETRANGE_COMPLEXITY =
  "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.";

export const STRING_COMMANDS: CommandSpec[] = [
  {
    name: "get",
    arity: 2,
    flags: ["readonly", "fast"],
    categories: ["read", "string", "fast"],
    keys: KEY1,
    handler: get,
    summary: "Get the value of a key",
    since: "1.0.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["RO", "access"], 0, 1)],
  },
  {
    name: "set",
    arity: -3,
    flags: ["write", "denyoom"],
    categories: ["write", "string", "slow"],
    keys: KEY1,
    handler: set,
    summary: "Set the string value of a key",
    since: "1.0.0",
    group: "string",
    complexity: O1,
    keySpecs: [
      keySpec(
        ["RW", "access", "update", "variable_flags"],
        0,
        1,
        "RW and ACCESS due to the optional `GET` argument",
      ),
    ],
    history: [
      ["2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."],
      ["6.0.0", "Added the `KEEPTTL` option."],
      ["6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."],
      ["7.0.0", "Allowed the `NX` and `GET` options to be used together."],
    ],
  },
  {
    name: "setnx",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "string", "fast"],
    keys: KEY1,
    handler: setnx,
    summary: "Set the value of a key, only if the key does not exist",
    since: "1.0.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["OW", "insert"], 0, 1)],
  },
  {
    name: "setex",
    arity: 4,
    flags: ["write", "denyoom"],
    categories: ["write", "string", "slow"],
    keys: KEY1,
    handler: setex,
    summary: "Set the value and expiration of a key",
    since: "2.0.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["OW", "update"], 0, 1)],
  },
  {
    name: "psetex",
    arity: 4,
    flags: ["write", "denyoom"],
    categories: ["write", "string", "slow"],
    keys: KEY1,
    handler: psetex,
    summary: "Set the value and expiration in milliseconds of a key",
    since: "2.6.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["OW", "update"], 0, 1)],
  },
  {
    name: "getset",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "string", "fast"],
    keys: KEY1,
    handler: getset,
    summary: "Set the string value of a key and return its old value",
    since: "1.0.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["RW", "access", "update"], 0, 1)],
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`SET` with the `!GET` argument",
  },
  {
    name: "getdel",
    arity: 2,
    flags: ["write", "fast"],
    categories: ["write", "string", "fast"],
    keys: KEY1,
    handler: getdel,
    summary: "Get the value of a key and delete the key",
    since: "6.2.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["RW", "access", "delete"], 0, 1)],
  },
  {
    name: "getex",
    arity: -2,
    flags: ["write", "fast"],
    categories: ["write", "string", "fast"],
    keys: KEY1,
    handler: getex,
    summary: "Get the value of a key and optionally set its expiration",
    since: "6.2.0",
    group: "string",
    complexity: O1,
    keySpecs: [
      keySpec(["RW", "access", "update"], 0, 1, "RW and UPDATE because it changes the TTL"),
    ],
  },
  {
    name: "mget",
    arity: -2,
    flags: ["readonly", "fast"],
    categories: ["read", "string", "fast"],
    keys: { first: 1, last: -1, step: 1 },
    handler: mget,
    summary: "Get the values of all the given keys",
    since: "1.0.0",
    group: "string",
    complexity: "O(N) where N is the number of keys to retrieve.",
    keySpecs: [keySpec(["RO", "access"], -1, 1)],
    tips: ["request_policy:multi_shard"],
  },
  {
    name: "mset",
    arity: -3,
    flags: ["write", "denyoom"],
    categories: ["write", "string", "slow"],
    keys: { first: 1, last: -1, step: 2 },
    handler: mset,
    summary: "Set multiple keys to multiple values",
    since: "1.0.1",
    group: "string",
    complexity: "O(N) where N is the number of keys to set.",
    keySpecs: [keySpec(["OW", "update"], -1, 2)],
    tips: ["request_policy:multi_shard", "response_policy:all_succeeded"],
  },
  {
    name: "msetnx",
    arity: -3,
    flags: ["write", "denyoom"],
    categories: ["write", "string", "slow"],
    keys: { first: 1, last: -1, step: 2 },
    handler: msetnx,
    summary: "Set multiple keys to multiple values, only if none of the keys exist",
    since: "1.0.1",
    group: "string",
    complexity: "O(N) where N is the number of keys to set.",
    keySpecs: [keySpec(["OW", "insert"], -1, 2)],
    tips: ["request_policy:multi_shard", "response_policy:agg_min"],
  },
  {
    name: "append",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "string", "fast"],
    keys: KEY1,
    handler: append,
    summary: "Append a value to a key",
    since: "2.0.0",
    group: "string",
    complexity:
      "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
    keySpecs: [keySpec(["RW", "insert"], 0, 1)],
  },
  {
    name: "strlen",
    arity: 2,
    flags: ["readonly", "fast"],
    categories: ["read", "string", "fast"],
    keys: KEY1,
    handler: strlen,
    summary: "Get the length of the value stored in a key",
    since: "2.2.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["RO"], 0, 1)],
  },
  {
    name: "getrange",
    arity: 4,
    flags: ["readonly"],
    categories: ["read", "string", "slow"],
    keys: KEY1,
    handler: getrange,
    summary: "Get a substring of the string stored at a key",
    since: "2.4.0",
    group: "string",
    complexity: GETRANGE_COMPLEXITY,
    keySpecs: [keySpec(["RO", "access"], 0, 1)],
  },
  {
    name: "substr",
    arity: 4,
    flags: ["readonly"],
    categories: ["read", "string", "slow"],
    keys: KEY1,
    handler: getrange,
    summary: "Get a substring of the string stored at a key",
    since: "1.0.0",
    group: "string",
    complexity: GETRANGE_COMPLEXITY,
    keySpecs: [keySpec(["RO", "access"], 0, 1)],
    docFlags: ["deprecated"],
    deprecatedSince: "2.0.0",
    replacedBy: "`GETRANGE`",
  },
  {
    name: "setrange",
    arity: 4,
    flags: ["write", "denyoom"],
    categories: ["write", "string", "slow"],
    keys: KEY1,
    handler: setrange,
    summary: "Overwrite part of a string at key starting at the specified offset",
    since: "2.2.0",
    group: "string",
    complexity:
      "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
    keySpecs: [keySpec(["RW", "update"], 0, 1)],
  },
  {
    name: "incr",
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "string", "fast"],
    keys: KEY1,
    handler: incr,
    summary: "Increment the integer value of a key by one",
    since: "1.0.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["RW", "access", "update"], 0, 1)],
  },
  {
    name: "decr",
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "string", "fast"],
    keys: KEY1,
    handler: decr,
    summary: "Decrement the integer value of a key by one",
    since: "1.0.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["RW", "access", "update"], 0, 1)],
  },
  {
    name: "incrby",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "string", "fast"],
    keys: KEY1,
    handler: incrby,
    summary: "Increment the integer value of a key by the given amount",
    since: "1.0.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["RW", "access", "update"], 0, 1)],
  },
  {
    name: "decrby",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "string", "fast"],
    keys: KEY1,
    handler: decrby,
    summary: "Decrement the integer value of a key by the given number",
    since: "1.0.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["RW", "access", "update"], 0, 1)],
  },
  {
    name: "incrbyfloat",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "string", "fast"],
    keys: KEY1,
    handler: incrbyfloat,
    summary: "Increment the float value of a key by the given amount",
    since: "2.6.0",
    group: "string",
    complexity: O1,
    keySpecs: [keySpec(["RW", "access", "update"], 0, 1)],
  },
  {
    name: "lcs",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "string", "slow"],
    keys: { first: 1, last: 2, step: 1 },
    handler: lcs,
    summary: "Find longest common substring",
    since: "7.0.0",
    group: "string",
    complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
    keySpecs: [keySpec(["RO", "access"], 1, 1)],
  },
];
