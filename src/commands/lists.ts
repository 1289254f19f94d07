// The lists family (t_list.c): pushes, pops (with COUNT, LMPOP), LRANGE/LINDEX/LSET/LINSERT/
// LREM/LTRIM/LPOS, LMOVE/RPOPLPUSH, and the blocking BLPOP/BRPOP/BLMOVE/BRPOPLPUSH/BLMPOP.
// Propagation follows Redis 7.0 exactly: LMPOP and BLMPOP become LPOP|RPOP key count (the count
// actually popped), BLPOP/BRPOP become LPOP|RPOP key, BLMOVE becomes LMOVE (with the client's
// LEFT/RIGHT spelling when served at once, lowercase when served after blocking) and
// BRPOPLPUSH becomes RPOPLPUSH. A blocked waiter is served from the key that became ready.

import { BlockRequest } from "../blocking/registry.ts";
import {
  COUNT_NOT_POSITIVE,
  INDEX_OUT_OF_RANGE,
  LPOS_COUNT_NEGATIVE,
  LPOS_MAXLEN_NEGATIVE,
  LPOS_RANK_ZERO,
  MUST_BE_POSITIVE,
  NO_SUCH_KEY,
  NOT_INTEGER,
  NUMKEYS_NOT_POSITIVE,
  ReplyError,
  SYNTAX,
  wrongArity,
} from "../errors.ts";
import { NULL_ARRAY, OK, type Reply } from "../resp/types.ts";
import { type End, HEAD, ListValue, TAIL } from "../store/types/list.ts";
import { parseI64, parseSafeInt } from "../util/numbers.ts";
import { argInt, argTimeout } from "./args.ts";
import type { CommandArg, CommandSpec, Ctx, KeySpec } from "./spec.ts";

const PUSH_EVENT = ["lpush", "rpush"];
const POP_EVENT = ["lpop", "rpop"];
const POP_CMD = ["LPOP", "RPOP"];
// shared.left / shared.right: how a served BLMOVE spells its ends when propagated.
const END_NAME = ["left", "right"];
const LONG_MIN = -9223372036854775808n;

function notify(ctx: Ctx, cls: string, event: string, key: string): void {
  ctx.server.keyspace.hooks.notify(cls, event, key, ctx.db.id);
}

/** True when `s` is `word` (lowercase ASCII letters) in any letter case; allocates nothing. */
function isWord(s: string, word: string): boolean {
  const n = word.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if ((s.charCodeAt(i) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

// lookupKeyRead + checkType: read commands count keyspace hits and misses.
function readList(ctx: Ctx, key: string): ListValue | undefined {
  return ctx.db.readObject<ListValue>(key, "list");
}

// lookupKeyWrite + checkType.
function writeList(ctx: Ctx, key: string): ListValue | undefined {
  return ctx.db.getObject<ListValue>(key, "list");
}

// A list for a new key, taking list-max-listpack-size now, as createQuicklistObject does.
function newList(ctx: Ctx): ListValue {
  return new ListValue(ctx.server.config.num("list-max-listpack-size"));
}

// LEFT|RIGHT (getListPositionFromObjectOrReply).
function argEnd(s: string): End {
  if (isWord(s, "left")) return HEAD;
  if (isWord(s, "right")) return TAIL;
  throw new ReplyError(SYNTAX);
}

// getPositiveLongFromObjectOrReply: `message` for a non-integer and for a negative value.
function argPositive(s: string, message: string): number {
  const v = parseSafeInt(s);
  if (v === null || v < 0) throw new ReplyError(message);
  return v;
}

// getRangeLongFromObjectOrReply(min, LONG_MAX, message): `message` for any bad value.
function argAtLeast(s: string, min: number, message: string): number {
  const v = parseSafeInt(s);
  if (v === null || v < min) throw new ReplyError(message);
  return v;
}

// Whether the client may block now: not inside EXEC (CLIENT_DENY_BLOCKING), nor as our master.
function canBlock(ctx: Ctx): boolean {
  return ctx.server.execDepth <= 1 && !ctx.client.isMaster;
}

// The list at `key` for a retry of a blocked client, or undefined: a key of another type does
// not serve list waiters (handleClientsBlockedOnKeys serves by the value's type).
function readyList(ctx: Ctx, key: string): ListValue | undefined {
  const v = ctx.db.lookup(key);
  if (v === undefined || typeof v === "string" || v.type !== "list") return undefined;
  return (v as ListValue).length > 0 ? v as ListValue : undefined;
}

// The key a blocked client is served from: the key that became ready (Redis serves from it
// even when an earlier key of the command also has data), else the first non-empty list.
function servingKey(ctx: Ctx, keys: string[], ready: string | undefined): string | undefined {
  if (ready !== undefined) return readyList(ctx, ready) !== undefined ? ready : undefined;
  for (const k of keys) if (readyList(ctx, k) !== undefined) return k;
  return undefined;
}

// listElementsRemoved: events, deletion of an emptied list, and one change per element.
function elementsRemoved(ctx: Ctx, key: string, end: End, list: ListValue, count: number): void {
  notify(ctx, "l", POP_EVENT[end], key);
  ctx.db.modified(key, list);
  if (list.isEmpty()) notify(ctx, "g", "del", key);
  ctx.server.keyspace.dirty += count - 1;
}

// Pops up to `count` elements at `end`, in popping order.
function popRange(list: ListValue, end: End, count: number): string[] {
  const n = Math.min(count, list.length);
  const len = list.length;
  if (end === HEAD) {
    const out = list.range(0, n - 1);
    list.removeHead(n);
    return out;
  }
  const out = list.range(len - n, len - 1, true);
  list.removeTail(n);
  return out;
}

// listPopRangeAndReplyWithKey, propagated as [LR]POP key count (what was actually popped).
function popWithKey(ctx: Ctx, key: string, list: ListValue, end: End, count: number): Reply {
  const items = popRange(list, end, count);
  elementsRemoved(ctx, key, end, list, items.length);
  ctx.rewrite([POP_CMD[end], key, String(items.length)]);
  return [key, items];
}

// One element with its key (BLPOP/BRPOP), propagated as [LR]POP key.
function popOneWithKey(ctx: Ctx, key: string, list: ListValue, end: End): Reply {
  const v = list.pop(end)!;
  elementsRemoved(ctx, key, end, list, 1);
  ctx.rewrite([POP_CMD[end], key]);
  return [key, v];
}

// ---------------------------------------------------------------------------------------------
// Pushes

// pushGenericCommand: LPUSH/RPUSH, and with `xx` LPUSHX/RPUSHX (only onto an existing list).
function pushGeneric(ctx: Ctx, argv: string[], end: End, xx: boolean): Reply {
  const key = argv[1];
  let list = writeList(ctx, key);
  const n = argv.length - 2;
  if (list === undefined) {
    if (xx) return 0;
    list = newList(ctx);
    for (let j = 2; j < argv.length; j++) list.push(argv[j], end);
    ctx.db.add(key, list);
  } else {
    if (end === HEAD) { for (let j = 2; j < argv.length; j++) list.pushHead(argv[j]); }
    else for (let j = 2; j < argv.length; j++) list.pushTail(argv[j]);
    ctx.db.modified(key, list);
  }
  if (n > 1) ctx.server.keyspace.dirty += n - 1;
  notify(ctx, "l", PUSH_EVENT[end], key);
  return list.length;
}

// LPUSH key element [element ...]
function lpush(ctx: Ctx, argv: string[]): Reply {
  return pushGeneric(ctx, argv, HEAD, false);
}

// RPUSH key element [element ...]
function rpush(ctx: Ctx, argv: string[]): Reply {
  return pushGeneric(ctx, argv, TAIL, false);
}

// LPUSHX key element [element ...]
function lpushx(ctx: Ctx, argv: string[]): Reply {
  return pushGeneric(ctx, argv, HEAD, true);
}

// RPUSHX key element [element ...]
function rpushx(ctx: Ctx, argv: string[]): Reply {
  return pushGeneric(ctx, argv, TAIL, true);
}

// LINSERT key BEFORE|AFTER pivot element
function linsert(ctx: Ctx, argv: string[]): Reply {
  let after: boolean;
  if (isWord(argv[2], "after")) after = true;
  else if (isWord(argv[2], "before")) after = false;
  else throw new ReplyError(SYNTAX);
  const key = argv[1];
  const list = writeList(ctx, key);
  if (list === undefined) return 0;
  const at = list.indexOf(argv[3]);
  if (at < 0) return -1;
  list.insert(after ? at + 1 : at, argv[4]);
  ctx.db.modified(key, list);
  notify(ctx, "l", "linsert", key);
  return list.length;
}

// ---------------------------------------------------------------------------------------------
// Pops

// popGenericCommand: LPOP/RPOP key [count]. Without a count the reply is a bulk string (or
// the null bulk), with one an array (or the null array); COUNT 0 replies an empty array.
function popGeneric(ctx: Ctx, argv: string[], end: End): Reply {
  if (argv.length > 3) throw new ReplyError(wrongArity(ctx.command.name));
  const hasCount = argv.length === 3;
  const count = hasCount ? argPositive(argv[2], MUST_BE_POSITIVE) : 0;
  const key = argv[1];
  const list = writeList(ctx, key);
  if (list === undefined) return hasCount ? NULL_ARRAY : null;
  if (hasCount && count === 0) return [];
  if (!hasCount) {
    const v = list.pop(end)!;
    elementsRemoved(ctx, key, end, list, 1);
    return v;
  }
  const items = popRange(list, end, count);
  elementsRemoved(ctx, key, end, list, items.length);
  return items;
}

// LPOP key [count]
function lpop(ctx: Ctx, argv: string[]): Reply {
  return popGeneric(ctx, argv, HEAD);
}

// RPOP key [count]
function rpop(ctx: Ctx, argv: string[]): Reply {
  return popGeneric(ctx, argv, TAIL);
}

/** Parsed LMPOP/BLMPOP arguments. */
interface MpopArgs {
  keys: string[];
  end: End;
  count: number;
}

// lmpopGenericCommand's parsing: numkeys, the keys, LEFT|RIGHT, then [COUNT count] once.
function parseMpop(argv: string[], numkeysIdx: number): MpopArgs {
  const numkeys = argAtLeast(argv[numkeysIdx], 1, NUMKEYS_NOT_POSITIVE);
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) throw new ReplyError(SYNTAX);
  const end = argEnd(argv[whereIdx]);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && isWord(argv[j], "count") && j < argv.length - 1) {
      count = argAtLeast(argv[++j], 1, COUNT_NOT_POSITIVE);
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), end, count: count === -1 ? 1 : count };
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
// Pops from the first non-empty list; a key of another type on the way is an error.
function lmpop(ctx: Ctx, argv: string[]): Reply {
  const a = parseMpop(argv, 1);
  for (const key of a.keys) {
    const list = writeList(ctx, key);
    if (list === undefined) continue;
    return popWithKey(ctx, key, list, a.end, a.count);
  }
  return NULL_ARRAY;
}

// ---------------------------------------------------------------------------------------------
// Reads

// LLEN key
function llen(ctx: Ctx, argv: string[]): Reply {
  return readList(ctx, argv[1])?.length ?? 0;
}

// LRANGE key start stop
function lrange(ctx: Ctx, argv: string[]): Reply {
  let start = argInt(argv[2]);
  let end = argInt(argv[3]);
  const list = readList(ctx, argv[1]);
  if (list === undefined) return [];
  const n = list.length;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return [];
  if (end >= n) end = n - 1;
  return list.range(start, end);
}

// LINDEX key index
function lindex(ctx: Ctx, argv: string[]): Reply {
  const list = readList(ctx, argv[1]);
  if (list === undefined) return null;
  const at = list.index(argInt(argv[2]));
  return at < 0 ? null : list.get(at);
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
// RANK -9223372036854775808 cannot be negated in C: it stays negative, so Redis reports every
// match from the tail and its COUNT test overflows (never stops early); we mimic that.
function lpos(ctx: Ctx, argv: string[]): Reply {
  const element = argv[2];
  let rank = 1;
  let rankMin = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const more = j < argv.length - 1;
    if (isWord(argv[j], "rank") && more) {
      const r = parseI64(argv[++j]);
      if (r === null) throw new ReplyError(NOT_INTEGER);
      if (r === 0) throw new ReplyError(LPOS_RANK_ZERO);
      rankMin = r === LONG_MIN;
      rank = typeof r === "bigint"
        ? (r > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER)
        : r;
    } else if (isWord(argv[j], "count") && more) {
      count = argPositive(argv[++j], LPOS_COUNT_NEGATIVE);
    } else if (isWord(argv[j], "maxlen") && more) {
      maxlen = argPositive(argv[++j], LPOS_MAXLEN_NEGATIVE);
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const list = readList(ctx, argv[1]);
  if (list === undefined) return count !== -1 ? [] : null;
  const n = list.length;
  const limit = maxlen === 0 ? n : Math.min(maxlen, n);
  const out: number[] | null = count !== -1 ? [] : null;
  let matches = 0;
  for (let index = 0; index < limit; index++) {
    const at = fromTail ? n - 1 - index : index;
    if (list.get(at) !== element) continue;
    matches++;
    if (!rankMin && matches < rank) continue;
    if (out === null) return at;
    out.push(at);
    if (count !== 0 && !rankMin && matches - rank + 1 >= count) break;
  }
  return out ?? null;
}

// ---------------------------------------------------------------------------------------------
// Changes in place

// LSET key index element
function lset(ctx: Ctx, argv: string[]): Reply {
  const key = argv[1];
  const list = writeList(ctx, key);
  if (list === undefined) throw new ReplyError(NO_SUCH_KEY);
  const at = list.index(argInt(argv[2]));
  if (at < 0) throw new ReplyError(INDEX_OUT_OF_RANGE);
  list.set(at, argv[3]);
  ctx.db.modified(key, list);
  notify(ctx, "l", "lset", key);
  return OK;
}

// LREM key count element
// count > 0 removes from the head, < 0 from the tail, 0 all matches.
function lrem(ctx: Ctx, argv: string[]): Reply {
  const toRemove = argInt(argv[2]);
  const key = argv[1];
  const list = writeList(ctx, key);
  if (list === undefined) return 0;
  const removed = list.removeMatches(argv[3], Math.abs(toRemove), toRemove < 0);
  if (removed > 0) {
    ctx.db.modified(key, list);
    notify(ctx, "l", "lrem", key);
    if (list.isEmpty()) notify(ctx, "g", "del", key);
    ctx.server.keyspace.dirty += removed - 1;
  }
  return removed;
}

// LTRIM key start stop
// Even a trim that removes nothing touches WATCHers and fires `ltrim` (but is no change, so
// it is not propagated), as in Redis.
function ltrim(ctx: Ctx, argv: string[]): Reply {
  let start = argInt(argv[2]);
  let end = argInt(argv[3]);
  const key = argv[1];
  const list = writeList(ctx, key);
  if (list === undefined) return OK;
  const n = list.length;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  let left: number;
  let right: number;
  if (start > end || start >= n) {
    left = n;
    right = 0;
  } else {
    if (end >= n) end = n - 1;
    left = start;
    right = n - end - 1;
  }
  list.removeHead(left);
  list.removeTail(right);
  notify(ctx, "l", "ltrim", key);
  if (left + right === 0) {
    ctx.server.keyspace.touch(ctx.db, key);
    return OK;
  }
  ctx.db.modified(key, list);
  if (list.isEmpty()) notify(ctx, "g", "del", key);
  ctx.server.keyspace.dirty += left + right - 1;
  return OK;
}

// ---------------------------------------------------------------------------------------------
// Moves

// lmoveGenericCommand after the source was found: checks the destination's type before
// touching anything, pops, pushes (creating the destination), fires the push then the pop
// event, and counts one change. `src` may equal `dst` (rotation).
function moveElement(
  ctx: Ctx,
  src: string,
  list: ListValue,
  dst: string,
  from: End,
  to: End,
): Reply {
  let target = writeList(ctx, dst);
  const v = list.pop(from)!;
  if (target === undefined) {
    target = newList(ctx);
    target.push(v, to);
    ctx.db.add(dst, target);
  } else {
    target.push(v, to);
    ctx.db.modified(dst, target);
  }
  notify(ctx, "l", PUSH_EVENT[to], dst);
  notify(ctx, "l", POP_EVENT[from], src);
  ctx.db.modified(src, list);
  if (list.isEmpty()) notify(ctx, "g", "del", src);
  // Two modified() calls above; Redis counts a move as one change.
  ctx.server.keyspace.dirty--;
  return v;
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
function lmove(ctx: Ctx, argv: string[]): Reply {
  const from = argEnd(argv[3]);
  const to = argEnd(argv[4]);
  const list = writeList(ctx, argv[1]);
  if (list === undefined) return null;
  return moveElement(ctx, argv[1], list, argv[2], from, to);
}

// RPOPLPUSH source destination
function rpoplpush(ctx: Ctx, argv: string[]): Reply {
  const list = writeList(ctx, argv[1]);
  if (list === undefined) return null;
  return moveElement(ctx, argv[1], list, argv[2], TAIL, HEAD);
}

// ---------------------------------------------------------------------------------------------
// Blocking forms. A timeout replies the null array (also for BLMOVE); inside EXEC BLPOP,
// BRPOP and BLMPOP reply the null array at once, BLMOVE and BRPOPLPUSH the null bulk.

function timedOut(): Reply {
  return NULL_ARRAY;
}

// blockingPopGenericCommand for BLPOP/BRPOP (`count` -1) and BLMPOP: pops at once from the
// first non-empty list, else waits on all the keys.
function blockingPop(
  ctx: Ctx,
  keys: string[],
  end: End,
  timeout: string,
  count: number,
): Reply | BlockRequest {
  const deadline = argTimeout(timeout, ctx.now);
  for (const key of keys) {
    const list = writeList(ctx, key);
    if (list === undefined) continue;
    return count === -1
      ? popOneWithKey(ctx, key, list, end)
      : popWithKey(ctx, key, list, end, count);
  }
  const request: BlockRequest = new BlockRequest(keys, deadline, (c) => {
    const key = servingKey(c, keys, request.readyKey);
    if (key === undefined) return null;
    const list = c.db.lookup(key) as ListValue;
    return count === -1 ? popOneWithKey(c, key, list, end) : popWithKey(c, key, list, end, count);
  }, timedOut);
  return request;
}

// BLPOP key [key ...] timeout
function blpop(ctx: Ctx, argv: string[]): Reply | BlockRequest {
  return blockingPop(ctx, argv.slice(1, -1), HEAD, argv[argv.length - 1], -1);
}

// BRPOP key [key ...] timeout
function brpop(ctx: Ctx, argv: string[]): Reply | BlockRequest {
  return blockingPop(ctx, argv.slice(1, -1), TAIL, argv[argv.length - 1], -1);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
function blmpop(ctx: Ctx, argv: string[]): Reply | BlockRequest {
  const a = parseMpop(argv, 2);
  return blockingPop(ctx, a.keys, a.end, argv[1], a.count);
}

// blmoveGenericCommand: moves at once when the source has data, else waits on the source.
// Served later, a destination of another type fails that waiter with WRONGTYPE and leaves
// the source for the next one (serveClientBlockedOnList).
function blockingMove(
  ctx: Ctx,
  argv: string[],
  from: End,
  to: End,
  deadline: number,
  rpoplpush: boolean,
): Reply | BlockRequest {
  const src = argv[1];
  const dst = argv[2];
  const list = writeList(ctx, src);
  if (list !== undefined) {
    const v = moveElement(ctx, src, list, dst, from, to);
    ctx.rewrite(rpoplpush ? ["RPOPLPUSH", src, dst] : ["LMOVE", src, dst, argv[3], argv[4]]);
    return v;
  }
  if (!canBlock(ctx)) return null;
  return new BlockRequest([src], deadline, (c) => {
    const l = readyList(c, src);
    if (l === undefined) return null;
    const v = moveElement(c, src, l, dst, from, to);
    c.rewrite(
      rpoplpush ? ["RPOPLPUSH", src, dst] : ["LMOVE", src, dst, END_NAME[from], END_NAME[to]],
    );
    return v;
  }, timedOut);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
function blmove(ctx: Ctx, argv: string[]): Reply | BlockRequest {
  const from = argEnd(argv[3]);
  const to = argEnd(argv[4]);
  const deadline = argTimeout(argv[5], ctx.now);
  return blockingMove(ctx, argv, from, to, deadline, false);
}

// BRPOPLPUSH source destination timeout
function brpoplpush(ctx: Ctx, argv: string[]): Reply | BlockRequest {
  const deadline = argTimeout(argv[3], ctx.now);
  return blockingMove(ctx, argv, TAIL, HEAD, deadline, true);
}

// ---------------------------------------------------------------------------------------------
// Command table (flags, categories and key specs as Redis 7.0's COMMAND INFO; docs as its
// COMMAND DOCS)

function keyAt(flags: string[], index: number, lastKey = 0): KeySpec {
  return { flags, begin: { index }, find: { lastKey, keyStep: 1, limit: 0 } };
}

function keysCounted(flags: string[], index: number): KeySpec {
  return { flags, begin: { index }, find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 } };
}

const KEY1 = { first: 1, last: 1, step: 1 };
const KEYS12 = { first: 1, last: 2, step: 1 };
const POP_FLAGS = ["RW", "access", "delete"];
const PUSH_FLAGS = ["RW", "insert"];

const KEY: CommandArg = { name: "key", type: "key", keySpecIndex: 0 };
const KEYS: CommandArg = { name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] };
const SOURCE: CommandArg = { name: "source", type: "key", keySpecIndex: 0 };
const DESTINATION: CommandArg = { name: "destination", type: "key", keySpecIndex: 1 };
const ELEMENTS: CommandArg = { name: "element", type: "string", flags: ["multiple"] };
const ELEMENT: CommandArg = { name: "element", type: "string" };
const TIMEOUT: CommandArg = { name: "timeout", type: "double" };
const NUMKEYS: CommandArg = { name: "numkeys", type: "integer" };
const POP_COUNT: CommandArg = {
  name: "count",
  type: "integer",
  since: "6.2.0",
  flags: ["optional"],
};
const MPOP_COUNT: CommandArg = {
  name: "count",
  type: "integer",
  token: "COUNT",
  flags: ["optional"],
};
const RANGE_ARGS: CommandArg[] = [
  KEY,
  { name: "start", type: "integer" },
  { name: "stop", type: "integer" },
];

function leftRight(name: string): CommandArg {
  return {
    name,
    type: "oneof",
    arguments: [
      { name: "left", type: "pure-token", token: "LEFT" },
      { name: "right", type: "pure-token", token: "RIGHT" },
    ],
  };
}

const PUSH_COMPLEXITY =
  "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.";
const POP_COMPLEXITY = "O(N) where N is the number of elements returned";
const MPOP_COMPLEXITY =
  "O(N+M) where N is the number of provided keys and M is the number of elements returned.";
const BPOP_COMPLEXITY = "O(N) where N is the number of provided keys.";
const TIMEOUT_DOUBLE: [string, string] = [
  "6.0.0",
  "`timeout` is interpreted as a double instead of an integer.",
];

function pushSpec(
  name: string,
  handler: (ctx: Ctx, argv: string[]) => Reply,
  summary: string,
  since: string,
  history: [string, string],
): CommandSpec {
  return {
    name,
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "list", "fast"],
    keys: KEY1,
    handler,
    summary,
    since,
    group: "list",
    complexity: PUSH_COMPLEXITY,
    keySpecs: [keyAt(PUSH_FLAGS, 1)],
    history: [history],
    arguments: [KEY, ELEMENTS],
  };
}

function popSpec(
  name: string,
  handler: (ctx: Ctx, argv: string[]) => Reply,
  summary: string,
): CommandSpec {
  return {
    name,
    arity: -2,
    flags: ["write", "fast"],
    categories: ["write", "list", "fast"],
    keys: KEY1,
    handler,
    summary,
    since: "1.0.0",
    group: "list",
    complexity: POP_COMPLEXITY,
    keySpecs: [keyAt(POP_FLAGS, 1)],
    history: [["6.2.0", "Added the `count` argument."]],
    arguments: [KEY, POP_COUNT],
  };
}

function blockingPopSpec(
  name: string,
  handler: (ctx: Ctx, argv: string[]) => Reply | BlockRequest,
  summary: string,
): CommandSpec {
  return {
    name,
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    categories: ["write", "list", "slow", "blocking"],
    keys: { first: 1, last: -2, step: 1 },
    handler,
    summary,
    since: "2.0.0",
    group: "list",
    complexity: BPOP_COMPLEXITY,
    keySpecs: [keyAt(POP_FLAGS, 1, -2)],
    history: [TIMEOUT_DOUBLE],
    arguments: [KEYS, TIMEOUT],
  };
}

const MOVE_KEY_SPECS = [keyAt(POP_FLAGS, 1), keyAt(PUSH_FLAGS, 2)];

/** The lists family's commands. */
export const LISTS_COMMANDS: CommandSpec[] = [
  pushSpec(
    "lpush",
    lpush,
    "Prepend one or multiple elements to a list",
    "1.0.0",
    ["2.4.0", "Accepts multiple `element` arguments."],
  ),
  pushSpec(
    "rpush",
    rpush,
    "Append one or multiple elements to a list",
    "1.0.0",
    ["2.4.0", "Accepts multiple `element` arguments."],
  ),
  pushSpec(
    "lpushx",
    lpushx,
    "Prepend an element to a list, only if the list exists",
    "2.2.0",
    ["4.0.0", "Accepts multiple `element` arguments."],
  ),
  pushSpec(
    "rpushx",
    rpushx,
    "Append an element to a list, only if the list exists",
    "2.2.0",
    ["4.0.0", "Accepts multiple `element` arguments."],
  ),
  popSpec("lpop", lpop, "Remove and get the first elements in a list"),
  popSpec("rpop", rpop, "Remove and get the last elements in a list"),
  {
    name: "llen",
    arity: 2,
    flags: ["readonly", "fast"],
    categories: ["read", "list", "fast"],
    keys: KEY1,
    handler: llen,
    summary: "Get the length of a list",
    since: "1.0.0",
    group: "list",
    complexity: "O(1)",
    keySpecs: [keyAt(["RO"], 1)],
    arguments: [KEY],
  },
  {
    name: "lrange",
    arity: 4,
    flags: ["readonly"],
    categories: ["read", "list", "slow"],
    keys: KEY1,
    handler: lrange,
    summary: "Get a range of elements from a list",
    since: "1.0.0",
    group: "list",
    complexity:
      "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
    keySpecs: [keyAt(["RO", "access"], 1)],
    arguments: RANGE_ARGS,
  },
  {
    name: "lindex",
    arity: 3,
    flags: ["readonly"],
    categories: ["read", "list", "slow"],
    keys: KEY1,
    handler: lindex,
    summary: "Get an element from a list by its index",
    since: "1.0.0",
    group: "list",
    complexity:
      "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
    keySpecs: [keyAt(["RO", "access"], 1)],
    arguments: [KEY, { name: "index", type: "integer" }],
  },
  {
    name: "lset",
    arity: 4,
    flags: ["write", "denyoom"],
    categories: ["write", "list", "slow"],
    keys: KEY1,
    handler: lset,
    summary: "Set the value of an element in a list by its index",
    since: "1.0.0",
    group: "list",
    complexity:
      "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
    keySpecs: [keyAt(["RW", "update"], 1)],
    arguments: [KEY, { name: "index", type: "integer" }, ELEMENT],
  },
  {
    name: "linsert",
    arity: 5,
    flags: ["write", "denyoom"],
    categories: ["write", "list", "slow"],
    keys: KEY1,
    handler: linsert,
    summary: "Insert an element before or after another element in a list",
    since: "2.2.0",
    group: "list",
    complexity:
      "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
    keySpecs: [keyAt(PUSH_FLAGS, 1)],
    arguments: [
      KEY,
      {
        name: "where",
        type: "oneof",
        arguments: [
          { name: "before", type: "pure-token", token: "BEFORE" },
          { name: "after", type: "pure-token", token: "AFTER" },
        ],
      },
      { name: "pivot", type: "string" },
      ELEMENT,
    ],
  },
  {
    name: "lrem",
    arity: 4,
    flags: ["write"],
    categories: ["write", "list", "slow"],
    keys: KEY1,
    handler: lrem,
    summary: "Remove elements from a list",
    since: "1.0.0",
    group: "list",
    complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
    keySpecs: [keyAt(["RW", "delete"], 1)],
    arguments: [KEY, { name: "count", type: "integer" }, ELEMENT],
  },
  {
    name: "ltrim",
    arity: 4,
    flags: ["write"],
    categories: ["write", "list", "slow"],
    keys: KEY1,
    handler: ltrim,
    summary: "Trim a list to the specified range",
    since: "1.0.0",
    group: "list",
    complexity: "O(N) where N is the number of elements to be removed by the operation.",
    keySpecs: [keyAt(["RW", "delete"], 1)],
    arguments: RANGE_ARGS,
  },
  {
    name: "lpos",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "list", "slow"],
    keys: KEY1,
    handler: lpos,
    summary: "Return the index of matching elements on a list",
    since: "6.0.6",
    group: "list",
    complexity:
      "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
    keySpecs: [keyAt(["RO", "access"], 1)],
    arguments: [
      KEY,
      ELEMENT,
      { name: "rank", type: "integer", token: "RANK", flags: ["optional"] },
      { name: "num-matches", type: "integer", token: "COUNT", flags: ["optional"] },
      { name: "len", type: "integer", token: "MAXLEN", flags: ["optional"] },
    ],
  },
  {
    name: "lmove",
    arity: 5,
    flags: ["write", "denyoom"],
    categories: ["write", "list", "slow"],
    keys: KEYS12,
    handler: lmove,
    summary: "Pop an element from a list, push it to another list and return it",
    since: "6.2.0",
    group: "list",
    complexity: "O(1)",
    keySpecs: MOVE_KEY_SPECS,
    arguments: [SOURCE, DESTINATION, leftRight("wherefrom"), leftRight("whereto")],
  },
  {
    name: "rpoplpush",
    arity: 3,
    flags: ["write", "denyoom"],
    categories: ["write", "list", "slow"],
    keys: KEYS12,
    handler: rpoplpush,
    summary: "Remove the last element in a list, prepend it to another list and return it",
    since: "1.2.0",
    group: "list",
    complexity: "O(1)",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`LMOVE` with the `RIGHT` and `LEFT` arguments",
    keySpecs: MOVE_KEY_SPECS,
    arguments: [SOURCE, DESTINATION],
  },
  {
    name: "lmpop",
    arity: -4,
    flags: ["write"],
    categories: ["write", "list", "slow"],
    handler: lmpop,
    summary: "Pop elements from a list",
    since: "7.0.0",
    group: "list",
    complexity: MPOP_COMPLEXITY,
    keySpecs: [keysCounted(POP_FLAGS, 1)],
    arguments: [NUMKEYS, KEYS, leftRight("where"), MPOP_COUNT],
  },
  blockingPopSpec(
    "blpop",
    blpop,
    "Remove and get the first element in a list, or block until one is available",
  ),
  blockingPopSpec(
    "brpop",
    brpop,
    "Remove and get the last element in a list, or block until one is available",
  ),
  {
    name: "blmove",
    arity: 6,
    flags: ["write", "denyoom", "noscript", "blocking"],
    categories: ["write", "list", "slow", "blocking"],
    keys: KEYS12,
    handler: blmove,
    summary:
      "Pop an element from a list, push it to another list and return it; or block until one is available",
    since: "6.2.0",
    group: "list",
    complexity: "O(1)",
    keySpecs: MOVE_KEY_SPECS,
    arguments: [SOURCE, DESTINATION, leftRight("wherefrom"), leftRight("whereto"), TIMEOUT],
  },
  {
    name: "brpoplpush",
    arity: 4,
    flags: ["write", "denyoom", "noscript", "blocking"],
    categories: ["write", "list", "slow", "blocking"],
    keys: KEYS12,
    handler: brpoplpush,
    summary:
      "Pop an element from a list, push it to another list and return it; or block until one is available",
    since: "2.2.0",
    group: "list",
    complexity: "O(1)",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
    history: [TIMEOUT_DOUBLE],
    keySpecs: MOVE_KEY_SPECS,
    arguments: [SOURCE, DESTINATION, TIMEOUT],
  },
  {
    name: "blmpop",
    arity: -5,
    flags: ["write", "blocking"],
    categories: ["write", "list", "slow", "blocking"],
    handler: blmpop,
    summary: "Pop elements from a list, or block until one is available",
    since: "7.0.0",
    group: "list",
    complexity: MPOP_COMPLEXITY,
    keySpecs: [keysCounted(POP_FLAGS, 2)],
    arguments: [TIMEOUT, NUMKEYS, KEYS, leftRight("where"), MPOP_COUNT],
  },
];
