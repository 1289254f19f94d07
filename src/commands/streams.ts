// The streams family (t_stream.c): XADD/XRANGE/XLEN/XDEL/XTRIM/XSETID, XREAD and XREADGROUP
// (blocking through the registry), consumer groups (XGROUP, XACK, XPENDING, XCLAIM,
// XAUTOCLAIM) and XINFO, with Redis 7.0's replies, errors, keyspace events (class t) and
// replication: XADD propagates the ID it generated and `~` trimming as `=` with the resulting
// bound; consumer-group reads propagate as XCLAIM / XGROUP SETID / XGROUP CREATECONSUMER.

import { BlockRequest } from "../blocking/registry.ts";
import {
  BUSYGROUP,
  ENTRIES_ADDED_NEGATIVE,
  ENTRIESREAD_INVALID,
  GROUP_DELETED_WHILE_BLOCKED,
  INVALID_END_ID,
  INVALID_START_ID,
  LIMIT_WITHOUT_APPROX,
  LIMIT_WITHOUT_STRATEGY,
  MAXLEN_MINID_TOGETHER,
  MAXLEN_NEGATIVE,
  NO_SUCH_KEY,
  noGroup,
  noGroupXreadgroup,
  noSuchGroupForKey,
  NOT_INTEGER,
  ReplyError,
  STREAM_DELETED_WHILE_BLOCKED,
  STREAM_ELEMENTS_TOO_LARGE,
  STREAM_EXHAUSTED,
  STREAM_ID_INVALID,
  subcommandSyntax,
  SYNTAX,
  TIMEOUT_NEGATIVE,
  TIMEOUT_NOT_INTEGER,
  wrongArity,
  WRONGTYPE,
  XADD_ID_TOO_SMALL,
  XADD_ID_ZERO,
  XAUTOCLAIM_COUNT,
  XAUTOCLAIM_MIN_IDLE,
  XAUTOCLAIM_NO_MEMORY,
  XCLAIM_IDLE,
  XCLAIM_MIN_IDLE,
  XCLAIM_RETRYCOUNT,
  XCLAIM_TIME,
  xclaimUnknownOption,
  XGROUP_KEY_REQUIRED,
  XLIMIT_NEGATIVE,
  XREAD_GROUP_OPTION,
  XREAD_GT_ID,
  XREAD_NOACK_OPTION,
  XREAD_UNBALANCED,
  XREADGROUP_DOLLAR_ID,
  XREADGROUP_MISSING_GROUP,
  XSETID_ENTRIES_ADDED_SMALL,
  XSETID_SMALLER_THAN_MAXDEL,
  XSETID_SMALLER_THAN_TOP,
  XTRIM_NO_STRATEGY,
} from "../errors.ts";
import { NULL_ARRAY, OK, type Reply, RespMap, SimpleString } from "../resp/types.ts";
import type { RedisValue } from "../store/database.ts";
import {
  Consumer,
  ConsumerGroup,
  formatId,
  INVALID_ENTRIES_READ,
  MAX_ID,
  parseStreamId,
  type PendingEntry,
  type StreamEntry,
  streamId,
  StreamValue,
  type TrimArgs,
  U64,
} from "../store/types/stream.ts";
import { normInt, parseI64 } from "../util/numbers.ts";
import { type CommandSpec, type Ctx, type KeySpec, rangeKeySpec } from "./spec.ts";

// Blocked XREAD without COUNT serves at most this many entries (XREAD_BLOCKED_DEFAULT_COUNT).
const BLOCKED_DEFAULT_COUNT = 1000;
// Largest XAUTOCLAIM COUNT (LONG_MAX / sizeof(streamID)).
const XAUTOCLAIM_MAX_COUNT = 576460752303423487n;
// Redis allocates COUNT stream IDs for XAUTOCLAIM up front; beyond ~2^46 bytes that fails.
const XAUTOCLAIM_ALLOC_LIMIT = 2n ** 42n;

// ---------------------------------------------------------------------------------------------
// Argument helpers

// strcasecmp(s, word) with s read as a C string; `word` is lowercase.
function isOpt(s: string, word: string): boolean {
  const n = word.length;
  if (s.length < n || (s.length > n && s.charCodeAt(n) !== 0)) return false;
  for (let i = 0; i < n; i++) {
    if ((s.charCodeAt(i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

// strcmp(s, word) == 0 with s read as a C string.
function isWord(s: string, word: string): boolean {
  return s === word || (s.startsWith(word) && s.charCodeAt(word.length) === 0);
}

// getLongLongFromObjectOrReply.
function argLL(s: string, message = NOT_INTEGER): bigint {
  const v = parseI64(s);
  if (v === null) throw new ReplyError(message);
  return BigInt(v);
}

// A strict ID (no - or +), missing sequence 0.
function argId(s: string): bigint {
  const p = parseStreamId(s, 0n, true);
  if (p === null) throw new ReplyError(STREAM_ID_INVALID);
  return p.id;
}

// streamParseIntervalIDOrReply plus the exclusive-bound adjustment of the range commands.
function argRangeStart(s: string): bigint {
  const ex = s.length > 1 && s.charCodeAt(0) === 40;
  const p = parseStreamId(ex ? s.slice(1) : s, 0n, ex);
  if (p === null) throw new ReplyError(STREAM_ID_INVALID);
  if (!ex) return p.id;
  if (p.id === MAX_ID) throw new ReplyError(INVALID_START_ID);
  return p.id + 1n;
}

function argRangeEnd(s: string): bigint {
  const ex = s.length > 1 && s.charCodeAt(0) === 40;
  const p = parseStreamId(ex ? s.slice(1) : s, U64, ex);
  if (p === null) throw new ReplyError(STREAM_ID_INVALID);
  if (!ex) return p.id;
  if (p.id === 0n) throw new ReplyError(INVALID_END_ID);
  return p.id - 1n;
}

// A count that only needs to be compared with lengths: clamped into the safe range.
function safe(v: bigint): number {
  return v > 9007199254740991n ? Number.MAX_SAFE_INTEGER : Number(v);
}

// A uint64/int64 counter as Redis's addReplyLongLong prints it.
function ll(v: bigint): number | bigint {
  return normInt(BigInt.asIntN(64, v));
}

// checkType for streams.
function asStream(v: RedisValue | undefined): StreamValue | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string" || v.type !== "stream") throw new ReplyError(WRONGTYPE);
  return v as StreamValue;
}

function notify(ctx: Ctx, event: string, key: string): void {
  ctx.server.keyspace.hooks.notify("t", event, key, ctx.db.id);
}

// server.dirty++ without touching WATCH: consumer-group changes do not signalModifiedKey.
function dirty(ctx: Ctx, n = 1): void {
  ctx.server.keyspace.dirty += n;
}

function idText(e: StreamEntry): string {
  return e.idStr ??= formatId(e.id);
}

// One entry as replies show it: [id, [field, value, ...]].
function entryReply(e: StreamEntry): Reply {
  return [idText(e), e.fv];
}

// The stream reader replies (XREAD, XREADGROUP): RESP2 pairs, RESP3 a map.
function readReply(ctx: Ctx, items: Reply[]): Reply {
  if (ctx.client.resp === 3) return new RespMap(items);
  const out: Reply[] = [];
  for (let i = 0; i < items.length; i += 2) out.push([items[i], items[i + 1]]);
  return out;
}

// addReplyHelp.
function helpReply(cmd: string, lines: string[]): Reply {
  return [
    `${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
    ...lines,
    "HELP",
    "    Prints this help.",
  ].map((l) => new SimpleString(l));
}

// ---------------------------------------------------------------------------------------------
// XADD / XTRIM

interface AddTrimArgs extends TrimArgs {
  /** Whether a strategy (MAXLEN or MINID) was given. */
  trim: boolean;
  /** Index of the MAXLEN/MINID value, for the propagation rewrite. */
  trimArgIdx: number;
  noMkstream: boolean;
  idGiven: boolean;
  seqGiven: boolean;
  id: bigint;
  /** Index of the ID argument (XADD). */
  idPos: number;
}

// streamParseAddOrTrimArgsOrReply: options up to the ID (XADD) or the end (XTRIM).
function parseAddTrim(ctx: Ctx, argv: string[], xadd: boolean): AddTrimArgs {
  const a: AddTrimArgs = {
    strategy: "maxlen",
    maxlen: 0,
    minid: 0n,
    approx: false,
    limit: 0,
    trim: false,
    trimArgIdx: 0,
    noMkstream: false,
    idGiven: false,
    seqGiven: true,
    id: 0n,
    idPos: 0,
  };
  const argc = argv.length;
  let limitGiven = false;
  let limit = 0n;
  let i = 2;
  for (; i < argc; i++) {
    const more = argc - 1 - i;
    const opt = argv[i];
    if (xadd && isWord(opt, "*")) break;
    if ((isOpt(opt, "maxlen") || isOpt(opt, "minid")) && more > 0) {
      if (a.trim) throw new ReplyError(MAXLEN_MINID_TOGETHER);
      const byLen = isOpt(opt, "maxlen");
      a.approx = false;
      const next = argv[i + 1];
      if (more >= 2 && isWord(next, "~")) {
        a.approx = true;
        i++;
      } else if (more >= 2 && isWord(next, "=")) {
        i++;
      }
      if (byLen) {
        const v = argLL(argv[i + 1]);
        if (v < 0n) throw new ReplyError(MAXLEN_NEGATIVE);
        a.maxlen = safe(v);
        a.strategy = "maxlen";
      } else {
        a.minid = argId(argv[i + 1]);
        a.strategy = "minid";
      }
      i++;
      a.trim = true;
      a.trimArgIdx = i;
    } else if (isOpt(opt, "limit") && more > 0) {
      limit = argLL(argv[i + 1]);
      if (limit < 0n) throw new ReplyError(XLIMIT_NEGATIVE);
      limitGiven = true;
      i++;
    } else if (xadd && isOpt(opt, "nomkstream")) {
      a.noMkstream = true;
    } else if (xadd) {
      const p = parseStreamId(opt, 0n, true, true);
      if (p === null) throw new ReplyError(STREAM_ID_INVALID);
      a.id = p.id;
      a.seqGiven = p.seqGiven;
      a.idGiven = true;
      break;
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  a.idPos = i;
  if (limit !== 0n && !a.trim) throw new ReplyError(LIMIT_WITHOUT_STRATEGY);
  if (!xadd && !a.trim) throw new ReplyError(XTRIM_NO_STRATEGY);
  if (ctx.client.isMaster) {
    // Our master already rewrote `~` into an exact bound: never limit its trimming.
    a.limit = 0;
  } else if (limitGiven) {
    if (!a.approx) throw new ReplyError(LIMIT_WITHOUT_APPROX);
    a.limit = safe(limit);
  } else if (a.approx) {
    // At most 100 nodes of work per call, whatever stream-node-max-entries says.
    const l = 100 * ctx.server.config.num("stream-node-max-entries");
    a.limit = l <= 0 ? 10000 : Math.min(l, 1000000);
  }
  return a;
}

// After `~` trimming the bound is rewritten so replicas trim to the same point (XADD and
// XTRIM propagate MAXLEN = <length> or MINID = <first id, tombstones included>).
function rewriteTrim(argv: string[], a: AddTrimArgs, s: StreamValue): void {
  argv[a.trimArgIdx - 1] = "=";
  argv[a.trimArgIdx] = a.strategy === "maxlen"
    ? String(s.length)
    : formatId(s.firstIdWithTombstones());
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [...]
function xadd(ctx: Ctx, argv: string[]): Reply {
  const a = parseAddTrim(ctx, argv, true);
  const fieldPos = a.idPos + 1;
  const nargs = argv.length - fieldPos;
  if (nargs < 2 || nargs % 2 === 1) throw new ReplyError(wrongArity("xadd"));
  // A 0-0 ID fails before the key could be created empty.
  if (a.idGiven && a.seqGiven && a.id === 0n) throw new ReplyError(XADD_ID_ZERO);
  const db = ctx.db;
  const key = argv[1];
  let s = asStream(db.lookup(key));
  let created = false;
  if (s === undefined) {
    if (a.noMkstream) return null;
    s = new StreamValue();
    db.add(key, s);
    created = true;
  }
  if (s.lastId === MAX_ID) throw new ReplyError(STREAM_EXHAUSTED);
  let id: bigint;
  const last = s.lastId;
  if (a.idGiven) {
    id = a.id;
    if (!a.seqGiven && last >> 64n === a.id >> 64n) {
      if ((last & U64) === U64) throw new ReplyError(XADD_ID_TOO_SMALL);
      id = last + 1n;
    }
  } else {
    const ms = BigInt(ctx.now);
    id = ms > last >> 64n ? streamId(ms, 0n) : last + 1n;
  }
  if (id <= last) throw new ReplyError(XADD_ID_TOO_SMALL);
  let total = 0;
  for (let i = fieldPos; i < argv.length; i++) total += argv[i].length;
  if (total > 1 << 30) throw new ReplyError(STREAM_ELEMENTS_TOO_LARGE);
  const config = ctx.server.config;
  const e = s.append(
    id,
    argv.slice(fieldPos),
    config.num("stream-node-max-entries"),
    config.num("stream-node-max-bytes"),
  );
  const reply = idText(e);
  if (!created) db.modified(key, s);
  notify(ctx, "xadd", key);
  let out: string[] | null = null;
  if (a.trim) {
    if (s.trim(a) > 0) notify(ctx, "xtrim", key);
    if (a.approx) rewriteTrim(out = argv.slice(), a, s);
  }
  if (!a.idGiven || !a.seqGiven) (out ??= argv.slice())[a.idPos] = reply;
  if (out !== null) ctx.rewrite(out);
  // New data for blocked readers (signalKeyAsReady).
  db.signalReady(key);
  return reply;
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
function xtrim(ctx: Ctx, argv: string[]): Reply {
  const a = parseAddTrim(ctx, argv, false);
  const key = argv[1];
  const s = asStream(ctx.db.lookup(key));
  if (s === undefined) return 0;
  const deleted = s.trim(a);
  if (deleted > 0) {
    notify(ctx, "xtrim", key);
    if (a.approx) {
      const out = argv.slice();
      rewriteTrim(out, a, s);
      ctx.rewrite(out);
    }
    ctx.db.modified(key, s);
    dirty(ctx, deleted - 1);
  }
  return deleted;
}

// ---------------------------------------------------------------------------------------------
// XRANGE / XREVRANGE / XLEN / XDEL / XSETID

// XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count]
function xrangeGeneric(ctx: Ctx, argv: string[], rev: boolean): Reply {
  const start = argRangeStart(rev ? argv[3] : argv[2]);
  const end = argRangeEnd(rev ? argv[2] : argv[3]);
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (isOpt(argv[j], "count") && j + 1 < argv.length) {
      const v = argLL(argv[++j]);
      count = v < 0n ? 0 : safe(v);
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  const s = asStream(ctx.db.lookupRead(argv[1]));
  if (s === undefined) return [];
  if (count === 0) return NULL_ARRAY;
  const out: Reply[] = [];
  s.range(start, end, rev, (e) => {
    out.push(entryReply(e));
    return out.length !== count;
  });
  return out;
}

// XLEN key
function xlen(ctx: Ctx, argv: string[]): Reply {
  const s = asStream(ctx.db.lookupRead(argv[1]));
  return s === undefined ? 0 : s.length;
}

// XDEL key id [id ...]
function xdel(ctx: Ctx, argv: string[]): Reply {
  const key = argv[1];
  const s = asStream(ctx.db.lookup(key));
  if (s === undefined) return 0;
  // Every ID is checked first so that the command is all or nothing.
  const ids: bigint[] = [];
  for (let j = 2; j < argv.length; j++) ids.push(argId(argv[j]));
  let deleted = 0;
  let first = false;
  for (const id of ids) {
    if (!s.delete(id)) continue;
    if (id === s.firstId) first = true;
    if (id > s.maxDeletedId) s.maxDeletedId = id;
    deleted++;
  }
  if (deleted > 0) {
    if (s.length === 0) s.firstId = 0n;
    else if (first) s.firstId = s.firstEntry()!.id;
    ctx.db.modified(key, s);
    notify(ctx, "xdel", key);
    dirty(ctx, deleted - 1);
  }
  return deleted;
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
function xsetid(ctx: Ctx, argv: string[]): Reply {
  const id = argId(argv[2]);
  let entriesAdded = -1n;
  let maxDeleted = 0n;
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - 1 - i;
    if (isOpt(argv[i], "entriesadded") && more > 0) {
      entriesAdded = argLL(argv[i + 1]);
      if (entriesAdded < 0n) throw new ReplyError(ENTRIES_ADDED_NEGATIVE);
    } else if (isOpt(argv[i], "maxdeletedid") && more > 0) {
      maxDeleted = argId(argv[i + 1]);
      if (id < maxDeleted) throw new ReplyError(XSETID_SMALLER_THAN_MAXDEL);
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  const key = argv[1];
  const s = asStream(ctx.db.lookup(key));
  if (s === undefined) throw new ReplyError(NO_SUCH_KEY);
  if (s.length > 0) {
    if (id < s.lastValidId()!) throw new ReplyError(XSETID_SMALLER_THAN_TOP);
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) {
      throw new ReplyError(XSETID_ENTRIES_ADDED_SMALL);
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1n) s.entriesAdded = entriesAdded;
  if (maxDeleted !== 0n) s.maxDeletedId = maxDeleted;
  dirty(ctx);
  notify(ctx, "xsetid", key);
  return OK;
}

// ---------------------------------------------------------------------------------------------
// Consumer-group reads (streamReplyWithRange with a group)

/** The group side of a read: which group and consumer, and how to propagate. */
interface GroupRead {
  key: string;
  groupName: string;
  group: ConsumerGroup;
  consumer: Consumer;
  noack: boolean;
}

// streamPropagateXCLAIM: an idempotent XCLAIM that recreates the pending entry on replicas.
function propagateClaim(
  ctx: Ctx,
  key: string,
  groupName: string,
  g: ConsumerGroup,
  id: string,
  p: PendingEntry,
): void {
  ctx.alsoPropagate([
    "XCLAIM",
    key,
    groupName,
    p.consumer!.name,
    "0",
    id,
    "TIME",
    String(p.deliveryTime),
    "RETRYCOUNT",
    String(BigInt.asIntN(64, p.deliveryCount)),
    "FORCE",
    "JUSTID",
    "LASTID",
    formatId(g.lastId),
  ]);
}

// streamPropagateGroupID.
function propagateGroupId(ctx: Ctx, key: string, groupName: string, g: ConsumerGroup): void {
  ctx.alsoPropagate([
    "XGROUP",
    "SETID",
    key,
    groupName,
    formatId(g.lastId),
    "ENTRIESREAD",
    String(g.entriesRead),
  ]);
}

// The entries after `start` (count 0 = all), moving the group's last ID and read counter and,
// unless NOACK, adding them to the consumer's pending list.
function readEntries(
  ctx: Ctx,
  s: StreamValue,
  start: bigint,
  count: number,
  gr: GroupRead | null,
): Reply[] {
  const out: Reply[] = [];
  let propagateLastId = false;
  s.range(start, MAX_ID, false, (e) => {
    if (gr !== null) {
      const g = gr.group;
      if (e.id > g.lastId) {
        if (g.entriesRead !== INVALID_ENTRIES_READ && !s.hasTombstonesFrom(e.id)) {
          g.entriesRead++;
        } else if (s.entriesAdded !== 0n) {
          g.entriesRead = s.estimateEntriesRead(e.id);
        }
        g.lastId = e.id;
        // Without NOACK the XCLAIMs below carry the new last ID.
        if (gr.noack) propagateLastId = true;
      }
    }
    out.push(entryReply(e));
    if (gr !== null && !gr.noack) {
      const g = gr.group;
      const c = gr.consumer;
      let p = g.pel.get(e.id);
      if (p === undefined) {
        p = { consumer: c, deliveryTime: ctx.now, deliveryCount: 1n };
        g.pel.set(e.id, p);
      } else {
        // Already pending (XGROUP SETID moved the group back): the new reader owns it now.
        p.consumer!.pel.delete(e.id);
        p.consumer = c;
        p.deliveryTime = ctx.now;
        p.deliveryCount = 1n;
      }
      c.pel.set(e.id, p);
      propagateClaim(ctx, gr.key, gr.groupName, g, idText(e), p);
    }
    return out.length !== count;
  });
  if (gr !== null && propagateLastId) propagateGroupId(ctx, gr.key, gr.groupName, gr.group);
  return out;
}

// streamReplyWithRangeFromConsumerPEL: the consumer's own pending entries from `start`, each
// delivered again (entries deleted since show as [id, nil]).
function readHistory(ctx: Ctx, s: StreamValue, start: bigint, count: number, c: Consumer): Reply[] {
  const out: Reply[] = [];
  c.pel.forEachFrom(start, (id, p) => {
    if (count !== 0 && out.length >= count) return false;
    const e = s.find(id);
    if (e === null) {
      out.push([formatId(id), NULL_ARRAY]);
    } else {
      out.push(entryReply(e));
      p.deliveryTime = ctx.now;
      p.deliveryCount = (p.deliveryCount + 1n) & U64;
    }
  });
  return out;
}

// streamLookupConsumer (refreshing seen-time) or streamCreateConsumer; NOACK readers also
// propagate the creation, since no XCLAIM will create the consumer on replicas.
function consumerFor(
  ctx: Ctx,
  g: ConsumerGroup,
  name: string,
  key: string,
  groupName: string,
  noack: boolean,
): Consumer {
  let c = g.consumers.get(name);
  if (c !== undefined) {
    c.seenTime = ctx.now;
    return c;
  }
  c = createConsumer(ctx, g, name, key);
  if (noack) ctx.alsoPropagate(["XGROUP", "CREATECONSUMER", key, groupName, name]);
  return c;
}

function createConsumer(ctx: Ctx, g: ConsumerGroup, name: string, key: string): Consumer {
  const c = new Consumer(name, ctx.now);
  g.consumers.set(name, c);
  dirty(ctx);
  notify(ctx, "xgroup-createconsumer", key);
  return c;
}

// ---------------------------------------------------------------------------------------------
// XREAD / XREADGROUP

/** What a blocked reader waits for. */
interface BlockedRead {
  keys: string[];
  /** Per key: entries must be greater than this (">" is MAX_ID). */
  ids: bigint[];
  count: number;
  groupName: string | null;
  consumerName: string;
  noack: boolean;
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...]
//   id [id ...]
function xread(ctx: Ctx, argv: string[]): Reply | BlockRequest {
  // What a group read changes is propagated as XCLAIM / XGROUP commands, never as itself.
  ctx.preventPropagation = true;
  const xreadgroup = argv[0].length === 10;
  const argc = argv.length;
  let timeout = -1n;
  let count = 0;
  let streamsArg = 0;
  let n = 0;
  let noack = false;
  let groupName: string | null = null;
  let consumerName = "";
  for (let i = 1; i < argc; i++) {
    const more = argc - i - 1;
    const o = argv[i];
    if (isOpt(o, "block") && more > 0) {
      i++;
      timeout = argLL(argv[i], TIMEOUT_NOT_INTEGER);
      if (timeout < 0n) throw new ReplyError(TIMEOUT_NEGATIVE);
    } else if (isOpt(o, "count") && more > 0) {
      i++;
      const v = argLL(argv[i]);
      count = v < 0n ? 0 : safe(v);
    } else if (isOpt(o, "streams") && more > 0) {
      streamsArg = i + 1;
      n = argc - streamsArg;
      if (n % 2 !== 0) throw new ReplyError(XREAD_UNBALANCED);
      n /= 2;
      break;
    } else if (isOpt(o, "group") && more >= 2) {
      if (!xreadgroup) throw new ReplyError(XREAD_GROUP_OPTION);
      groupName = argv[i + 1];
      consumerName = argv[i + 2];
      i += 2;
    } else if (isOpt(o, "noack")) {
      if (!xreadgroup) throw new ReplyError(XREAD_NOACK_OPTION);
      noack = true;
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  if (streamsArg === 0) throw new ReplyError(SYNTAX);
  if (xreadgroup && groupName === null) throw new ReplyError(XREADGROUP_MISSING_GROUP);

  const db = ctx.db;
  const ids: bigint[] = [];
  const groups: ConsumerGroup[] = [];
  for (let i = 0; i < n; i++) {
    const key = argv[streamsArg + i];
    const idArg = argv[streamsArg + n + i];
    const s = asStream(db.lookupRead(key));
    if (groupName !== null) {
      const g = s?.groups?.get(groupName);
      if (g === undefined) throw new ReplyError(noGroupXreadgroup(key, groupName));
      groups.push(g);
    }
    if (isWord(idArg, "$")) {
      if (xreadgroup) throw new ReplyError(XREADGROUP_DOLLAR_ID);
      ids.push(s === undefined ? 0n : s.lastId);
    } else if (isWord(idArg, ">")) {
      if (!xreadgroup) throw new ReplyError(XREAD_GT_ID);
      ids.push(MAX_ID);
    } else {
      ids.push(argId(idArg));
    }
  }

  // Serve synchronously what is already there.
  const items: Reply[] = [];
  for (let i = 0; i < n; i++) {
    const key = argv[streamsArg + i];
    const s = db.lookupRead(key) as StreamValue | undefined;
    if (s === undefined) continue;
    let gt = ids[i];
    let sync = false;
    let history = false;
    if (groupName !== null) {
      if (gt !== MAX_ID) {
        // An explicit ID reads the consumer's own history.
        sync = true;
        history = true;
      } else if (s.length > 0 && s.lastValidId()! > groups[i].lastId) {
        sync = true;
        gt = groups[i].lastId;
      }
    } else if (s.length > 0 && s.lastValidId()! > gt) {
      sync = true;
    }
    if (!sync) continue;
    let gr: GroupRead | null = null;
    if (groupName !== null) {
      const c = consumerFor(ctx, groups[i], consumerName, key, groupName, noack);
      gr = { key, groupName, group: groups[i], consumer: c, noack };
    }
    const start = gt === MAX_ID ? 0n : gt + 1n;
    items.push(
      key,
      history
        ? readHistory(ctx, s, start, count, gr!.consumer)
        : readEntries(ctx, s, start, count, gr),
    );
    if (gr !== null) dirty(ctx);
  }
  if (items.length > 0) return readReply(ctx, items);
  if (timeout === -1n) return NULL_ARRAY;

  const blocked: BlockedRead = {
    keys: argv.slice(streamsArg, streamsArg + n),
    ids,
    count: count || BLOCKED_DEFAULT_COUNT,
    groupName,
    consumerName,
    noack,
  };
  const deadline = timeout === 0n ? 0 : ctx.now + safe(timeout);
  const request: BlockRequest = new BlockRequest(
    blocked.keys,
    deadline,
    (rctx) => serveBlockedRead(rctx, blocked, request.readyKey),
    () => NULL_ARRAY,
  );
  return request;
}

// serveClientsBlockedOnStreamKey for one blocked reader and the key that became ready: group
// readers fail when that stream went away or lost its group; otherwise the stream serves if its
// last ID moved past what the reader waits for (the reply holds that stream only).
function serveBlockedRead(ctx: Ctx, b: BlockedRead, ready: string | undefined): Reply | null {
  ctx.preventPropagation = true;
  for (let i = 0; i < b.keys.length; i++) {
    const key = b.keys[i];
    // Without a ready key (not expected from the registry) every key is tried in order. A key
    // given twice waits for its first ID only.
    if ((ready !== undefined && key !== ready) || b.keys.indexOf(key) !== i) continue;
    const v = ctx.db.lookup(key);
    if (v === undefined || typeof v === "string" || v.type !== "stream") {
      if (b.groupName !== null) return new ReplyError(STREAM_DELETED_WHILE_BLOCKED);
      continue;
    }
    const s = v as StreamValue;
    let gt = b.ids[i];
    let gr: GroupRead | null = null;
    if (b.groupName !== null) {
      const g = s.groups?.get(b.groupName);
      if (g === undefined) return new ReplyError(GROUP_DELETED_WHILE_BLOCKED);
      gt = g.lastId;
      if (s.lastId <= gt) continue;
      const c = consumerFor(ctx, g, b.consumerName, key, b.groupName, b.noack);
      gr = { key, groupName: b.groupName, group: g, consumer: c, noack: b.noack };
    } else if (s.lastId <= gt) {
      continue;
    }
    return readReply(ctx, [key, readEntries(ctx, s, gt + 1n, b.count, gr)]);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// XGROUP

// The options of CREATE and SETID (MKSTREAM only for CREATE), then the key and group lookups
// every subcommand shares, in xgroupCommand's order.
function xgroupPrologue(
  ctx: Ctx,
  argv: string[],
  create: boolean,
  setid: boolean,
  needGroup: boolean,
): { s: StreamValue | undefined; g: ConsumerGroup | undefined; mkstream: boolean; er: bigint } {
  let mkstream = false;
  let er = INVALID_ENTRIES_READ;
  for (let i = 5; i < argv.length;) {
    if (create && isOpt(argv[i], "mkstream")) {
      mkstream = true;
      i++;
    } else if ((create || setid) && isOpt(argv[i], "entriesread") && i + 1 < argv.length) {
      er = argLL(argv[i + 1]);
      if (er < 0n && er !== INVALID_ENTRIES_READ) throw new ReplyError(ENTRIESREAD_INVALID);
      i += 2;
    } else {
      throw new ReplyError(subcommandSyntax(argv[1], "xgroup"));
    }
  }
  const s = asStream(ctx.db.lookup(argv[2]));
  let g: ConsumerGroup | undefined;
  if (!mkstream) {
    if (s === undefined) throw new ReplyError(XGROUP_KEY_REQUIRED);
    g = s.groups?.get(argv[3]);
    if (g === undefined && needGroup) throw new ReplyError(noSuchGroupForKey(argv[3], argv[2]));
  }
  return { s, g, mkstream, er };
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]
function xgroupCreate(ctx: Ctx, argv: string[]): Reply {
  const p = xgroupPrologue(ctx, argv, true, false, false);
  let s = p.s;
  if (argv.length > 8) throw new ReplyError(subcommandSyntax(argv[1], "xgroup"));
  const id = isWord(argv[4], "$") ? (s === undefined ? 0n : s.lastId) : argId(argv[4]);
  const key = argv[2];
  if (s === undefined) {
    s = new StreamValue();
    ctx.db.add(key, s);
  }
  s.groups ??= new Map();
  if (s.groups.has(argv[3])) throw new ReplyError(BUSYGROUP);
  s.groups.set(argv[3], new ConsumerGroup(id, p.er));
  dirty(ctx);
  notify(ctx, "xgroup-create", key);
  return OK;
}

// XGROUP SETID key group id|$ [ENTRIESREAD entries-read]
function xgroupSetid(ctx: Ctx, argv: string[]): Reply {
  const { s, g, er } = xgroupPrologue(ctx, argv, false, true, true);
  if (argv.length !== 5 && argv.length !== 7) {
    throw new ReplyError(subcommandSyntax(argv[1], "xgroup"));
  }
  let id: bigint;
  if (isWord(argv[4], "$")) id = s!.lastId;
  else {
    const p = parseStreamId(argv[4], 0n, false);
    if (p === null) throw new ReplyError(STREAM_ID_INVALID);
    id = p.id;
  }
  g!.lastId = id;
  g!.entriesRead = er;
  dirty(ctx);
  notify(ctx, "xgroup-setid", argv[2]);
  return OK;
}

// XGROUP DESTROY key group
function xgroupDestroy(ctx: Ctx, argv: string[]): Reply {
  const { s, g } = xgroupPrologue(ctx, argv, false, false, false);
  if (g === undefined) return 0;
  s!.groups!.delete(argv[3]);
  dirty(ctx);
  notify(ctx, "xgroup-destroy", argv[2]);
  // Readers blocked on this group get -NOGROUP.
  ctx.db.signalReady(argv[2]);
  return 1;
}

// XGROUP CREATECONSUMER key group consumer
function xgroupCreateconsumer(ctx: Ctx, argv: string[]): Reply {
  const { g } = xgroupPrologue(ctx, argv, false, false, true);
  if (g!.consumers.has(argv[4])) return 0;
  createConsumer(ctx, g!, argv[4], argv[2]);
  return 1;
}

// XGROUP DELCONSUMER key group consumer
function xgroupDelconsumer(ctx: Ctx, argv: string[]): Reply {
  const { g } = xgroupPrologue(ctx, argv, false, false, true);
  const c = g!.consumers.get(argv[4]);
  if (c === undefined) return 0;
  const pending = c.pel.size;
  g!.deleteConsumer(c);
  dirty(ctx);
  notify(ctx, "xgroup-delconsumer", argv[2]);
  return pending;
}

// XGROUP HELP
function xgroupHelp(): Reply {
  return helpReply("XGROUP", [
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
  ]);
}

// ---------------------------------------------------------------------------------------------
// XACK / XPENDING / XCLAIM / XAUTOCLAIM

// The stream and group a PEL command works on (lookupKeyRead, then the group).
function groupOf(ctx: Ctx, key: string, group: string): [StreamValue, ConsumerGroup] | null {
  const s = asStream(ctx.db.lookupRead(key));
  const g = s?.groups?.get(group);
  return g === undefined ? null : [s!, g];
}

// XACK key group id [id ...]
function xack(ctx: Ctx, argv: string[]): Reply {
  const sg = groupOf(ctx, argv[1], argv[2]);
  if (sg === null) return 0;
  const g = sg[1];
  const ids: bigint[] = [];
  for (let j = 3; j < argv.length; j++) ids.push(argId(argv[j]));
  let acked = 0;
  for (const id of ids) {
    const p = g.pel.get(id);
    if (p === undefined) continue;
    g.pel.delete(id);
    p.consumer!.pel.delete(id);
    acked++;
  }
  dirty(ctx, acked);
  return acked;
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
function xpending(ctx: Ctx, argv: string[]): Reply {
  const argc = argv.length;
  if (argc !== 3 && (argc < 6 || argc > 9)) throw new ReplyError(SYNTAX);
  let minIdle = 0n;
  let count = 0;
  let start = 0n;
  let end = 0n;
  let consumerName: string | null = null;
  if (argc >= 6) {
    let at = 3;
    if (isOpt(argv[3], "idle")) {
      minIdle = argLL(argv[4]);
      if (argc < 8) throw new ReplyError(SYNTAX);
      at += 2;
    }
    const c = argLL(argv[at + 2]);
    count = c < 0n ? 0 : safe(c);
    start = argRangeStart(argv[at]);
    end = argRangeEnd(argv[at + 1]);
    if (at + 3 < argc) consumerName = argv[at + 3];
  }
  const sg = groupOf(ctx, argv[1], argv[2]);
  if (sg === null) throw new ReplyError(noGroup(argv[1], argv[2]));
  const g = sg[1];
  if (argc === 3) {
    if (g.pel.size === 0) return [0, null, null, NULL_ARRAY];
    const consumers: Reply[] = [];
    for (const c of g.sortedConsumers()) {
      if (c.pel.size > 0) consumers.push([c.name, String(c.pel.size)]);
    }
    return [g.pel.size, formatId(g.pel.first()!), formatId(g.pel.last()!), consumers];
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const c = g.consumers.get(consumerName);
    if (c === undefined) return [];
    pel = c.pel;
  }
  const now = ctx.now;
  const out: Reply[] = [];
  pel.forEachFrom(start, (id, p) => {
    if (count === 0 || id > end) return false;
    if (minIdle !== 0n && BigInt(now - p.deliveryTime) < minIdle) return;
    count--;
    out.push([
      formatId(id),
      p.consumer!.name,
      Math.max(0, now - p.deliveryTime),
      ll(p.deliveryCount),
    ]);
  });
  return out;
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds]
//   [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
function xclaim(ctx: Ctx, argv: string[]): Reply {
  const key = argv[1];
  const groupName = argv[2];
  const sg = groupOf(ctx, key, groupName);
  if (sg === null) throw new ReplyError(noGroup(key, groupName));
  const [s, g] = sg;
  let minIdle = argLL(argv[4], XCLAIM_MIN_IDLE);
  if (minIdle < 0n) minIdle = 0n;
  // IDs run until the first argument that does not parse as one: the options follow.
  const ids: bigint[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = parseStreamId(argv[j], 0n, true);
    if (p === null) break;
    ids.push(p.id);
  }
  const now = BigInt(ctx.now);
  let deliveryTime = -1n;
  let retryCount = -1n;
  let force = false;
  let justId = false;
  let lastId = 0n;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (isOpt(opt, "force")) force = true;
    else if (isOpt(opt, "justid")) justId = true;
    else if (isOpt(opt, "idle") && more > 0) deliveryTime = now - argLL(argv[++j], XCLAIM_IDLE);
    else if (isOpt(opt, "time") && more > 0) deliveryTime = argLL(argv[++j], XCLAIM_TIME);
    else if (isOpt(opt, "retrycount") && more > 0) retryCount = argLL(argv[++j], XCLAIM_RETRYCOUNT);
    else if (isOpt(opt, "lastid") && more > 0) lastId = argId(argv[++j]);
    else throw new ReplyError(xclaimUnknownOption(opt));
  }
  ctx.preventPropagation = true;
  let propagateLastId = false;
  if (lastId > g.lastId) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  // A delivery time in the future or before the epoch becomes now rather than an error.
  if (deliveryTime < 0n || deliveryTime > now) deliveryTime = now;
  const time = Number(deliveryTime);
  let consumer: Consumer | null = null;
  const out: Reply[] = [];
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    const idArg = argv[5 + k];
    let p = g.pel.get(id);
    const e = s.find(id);
    if (e === null) {
      // The entry is gone: drop it from the PEL (and tell replicas to).
      if (p !== undefined) {
        propagateClaim(ctx, key, groupName, g, idArg, p);
        propagateLastId = false;
        dirty(ctx);
        g.pel.delete(id);
        p.consumer!.pel.delete(id);
      }
      continue;
    }
    if (force && p === undefined) {
      p = { consumer: null, deliveryTime: ctx.now, deliveryCount: 1n };
      g.pel.set(id, p);
    }
    if (p === undefined) continue;
    if (p.consumer !== null && minIdle !== 0n && BigInt(ctx.now - p.deliveryTime) < minIdle) {
      continue;
    }
    consumer ??= claimant(ctx, g, argv[3], key);
    if (p.consumer !== consumer) p.consumer?.pel.delete(id);
    p.deliveryTime = time;
    if (retryCount >= 0n) p.deliveryCount = retryCount;
    else if (!justId) p.deliveryCount = (p.deliveryCount + 1n) & U64;
    if (p.consumer !== consumer) {
      consumer.pel.set(id, p);
      p.consumer = consumer;
    }
    out.push(justId ? idText(e) : entryReply(e));
    propagateClaim(ctx, key, groupName, g, idArg, p);
    propagateLastId = false;
    dirty(ctx);
  }
  if (propagateLastId) {
    propagateGroupId(ctx, key, groupName, g);
    dirty(ctx);
  }
  return out;
}

// The consumer a claim goes to: looked up (refreshing seen-time) or created.
function claimant(ctx: Ctx, g: ConsumerGroup, name: string, key: string): Consumer {
  const c = g.consumers.get(name);
  if (c === undefined) return createConsumer(ctx, g, name, key);
  c.seenTime = ctx.now;
  return c;
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
function xautoclaim(ctx: Ctx, argv: string[]): Reply {
  const key = argv[1];
  const groupName = argv[2];
  const v = ctx.db.lookupRead(key);
  let minIdle = argLL(argv[4], XAUTOCLAIM_MIN_IDLE);
  if (minIdle < 0n) minIdle = 0n;
  const start = argRangeStart(argv[5]);
  let count = 100n;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isOpt(argv[j], "count") && more > 0) {
      const c = parseI64(argv[++j]);
      if (c === null || BigInt(c) < 1n || BigInt(c) > XAUTOCLAIM_MAX_COUNT) {
        throw new ReplyError(XAUTOCLAIM_COUNT);
      }
      count = BigInt(c);
    } else if (isOpt(argv[j], "justid")) {
      justId = true;
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  const s = asStream(v);
  const g = s?.groups?.get(groupName);
  if (g === undefined) throw new ReplyError(noGroup(key, groupName));
  if (count > XAUTOCLAIM_ALLOC_LIMIT) throw new ReplyError(XAUTOCLAIM_NO_MEMORY);
  ctx.preventPropagation = true;
  let left = safe(count);
  let attempts = left * 10;
  const now = ctx.now;
  let consumer: Consumer | null = null;
  const claimed: Reply[] = [];
  const deleted: Reply[] = [];
  // `next` is what the PEL iterator would return next (raxNext).
  let next = g.pel.ceiling(start);
  while (attempts-- > 0 && left > 0 && next !== undefined) {
    const id = next;
    const p = g.pel.get(id)!;
    const e = s!.find(id);
    if (e === null) {
      // Deleted from the stream: drop the pending entry, report it, and count it.
      const idStr = formatId(id);
      propagateClaim(ctx, key, groupName, g, idStr, p);
      dirty(ctx);
      g.pel.delete(id);
      p.consumer!.pel.delete(id);
      deleted.push(idStr);
      left--;
      next = g.pel.ceiling(id);
      continue;
    }
    next = g.pel.ceiling(id + 1n);
    if (minIdle !== 0n && BigInt(now - p.deliveryTime) < minIdle) continue;
    consumer ??= claimant(ctx, g, argv[3], key);
    if (p.consumer !== consumer) {
      p.consumer?.pel.delete(id);
      consumer.pel.set(id, p);
      p.consumer = consumer;
    }
    p.deliveryTime = now;
    if (!justId) p.deliveryCount = (p.deliveryCount + 1n) & U64;
    claimed.push(justId ? idText(e) : entryReply(e));
    left--;
    propagateClaim(ctx, key, groupName, g, idText(e), p);
    dirty(ctx);
  }
  return [next === undefined ? "0-0" : formatId(next), claimed, deleted];
}

// ---------------------------------------------------------------------------------------------
// XINFO

// The stream at argv[2] for XINFO (lookupKeyReadOrReply with "no such key").
function infoStream(ctx: Ctx, argv: string[]): StreamValue {
  const s = asStream(ctx.db.lookupRead(argv[2]));
  if (s === undefined) throw new ReplyError(NO_SUCH_KEY);
  return s;
}

// XINFO CONSUMERS key group
function xinfoConsumers(ctx: Ctx, argv: string[]): Reply {
  const s = infoStream(ctx, argv);
  const g = s.groups?.get(argv[3]);
  if (g === undefined) throw new ReplyError(noSuchGroupForKey(argv[3], argv[2]));
  return g.sortedConsumers().map((c) =>
    new RespMap([
      "name",
      c.name,
      "pending",
      c.pel.size,
      "idle",
      Math.max(0, ctx.now - c.seenTime),
    ])
  );
}

// XINFO GROUPS key
function xinfoGroups(ctx: Ctx, argv: string[]): Reply {
  const s = infoStream(ctx, argv);
  return s.sortedGroups().map(([name, g]) =>
    new RespMap([
      "name",
      name,
      "consumers",
      g.consumers.size,
      "pending",
      g.pel.size,
      "last-delivered-id",
      formatId(g.lastId),
      "entries-read",
      g.entriesRead === INVALID_ENTRIES_READ ? null : ll(g.entriesRead),
      "lag",
      lagReply(s, g),
    ])
  );
}

function lagReply(s: StreamValue, g: ConsumerGroup): Reply {
  const lag = s.lag(g);
  return lag === null ? null : ll(lag);
}

// XINFO STREAM key [FULL [COUNT count]]
function xinfoStream(ctx: Ctx, argv: string[]): Reply {
  const s = infoStream(ctx, argv);
  const optc = argv.length - 3;
  let full = false;
  let count = 10;
  if (optc > 0) {
    if ((optc !== 1 && optc !== 3) || !isOpt(argv[3], "full")) {
      throw new ReplyError(subcommandSyntax(argv[1], "xinfo"));
    }
    full = true;
    if (optc === 3) {
      if (!isOpt(argv[4], "count")) throw new ReplyError(subcommandSyntax(argv[1], "xinfo"));
      const c = argLL(argv[5]);
      count = c < 0n ? 10 : safe(c);
    }
  }
  const m: Reply[] = [
    "length",
    s.length,
    "radix-tree-keys",
    s.nodeCount,
    "radix-tree-nodes",
    s.raxNodeCount(),
    "last-generated-id",
    formatId(s.lastId),
    "max-deleted-entry-id",
    formatId(s.maxDeletedId),
    "entries-added",
    ll(s.entriesAdded),
    "recorded-first-entry-id",
    formatId(s.firstId),
  ];
  if (!full) {
    const first = s.firstEntry();
    const last = s.lastEntry();
    m.push(
      "groups",
      s.groups === null ? 0 : s.groups.size,
      "first-entry",
      first === null ? null : entryReply(first),
      "last-entry",
      last === null ? null : entryReply(last),
    );
    return new RespMap(m);
  }
  const entries: Reply[] = [];
  s.range(0n, MAX_ID, false, (e) => {
    entries.push(entryReply(e));
    return entries.length !== count;
  });
  const groups: Reply[] = [];
  for (const [name, g] of s.sortedGroups()) {
    const pending: Reply[] = [];
    g.pel.forEachFrom(0n, (id, p) => {
      if (count !== 0 && pending.length >= count) return false;
      pending.push([formatId(id), p.consumer!.name, p.deliveryTime, ll(p.deliveryCount)]);
    });
    const consumers: Reply[] = [];
    for (const c of g.sortedConsumers()) {
      const cp: Reply[] = [];
      c.pel.forEachFrom(0n, (id, p) => {
        if (count !== 0 && cp.length >= count) return false;
        cp.push([formatId(id), p.deliveryTime, ll(p.deliveryCount)]);
      });
      consumers.push(
        new RespMap([
          "name",
          c.name,
          "seen-time",
          c.seenTime,
          "pel-count",
          c.pel.size,
          "pending",
          cp,
        ]),
      );
    }
    groups.push(
      new RespMap([
        "name",
        name,
        "last-delivered-id",
        formatId(g.lastId),
        "entries-read",
        g.entriesRead === INVALID_ENTRIES_READ ? null : ll(g.entriesRead),
        "lag",
        lagReply(s, g),
        "pel-count",
        g.pel.size,
        "pending",
        pending,
        "consumers",
        consumers,
      ]),
    );
  }
  m.push("entries", entries, "groups", groups);
  return new RespMap(m);
}

// XINFO HELP
function xinfoHelp(): Reply {
  return helpReply("XINFO", [
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
  ]);
}

// ---------------------------------------------------------------------------------------------
// Command table rows (flags, key specs and docs as Redis 7.0's COMMAND INFO / DOCS report them)

const KEY1 = { first: 1, last: 1, step: 1 };
const KEY2 = { first: 2, last: 2, step: 1 };
const NO_KEYS = { first: 0, last: 0, step: 0 };
const O1 = "O(1)";
const NONDETERMINISTIC = ["nondeterministic_output"];

function keySpec(flags: string[], index = 1, notes?: string): KeySpec {
  return rangeKeySpec(flags, index, 0, 1, notes);
}

// XREAD / XREADGROUP keys: after STREAMS, the first half of what follows.
function streamsKeySpec(startFrom: number): KeySpec {
  return {
    flags: ["RO", "access"],
    begin: { keyword: "STREAMS", startFrom },
    find: { lastKey: -1, keyStep: 1, limit: 2 },
  };
}

const XINFO_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "groups",
    arity: 3,
    flags: ["readonly"],
    categories: ["read", "stream", "slow"],
    keys: KEY2,
    handler: xinfoGroups,
    summary: "List the consumer groups of a stream",
    since: "5.0.0",
    group: "stream",
    complexity: O1,
    keySpecs: [keySpec(["RO", "access"], 2)],
    history: [["7.0.0", "Added the `entries-read` and `lag` fields"]],
  },
  {
    name: "stream",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "stream", "slow"],
    keys: KEY2,
    handler: xinfoStream,
    summary: "Get information about a stream",
    since: "5.0.0",
    group: "stream",
    complexity: O1,
    keySpecs: [keySpec(["RO", "access"], 2)],
    history: [
      ["6.0.0", "Added the `FULL` modifier."],
      [
        "7.0.0",
        "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields",
      ],
    ],
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    categories: ["stream", "slow"],
    handler: xinfoHelp,
    summary: "Show helpful text about the different subcommands",
    since: "5.0.0",
    group: "stream",
    complexity: O1,
  },
  {
    name: "consumers",
    arity: 4,
    flags: ["readonly"],
    categories: ["read", "stream", "slow"],
    keys: KEY2,
    handler: xinfoConsumers,
    summary: "List the consumers in a consumer group",
    since: "5.0.0",
    group: "stream",
    complexity: O1,
    tips: NONDETERMINISTIC,
    keySpecs: [keySpec(["RO", "access"], 2)],
  },
];

const XGROUP_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "delconsumer",
    arity: 5,
    flags: ["write"],
    categories: ["write", "stream", "slow"],
    keys: KEY2,
    handler: xgroupDelconsumer,
    summary: "Delete a consumer from a consumer group.",
    since: "5.0.0",
    group: "stream",
    complexity: O1,
    keySpecs: [keySpec(["RW", "delete"], 2)],
  },
  {
    name: "setid",
    arity: -5,
    flags: ["write"],
    categories: ["write", "stream", "slow"],
    keys: KEY2,
    handler: xgroupSetid,
    summary: "Set a consumer group to an arbitrary last delivered ID value.",
    since: "5.0.0",
    group: "stream",
    complexity: O1,
    keySpecs: [keySpec(["RW", "update"], 2)],
    history: [["7.0.0", "Added the optional `entries_read` argument."]],
  },
  {
    name: "create",
    arity: -5,
    flags: ["write", "denyoom"],
    categories: ["write", "stream", "slow"],
    keys: KEY2,
    handler: xgroupCreate,
    summary: "Create a consumer group.",
    since: "5.0.0",
    group: "stream",
    complexity: O1,
    keySpecs: [keySpec(["RW", "insert"], 2)],
    history: [["7.0.0", "Added the `entries_read` named argument."]],
  },
  {
    name: "createconsumer",
    arity: 5,
    flags: ["write", "denyoom"],
    categories: ["write", "stream", "slow"],
    keys: KEY2,
    handler: xgroupCreateconsumer,
    summary: "Create a consumer in a consumer group.",
    since: "6.2.0",
    group: "stream",
    complexity: O1,
    keySpecs: [keySpec(["RW", "insert"], 2)],
  },
  {
    name: "destroy",
    arity: 4,
    flags: ["write"],
    categories: ["write", "stream", "slow"],
    keys: KEY2,
    handler: xgroupDestroy,
    summary: "Destroy a consumer group.",
    since: "5.0.0",
    group: "stream",
    complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
    keySpecs: [keySpec(["RW", "delete"], 2)],
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    categories: ["stream", "slow"],
    handler: xgroupHelp,
    summary: "Show helpful text about the different subcommands",
    since: "5.0.0",
    group: "stream",
    complexity: O1,
  },
];

/** Streams command specs. */
export const STREAMS_COMMANDS: CommandSpec[] = [
  {
    name: "xadd",
    arity: -5,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "stream", "fast"],
    keys: KEY1,
    handler: xadd,
    summary: "Appends a new entry to a stream",
    since: "5.0.0",
    group: "stream",
    complexity:
      "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
    tips: NONDETERMINISTIC,
    keySpecs: [
      keySpec(
        ["RW", "update"],
        1,
        "UPDATE instead of INSERT because of the optional trimming feature",
      ),
    ],
    history: [
      [
        "6.2.0",
        "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option.",
      ],
      ["7.0.0", "Added support for the `<ms>-*` explicit ID form."],
    ],
  },
  {
    name: "xrange",
    arity: -4,
    flags: ["readonly"],
    categories: ["read", "stream", "slow"],
    keys: KEY1,
    handler: (ctx, argv) => xrangeGeneric(ctx, argv, false),
    summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval",
    since: "5.0.0",
    group: "stream",
    complexity:
      "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    keySpecs: [keySpec(["RO", "access"])],
    history: [["6.2.0", "Added exclusive ranges."]],
  },
  {
    name: "xrevrange",
    arity: -4,
    flags: ["readonly"],
    categories: ["read", "stream", "slow"],
    keys: KEY1,
    handler: (ctx, argv) => xrangeGeneric(ctx, argv, true),
    summary:
      "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
    since: "5.0.0",
    group: "stream",
    complexity:
      "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    keySpecs: [keySpec(["RO", "access"])],
    history: [["6.2.0", "Added exclusive ranges."]],
  },
  {
    name: "xlen",
    arity: 2,
    flags: ["readonly", "fast"],
    categories: ["read", "stream", "fast"],
    keys: KEY1,
    handler: xlen,
    summary: "Return the number of entries in a stream",
    since: "5.0.0",
    group: "stream",
    complexity: O1,
    keySpecs: [keySpec(["RO"])],
  },
  {
    name: "xdel",
    arity: -3,
    flags: ["write", "fast"],
    categories: ["write", "stream", "fast"],
    keys: KEY1,
    handler: xdel,
    summary:
      "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
    since: "5.0.0",
    group: "stream",
    complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
    keySpecs: [keySpec(["RW", "delete"])],
  },
  {
    name: "xtrim",
    arity: -4,
    flags: ["write"],
    categories: ["write", "stream", "slow"],
    keys: KEY1,
    handler: xtrim,
    summary: "Trims the stream to (approximately if '~' is passed) a certain size",
    since: "5.0.0",
    group: "stream",
    complexity:
      "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
    tips: NONDETERMINISTIC,
    keySpecs: [keySpec(["RW", "delete"])],
    history: [["6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option."]],
  },
  {
    name: "xread",
    arity: -4,
    flags: ["readonly", "blocking"],
    categories: ["read", "stream", "slow", "blocking"],
    keys: NO_KEYS,
    handler: xread,
    summary:
      "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
    since: "5.0.0",
    group: "stream",
    complexity:
      "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
    keySpecs: [streamsKeySpec(1)],
  },
  {
    name: "xreadgroup",
    arity: -7,
    flags: ["write", "blocking"],
    categories: ["write", "stream", "slow", "blocking"],
    keys: NO_KEYS,
    handler: xread,
    summary:
      "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
    since: "5.0.0",
    group: "stream",
    complexity:
      "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
    keySpecs: [streamsKeySpec(4)],
  },
  {
    name: "xsetid",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "stream", "fast"],
    keys: KEY1,
    handler: xsetid,
    summary: "An internal command for replicating stream values",
    since: "5.0.0",
    group: "stream",
    complexity: O1,
    keySpecs: [keySpec(["RW", "update"])],
    history: [["7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments."]],
  },
  {
    name: "xack",
    arity: -4,
    flags: ["write", "fast"],
    categories: ["write", "stream", "fast"],
    keys: KEY1,
    handler: xack,
    summary:
      "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
    since: "5.0.0",
    group: "stream",
    complexity: "O(1) for each message ID processed.",
    keySpecs: [keySpec(["RW", "update"])],
  },
  {
    name: "xpending",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "stream", "slow"],
    keys: KEY1,
    handler: xpending,
    summary:
      "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
    since: "5.0.0",
    group: "stream",
    complexity:
      "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
    tips: NONDETERMINISTIC,
    keySpecs: [keySpec(["RO", "access"])],
    history: [["6.2.0", "Added the `IDLE` option and exclusive range intervals."]],
  },
  {
    name: "xclaim",
    arity: -6,
    flags: ["write", "fast"],
    categories: ["write", "stream", "fast"],
    keys: KEY1,
    handler: xclaim,
    summary:
      "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
    since: "5.0.0",
    group: "stream",
    complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
    tips: NONDETERMINISTIC,
    keySpecs: [keySpec(["RW", "update"])],
  },
  {
    name: "xautoclaim",
    arity: -6,
    flags: ["write", "fast"],
    categories: ["write", "stream", "fast"],
    keys: KEY1,
    handler: xautoclaim,
    summary:
      "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
    since: "6.2.0",
    group: "stream",
    complexity: "O(1) if COUNT is small.",
    tips: NONDETERMINISTIC,
    keySpecs: [keySpec(["RW", "delete"])],
    history: [[
      "7.0.0",
      "Added an element to the reply array, containing deleted entries the command cleared from the PEL",
    ]],
  },
  {
    name: "xinfo",
    arity: -2,
    flags: [],
    categories: ["slow"],
    subcommands: XINFO_SUBCOMMANDS,
    summary: "A container for stream introspection commands",
    since: "5.0.0",
    group: "stream",
    complexity: "Depends on subcommand.",
  },
  {
    name: "xgroup",
    arity: -2,
    flags: [],
    categories: ["slow"],
    subcommands: XGROUP_SUBCOMMANDS,
    summary: "A container for consumer groups commands",
    since: "5.0.0",
    group: "stream",
    complexity: "Depends on subcommand.",
  },
];
