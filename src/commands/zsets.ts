// The sorted set family (t_zset.c): ZADD and ZINCRBY, reads by rank, score and lex range, the
// range removals, pops (blocking ones too), the set algebra of ZUNION/ZINTER/ZDIFF (plain sets
// count as members scored 1), ZRANDMEMBER and ZSCAN. Replies follow Redis 7.0 in RESP2 and
// RESP3 (scores are doubles; WITHSCORES pairs nest in RESP3). Pops that Redis rewrites
// propagate as ZPOPMIN/ZPOPMAX with the count actually popped.

import { BlockRequest } from "../blocking/registry.ts";
import {
  COUNT_NOT_POSITIVE,
  INVALID_CURSOR,
  LIMIT_NEGATIVE,
  LONG_RANGE,
  MUST_BE_POSITIVE,
  NOT_FLOAT,
  NOT_INTEGER,
  NUMKEYS_NOT_POSITIVE,
  OUT_OF_RANGE,
  ReplyError,
  SYNTAX,
  WEIGHT_NOT_FLOAT,
  WRONGTYPE,
  ZADD_GT_LT_NX,
  ZADD_INCR_PAIR,
  ZADD_XX_NX,
  ZRANGE_LIMIT_RANK,
  ZRANGE_NOT_FLOAT,
  ZRANGE_NOT_LEX,
  ZRANGE_WITHSCORES_BYLEX,
  ZSCORE_NAN,
  zsetNeedsKey,
} from "../errors.ts";
import { NULL_ARRAY, type Reply, RespDouble } from "../resp/types.ts";
import { parseCursor } from "../store/scan.ts";
import type { SetValue } from "../store/types/set.ts";
import {
  lexGteMin,
  lexLteMax,
  type LexRange,
  listpackScoreText,
  scoreGteMin,
  scoreLteMax,
  type ScoreRange,
  type ZIter,
  ZSet,
} from "../store/types/zset.ts";
import { globMatch } from "../util/glob.ts";
import { formatDouble, parseFloatStrict, parseI64, parseSafeInt } from "../util/numbers.ts";
import { argTimeout } from "./args.ts";
import type { CommandSpec, Ctx } from "./spec.ts";

// ---------------------------------------------------------------------------------------------
// Shared helpers (geo.ts uses them too)

/** The sorted set at `key` for a read command (counts hits/misses), WRONGTYPE otherwise. */
export function readZset(ctx: Ctx, key: string): ZSet | undefined {
  return ctx.db.readObject<ZSet>(key, "zset");
}

/** The sorted set at `key` for a write command (lookupKeyWrite), WRONGTYPE otherwise. */
function writeZset(ctx: Ctx, key: string): ZSet | undefined {
  return ctx.db.getObject<ZSet>(key, "zset");
}

function maxEntries(ctx: Ctx): number {
  return ctx.server.config.num("zset-max-listpack-entries");
}

function maxValue(ctx: Ctx): number {
  return ctx.server.config.num("zset-max-listpack-value");
}

function notify(ctx: Ctx, cls: string, event: string, key: string): void {
  ctx.server.keyspace.hooks.notify(cls, event, key, ctx.db.id);
}

/** A score as its reply: a RESP3 double, or the %.17g bulk string in RESP2. */
export function scoreReply(ctx: Ctx, v: number): Reply {
  return ctx.client.resp === 2 ? formatDouble(v) : new RespDouble(v);
}

/**
 * Stores a freshly built set at `key` as setKey does: replaces any value and its TTL; a new
 * key wakes clients blocked on it.
 */
export function storeZset(ctx: Ctx, key: string, zs: ZSet): void {
  const db = ctx.db;
  if (db.lookup(key) === undefined) db.add(key, zs);
  else db.set(key, zs);
}

/** Deletes a STORE destination that gets an empty result (dbDelete + `del` event). */
export function deleteStoreKey(ctx: Ctx, key: string): void {
  // Redis deletes without lazy expiry first: a logically expired key counts as deleted too.
  const db = ctx.db;
  if (db.delete(key)) notify(ctx, "g", "del", key);
}

/**
 * Makes a result built as a skiplist compact when it fits (zsetConvertToListpackIfNeeded).
 */
export function compactResult(ctx: Ctx, zs: ZSet): void {
  if (zs.fitsListpack(maxEntries(ctx), maxValue(ctx))) zs.toListpack();
}

/** A 64-bit integer argument (string2ll), clamped to a safe JS number beyond 2^53. */
function argLong(s: string): number {
  const v = parseSafeInt(s);
  if (v === null) throw new ReplyError(NOT_INTEGER);
  return v;
}

// getRangeLongFromObjectOrReply(min..LONG_MAX): parse failures get the same message.
function argRangeLong(s: string, min: number, message: string): number {
  const v = parseSafeInt(s);
  if (v === null || v < min) throw new ReplyError(message);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Range parsing

// strtod's accepted forms: decimal, hex float, inf/infinity, nan (rejected later).
const STRTOD_RE =
  /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])$/;

// zslParseRange's strtod(s, &eptr) with `eptr[0] == '\0'` and !isnan: a C string (ends at a
// NUL), leading whitespace skipped, the rest fully consumed; "" is 0; overflow gives inf.
function strtodFull(s: string): number | null {
  const z = s.indexOf("\0");
  if (z >= 0) s = s.slice(0, z);
  if (s.length === 0) return 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && (c < 9 || c > 13)) break;
    i++;
  }
  const t = i === 0 ? s : s.slice(i);
  if (!STRTOD_RE.test(t)) return null;
  const c0 = t.charCodeAt(t[0] === "+" || t[0] === "-" ? 1 : 0) | 0x20;
  if (c0 === 0x6e) return null; // nan
  if (c0 === 0x69) return t[0] === "-" ? -Infinity : Infinity;
  if (/[xX]/.test(t)) return parseFloatStrict(t);
  return Number(t);
}

/** ZRANGEBYSCORE-style bounds (`(` for exclusive), or null when invalid. */
export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const minex = min.charCodeAt(0) === 40;
  const maxex = max.charCodeAt(0) === 40;
  const lo = strtodFull(minex ? min.slice(1) : min);
  const hi = strtodFull(maxex ? max.slice(1) : max);
  if (lo === null || hi === null) return null;
  return { min: lo, max: hi, minex, maxex };
}

// zslParseLexRangeItem: `[x` inclusive, `(x` exclusive, `-`/`+` the infinities.
function parseLexItem(s: string): { v: string; ex: boolean; kind: number } | null {
  const c = s.charCodeAt(0);
  // C string semantics: "+" followed by a NUL still counts as "+".
  const alone = s.length === 1 || s.charCodeAt(1) === 0;
  if (c === 43) return alone ? { v: "", ex: true, kind: 1 } : null;
  if (c === 45) return alone ? { v: "", ex: true, kind: -1 } : null;
  if (c === 40) return { v: s.slice(1), ex: true, kind: 0 };
  if (c === 91) return { v: s.slice(1), ex: false, kind: 0 };
  return null;
}

/** ZRANGEBYLEX-style bounds, or null when invalid. */
function parseLexRange(min: string, max: string): LexRange | null {
  const a = parseLexItem(min);
  const b = parseLexItem(max);
  if (a === null || b === null) return null;
  return { min: a.v, max: b.v, minex: a.ex, maxex: b.ex, minKind: a.kind, maxKind: b.kind };
}

// ---------------------------------------------------------------------------------------------
// ZADD / ZINCRBY

const IN_NX = 1;
const IN_XX = 2;
const IN_GT = 4;
const IN_LT = 8;
const IN_INCR = 16;
const OUT_NOP = 1;
const OUT_ADDED = 2;
const OUT_UPDATED = 4;
const OUT_NAN = 8;

// The score zsetAdd settled on (its `newscore` out-parameter).
let newScore = 0;

// zsetAdd: adds or updates one member under the NX/XX/GT/LT/INCR flags; returns OUT_* flags.
function zsetAdd(
  zs: ZSet,
  score: number,
  ele: string,
  flags: number,
  entries: number,
  value: number,
): number {
  const cur = zs.dict.get(ele);
  if (cur !== undefined) {
    if (flags & IN_NX) return OUT_NOP;
    if (flags & IN_INCR) {
      score += cur;
      if (Number.isNaN(score)) return OUT_NAN;
    }
    if (((flags & IN_LT) && score >= cur) || ((flags & IN_GT) && score <= cur)) return OUT_NOP;
    newScore = score;
    if (score !== cur) {
      zs.setScore(ele, score, cur);
      return OUT_UPDATED;
    }
    return 0;
  }
  if (flags & IN_XX) return OUT_NOP;
  if (zs.listpack) zs.growCheck(ele.length, entries, value);
  zs.insert(score, ele);
  newScore = score;
  return OUT_ADDED;
}

/**
 * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...], and ZINCRBY
 * (`incr`). GEOADD calls it with its rewritten ZADD argv.
 */
export function zaddGeneric(ctx: Ctx, argv: string[], incr: boolean): Reply {
  const key = argv[1];
  let flags = incr ? IN_INCR : 0;
  let ch = false;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const opt = argv[idx];
    if (opt.length > 4) break;
    const o = opt.toLowerCase();
    if (o === "nx") flags |= IN_NX;
    else if (o === "xx") flags |= IN_XX;
    else if (o === "ch") ch = true;
    else if (o === "incr") flags |= IN_INCR;
    else if (o === "gt") flags |= IN_GT;
    else if (o === "lt") flags |= IN_LT;
    else break;
  }
  const n = argv.length - idx;
  if (n === 0 || n % 2 !== 0) throw new ReplyError(SYNTAX);
  const nx = (flags & IN_NX) !== 0;
  const gt = (flags & IN_GT) !== 0;
  const lt = (flags & IN_LT) !== 0;
  if (nx && (flags & IN_XX)) throw new ReplyError(ZADD_XX_NX);
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw new ReplyError(ZADD_GT_LT_NX);
  const isIncr = (flags & IN_INCR) !== 0;
  if (isIncr && n > 2) throw new ReplyError(ZADD_INCR_PAIR);
  // Every score is validated before anything changes (one pair, the common case, without
  // an array).
  let single = 0;
  let scores: number[] | null = null;
  if (n === 2) {
    const v = parseFloatStrict(argv[idx]);
    if (v === null) throw new ReplyError(NOT_FLOAT);
    single = v;
  } else {
    scores = [];
    for (let j = idx; j < argv.length; j += 2) {
      const v = parseFloatStrict(argv[j]);
      if (v === null) throw new ReplyError(NOT_FLOAT);
      scores.push(v);
    }
  }
  const db = ctx.db;
  let zs = writeZset(ctx, key);
  // The listpack limits matter only while the set is (or starts as) a listpack.
  let entries = 0;
  let value = 0;
  if (zs === undefined || zs.listpack) {
    entries = maxEntries(ctx);
    value = maxValue(ctx);
  }
  let created = 0;
  if (zs === undefined) {
    if (flags & IN_XX) return isIncr ? null : 0;
    zs = new ZSet();
    if (entries === 0 || value < argv[idx + 1].length) zs.listpack = false;
    db.add(key, zs);
    created = 1;
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  const pairs = n >> 1;
  for (let j = 0; j < pairs; j++) {
    const sc = scores === null ? single : scores[j];
    const out = zsetAdd(zs, sc, argv[idx + 1 + 2 * j], flags, entries, value);
    if (out & OUT_NAN) throw new ReplyError(ZSCORE_NAN);
    if (out & OUT_ADDED) added++;
    if (out & OUT_UPDATED) updated++;
    if (!(out & OUT_NOP)) processed++;
    score = newScore;
  }
  if (added + updated > 0) {
    db.modified(key, zs);
    // Redis counts one change per member added or updated (db.add counted one already).
    ctx.server.keyspace.dirty += added + updated - 1 - created;
    notify(ctx, "z", isIncr ? "zincr" : "zadd", key);
  }
  if (isIncr) return processed > 0 ? scoreReply(ctx, score) : null;
  return ch ? added + updated : added;
}

// ---------------------------------------------------------------------------------------------
// Simple reads and ZREM

// ZREM key member [member ...]
function zrem(ctx: Ctx, argv: string[]): Reply {
  const key = argv[1];
  const zs = writeZset(ctx, key);
  if (zs === undefined) return 0;
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    if (zs.remove(argv[j])) deleted++;
    if (zs.size === 0) break;
  }
  if (deleted > 0) {
    notify(ctx, "z", "zrem", key);
    if (zs.size === 0) notify(ctx, "g", "del", key);
    ctx.db.modified(key, zs);
    ctx.server.keyspace.dirty += deleted - 1;
  }
  return deleted;
}

// ZCARD key
function zcard(ctx: Ctx, argv: string[]): Reply {
  return readZset(ctx, argv[1])?.size ?? 0;
}

// ZSCORE key member
function zscore(ctx: Ctx, argv: string[]): Reply {
  const s = readZset(ctx, argv[1])?.score(argv[2]);
  return s === undefined ? null : scoreReply(ctx, s);
}

// ZMSCORE key member [member ...]
function zmscore(ctx: Ctx, argv: string[]): Reply {
  const zs = readZset(ctx, argv[1]);
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) {
    const s = zs?.score(argv[j]);
    out.push(s === undefined ? null : scoreReply(ctx, s));
  }
  return out;
}

// ZRANK key member / ZREVRANK key member
function zrankGeneric(ctx: Ctx, argv: string[], reverse: boolean): Reply {
  const zs = readZset(ctx, argv[1]);
  if (zs === undefined) return null;
  const r = zs.rank(argv[2], reverse);
  return r >= 0 ? r : null;
}

// ZCOUNT key min max
function zcount(ctx: Ctx, argv: string[]): Reply {
  const range = parseScoreRange(argv[2], argv[3]);
  if (range === null) throw new ReplyError(ZRANGE_NOT_FLOAT);
  const zs = readZset(ctx, argv[1]);
  return zs === undefined ? 0 : zs.countInRange(range);
}

// ZLEXCOUNT key min max
function zlexcount(ctx: Ctx, argv: string[]): Reply {
  const range = parseLexRange(argv[2], argv[3]);
  if (range === null) throw new ReplyError(ZRANGE_NOT_LEX);
  const zs = readZset(ctx, argv[1]);
  return zs === undefined ? 0 : zs.countInLex(range);
}

// ---------------------------------------------------------------------------------------------
// ZRANGE family

const BY_AUTO = 0;
const BY_RANK = 1;
const BY_SCORE = 2;
const BY_LEX = 3;
const DIR_AUTO = 0;
const DIR_FORWARD = 1;
const DIR_REVERSE = 2;

/** Members and their scores picked by a range, in reply order. */
interface Picked {
  eles: string[];
  scores: number[];
}

function picked(): Picked {
  return { eles: [], scores: [] };
}

// Members of ranks start..end (Redis's index normalisation) in the asked direction.
function rangeByRank(zs: ZSet, start: number, end: number, reverse: boolean): Picked {
  const out = picked();
  const llen = zs.size;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return out;
  if (end >= llen) end = llen - 1;
  let n = end - start + 1;
  const it = zs.at(reverse ? llen - 1 - start : start)!;
  do {
    out.eles.push(it.ele);
    out.scores.push(it.score);
  } while (--n > 0 && (reverse ? it.prev() : it.next()));
  return out;
}

// genericZrangebyscoreCommand: a negative offset skips everything, a negative limit is none.
function rangeByScore(
  zs: ZSet,
  r: ScoreRange,
  offset: number,
  limit: number,
  reverse: boolean,
): Picked {
  const out = picked();
  if (offset > 0 && offset >= zs.size) return out;
  const start = reverse ? zs.lastInRange(r) : zs.firstInRange(r);
  if (start < 0) return out;
  const it = zs.at(start)!;
  let ok = true;
  while (ok && offset-- !== 0) ok = reverse ? it.prev() : it.next();
  while (ok && limit-- !== 0) {
    if (reverse ? !scoreGteMin(it.score, r) : !scoreLteMax(it.score, r)) break;
    out.eles.push(it.ele);
    out.scores.push(it.score);
    ok = reverse ? it.prev() : it.next();
  }
  return out;
}

// genericZrangebylexCommand.
function rangeByLex(
  zs: ZSet,
  r: LexRange,
  offset: number,
  limit: number,
  reverse: boolean,
): Picked {
  const out = picked();
  const start = reverse ? zs.lastInLex(r) : zs.firstInLex(r);
  if (start < 0) return out;
  const it = zs.at(start)!;
  let ok = true;
  while (ok && offset-- !== 0) ok = reverse ? it.prev() : it.next();
  while (ok && limit-- !== 0) {
    if (reverse ? !lexGteMin(it.ele, r) : !lexLteMax(it.ele, r)) break;
    out.eles.push(it.ele);
    out.scores.push(it.score);
    ok = reverse ? it.prev() : it.next();
  }
  return out;
}

/** Member/score pairs as a reply: flat in RESP2, [member, double] pairs in RESP3. */
function pairsReply(ctx: Ctx, p: Picked, withScores: boolean): Reply[] {
  const { eles, scores } = p;
  const n = eles.length;
  if (!withScores) return eles;
  if (ctx.client.resp === 2) {
    const out: Reply[] = new Array(2 * n);
    for (let i = 0; i < n; i++) {
      out[2 * i] = eles[i];
      out[2 * i + 1] = formatDouble(scores[i]);
    }
    return out;
  }
  const out: Reply[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = [eles[i], new RespDouble(scores[i])];
  return out;
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
// ZREVRANGE / ZRANGEBYSCORE / ZREVRANGEBYSCORE / ZRANGEBYLEX / ZREVRANGEBYLEX
/**
 * zrangeGenericCommand: ZRANGE, ZRANGESTORE (`store`), ZREVRANGE, ZRANGEBYSCORE,
 * ZREVRANGEBYSCORE, ZRANGEBYLEX and ZREVRANGEBYLEX. `first` is the source key's index.
 */
function zrangeGeneric(
  ctx: Ctx,
  argv: string[],
  first: number,
  store: boolean,
  by: number,
  dir: number,
): Reply {
  const key = argv[first];
  let minIdx = first + 1;
  let maxIdx = first + 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = first + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = argv[j].toLowerCase();
    if (!store && opt === "withscores") withScores = true;
    else if (opt === "limit" && left >= 2) {
      offset = argLong(argv[j + 1]);
      limit = argLong(argv[j + 2]);
      j += 2;
    } else if (dir === DIR_AUTO && opt === "rev") dir = DIR_REVERSE;
    else if (by === BY_AUTO && opt === "bylex") by = BY_LEX;
    else if (by === BY_AUTO && opt === "byscore") by = BY_SCORE;
    else throw new ReplyError(SYNTAX);
  }
  if (dir === DIR_AUTO) dir = DIR_FORWARD;
  if (by === BY_AUTO) by = BY_RANK;
  if (limit !== -1 && by === BY_RANK) throw new ReplyError(ZRANGE_LIMIT_RANK);
  if (withScores && by === BY_LEX) throw new ReplyError(ZRANGE_WITHSCORES_BYLEX);
  const reverse = dir === DIR_REVERSE;
  if (reverse && by !== BY_RANK) {
    minIdx = first + 2;
    maxIdx = first + 1;
  }
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (by === BY_RANK) {
    start = argLong(argv[minIdx]);
    end = argLong(argv[maxIdx]);
  } else if (by === BY_SCORE) {
    scoreRange = parseScoreRange(argv[minIdx], argv[maxIdx]);
    if (scoreRange === null) throw new ReplyError(ZRANGE_NOT_FLOAT);
  } else {
    lexRange = parseLexRange(argv[minIdx], argv[maxIdx]);
    if (lexRange === null) throw new ReplyError(ZRANGE_NOT_LEX);
  }
  const zs = readZset(ctx, key);
  if (zs === undefined) return store ? finishRangeStore(ctx, argv[1], null) : [];
  let got: Picked;
  if (by === BY_RANK) got = rangeByRank(zs, start, end, reverse);
  else if (by === BY_SCORE) got = rangeByScore(zs, scoreRange!, offset, limit, reverse);
  else got = rangeByLex(zs, lexRange!, offset, limit, reverse);
  if (!store) return pairsReply(ctx, got, withScores);
  // zrangeResultBeginStore: a skiplist right away when the rank range is known to be too long.
  const dst = new ZSet();
  const entries = maxEntries(ctx);
  const value = maxValue(ctx);
  if (by === BY_RANK && got.eles.length > entries) dst.listpack = false;
  for (let i = 0; i < got.eles.length; i++) {
    zsetAdd(dst, got.scores[i], got.eles[i], 0, entries, value);
  }
  return finishRangeStore(ctx, argv[1], dst);
}

// zrangeResultFinalizeStore: store a non-empty result, else delete the destination.
function finishRangeStore(ctx: Ctx, dstKey: string, dst: ZSet | null): Reply {
  if (dst !== null && dst.size > 0) {
    storeZset(ctx, dstKey, dst);
    notify(ctx, "z", "zrangestore", dstKey);
    return dst.size;
  }
  deleteStoreKey(ctx, dstKey);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX

// ZREMRANGEBYRANK key start stop / ZREMRANGEBYSCORE key min max / ZREMRANGEBYLEX key min max
function zremrangeGeneric(ctx: Ctx, argv: string[], by: number): Reply {
  const key = argv[1];
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  let event: string;
  if (by === BY_RANK) {
    event = "zremrangebyrank";
    start = argLong(argv[2]);
    end = argLong(argv[3]);
  } else if (by === BY_SCORE) {
    event = "zremrangebyscore";
    scoreRange = parseScoreRange(argv[2], argv[3]);
    if (scoreRange === null) throw new ReplyError(ZRANGE_NOT_FLOAT);
  } else {
    event = "zremrangebylex";
    lexRange = parseLexRange(argv[2], argv[3]);
    if (lexRange === null) throw new ReplyError(ZRANGE_NOT_LEX);
  }
  const zs = writeZset(ctx, key);
  if (zs === undefined) return 0;
  let deleted: number;
  if (by === BY_RANK) {
    const llen = zs.size;
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return 0;
    if (end >= llen) end = llen - 1;
    deleted = zs.deleteRangeByRank(start, end);
  } else if (by === BY_SCORE) {
    deleted = zs.deleteRangeByScore(scoreRange!);
  } else {
    deleted = zs.deleteRangeByLex(lexRange!);
  }
  if (deleted > 0) {
    notify(ctx, "z", event, key);
    if (zs.size === 0) notify(ctx, "g", "del", key);
    ctx.db.modified(key, zs);
    ctx.server.keyspace.dirty += deleted - 1;
  }
  return deleted;
}

// ---------------------------------------------------------------------------------------------
// Pops

const MIN = 0;
const MAX = 1;
const POP_CMD = ["ZPOPMIN", "ZPOPMAX"];
const POP_EVENT = ["zpopmin", "zpopmax"];

/**
 * genericZpopCommand: pops up to `count` (-1: one, replied unnested) members from the first
 * existing key. `emitKey` prefixes the key (blocking pops, ZMPOP); `nested` makes
 * [member, score] pairs; `nilWhenEmpty` replies the null array when no key exists.
 * @returns the reply, and sets `popped` to [key, number popped] for the propagation rewrite
 */
function genericZpop(
  ctx: Ctx,
  keys: string[],
  where: number,
  emitKey: boolean,
  count: number,
  nested: boolean,
  nilWhenEmpty: boolean,
): Reply {
  popped = null;
  let zs: ZSet | undefined;
  let key = "";
  for (const k of keys) {
    zs = writeZset(ctx, k);
    if (zs !== undefined) {
      key = k;
      break;
    }
  }
  if (zs === undefined) return nilWhenEmpty ? NULL_ARRAY : [];
  if (count === 0) return [];
  if (count === -1) count = 1;
  const llen = zs.size;
  const n = count > llen ? llen : count;
  const items: Reply[] = [];
  for (let i = 0; i < n; i++) {
    const it = where === MAX ? zs.last()! : zs.first()!;
    const ele = it.ele;
    const score = it.score;
    zs.remove(ele);
    if (nested) items.push([ele, scoreReply(ctx, score)]);
    else items.push(ele, scoreReply(ctx, score));
  }
  notify(ctx, "z", POP_EVENT[where], key);
  if (zs.size === 0) notify(ctx, "g", "del", key);
  ctx.db.modified(key, zs);
  ctx.server.keyspace.dirty += n - 1;
  popped = [key, n];
  if (!emitKey) return items;
  if (nested) return [key, items];
  items.unshift(key);
  return items;
}

// What the last genericZpop popped: [key, count], or null.
let popped: [string, number] | null = null;

// ZPOPMIN key [count] / ZPOPMAX key [count]
function zpopMinMax(ctx: Ctx, argv: string[], where: number): Reply {
  if (argv.length > 3) throw new ReplyError(SYNTAX);
  let count = -1;
  if (argv.length === 3) count = argRangeLong(argv[2], 0, MUST_BE_POSITIVE);
  // RESP3 nests the pairs only when a count was given.
  const nested = ctx.client.resp > 2 && count !== -1;
  return genericZpop(ctx, [argv[1]], where, false, count, nested, false);
}

/**
 * blockingGenericZpopCommand: pops from the first non-empty key at once, else blocks. The pop
 * propagates as ZPOPMIN/ZPOPMAX key [count], `count` being what was actually popped.
 */
function blockingZpop(
  ctx: Ctx,
  keys: string[],
  where: number,
  timeoutArg: string,
  count: number,
  nested: boolean,
): Reply | BlockRequest {
  const deadline = argTimeout(timeoutArg, ctx.now);
  for (const key of keys) {
    const zs = writeZset(ctx, key);
    if (zs === undefined || zs.size === 0) continue;
    return popAndRewrite(ctx, key, where, count, nested);
  }
  const retry = (c: Ctx): Reply | null => {
    for (const key of keys) {
      const v = c.db.lookup(key);
      // A key of another type does not serve the client (Redis only serves zset keys).
      if (v === undefined || typeof v === "string" || v.type !== "zset") continue;
      return popAndRewrite(c, key, where, count, nested);
    }
    return null;
  };
  return new BlockRequest(keys, deadline, retry, () => NULL_ARRAY);
}

function popAndRewrite(
  ctx: Ctx,
  key: string,
  where: number,
  count: number,
  nested: boolean,
): Reply {
  const reply = genericZpop(ctx, [key], where, true, count, nested, nested);
  const p = popped!;
  ctx.rewrite(count === -1 ? [POP_CMD[where], key] : [POP_CMD[where], key, String(p[1])]);
  return reply;
}

// BZPOPMIN key [key ...] timeout / BZPOPMAX key [key ...] timeout
function bzpopMinMax(ctx: Ctx, argv: string[], where: number): Reply | BlockRequest {
  const keys = argv.slice(1, argv.length - 1);
  return blockingZpop(ctx, keys, where, argv[argv.length - 1], -1, false);
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
function zmpopGeneric(
  ctx: Ctx,
  argv: string[],
  numkeysIdx: number,
  block: boolean,
): Reply | BlockRequest {
  const numkeys = argRangeLong(argv[numkeysIdx], 1, NUMKEYS_NOT_POSITIVE);
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) throw new ReplyError(SYNTAX);
  const w = argv[whereIdx].toLowerCase();
  let where: number;
  if (w === "min") where = MIN;
  else if (w === "max") where = MAX;
  else throw new ReplyError(SYNTAX);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && argv[j].toLowerCase() === "count" && more > 0) {
      j++;
      count = argRangeLong(argv[j], 1, COUNT_NOT_POSITIVE);
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, whereIdx);
  if (block) return blockingZpop(ctx, keys, where, argv[1], count, true);
  const reply = genericZpop(ctx, keys, where, true, count, true, true);
  if (popped !== null) ctx.rewrite([POP_CMD[where], popped[0], String(popped[1])]);
  return reply;
}

// ---------------------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF and their STORE forms, ZINTERCARD

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;
const AGG_SUM = 0;
const AGG_MIN = 1;
const AGG_MAX = 2;

// One input of the set algebra: a sorted set, a plain set (scores 1) or a missing key.
interface Source {
  value: ZSet | SetValue | null;
  weight: number;
}

function sourceSize(s: Source): number {
  return s.value === null ? 0 : s.value.size;
}

function sourceFind(s: Source, ele: string): number | undefined {
  const v = s.value;
  if (v === null) return undefined;
  if (v instanceof ZSet) return v.score(ele);
  return v.has(ele) ? 1 : undefined;
}

// Calls fn(member, score) for every member (zsets from the highest score down, as 7.0's
// zuiNext; only the cardinality-limited ZINTERCARD could tell).
function sourceEach(s: Source, fn: (ele: string, score: number) => boolean | void): void {
  const v = s.value;
  if (v === null) return;
  if (v instanceof ZSet) {
    v.forEach(true, fn);
    return;
  }
  v.forEach((m) => fn(m, 1));
}

function aggregate(target: number, val: number, agg: number): number {
  if (agg === AGG_SUM) {
    const r = target + val;
    return Number.isNaN(r) ? 0 : r;
  }
  if (agg === AGG_MIN) return val < target ? val : target;
  return val > target ? val : target;
}

// ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
// ZINTER (same), ZDIFF numkeys key [key ...] [WITHSCORES], ZINTERCARD numkeys key ... [LIMIT n]
// ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE destination numkeys key [key ...] ...
/**
 * zunionInterDiffGenericCommand: ZUNION/ZINTER/ZDIFF (reply), their STORE forms (`dst`) and
 * ZINTERCARD (`cardOnly`).
 */
function zsetOpGeneric(
  ctx: Ctx,
  argv: string[],
  dst: string | null,
  numkeysIdx: number,
  op: number,
  cardOnly: boolean,
): Reply {
  const setnum = argLong(argv[numkeysIdx]);
  if (setnum < 1) throw new ReplyError(zsetNeedsKey(ctx.command.name));
  if (setnum > argv.length - (numkeysIdx + 1)) throw new ReplyError(SYNTAX);
  const src: Source[] = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = ctx.db.lookupRead(argv[j]);
    if (v !== undefined && (typeof v === "string" || (v.type !== "zset" && v.type !== "set"))) {
      throw new ReplyError(WRONGTYPE);
    }
    src.push({ value: (v as ZSet | SetValue | undefined) ?? null, weight: 1 });
  }
  let agg = AGG_SUM;
  let withScores = false;
  let limit = 0;
  let remaining = argv.length - j;
  while (remaining > 0) {
    const opt = argv[j].toLowerCase();
    if (op !== OP_DIFF && !cardOnly && remaining >= setnum + 1 && opt === "weights") {
      j++;
      remaining--;
      for (let i = 0; i < setnum; i++, j++, remaining--) {
        const w = parseFloatStrict(argv[j]);
        if (w === null) throw new ReplyError(WEIGHT_NOT_FLOAT);
        src[i].weight = w;
      }
    } else if (op !== OP_DIFF && !cardOnly && remaining >= 2 && opt === "aggregate") {
      const a = argv[j + 1].toLowerCase();
      if (a === "sum") agg = AGG_SUM;
      else if (a === "min") agg = AGG_MIN;
      else if (a === "max") agg = AGG_MAX;
      else throw new ReplyError(SYNTAX);
      j += 2;
      remaining -= 2;
    } else if (remaining >= 1 && dst === null && !cardOnly && opt === "withscores") {
      j++;
      remaining--;
      withScores = true;
    } else if (cardOnly && remaining >= 2 && opt === "limit") {
      limit = argRangeLong(argv[j + 1], 0, LIMIT_NEGATIVE);
      j += 2;
      remaining -= 2;
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  // The smallest input drives the intersection; a stable sort like glibc's merge sort.
  if (op !== OP_DIFF) src.sort((a, b) => sourceSize(a) - sourceSize(b));

  const result = new ZSet();
  result.listpack = false;
  let cardinality = 0;
  if (op === OP_INTER) {
    const s0 = src[0];
    if (sourceSize(s0) > 0) {
      sourceEach(s0, (ele, sc) => {
        let score = s0.weight * sc;
        if (Number.isNaN(score)) score = 0;
        let k = 1;
        for (; k < setnum; k++) {
          const other = src[k];
          let value: number | undefined;
          // The same key given twice: its own score, without a lookup.
          if (other.value === s0.value) value = sc * other.weight;
          else {
            value = sourceFind(other, ele);
            if (value === undefined) break;
            value *= other.weight;
          }
          score = aggregate(score, value, agg);
        }
        if (k !== setnum) return;
        if (cardOnly) {
          cardinality++;
          if (limit > 0 && cardinality >= limit) return false;
        } else {
          result.insert(score, ele);
        }
      });
    }
  } else if (op === OP_UNION) {
    const acc = new Map<string, number>();
    for (const s of src) {
      if (sourceSize(s) === 0) continue;
      sourceEach(s, (ele, sc) => {
        let score = s.weight * sc;
        if (Number.isNaN(score)) score = 0;
        const prev = acc.get(ele);
        acc.set(ele, prev === undefined ? score : aggregate(prev, score, agg));
      });
    }
    for (const [ele, score] of acc) result.insert(score, ele);
  } else {
    const s0 = src[0];
    if (sourceSize(s0) > 0) {
      sourceEach(s0, (ele, sc) => {
        for (let k = 1; k < setnum; k++) {
          if (src[k].value === s0.value || sourceFind(src[k], ele) !== undefined) return;
        }
        result.insert(sc, ele);
      });
    }
  }

  if (dst !== null) {
    if (result.size > 0) {
      compactResult(ctx, result);
      storeZset(ctx, dst, result);
      notify(
        ctx,
        "z",
        op === OP_UNION ? "zunionstore" : op === OP_INTER ? "zinterstore" : "zdiffstore",
        dst,
      );
      return result.size;
    }
    deleteStoreKey(ctx, dst);
    return 0;
  }
  if (cardOnly) return cardinality;
  const got = picked();
  result.forEach(false, (e, sc) => {
    got.eles.push(e);
    got.scores.push(sc);
  });
  return pairsReply(ctx, got, withScores);
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

// Above this many requested members per set size, copy and remove instead of sampling.
const SUB_STRATEGY_MUL = 3;

function randomMember(zs: ZSet): ZIter {
  return zs.at(Math.floor(Math.random() * zs.size))!;
}

// ZRANDMEMBER key [count [WITHSCORES]]
function zrandmember(ctx: Ctx, argv: string[]): Reply {
  if (argv.length >= 3) {
    // getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): only LONG_MIN is out of range.
    const big = parseI64(argv[2]);
    if (big === null) throw new ReplyError(NOT_INTEGER);
    if (big === -9223372036854775808n) throw new ReplyError(LONG_RANGE);
    let withScores = false;
    if (argv.length > 4 || (argv.length === 4 && argv[3].toLowerCase() !== "withscores")) {
      throw new ReplyError(SYNTAX);
    } else if (argv.length === 4) {
      withScores = true;
      // LONG_MIN/2 .. LONG_MAX/2, so that count * 2 cannot overflow.
      if (big < -4611686018427387904n || big > 4611686018427387903n) {
        throw new ReplyError(OUT_OF_RANGE);
      }
    }
    return zrandmemberWithCount(ctx, argv[1], argLong(argv[2]), withScores);
  }
  const zs = readZset(ctx, argv[1]);
  if (zs === undefined) return null;
  return randomMember(zs).ele;
}

function zrandmemberWithCount(ctx: Ctx, key: string, l: number, withScores: boolean): Reply {
  const zs = readZset(ctx, key);
  if (zs === undefined) return [];
  const size = zs.size;
  const unique = l >= 0;
  const count = Math.abs(l);
  if (count === 0) return [];
  const out = picked();
  const take = (e: string, sc: number) => {
    out.eles.push(e);
    out.scores.push(sc);
  };
  if (!unique || count === 1) {
    // Repeats allowed: independent picks.
    for (let i = 0; i < count; i++) {
      const it = randomMember(zs);
      take(it.ele, it.score);
    }
  } else if (count >= size) {
    // The whole set, from the highest score down (zuiNext's order in 7.0).
    zs.forEach(true, take);
  } else if (count * SUB_STRATEGY_MUL > size) {
    // Copy, then remove random members until `count` remain.
    const all = picked();
    zs.forEach(true, (e, sc) => {
      all.eles.push(e);
      all.scores.push(sc);
    });
    let left = size;
    while (left > count) {
      const i = Math.floor(Math.random() * left);
      left--;
      all.eles[i] = all.eles[left];
      all.scores[i] = all.scores[left];
    }
    for (let i = 0; i < count; i++) take(all.eles[i], all.scores[i]);
  } else {
    const seen = new Set<string>();
    while (out.eles.length < count) {
      const it = randomMember(zs);
      if (seen.has(it.ele)) continue;
      seen.add(it.ele);
      take(it.ele, it.score);
    }
  }
  return pairsReply(ctx, out, withScores);
}

// ---------------------------------------------------------------------------------------------
// ZSCAN

// ZSCAN key cursor [MATCH pattern] [COUNT count]
function zscan(ctx: Ctx, argv: string[]): Reply {
  const cursor = parseCursor(argv[2]);
  if (cursor === null) throw new ReplyError(INVALID_CURSOR);
  const key = argv[1];
  const zs = readZset(ctx, key);
  if (zs === undefined) return ["0", []];
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    if (i + 1 >= argv.length) throw new ReplyError(SYNTAX);
    if (opt === "count") {
      const c = parseI64(argv[i + 1]);
      if (c === null) throw new ReplyError(NOT_INTEGER);
      if (c < 1) throw new ReplyError(SYNTAX);
      count = typeof c === "bigint" ? Number.MAX_SAFE_INTEGER : c;
    } else if (opt === "match") {
      pattern = argv[i + 1] === "*" ? null : argv[i + 1];
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  const out: string[] = [];
  if (zs.listpack) {
    // A listpack is returned whole in one call, as Redis does, scores as it stores them.
    zs.forEach(false, (e, sc) => {
      if (pattern === null || globMatch(pattern, e)) {
        out.push(e, listpackScoreText(sc, formatDouble));
      }
    });
    return ["0", out];
  }
  const dict = zs.dict;
  const db = ctx.db;
  const visit = (ele: string) => {
    if (pattern !== null && !globMatch(pattern, ele)) return;
    out.push(ele, formatDouble(dict.get(ele)!));
  };
  const next = ctx.server.keyspace.scans.step(
    cursor,
    dict,
    count,
    visit,
    () => db.data.get(key) === zs,
  );
  return [String(next), out];
}

// ---------------------------------------------------------------------------------------------
// Command table

/** zsets command specs. */
export const ZSETS_COMMANDS: CommandSpec[] = [
  {
    name: "zadd",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RW", "update"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Add one or more members to a sorted set, or update its score if it already exists",
    since: "1.2.0",
    group: "sorted-set",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    history: [["2.4.0", "Accepts multiple elements."], [
      "3.0.2",
      "Added the `XX`, `NX`, `CH` and `INCR` options.",
    ], ["6.2.0", "Added the `GT` and `LT` options."]],
    handler: (ctx, argv) => zaddGeneric(ctx, argv, false),
  },
  {
    name: "zincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RW", "access", "update"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Increment the score of a member in a sorted set",
    since: "1.2.0",
    group: "sorted-set",
    complexity: "O(log(N)) where N is the number of elements in the sorted set.",
    handler: (ctx, argv) => zaddGeneric(ctx, argv, true),
  },
  {
    name: "zrem",
    arity: -3,
    flags: ["write", "fast"],
    categories: ["write", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RW", "delete"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Remove one or more members from a sorted set",
    since: "1.2.0",
    group: "sorted-set",
    complexity:
      "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
    history: [["2.4.0", "Accepts multiple elements."]],
    handler: zrem,
  },
  {
    name: "zcard",
    arity: 2,
    flags: ["readonly", "fast"],
    categories: ["read", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{ flags: ["RO"], begin: { index: 1 }, find: { lastKey: 0, keyStep: 1, limit: 0 } }],
    summary: "Get the number of members in a sorted set",
    since: "1.2.0",
    group: "sorted-set",
    complexity: "O(1)",
    handler: zcard,
  },
  {
    name: "zscore",
    arity: 3,
    flags: ["readonly", "fast"],
    categories: ["read", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Get the score associated with the given member in a sorted set",
    since: "1.2.0",
    group: "sorted-set",
    complexity: "O(1)",
    handler: zscore,
  },
  {
    name: "zmscore",
    arity: -3,
    flags: ["readonly", "fast"],
    categories: ["read", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Get the score associated with the given members in a sorted set",
    since: "6.2.0",
    group: "sorted-set",
    complexity: "O(N) where N is the number of members being requested.",
    handler: zmscore,
  },
  {
    name: "zrank",
    arity: 3,
    flags: ["readonly", "fast"],
    categories: ["read", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Determine the index of a member in a sorted set",
    since: "2.0.0",
    group: "sorted-set",
    complexity: "O(log(N))",
    handler: (ctx, argv) => zrankGeneric(ctx, argv, false),
  },
  {
    name: "zrevrank",
    arity: 3,
    flags: ["readonly", "fast"],
    categories: ["read", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary:
      "Determine the index of a member in a sorted set, with scores ordered from high to low",
    since: "2.0.0",
    group: "sorted-set",
    complexity: "O(log(N))",
    handler: (ctx, argv) => zrankGeneric(ctx, argv, true),
  },
  {
    name: "zcount",
    arity: 4,
    flags: ["readonly", "fast"],
    categories: ["read", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Count the members in a sorted set with scores within the given values",
    since: "2.0.0",
    group: "sorted-set",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: zcount,
  },
  {
    name: "zlexcount",
    arity: 4,
    flags: ["readonly", "fast"],
    categories: ["read", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Count the number of members in a sorted set between a given lexicographical range",
    since: "2.8.9",
    group: "sorted-set",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: zlexcount,
  },
  {
    name: "zrange",
    arity: -4,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Return a range of members in a sorted set",
    since: "1.2.0",
    group: "sorted-set",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    history: [["6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."]],
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, BY_AUTO, DIR_AUTO),
  },
  {
    name: "zrangestore",
    arity: -5,
    flags: ["write", "denyoom"],
    categories: ["write", "sortedset", "slow"],
    keys: { first: 1, last: 2, step: 1 },
    keySpecs: [{
      flags: ["OW", "update"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }, {
      flags: ["RO", "access"],
      begin: { index: 2 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Store a range of members from sorted set into another key",
    since: "6.2.0",
    group: "sorted-set",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 2, true, BY_AUTO, DIR_AUTO),
  },
  {
    name: "zrevrange",
    arity: -4,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary:
      "Return a range of members in a sorted set, by index, with scores ordered from high to low",
    since: "1.2.0",
    group: "sorted-set",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `REV` argument",
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, BY_RANK, DIR_REVERSE),
  },
  {
    name: "zrangebyscore",
    arity: -4,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Return a range of members in a sorted set, by score",
    since: "1.0.5",
    group: "sorted-set",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
    history: [["2.0.0", "Added the `WITHSCORES` modifier."]],
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `BYSCORE` argument",
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, BY_SCORE, DIR_FORWARD),
  },
  {
    name: "zrevrangebyscore",
    arity: -4,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary:
      "Return a range of members in a sorted set, by score, with scores ordered from high to low",
    since: "2.2.0",
    group: "sorted-set",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
    history: [["2.1.6", "`min` and `max` can be exclusive."]],
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `REV` and `BYSCORE` arguments",
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, BY_SCORE, DIR_REVERSE),
  },
  {
    name: "zrangebylex",
    arity: -4,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Return a range of members in a sorted set, by lexicographical range",
    since: "2.8.9",
    group: "sorted-set",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `BYLEX` argument",
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, BY_LEX, DIR_FORWARD),
  },
  {
    name: "zrevrangebylex",
    arity: -4,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary:
      "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
    since: "2.8.9",
    group: "sorted-set",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `REV` and `BYLEX` arguments",
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, BY_LEX, DIR_REVERSE),
  },
  {
    name: "zremrangebyrank",
    arity: 4,
    flags: ["write"],
    categories: ["write", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RW", "delete"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Remove all members in a sorted set within the given indexes",
    since: "2.0.0",
    group: "sorted-set",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    handler: (ctx, argv) => zremrangeGeneric(ctx, argv, BY_RANK),
  },
  {
    name: "zremrangebyscore",
    arity: 4,
    flags: ["write"],
    categories: ["write", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RW", "delete"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Remove all members in a sorted set within the given scores",
    since: "1.2.0",
    group: "sorted-set",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    handler: (ctx, argv) => zremrangeGeneric(ctx, argv, BY_SCORE),
  },
  {
    name: "zremrangebylex",
    arity: 4,
    flags: ["write"],
    categories: ["write", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RW", "delete"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Remove all members in a sorted set between the given lexicographical range",
    since: "2.8.9",
    group: "sorted-set",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    handler: (ctx, argv) => zremrangeGeneric(ctx, argv, BY_LEX),
  },
  {
    name: "zpopmin",
    arity: -2,
    flags: ["write", "fast"],
    categories: ["write", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RW", "access", "delete"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Remove and return members with the lowest scores in a sorted set",
    since: "5.0.0",
    group: "sorted-set",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: (ctx, argv) => zpopMinMax(ctx, argv, MIN),
  },
  {
    name: "zpopmax",
    arity: -2,
    flags: ["write", "fast"],
    categories: ["write", "sortedset", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RW", "access", "delete"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    summary: "Remove and return members with the highest scores in a sorted set",
    since: "5.0.0",
    group: "sorted-set",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: (ctx, argv) => zpopMinMax(ctx, argv, MAX),
  },
  {
    name: "bzpopmin",
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"],
    categories: ["write", "sortedset", "fast", "blocking"],
    keys: { first: 1, last: -2, step: 1 },
    keySpecs: [{
      flags: ["RW", "access", "delete"],
      begin: { index: 1 },
      find: { lastKey: -2, keyStep: 1, limit: 0 },
    }],
    summary:
      "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
    since: "5.0.0",
    group: "sorted-set",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    handler: (ctx, argv) => bzpopMinMax(ctx, argv, MIN),
  },
  {
    name: "bzpopmax",
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"],
    categories: ["write", "sortedset", "fast", "blocking"],
    keys: { first: 1, last: -2, step: 1 },
    keySpecs: [{
      flags: ["RW", "access", "delete"],
      begin: { index: 1 },
      find: { lastKey: -2, keyStep: 1, limit: 0 },
    }],
    summary:
      "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
    since: "5.0.0",
    group: "sorted-set",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    handler: (ctx, argv) => bzpopMinMax(ctx, argv, MAX),
  },
  {
    name: "zmpop",
    arity: -4,
    flags: ["write"],
    categories: ["write", "sortedset", "slow"],
    keySpecs: [{
      flags: ["RW", "access", "delete"],
      begin: { index: 1 },
      find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 },
    }],
    summary: "Remove and return members with scores in a sorted set",
    since: "7.0.0",
    group: "sorted-set",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: (ctx, argv) => zmpopGeneric(ctx, argv, 1, false),
  },
  {
    name: "bzmpop",
    arity: -5,
    flags: ["write", "blocking"],
    categories: ["write", "sortedset", "slow", "blocking"],
    keySpecs: [{
      flags: ["RW", "access", "delete"],
      begin: { index: 2 },
      find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 },
    }],
    summary:
      "Remove and return members with scores in a sorted set or block until one is available",
    since: "7.0.0",
    group: "sorted-set",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: (ctx, argv) => zmpopGeneric(ctx, argv, 2, true),
  },
  {
    name: "zunion",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 },
    }],
    summary: "Add multiple sorted sets",
    since: "6.2.0",
    group: "sorted-set",
    complexity:
      "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
    handler: (ctx, argv) => zsetOpGeneric(ctx, argv, null, 1, OP_UNION, false),
  },
  {
    name: "zunionstore",
    arity: -4,
    flags: ["write", "denyoom"],
    categories: ["write", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["OW", "update"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }, {
      flags: ["RO", "access"],
      begin: { index: 2 },
      find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 },
    }],
    summary: "Add multiple sorted sets and store the resulting sorted set in a new key",
    since: "2.0.0",
    group: "sorted-set",
    complexity:
      "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
    handler: (ctx, argv) => zsetOpGeneric(ctx, argv, argv[1], 2, OP_UNION, false),
  },
  {
    name: "zinter",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 },
    }],
    summary: "Intersect multiple sorted sets",
    since: "6.2.0",
    group: "sorted-set",
    complexity:
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
    handler: (ctx, argv) => zsetOpGeneric(ctx, argv, null, 1, OP_INTER, false),
  },
  {
    name: "zinterstore",
    arity: -4,
    flags: ["write", "denyoom"],
    categories: ["write", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["OW", "update"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }, {
      flags: ["RO", "access"],
      begin: { index: 2 },
      find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 },
    }],
    summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key",
    since: "2.0.0",
    group: "sorted-set",
    complexity:
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
    handler: (ctx, argv) => zsetOpGeneric(ctx, argv, argv[1], 2, OP_INTER, false),
  },
  {
    name: "zintercard",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 },
    }],
    summary: "Intersect multiple sorted sets and return the cardinality of the result",
    since: "7.0.0",
    group: "sorted-set",
    complexity:
      "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
    handler: (ctx, argv) => zsetOpGeneric(ctx, argv, null, 1, OP_INTER, true),
  },
  {
    name: "zdiff",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 },
    }],
    summary: "Subtract multiple sorted sets",
    since: "6.2.0",
    group: "sorted-set",
    complexity:
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
    handler: (ctx, argv) => zsetOpGeneric(ctx, argv, null, 1, OP_DIFF, false),
  },
  {
    name: "zdiffstore",
    arity: -4,
    flags: ["write", "denyoom"],
    categories: ["write", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["OW", "update"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }, {
      flags: ["RO", "access"],
      begin: { index: 2 },
      find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 },
    }],
    summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key",
    since: "6.2.0",
    group: "sorted-set",
    complexity:
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
    handler: (ctx, argv) => zsetOpGeneric(ctx, argv, argv[1], 2, OP_DIFF, false),
  },
  {
    name: "zrandmember",
    arity: -2,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    tips: ["nondeterministic_output"],
    summary: "Get one or multiple random elements from a sorted set",
    since: "6.2.0",
    group: "sorted-set",
    complexity: "O(N) where N is the number of elements returned",
    handler: zrandmember,
  },
  {
    name: "zscan",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "sortedset", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    tips: ["nondeterministic_output"],
    summary: "Incrementally iterate sorted sets elements and associated scores",
    since: "2.8.0",
    group: "sorted-set",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    handler: zscan,
  },
];
