// Generic keyspace commands (db.c, object.c): DEL UNLINK EXISTS TYPE KEYS SCAN RENAME RENAMENX
// COPY MOVE SWAPDB TOUCH OBJECT DBSIZE RANDOMKEY FLUSHDB FLUSHALL. The dirty counter moves as
// Redis's server.dirty does: one per key deleted, one per rename/copy/move/swap, the number of
// keys removed by a flush. Commands fire the keyspace events Redis fires (class g).

import {
  DB_INDEX_OUT_OF_RANGE,
  INT_OUT_OF_RANGE,
  INVALID_CURSOR,
  INVALID_FIRST_DB,
  INVALID_SECOND_DB,
  LFU_NOT_SELECTED,
  LFU_SELECTED,
  NO_SUCH_KEY,
  NOT_INTEGER,
  ReplyError,
  SAME_OBJECT,
  SYNTAX,
} from "../errors.ts";
import { OK, type Reply, SimpleString } from "../resp/types.ts";
import { type Database, type RedisValue, typeOf } from "../store/database.ts";
import { frequency, idleSeconds } from "../store/evict.ts";
import { parseCursor } from "../store/scan.ts";
import { globMatch } from "../util/glob.ts";
import { parseI64, parseSafeInt } from "../util/numbers.ts";
import { type CommandSpec, type Ctx, type KeySpec, rangeKeySpec } from "./spec.ts";

// DEL key [key ...] / UNLINK key [key ...]
function delGeneric(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const hooks = ctx.server.keyspace.hooks;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    // An expired key is reclaimed (and its DEL propagated) by expiry, not counted here.
    db.lookup(key);
    if (db.delete(key)) {
      hooks.notify("g", "del", key, db.id);
      n++;
    }
  }
  return n;
}

// EXISTS key [key ...]
// Not an access for LRU/LFU (LOOKUP_NOTOUCH).
function exists(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (db.lookupRead(argv[i], true, false) !== undefined) n++;
  return n;
}

// TOUCH key [key ...]
// Like EXISTS, but each lookup counts as an access (updates the LRU clock or LFU counter).
function touch(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (db.lookupRead(argv[i]) !== undefined) n++;
  return n;
}

// TYPE key
// Not an access for LRU/LFU (LOOKUP_NOTOUCH).
function type(ctx: Ctx, argv: string[]): Reply {
  const v = ctx.db.lookupRead(argv[1], true, false);
  const name = v === undefined ? "none" : typeOf(v);
  let reply = TYPE_REPLIES.get(name);
  if (reply === undefined) TYPE_REPLIES.set(name, reply = new SimpleString(name));
  return reply;
}

// TYPE's status replies, allocated once per type name.
const TYPE_REPLIES = new Map<string, SimpleString>();

// KEYS pattern
// Expired keys are hidden but not deleted, as Redis's keysCommand does (keyIsExpired).
function keys(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const pattern = argv[1];
  const all = pattern === "*";
  const checkTtl = db.expires.size !== 0;
  const out: string[] = [];
  for (const key of db.data.keys()) {
    if (!all && !globMatch(pattern, key)) continue;
    if (checkTtl && db.isLogicallyExpired(key)) continue;
    out.push(key);
  }
  return out;
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
function scan(ctx: Ctx, argv: string[]): Reply {
  const cursor = parseCursor(argv[1]);
  if (cursor === null) throw new ReplyError(INVALID_CURSOR);
  let count = 10;
  let pattern: string | null = null;
  let typeName: string | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    if (i + 1 >= argv.length) throw new ReplyError(SYNTAX);
    if (opt === "count") {
      const c = parseSafeInt(argv[i + 1]);
      if (c === null) throw new ReplyError(NOT_INTEGER);
      if (c < 1) throw new ReplyError(SYNTAX);
      count = c;
    } else if (opt === "match") {
      pattern = argv[i + 1] === "*" ? null : argv[i + 1];
    } else if (opt === "type") {
      typeName = argv[i + 1].toLowerCase();
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  const db = ctx.db;
  const data = db.data;
  const found: string[] = [];
  // Redis's filter order (scanGenericCommand): pattern, then type, then expiry. The type is
  // read with a lookup that already expires the key, so `TYPE none` lists a just-expired key.
  const visit = (key: string) => {
    if (pattern !== null && !globMatch(pattern, key)) return;
    if (typeName !== null) {
      const v = db.lookupRead(key);
      if ((v === undefined ? "none" : typeOf(v)) !== typeName) return;
    } else if (db.expires.size !== 0 && db.lookup(key) === undefined) {
      return;
    }
    found.push(key);
  };
  const next = ctx.server.keyspace.scans.step(cursor, data, count, visit, () => db.data === data);
  return [String(next), found];
}

// RENAME key newkey / RENAMENX key newkey
function renameGeneric(ctx: Ctx, argv: string[], nx: boolean): Reply {
  const db = ctx.db;
  const ks = ctx.server.keyspace;
  const src = argv[1];
  const dst = argv[2];
  const v = db.lookup(src);
  if (v === undefined) throw new ReplyError(NO_SUCH_KEY);
  if (src === dst) return nx ? 0 : OK;
  const expire = db.getExpire(src);
  const raw = db.rawStrings.has(src);
  const dirty = ks.dirty;
  if (db.lookup(dst) !== undefined) {
    if (nx) return 0;
    db.delete(dst);
  }
  db.add(dst, v);
  if (expire !== undefined) db.setExpire(dst, expire);
  if (raw) db.markRaw(dst);
  db.delete(src);
  ks.dirty = dirty + 1;
  ks.hooks.notify("g", "rename_from", src, db.id);
  ks.hooks.notify("g", "rename_to", dst, db.id);
  return nx ? 1 : OK;
}

/**
 * A DB index argument (getIntFromObjectOrReply): `invalid` replaces both the parse and the
 * int-range error when given (SWAPDB), then the index must name a database.
 */
function argDb(ctx: Ctx, s: string, invalid?: string): Database {
  const v = parseI64(s);
  if (v === null) throw new ReplyError(invalid ?? NOT_INTEGER);
  if (typeof v === "bigint" || v < -2147483648 || v > 2147483647) {
    throw new ReplyError(invalid ?? INT_OUT_OF_RANGE);
  }
  const dbs = ctx.server.keyspace.dbs;
  if (v < 0 || v >= dbs.length) throw new ReplyError(DB_INDEX_OUT_OF_RANGE);
  return dbs[v];
}

/** A copy of `v` that shares nothing mutable with it (strings are immutable JS strings). */
function cloneValue(v: RedisValue): RedisValue {
  if (typeof v === "string") return v;
  if (v.clone === undefined) throw new Error(`COPY of a ${v.type} value is not supported`);
  return v.clone();
}

// COPY source destination [DB destination-db] [REPLACE]
function copy(ctx: Ctx, argv: string[]): Reply {
  const src = ctx.db;
  let dst = src;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === "replace") {
      replace = true;
    } else if (opt === "db" && i + 1 < argv.length) {
      dst = argDb(ctx, argv[++i]);
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  const key = argv[1];
  const newkey = argv[2];
  if (src === dst && key === newkey) throw new ReplyError(SAME_OBJECT);
  const v = src.lookupRead(key);
  if (v === undefined) return 0;
  const expire = src.getExpire(key);
  if (dst.lookup(newkey) !== undefined) {
    if (!replace) return 0;
  }
  const ks = ctx.server.keyspace;
  const dirty = ks.dirty;
  dst.delete(newkey);
  dst.add(newkey, cloneValue(v));
  if (expire !== undefined) dst.setExpire(newkey, expire);
  if (src.rawStrings.has(key)) dst.markRaw(newkey);
  ks.dirty = dirty + 1;
  ks.hooks.notify("g", "copy_to", newkey, dst.id);
  return 1;
}

// MOVE key db
function move(ctx: Ctx, argv: string[]): Reply {
  const src = ctx.db;
  const dst = argDb(ctx, argv[2]);
  if (src === dst) throw new ReplyError(SAME_OBJECT);
  const key = argv[1];
  const v = src.lookup(key);
  if (v === undefined) return 0;
  const expire = src.getExpire(key);
  if (dst.lookup(key) !== undefined) return 0;
  const ks = ctx.server.keyspace;
  const dirty = ks.dirty;
  dst.add(key, v);
  if (expire !== undefined) dst.setExpire(key, expire);
  if (src.rawStrings.has(key)) dst.markRaw(key);
  src.delete(key);
  ks.dirty = dirty + 1;
  ks.hooks.notify("g", "move_from", key, src.id);
  ks.hooks.notify("g", "move_to", key, dst.id);
  return 1;
}

// SWAPDB index1 index2
// TODO(keyspace): Redis also retries clients blocked on keys of either db (scanDatabaseForReadyKeys);
// that needs the blocking registry's list of blocked keys per db.
function swapdb(ctx: Ctx, argv: string[]): Reply {
  const a = argDbIndex(argv[1], INVALID_FIRST_DB);
  const b = argDbIndex(argv[2], INVALID_SECOND_DB);
  const ks = ctx.server.keyspace;
  if (a < 0 || a >= ks.dbs.length || b < 0 || b >= ks.dbs.length) {
    throw new ReplyError(DB_INDEX_OUT_OF_RANGE);
  }
  // Swapping a db with itself changes nothing but still counts (and propagates), as in Redis.
  if (a === b) ks.dirty++;
  else ks.swap(a, b);
  return OK;
}

function argDbIndex(s: string, invalid: string): number {
  const v = parseI64(s);
  if (v === null || typeof v === "bigint" || v < -2147483648 || v > 2147483647) {
    throw new ReplyError(invalid);
  }
  return v;
}

/** FLUSHDB / FLUSHALL's optional ASYNC|SYNC (both free memory at once here). */
function checkFlushArgs(argv: string[]): void {
  if (argv.length === 1) return;
  const mode = argv[1].toLowerCase();
  if (argv.length > 2 || (mode !== "sync" && mode !== "async")) throw new ReplyError(SYNTAX);
}

// FLUSHDB [ASYNC|SYNC]
function flushdb(ctx: Ctx, argv: string[]): Reply {
  checkFlushArgs(argv);
  ctx.server.keyspace.flushDb(ctx.db);
  forcePropagation(ctx, argv);
  return OK;
}

// FLUSHALL [ASYNC|SYNC]
// TODO(persistence): Redis also rewrites the RDB here when save points are configured
// (flushAllDataAndResetRDB).
function flushall(ctx: Ctx, argv: string[]): Reply {
  checkFlushArgs(argv);
  const ks = ctx.server.keyspace;
  for (const db of ks.dbs) ks.flushDb(db);
  ks.dirty++;
  forcePropagation(ctx, argv);
  return OK;
}

// Redis propagates a flush even when nothing was removed (forceCommandPropagation), so
// replicas with extra keys get flushed too.
function forcePropagation(ctx: Ctx, argv: string[]): void {
  ctx.preventPropagation = true;
  ctx.alsoPropagate(argv);
}

// DBSIZE
// Counts logically expired keys not yet reclaimed, as Redis does.
function dbsize(ctx: Ctx): Reply {
  return ctx.db.size;
}

// RANDOMKEY
function randomkey(ctx: Ctx): Reply {
  const db = ctx.db;
  const ks = ctx.server.keyspace;
  const allVolatile = db.data.size === db.expires.size;
  let tries = 100;
  for (;;) {
    const key = db.sampleKey();
    if (key === undefined) return null;
    if (db.expires.size === 0 || db.getExpire(key) === undefined) return key;
    // Where expired keys are only hidden (replica, paused expiry) a db made only of expired
    // keys would loop forever: give up after some tries and return one (dbRandomKey).
    if (allVolatile && (ks.isReplica() || ks.expirePaused) && --tries === 0) return key;
    if (db.peek(key) !== undefined) return key;
  }
}

// OBJECT ENCODING key / OBJECT REFCOUNT key / OBJECT FREQ key / OBJECT IDLETIME key
// Strings are stored bare, without Redis's per-object encoding: the encoding is derived from the
// value the way SET stores it (tryObjectEncoding), unless the writer marked the key raw
// (Database.rawStrings). OBJECT is not an access (LOOKUP_NOTOUCH|LOOKUP_NONOTIFY).
function objectLookup(ctx: Ctx, key: string): RedisValue | undefined {
  return ctx.db.lookupRead(key, false, false);
}

/** OBJECT ENCODING of a string value as SET stores it (int, embstr or raw). */
export function stringEncoding(v: string): string {
  if (v.length <= 20 && parseI64(v) !== null) return "int";
  return v.length <= 44 ? "embstr" : "raw";
}

// True when SET would have stored `v` as one of Redis's shared integers 0..9999: not when an
// LRU/LFU policy with a maxmemory limit needs a private access clock per object. Decided at
// lookup time here, at write time in Redis.
export function isSharedInteger(ctx: Ctx, key: string, v: RedisValue): boolean {
  if (typeof v !== "string" || v.length > 4 || ctx.db.rawStrings.has(key)) return false;
  const n = parseI64(v);
  if (n === null || n < 0) return false;
  const cfg = ctx.server.config;
  const policy = cfg.get("maxmemory-policy");
  return cfg.num("maxmemory") === 0 || !(policy.endsWith("-lru") || policy.endsWith("-lfu"));
}

function objectEncoding(ctx: Ctx, argv: string[]): Reply {
  const v = objectLookup(ctx, argv[2]);
  if (v === undefined) return null;
  if (typeof v !== "string") return v.encoding();
  return ctx.db.rawStrings.has(argv[2]) ? "raw" : stringEncoding(v);
}

function objectRefcount(ctx: Ctx, argv: string[]): Reply {
  const v = objectLookup(ctx, argv[2]);
  if (v === undefined) return null;
  return isSharedInteger(ctx, argv[2], v) ? 2147483647 : 1;
}

// The key is looked up first: a missing key replies nil under any policy.
function objectFreq(ctx: Ctx, argv: string[]): Reply {
  const v = objectLookup(ctx, argv[2]);
  if (v === undefined) return null;
  if (!ctx.server.evictor.lfu) throw new ReplyError(LFU_NOT_SELECTED);
  return frequency(ctx.db, argv[2], v);
}

// Seconds since the last access (estimateObjectIdleTime). Under noeviction, *-random and
// volatile-ttl, access times are tracked only from the first call on (store/evict.ts).
function objectIdletime(ctx: Ctx, argv: string[]): Reply {
  const v = objectLookup(ctx, argv[2]);
  if (v === undefined) return null;
  if (ctx.server.evictor.lfu) throw new ReplyError(LFU_SELECTED);
  return idleSeconds(ctx.db, argv[2]);
}

const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
].map((l) => new SimpleString(l));

/** A key spec with a range of keys starting at `index` (COMMAND INFO). */
function keySpec(flags: string[], index: number, lastKey = 0): KeySpec {
  return rangeKeySpec(flags, index, lastKey);
}

const ONE_KEY = { first: 1, last: 1, step: 1 };
const ALL_KEYS = { first: 1, last: -1, step: 1 };
const TWO_KEYS = { first: 1, last: 2, step: 1 };
const OBJECT_KEY = { first: 2, last: 2, step: 1 };
const MULTI_SHARD = ["request_policy:multi_shard", "response_policy:agg_sum"];
const ALL_SHARDS_OK = ["request_policy:all_shards", "response_policy:all_succeeded"];

const OBJECT_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "encoding",
    arity: 3,
    flags: ["readonly"],
    categories: ["keyspace", "read", "slow"],
    keys: OBJECT_KEY,
    keySpecs: [keySpec(["RO"], 2)],
    tips: ["nondeterministic_output"],
    handler: objectEncoding,
    summary: "Inspect the internal encoding of a Redis object",
    since: "2.2.3",
    group: "generic",
    complexity: "O(1)",
  },
  {
    name: "freq",
    arity: 3,
    flags: ["readonly"],
    categories: ["keyspace", "read", "slow"],
    keys: OBJECT_KEY,
    keySpecs: [keySpec(["RO"], 2)],
    tips: ["nondeterministic_output"],
    handler: objectFreq,
    summary: "Get the logarithmic access frequency counter of a Redis object",
    since: "4.0.0",
    group: "generic",
    complexity: "O(1)",
  },
  {
    name: "idletime",
    arity: 3,
    flags: ["readonly"],
    categories: ["keyspace", "read", "slow"],
    keys: OBJECT_KEY,
    keySpecs: [keySpec(["RO"], 2)],
    tips: ["nondeterministic_output"],
    handler: objectIdletime,
    summary: "Get the time since a Redis object was last accessed",
    since: "2.2.3",
    group: "generic",
    complexity: "O(1)",
  },
  {
    name: "refcount",
    arity: 3,
    flags: ["readonly"],
    categories: ["keyspace", "read", "slow"],
    keys: OBJECT_KEY,
    keySpecs: [keySpec(["RO"], 2)],
    tips: ["nondeterministic_output"],
    handler: objectRefcount,
    summary: "Get the number of references to the value of the key",
    since: "2.2.3",
    group: "generic",
    complexity: "O(1)",
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    categories: ["keyspace", "slow"],
    handler: () => OBJECT_HELP,
    summary: "Show helpful text about the different subcommands",
    since: "6.2.0",
    group: "generic",
    complexity: "O(1)",
  },
];

/** Generic keyspace command specs. */
export const KEYSPACE_COMMANDS: CommandSpec[] = [
  {
    name: "del",
    arity: -2,
    flags: ["write"],
    categories: ["keyspace", "write", "slow"],
    keys: ALL_KEYS,
    keySpecs: [keySpec(["RM", "delete"], 1, -1)],
    tips: MULTI_SHARD,
    handler: delGeneric,
    summary: "Delete a key",
    since: "1.0.0",
    group: "generic",
    complexity:
      "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
  },
  {
    name: "unlink",
    arity: -2,
    flags: ["write", "fast"],
    categories: ["keyspace", "write", "fast"],
    keys: ALL_KEYS,
    keySpecs: [keySpec(["RM", "delete"], 1, -1)],
    tips: MULTI_SHARD,
    handler: delGeneric,
    summary:
      "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
    since: "4.0.0",
    group: "generic",
    complexity:
      "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
  },
  {
    name: "exists",
    arity: -2,
    flags: ["readonly", "fast"],
    categories: ["keyspace", "read", "fast"],
    keys: ALL_KEYS,
    keySpecs: [keySpec(["RO"], 1, -1)],
    tips: MULTI_SHARD,
    handler: exists,
    summary: "Determine if a key exists",
    since: "1.0.0",
    group: "generic",
    complexity: "O(N) where N is the number of keys to check.",
    history: [["3.0.3", "Accepts multiple `key` arguments."]],
  },
  {
    name: "type",
    arity: 2,
    flags: ["readonly", "fast"],
    categories: ["keyspace", "read", "fast"],
    keys: ONE_KEY,
    keySpecs: [keySpec(["RO"], 1)],
    handler: type,
    summary: "Determine the type stored at key",
    since: "1.0.0",
    group: "generic",
    complexity: "O(1)",
  },
  {
    name: "keys",
    arity: 2,
    flags: ["readonly"],
    categories: ["keyspace", "read", "slow", "dangerous"],
    tips: ["request_policy:all_shards", "nondeterministic_output_order"],
    handler: keys,
    summary: "Find all keys matching the given pattern",
    since: "1.0.0",
    group: "generic",
    complexity:
      "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
  },
  {
    name: "scan",
    arity: -2,
    flags: ["readonly"],
    categories: ["keyspace", "read", "slow"],
    tips: ["nondeterministic_output", "request_policy:special"],
    handler: scan,
    summary: "Incrementally iterate the keys space",
    since: "2.8.0",
    group: "generic",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    history: [["6.0.0", "Added the `TYPE` subcommand."]],
  },
  {
    name: "rename",
    arity: 3,
    flags: ["write"],
    categories: ["keyspace", "write", "slow"],
    keys: TWO_KEYS,
    keySpecs: [keySpec(["RW", "access", "delete"], 1), keySpec(["OW", "update"], 2)],
    handler: (ctx, argv) => renameGeneric(ctx, argv, false),
    summary: "Rename a key",
    since: "1.0.0",
    group: "generic",
    complexity: "O(1)",
  },
  {
    name: "renamenx",
    arity: 3,
    flags: ["write", "fast"],
    categories: ["keyspace", "write", "fast"],
    keys: TWO_KEYS,
    keySpecs: [keySpec(["RW", "access", "delete"], 1), keySpec(["OW", "insert"], 2)],
    handler: (ctx, argv) => renameGeneric(ctx, argv, true),
    summary: "Rename a key, only if the new key does not exist",
    since: "1.0.0",
    group: "generic",
    complexity: "O(1)",
    history: [[
      "3.2.0",
      "The command no longer returns an error when source and destination names are the same.",
    ]],
  },
  {
    name: "copy",
    arity: -3,
    flags: ["write", "denyoom"],
    categories: ["keyspace", "write", "slow"],
    keys: TWO_KEYS,
    keySpecs: [keySpec(["RO", "access"], 1), keySpec(["OW", "update"], 2)],
    handler: copy,
    summary: "Copy a key",
    since: "6.2.0",
    group: "generic",
    complexity:
      "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
  },
  {
    name: "move",
    arity: 3,
    flags: ["write", "fast"],
    categories: ["keyspace", "write", "fast"],
    keys: ONE_KEY,
    keySpecs: [keySpec(["RW", "access", "update"], 1)],
    handler: move,
    summary: "Move a key to another database",
    since: "1.0.0",
    group: "generic",
    complexity: "O(1)",
  },
  {
    name: "swapdb",
    arity: 3,
    flags: ["write", "fast"],
    categories: ["keyspace", "write", "fast", "dangerous"],
    handler: swapdb,
    summary: "Swaps two Redis databases",
    since: "4.0.0",
    group: "server",
    complexity:
      "O(N) where N is the count of clients watching or blocking on keys from both databases.",
  },
  {
    name: "touch",
    arity: -2,
    flags: ["readonly", "fast"],
    categories: ["keyspace", "read", "fast"],
    keys: ALL_KEYS,
    keySpecs: [keySpec(["RO"], 1, -1)],
    tips: MULTI_SHARD,
    handler: touch,
    summary:
      "Alters the last access time of a key(s). Returns the number of existing keys specified.",
    since: "3.2.1",
    group: "generic",
    complexity: "O(N) where N is the number of keys that will be touched.",
  },
  {
    name: "object",
    arity: -2,
    flags: [],
    categories: ["slow"],
    subcommands: OBJECT_SUBCOMMANDS,
    summary: "A container for object introspection commands",
    since: "2.2.3",
    group: "generic",
    complexity: "Depends on subcommand.",
  },
  {
    name: "dbsize",
    arity: 1,
    flags: ["readonly", "fast"],
    categories: ["keyspace", "read", "fast"],
    tips: ["request_policy:all_shards", "response_policy:agg_sum"],
    handler: dbsize,
    summary: "Return the number of keys in the selected database",
    since: "1.0.0",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "randomkey",
    arity: 1,
    flags: ["readonly"],
    categories: ["keyspace", "read", "slow"],
    tips: ["request_policy:all_shards", "nondeterministic_output"],
    handler: randomkey,
    summary: "Return a random key from the keyspace",
    since: "1.0.0",
    group: "generic",
    complexity: "O(1)",
  },
  {
    name: "flushdb",
    arity: -1,
    flags: ["write"],
    categories: ["keyspace", "write", "slow", "dangerous"],
    tips: ALL_SHARDS_OK,
    handler: flushdb,
    summary: "Remove all keys from the current database",
    since: "1.0.0",
    group: "server",
    complexity: "O(N) where N is the number of keys in the selected database",
    history: [
      ["4.0.0", "Added the `ASYNC` flushing mode modifier."],
      ["6.2.0", "Added the `SYNC` flushing mode modifier."],
    ],
  },
  {
    name: "flushall",
    arity: -1,
    flags: ["write"],
    categories: ["keyspace", "write", "slow", "dangerous"],
    tips: ALL_SHARDS_OK,
    handler: flushall,
    summary: "Remove all keys from all databases",
    since: "1.0.0",
    group: "server",
    complexity: "O(N) where N is the total number of keys in all databases",
    history: [
      ["4.0.0", "Added the `ASYNC` flushing mode modifier."],
      ["6.2.0", "Added the `SYNC` flushing mode modifier."],
    ],
  },
];
