// Persistence commands: SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE, DUMP, RESTORE, and DEBUG
// RELOAD's handler (admin.ts routes the subcommand here). The work is done by
// src/persistence/snapshotter.ts and aof.ts; payload formats live in src/persistence/rdb/.

import {
  AOF_REWRITE_FAILED,
  AOF_REWRITE_IN_PROGRESS,
  BAD_DATA_FORMAT,
  BGSAVE_CHILD_ACTIVE,
  BGSAVE_IN_PROGRESS,
  BUSYKEY,
  DEBUG_RELOAD_LOAD_FAILED,
  DEBUG_RELOAD_SAVE_FAILED,
  DUMP_PAYLOAD_INVALID,
  ERR_PLAIN,
  NOT_INTEGER,
  ReplyError,
  RESTORE_INVALID_FREQ,
  RESTORE_INVALID_IDLETIME,
  RESTORE_INVALID_TTL,
  SYNTAX,
} from "../errors.ts";
import { log } from "../log.ts";
import { readDumpPayload, verifyDumpPayload } from "../persistence/rdb/reader.ts";
import { dumpPayload, encodingLimits, fromRdb } from "../persistence/rdb/values.ts";
import { OK, type Reply, SimpleString } from "../resp/types.ts";
import { setAccess } from "../store/evict.ts";
import { bytesToStr, strToBytes } from "../util/bytes.ts";
import { parseI64 } from "../util/numbers.ts";
import type { CommandSpec, Ctx } from "./spec.ts";
import { clearFunctionsForLoad } from "../scripting/functions.ts";

const SAVE_CATS = ["admin", "dangerous"];

// SAVE
function save(ctx: Ctx): Reply {
  const p = ctx.server.persistence;
  if (p.bgsaveInProgress) throw new ReplyError(BGSAVE_IN_PROGRESS);
  if (!p.save()) throw new ReplyError(ERR_PLAIN);
  return OK;
}

// BGSAVE [SCHEDULE]
// Inside EXEC the save is only scheduled (Redis cannot fork there); the cron starts it. While
// an AOF rewrite runs, only BGSAVE SCHEDULE is accepted (it starts when the rewrite ends).
function bgsave(ctx: Ctx, argv: string[]): Reply {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length !== 2 || argv[1].toLowerCase() !== "schedule") throw new ReplyError(SYNTAX);
    schedule = true;
  }
  const p = ctx.server.persistence;
  if (p.bgsaveInProgress) throw new ReplyError(BGSAVE_IN_PROGRESS);
  const inExec = ctx.server.execDepth > 1;
  if (p.snapshotKind !== null || inExec) {
    if (!schedule && !inExec) throw new ReplyError(BGSAVE_CHILD_ACTIVE);
    p.bgsaveScheduled = true;
    return new SimpleString("Background saving scheduled");
  }
  p.bgsave();
  return new SimpleString("Background saving started");
}

// BGREWRITEAOF
// Behind a running BGSAVE (or inside EXEC) the rewrite is scheduled; the cron starts it.
function bgrewriteaof(ctx: Ctx): Reply {
  const p = ctx.server.persistence;
  const aof = p.aof;
  if (aof.rewriting) throw new ReplyError(AOF_REWRITE_IN_PROGRESS);
  if (p.snapshotKind !== null || ctx.server.execDepth > 1) {
    aof.rewriteScheduled = true;
    // Asked for by hand: the back-off after failed rewrites does not apply.
    aof.consecutiveFailures = 0;
    return new SimpleString("Background append only file rewriting scheduled");
  }
  if (!aof.rewriteBackground()) throw new ReplyError(AOF_REWRITE_FAILED);
  return new SimpleString("Background append only file rewriting started");
}

// DUMP key
function dump(ctx: Ctx, argv: string[]): Reply {
  const v = ctx.db.lookupRead(argv[1]);
  if (v === undefined) return null;
  const lim = encodingLimits(ctx.server.config);
  return bytesToStr(dumpPayload(v, lim, ctx.server.config.bool("rdbcompression")));
}

// Option values as getLongLongFromObjectOrReply reads them.
function longLong(s: string): number {
  const v = parseI64(s);
  if (v === null) throw new ReplyError(NOT_INTEGER);
  return typeof v === "bigint" ? (v > 0n ? Number.MAX_SAFE_INTEGER : -1) : v;
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
// Checks run in Redis's order (options, existing key, TTL, payload). IDLETIME backdates the
// key's LRU clock and FREQ sets its LFU counter, each only under a policy of its kind
// (objectSetLRUOrLFU, store/evict.ts). A relative TTL is
// propagated as an absolute one with ABSTTL appended; a TTL already in the past only deletes
// the old key (propagated as DEL).
function restore(ctx: Ctx, argv: string[]): Reply {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const more = argv.length - j - 1;
    if (opt === "replace") replace = true;
    else if (opt === "absttl") absttl = true;
    else if (opt === "idletime" && more >= 1 && freq === -1) {
      idle = longLong(argv[++j]);
      if (idle < 0) throw new ReplyError(RESTORE_INVALID_IDLETIME);
    } else if (opt === "freq" && more >= 1 && idle === -1) {
      freq = longLong(argv[++j]);
      if (freq < 0 || freq > 255) throw new ReplyError(RESTORE_INVALID_FREQ);
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  const key = argv[1];
  const db = ctx.db;
  if (!replace && db.lookup(key) !== undefined) throw new ReplyError(BUSYKEY);
  let ttl = longLong(argv[2]);
  if (ttl < 0) throw new ReplyError(RESTORE_INVALID_TTL);
  const payload = strToBytes(argv[3]);
  if (verifyDumpPayload(payload) < 0) throw new ReplyError(DUMP_PAYLOAD_INVALID);
  let value;
  try {
    value = fromRdb(readDumpPayload(payload), encodingLimits(ctx.server.config));
  } catch {
    // Anything rdbLoadObject would reject (RdbFormatError, duplicates ...).
    throw new ReplyError(BAD_DATA_FORMAT);
  }
  if (value === null) throw new ReplyError(BAD_DATA_FORMAT);
  const ks = ctx.server.keyspace;
  const dirty = ks.dirty;
  const deleted = replace && db.delete(key);
  if (ttl !== 0 && !absttl) ttl += ctx.now;
  if (ttl !== 0 && ttl <= ctx.now && !ctx.server.isReplica() && !ks.loading) {
    if (deleted) {
      const del = ctx.server.config.bool("lazyfree-lazy-server-del") ? "UNLINK" : "DEL";
      ctx.rewrite([del, key]);
      ks.hooks.notify("g", "del", key, db.id);
      ks.dirty = dirty + 1;
    } else {
      ks.dirty = dirty;
    }
    return OK;
  }
  db.add(key, value);
  if (idle !== -1 || freq !== -1) setAccess(db, key, idle, freq);
  if (ttl !== 0) {
    db.setExpire(key, ttl);
    if (!absttl) {
      const out = argv.slice();
      out[2] = String(ttl);
      out.push("ABSTTL");
      ctx.rewrite(out);
    }
  }
  ks.hooks.notify("g", "restore", key, db.id);
  ks.dirty = dirty + 1;
  return OK;
}

/**
 * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves the dump, empties the keyspace and loads the
 * dump back (admin.ts dispatches here).
 */
export function debugReload(ctx: Ctx, argv: string[]): Reply {
  let flush = true;
  let doSave = true;
  let merge = false;
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === "merge") merge = true;
    else if (opt === "noflush") flush = false;
    else if (opt === "nosave") doSave = false;
    else {throw new ReplyError(
        "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
      );}
  }
  const server = ctx.server;
  const p = server.persistence;
  if (doSave && (p.bgsaveInProgress || !p.save())) {
    throw new ReplyError(DEBUG_RELOAD_SAVE_FAILED);
  }
  if (flush) {
    for (const db of server.keyspace.dbs) {
      server.keyspace.touchAll(db);
      db.clear();
    }
    clearFunctionsForLoad(server);
  }
  const r = p.load(p.path(), merge);
  if (!r.ok) {
    log.warning(r.message);
    throw new ReplyError(DEBUG_RELOAD_LOAD_FAILED);
  }
  log.warning("DB reloaded by DEBUG RELOAD");
  return OK;
}

/** The persistence family's commands. */
export const PERSISTENCE_COMMANDS: CommandSpec[] = [
  {
    name: "save",
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    categories: SAVE_CATS,
    handler: save,
    summary: "Synchronously save the dataset to disk",
    since: "1.0.0",
    group: "server",
    complexity: "O(N) where N is the total number of keys in all databases",
  },
  {
    name: "bgsave",
    arity: -1,
    flags: ["admin", "noscript", "no_async_loading"],
    categories: SAVE_CATS,
    handler: bgsave,
    summary: "Asynchronously save the dataset to disk",
    since: "1.0.0",
    group: "server",
    complexity: "O(1)",
    history: [["3.2.2", "Added the `SCHEDULE` option."]],
    arguments: [
      {
        name: "schedule",
        type: "pure-token",
        token: "SCHEDULE",
        since: "3.2.2",
        flags: ["optional"],
      },
    ],
  },
  {
    name: "bgrewriteaof",
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading"],
    categories: SAVE_CATS,
    handler: bgrewriteaof,
    summary: "Asynchronously rewrite the append-only file",
    since: "1.0.0",
    group: "server",
    complexity: "O(1)",
  },
  {
    // LASTSAVE: unix time of the last successful save (the start-up time before any).
    name: "lastsave",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    categories: ["admin", "dangerous"],
    handler: (ctx) => ctx.server.lastSave,
    tips: ["nondeterministic_output"],
    summary: "Get the UNIX time stamp of the last successful save to disk",
    since: "1.0.0",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "dump",
    arity: 2,
    flags: ["readonly"],
    categories: ["keyspace"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [
      {
        flags: ["RO", "access"],
        begin: { index: 1 },
        find: { lastKey: 0, keyStep: 1, limit: 0 },
      },
    ],
    handler: dump,
    tips: ["nondeterministic_output"],
    summary: "Return a serialized version of the value stored at the specified key.",
    since: "2.6.0",
    group: "generic",
    complexity:
      "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
    arguments: [{ name: "key", type: "key", keySpecIndex: 0 }],
  },
  {
    name: "restore",
    arity: -4,
    flags: ["write", "denyoom"],
    categories: ["keyspace", "dangerous"],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [
      {
        flags: ["OW", "update"],
        begin: { index: 1 },
        find: { lastKey: 0, keyStep: 1, limit: 0 },
      },
    ],
    handler: restore,
    summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
    since: "2.6.0",
    group: "generic",
    complexity:
      "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
    history: [
      ["3.0.0", "Added the `REPLACE` modifier."],
      ["5.0.0", "Added the `ABSTTL` modifier."],
      ["5.0.0", "Added the `IDLETIME` and `FREQ` options."],
    ],
    arguments: [
      { name: "key", type: "key", keySpecIndex: 0 },
      { name: "ttl", type: "integer" },
      { name: "serialized-value", type: "string" },
      {
        name: "replace",
        type: "pure-token",
        token: "REPLACE",
        since: "3.0.0",
        flags: ["optional"],
      },
      { name: "absttl", type: "pure-token", token: "ABSTTL", since: "5.0.0", flags: ["optional"] },
      { name: "seconds", type: "integer", token: "IDLETIME", since: "5.0.0", flags: ["optional"] },
      { name: "frequency", type: "integer", token: "FREQ", since: "5.0.0", flags: ["optional"] },
    ],
  },
];
