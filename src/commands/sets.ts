// The sets family (t_set.c): SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS SPOP SRANDMEMBER
// SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN. Replies list
// members in the set's own order, which for intset-encoded sets is ascending as in Redis.
// SPOP propagates as SREM (one per member, or DEL when it empties the set), as Redis 7.0 does.

import {
  LIMIT_NEGATIVE,
  MUST_BE_POSITIVE,
  NUMKEYS_NOT_POSITIVE,
  NUMKEYS_TOO_MANY,
  ReplyError,
  SYNTAX,
} from "../errors.ts";
import { type Reply, RespSet } from "../resp/types.ts";
import { SetValue } from "../store/types/set.ts";
import { globMatch } from "../util/glob.ts";
import { parseI64 } from "../util/numbers.ts";
import {
  argCursor,
  argSignedCount,
  checkType,
  emptyScan,
  keyAt1,
  notify,
  parseScanOptions,
  picksWithRepeats,
} from "./hashes.ts";
import type { CommandSpec, Ctx, KeySpec } from "./spec.ts";

/** The set at `key` for a read (lookupKeyRead: counts hits/misses), or undefined. */
function readSet(ctx: Ctx, key: string): SetValue | undefined {
  return ctx.db.readObject<SetValue>(key, "set");
}

/** The set at `key` for a write (lookupKeyWrite), or undefined. */
function writeSet(ctx: Ctx, key: string): SetValue | undefined {
  return ctx.db.getObject<SetValue>(key, "set");
}

function maxIntset(ctx: Ctx): number {
  return ctx.server.config.num("set-max-intset-entries");
}

/** Sets the dirty counter to `before + n`: Redis counts set changes, not key touches. */
function setDirty(ctx: Ctx, before: number, n: number): void {
  ctx.server.keyspace.dirty = before + n;
}

/**
 * A count argument parsed as getPositiveLongFromObjectOrReply does: negative values and
 * non-integers both get `message`.
 */
function argPositive(s: string, message: string): number {
  const v = parseI64(s);
  if (v === null || v < 0) throw new ReplyError(message);
  return typeof v === "bigint" ? Number.MAX_SAFE_INTEGER : v;
}

// SADD key member [member ...]
function sadd(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const key = argv[1];
  let s = writeSet(ctx, key);
  const isNew = s === undefined;
  if (s === undefined) s = new SetValue();
  const max = maxIntset(ctx);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (s.add(argv[i], max)) added++;
  const dirty = ctx.server.keyspace.dirty;
  if (isNew) db.add(key, s);
  else if (added !== 0) db.modified(key, s);
  setDirty(ctx, dirty, added);
  if (added !== 0) notify(ctx, "s", "sadd", key);
  return added;
}

// SREM key member [member ...]
function srem(ctx: Ctx, argv: string[]): Reply {
  const key = argv[1];
  const s = writeSet(ctx, key);
  if (s === undefined) return 0;
  let removed = 0;
  for (let i = 2; i < argv.length; i++) {
    if (s.delete(argv[i])) {
      removed++;
      if (s.size === 0) break;
    }
  }
  if (removed === 0) return 0;
  const dirty = ctx.server.keyspace.dirty;
  ctx.db.modified(key, s);
  setDirty(ctx, dirty, removed);
  notify(ctx, "s", "srem", key);
  if (s.size === 0) notify(ctx, "g", "del", key);
  return removed;
}

// SCARD key
function scard(ctx: Ctx, argv: string[]): Reply {
  return readSet(ctx, argv[1])?.size ?? 0;
}

// SISMEMBER key member
function sismember(ctx: Ctx, argv: string[]): Reply {
  return readSet(ctx, argv[1])?.has(argv[2]) ? 1 : 0;
}

// SMISMEMBER key member [member ...]
function smismember(ctx: Ctx, argv: string[]): Reply {
  const s = readSet(ctx, argv[1]);
  const out: Reply[] = new Array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) out[i - 2] = s?.has(argv[i]) ? 1 : 0;
  return out;
}

// SMEMBERS key
function smembers(ctx: Ctx, argv: string[]): Reply {
  const s = readSet(ctx, argv[1]);
  return new RespSet(s === undefined ? [] : s.toArray());
}

// SPOP key [count]
function spop(ctx: Ctx, argv: string[]): Reply {
  if (argv.length === 3) return spopWithCount(ctx, argv[1], argv[2]);
  if (argv.length > 3) throw new ReplyError(SYNTAX);
  const key = argv[1];
  const s = writeSet(ctx, key);
  if (s === undefined) return null;
  const member = s.pop();
  notify(ctx, "s", "spop", key);
  // Replicas remove the member that was picked here, not one of their own choosing.
  ctx.rewrite(["SREM", key, member]);
  const dirty = ctx.server.keyspace.dirty;
  ctx.db.modified(key, s);
  setDirty(ctx, dirty, 1);
  if (s.size === 0) notify(ctx, "g", "del", key);
  return member;
}

// spopWithCountCommand. Popping the whole set deletes the key and propagates DEL. Otherwise
// every popped member is propagated as its own SREM (wrapped in MULTI/EXEC when several).
// Like Redis, when few members would remain (remaining * 5 <= count) the ones to keep are
// drawn instead and moved to a fresh set, whose encoding is chosen anew (a hashtable set can
// become an intset again), and the popped members are replied in the old set's order.
function spopWithCount(ctx: Ctx, key: string, countArg: string): Reply {
  const count = argPositive(countArg, MUST_BE_POSITIVE);
  const s = writeSet(ctx, key);
  if (s === undefined || count === 0) return new RespSet([]);
  const size = s.size;
  notify(ctx, "s", "spop", key);
  const dirty = ctx.server.keyspace.dirty;
  const db = ctx.db;
  if (count >= size) {
    // Redis replies through SUNION's code, whose lookupKeyRead counts a keyspace hit.
    db.lookupRead(key);
    const all = union(ctx, [s]).toArray();
    db.delete(key);
    setDirty(ctx, dirty, size);
    notify(ctx, "g", "del", key);
    ctx.rewrite(["DEL", key]);
    return new RespSet(all);
  }
  ctx.preventPropagation = true;
  const out: string[] = new Array(count);
  const remaining = size - count;
  if (remaining * 5 > count) {
    for (let i = 0; i < count; i++) out[i] = s.pop();
    db.modified(key, s);
  } else {
    const kept = new SetValue();
    const max = maxIntset(ctx);
    for (let i = 0; i < remaining; i++) kept.add(s.pop(), max);
    let i = 0;
    s.forEach((m) => {
      out[i++] = m;
    });
    db.set(key, kept, true);
  }
  for (let i = 0; i < count; i++) ctx.alsoPropagate(["SREM", key, out[i]]);
  setDirty(ctx, dirty, count);
  return new RespSet(out);
}

// SRANDMEMBER key [count]
function srandmember(ctx: Ctx, argv: string[]): Reply {
  if (argv.length === 3) {
    return srandmemberWithCount(ctx, argv[1], Number(argSignedCount(argv[2])));
  }
  if (argv.length > 3) throw new ReplyError(SYNTAX);
  const s = readSet(ctx, argv[1]);
  return s === undefined ? null : s.random();
}

// srandmemberWithCountCommand. A negative count allows repeats and replies exactly that many;
// a positive one replies distinct members, the whole set (in its order) when it covers it.
function srandmemberWithCount(ctx: Ctx, key: string, l: number): Reply {
  const s = readSet(ctx, key);
  if (s === undefined || l === 0) return [];
  if (l < 0 || l === 1) {
    const n = l < 0 ? picksWithRepeats(l) : 1;
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = s.random();
    return out;
  }
  const members = s.toArray();
  if (l >= members.length) return members;
  // A partial Fisher-Yates shuffle picks `l` distinct members.
  for (let i = 0; i < l; i++) {
    const j = i + Math.floor(Math.random() * (members.length - i));
    const m = members[j];
    members[j] = members[i];
    members[i] = m;
  }
  members.length = l;
  return members;
}

// SMOVE source destination member
function smove(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const srcKey = argv[1];
  const dstKey = argv[2];
  const member = argv[3];
  const src = db.lookup(srcKey);
  const dst = db.lookup(dstKey);
  if (src === undefined) return 0;
  const srcSet = checkType(src, "set") as SetValue;
  let dstSet = checkType(dst, "set") as SetValue | undefined;
  if (srcSet === dstSet) return srcSet.has(member) ? 1 : 0;
  if (!srcSet.delete(member)) return 0;
  const dirty = ctx.server.keyspace.dirty;
  notify(ctx, "s", "srem", srcKey);
  db.modified(srcKey, srcSet);
  if (srcSet.size === 0) notify(ctx, "g", "del", srcKey);
  const max = maxIntset(ctx);
  let changes = 1;
  if (dstSet === undefined) {
    dstSet = new SetValue();
    dstSet.add(member, max);
    db.add(dstKey, dstSet);
    changes++;
    notify(ctx, "s", "sadd", dstKey);
  } else if (dstSet.add(member, max)) {
    db.modified(dstKey, dstSet);
    changes++;
    notify(ctx, "s", "sadd", dstKey);
  }
  setDirty(ctx, dirty, changes);
  return 1;
}

/**
 * Looks up the sets at argv[first..last) with lookupKeyRead. A missing key is undefined; any
 * key of another type is WRONGTYPE, even after a missing one.
 */
function readSets(ctx: Ctx, argv: string[], first: number, last: number): (SetValue | undefined)[] {
  const sets: (SetValue | undefined)[] = new Array(last - first);
  for (let i = first; i < last; i++) sets[i - first] = readSet(ctx, argv[i]);
  return sets;
}

/**
 * sinterGenericCommand's walk: the members of the smallest set (ties keep key order) that
 * all the others contain, in that set's order, stopping after `limit` (0 = no limit).
 */
function intersect(sets: SetValue[], limit: number): string[] {
  const sorted = sets.slice().sort((a, b) => a.size - b.size);
  const first = sorted[0];
  const out: string[] = [];
  first.forEach((m) => {
    for (let j = 1; j < sorted.length; j++) {
      if (sorted[j] !== first && !sorted[j].has(m)) return;
    }
    out.push(m);
    if (limit !== 0 && out.length >= limit) return false;
  });
  return out;
}

/** A new set holding `members`, with the encoding Redis gives a freshly built set. */
function buildSet(ctx: Ctx, members: Iterable<string>): SetValue {
  const s = new SetValue();
  const max = maxIntset(ctx);
  for (const m of members) s.add(m, max);
  return s;
}

/** The union of `sets` (missing ones skipped) as sunionDiffGenericCommand's temporary set. */
function union(ctx: Ctx, sets: (SetValue | undefined)[]): SetValue {
  const out = new SetValue();
  const max = maxIntset(ctx);
  for (const s of sets) s?.forEach((m) => void out.add(m, max));
  return out;
}

/** Members of the first set that no other set contains, as a temporary set. */
function difference(ctx: Ctx, sets: (SetValue | undefined)[]): SetValue {
  const out = new SetValue();
  const first = sets[0];
  if (first === undefined) return out;
  // The same key repeated makes the difference empty, whatever else is given.
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return out;
  const max = maxIntset(ctx);
  first.forEach((m) => {
    for (let j = 1; j < sets.length; j++) if (sets[j]?.has(m)) return;
    out.add(m, max);
  });
  return out;
}

/**
 * The *STORE tail: a non-empty result replaces `dst` (dropping its TTL) and fires `event`;
 * an empty one deletes `dst`, counting a change only when it existed.
 */
function store(ctx: Ctx, dst: string, result: SetValue, event: string): Reply {
  const db = ctx.db;
  const dirty = ctx.server.keyspace.dirty;
  const n = result.size;
  if (n > 0) {
    // setKey looks the key up first, so an expired destination is expired (and its DEL
    // propagated) before being replaced.
    if (db.expires.size !== 0) db.lookup(dst);
    db.set(dst, result);
    setDirty(ctx, dirty, 1);
    notify(ctx, "s", event, dst);
    return n;
  }
  if (db.delete(dst)) {
    setDirty(ctx, dirty, 1);
    notify(ctx, "g", "del", dst);
  }
  return 0;
}

// SINTER key [key ...] / SINTERSTORE destination key [key ...]
function sinterGeneric(ctx: Ctx, argv: string[], first: number, dst: string | null): Reply {
  const sets = readSets(ctx, argv, first, argv.length);
  if (sets.includes(undefined)) {
    return dst === null ? new RespSet([]) : store(ctx, dst, new SetValue(), "sinterstore");
  }
  const members = intersect(sets as SetValue[], 0);
  if (dst === null) return new RespSet(members);
  return store(ctx, dst, buildSet(ctx, members), "sinterstore");
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
function sintercard(ctx: Ctx, argv: string[]): Reply {
  const v = parseI64(argv[1]);
  if (v === null || v < 1) throw new ReplyError(NUMKEYS_NOT_POSITIVE);
  if (v > argv.length - 2) throw new ReplyError(NUMKEYS_TOO_MANY);
  const numkeys = Number(v);
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (argv[j].toLowerCase() === "limit" && j + 1 < argv.length) {
      limit = argPositive(argv[++j], LIMIT_NEGATIVE);
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  const sets = readSets(ctx, argv, 2, 2 + numkeys);
  if (sets.includes(undefined)) return 0;
  return intersect(sets as SetValue[], limit).length;
}

// SUNION key [key ...] / SUNIONSTORE destination key [key ...]
// SDIFF key [key ...] / SDIFFSTORE destination key [key ...]
function sunionDiffGeneric(
  ctx: Ctx,
  argv: string[],
  first: number,
  dst: string | null,
  diff: boolean,
): Reply {
  const sets = readSets(ctx, argv, first, argv.length);
  const result = diff ? difference(ctx, sets) : union(ctx, sets);
  if (dst === null) return new RespSet(result.toArray());
  return store(ctx, dst, result, diff ? "sdiffstore" : "sunionstore");
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
// An intset is returned whole with cursor 0, as Redis does; a hashtable is walked with the
// shared cursor machinery (store/scan.ts), COUNT members per call.
function sscan(ctx: Ctx, argv: string[]): Reply {
  const cursor = argCursor(argv[2]);
  const key = argv[1];
  const s = readSet(ctx, key);
  if (s === undefined) return emptyScan();
  const { count, pattern } = parseScanOptions(argv);
  const out: string[] = [];
  const visit = (m: string) => {
    if (pattern === null || globMatch(pattern, m)) out.push(m);
  };
  const target = s.scanTarget();
  if (target === null) {
    s.forEach(visit);
    return ["0", out];
  }
  const db = ctx.db;
  const next = ctx.server.keyspace.scans.step(
    cursor,
    target,
    count,
    visit,
    () => db.data.get(key) === s && s.scanTarget() === target,
  );
  return [String(next), out];
}

// ---------------------------------------------------------------------------------------------
// Table

/** A key spec for the keys from argument `index` to the end. */
function keysFrom(index: number, ...flags: string[]): KeySpec {
  return { flags, begin: { index }, find: { lastKey: -1, keyStep: 1, limit: 0 } };
}

/** A key spec for the one key at argument `index`. */
function keyAt(index: number, ...flags: string[]): KeySpec {
  return { flags, begin: { index }, find: { lastKey: 0, keyStep: 1, limit: 0 } };
}

const KEY1 = { first: 1, last: 1, step: 1 };
const ALL_KEYS = { first: 1, last: -1, step: 1 };
const ARG_KEY = { name: "key", type: "key", keySpecIndex: 0 };
const ARG_KEYS = { name: "key", type: "key", keySpecIndex: 0, flags: ["multiple"] };
const ARG_MEMBERS = { name: "member", type: "string", flags: ["multiple"] };
const ARG_STORE = [{ name: "destination", type: "key", keySpecIndex: 0 }, {
  name: "key",
  type: "key",
  keySpecIndex: 1,
  flags: ["multiple"],
}];

/** Sets command specs. */
export const SETS_COMMANDS: CommandSpec[] = [
  {
    name: "sadd",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    categories: ["write", "set", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RW", "insert"),
    handler: sadd,
    summary: "Add one or more members to a set",
    since: "1.0.0",
    group: "set",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    history: [["2.4.0", "Accepts multiple `member` arguments."]],
    arguments: [ARG_KEY, ARG_MEMBERS],
  },
  {
    name: "srem",
    arity: -3,
    flags: ["write", "fast"],
    categories: ["write", "set", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RW", "delete"),
    handler: srem,
    summary: "Remove one or more members from a set",
    since: "1.0.0",
    group: "set",
    complexity: "O(N) where N is the number of members to be removed.",
    history: [["2.4.0", "Accepts multiple `member` arguments."]],
    arguments: [ARG_KEY, ARG_MEMBERS],
  },
  {
    name: "scard",
    arity: 2,
    flags: ["readonly", "fast"],
    categories: ["read", "set", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RO"),
    handler: scard,
    summary: "Get the number of members in a set",
    since: "1.0.0",
    group: "set",
    complexity: "O(1)",
    arguments: [ARG_KEY],
  },
  {
    name: "sismember",
    arity: 3,
    flags: ["readonly", "fast"],
    categories: ["read", "set", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RO"),
    handler: sismember,
    summary: "Determine if a given value is a member of a set",
    since: "1.0.0",
    group: "set",
    complexity: "O(1)",
    arguments: [ARG_KEY, { name: "member", type: "string" }],
  },
  {
    name: "smismember",
    arity: -3,
    flags: ["readonly", "fast"],
    categories: ["read", "set", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RO", "access"),
    handler: smismember,
    summary: "Returns the membership associated with the given elements for a set",
    since: "6.2.0",
    group: "set",
    complexity: "O(N) where N is the number of elements being checked for membership",
    arguments: [ARG_KEY, ARG_MEMBERS],
  },
  {
    name: "smembers",
    arity: 2,
    flags: ["readonly"],
    categories: ["read", "set", "slow"],
    keys: KEY1,
    keySpecs: keyAt1("RO", "access"),
    tips: ["nondeterministic_output_order"],
    handler: smembers,
    summary: "Get all the members in a set",
    since: "1.0.0",
    group: "set",
    complexity: "O(N) where N is the set cardinality.",
    arguments: [ARG_KEY],
  },
  {
    name: "spop",
    arity: -2,
    flags: ["write", "fast"],
    categories: ["write", "set", "fast"],
    keys: KEY1,
    keySpecs: keyAt1("RW", "access", "delete"),
    tips: ["nondeterministic_output"],
    handler: spop,
    summary: "Remove and return one or multiple random members from a set",
    since: "1.0.0",
    group: "set",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    history: [["3.2.0", "Added the `count` argument."]],
    arguments: [ARG_KEY, { name: "count", type: "integer", since: "3.2.0", flags: ["optional"] }],
  },
  {
    name: "srandmember",
    arity: -2,
    flags: ["readonly"],
    categories: ["read", "set", "slow"],
    keys: KEY1,
    keySpecs: keyAt1("RO", "access"),
    tips: ["nondeterministic_output"],
    handler: srandmember,
    summary: "Get one or multiple random members from a set",
    since: "1.0.0",
    group: "set",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    history: [["2.6.0", "Added the optional `count` argument."]],
    arguments: [ARG_KEY, { name: "count", type: "integer", since: "2.6.0", flags: ["optional"] }],
  },
  {
    name: "smove",
    arity: 4,
    flags: ["write", "fast"],
    categories: ["write", "set", "fast"],
    keys: { first: 1, last: 2, step: 1 },
    keySpecs: [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")],
    handler: smove,
    summary: "Move a member from one set to another",
    since: "1.0.0",
    group: "set",
    complexity: "O(1)",
    arguments: [{ name: "source", type: "key", keySpecIndex: 0 }, {
      name: "destination",
      type: "key",
      keySpecIndex: 1,
    }, { name: "member", type: "string" }],
  },
  {
    name: "sinter",
    arity: -2,
    flags: ["readonly"],
    categories: ["read", "set", "slow"],
    keys: ALL_KEYS,
    keySpecs: [keysFrom(1, "RO", "access")],
    tips: ["nondeterministic_output_order"],
    handler: (ctx, argv) => sinterGeneric(ctx, argv, 1, null),
    summary: "Intersect multiple sets",
    since: "1.0.0",
    group: "set",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    arguments: [ARG_KEYS],
  },
  {
    name: "sintercard",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "set", "slow"],
    keySpecs: [{
      flags: ["RO", "access"],
      begin: { index: 1 },
      find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 },
    }],
    handler: sintercard,
    summary: "Intersect multiple sets and return the cardinality of the result",
    since: "7.0.0",
    group: "set",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    arguments: [{ name: "numkeys", type: "integer" }, ARG_KEYS, {
      name: "limit",
      type: "integer",
      token: "LIMIT",
      flags: ["optional"],
    }],
  },
  {
    name: "sinterstore",
    arity: -3,
    flags: ["write", "denyoom"],
    categories: ["write", "set", "slow"],
    keys: ALL_KEYS,
    keySpecs: [keyAt(1, "RW", "update"), keysFrom(2, "RO", "access")],
    handler: (ctx, argv) => sinterGeneric(ctx, argv, 2, argv[1]),
    summary: "Intersect multiple sets and store the resulting set in a key",
    since: "1.0.0",
    group: "set",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    arguments: ARG_STORE,
  },
  {
    name: "sunion",
    arity: -2,
    flags: ["readonly"],
    categories: ["read", "set", "slow"],
    keys: ALL_KEYS,
    keySpecs: [keysFrom(1, "RO", "access")],
    tips: ["nondeterministic_output_order"],
    handler: (ctx, argv) => sunionDiffGeneric(ctx, argv, 1, null, false),
    summary: "Add multiple sets",
    since: "1.0.0",
    group: "set",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    arguments: [ARG_KEYS],
  },
  {
    name: "sunionstore",
    arity: -3,
    flags: ["write", "denyoom"],
    categories: ["write", "set", "slow"],
    keys: ALL_KEYS,
    keySpecs: [keyAt(1, "OW", "update"), keysFrom(2, "RO", "access")],
    handler: (ctx, argv) => sunionDiffGeneric(ctx, argv, 2, argv[1], false),
    summary: "Add multiple sets and store the resulting set in a key",
    since: "1.0.0",
    group: "set",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    arguments: ARG_STORE,
  },
  {
    name: "sdiff",
    arity: -2,
    flags: ["readonly"],
    categories: ["read", "set", "slow"],
    keys: ALL_KEYS,
    keySpecs: [keysFrom(1, "RO", "access")],
    tips: ["nondeterministic_output_order"],
    handler: (ctx, argv) => sunionDiffGeneric(ctx, argv, 1, null, true),
    summary: "Subtract multiple sets",
    since: "1.0.0",
    group: "set",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    arguments: [ARG_KEYS],
  },
  {
    name: "sdiffstore",
    arity: -3,
    flags: ["write", "denyoom"],
    categories: ["write", "set", "slow"],
    keys: ALL_KEYS,
    keySpecs: [keyAt(1, "OW", "update"), keysFrom(2, "RO", "access")],
    handler: (ctx, argv) => sunionDiffGeneric(ctx, argv, 2, argv[1], true),
    summary: "Subtract multiple sets and store the resulting set in a key",
    since: "1.0.0",
    group: "set",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    arguments: ARG_STORE,
  },
  {
    name: "sscan",
    arity: -3,
    flags: ["readonly"],
    categories: ["read", "set", "slow"],
    keys: KEY1,
    keySpecs: keyAt1("RO", "access"),
    tips: ["nondeterministic_output"],
    handler: sscan,
    summary: "Incrementally iterate Set elements",
    since: "2.8.0",
    group: "set",
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
