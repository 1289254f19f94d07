// Expiry commands (expire.c): EXPIRE PEXPIRE EXPIREAT PEXPIREAT with NX|XX|GT|LT, TTL PTTL
// EXPIRETIME PEXPIRETIME, PERSIST. Expiry times are absolute unix ms in Database.expires.
// The relative forms propagate as PEXPIREAT with the absolute time (so replicas and the AOF
// agree on when the key dies); a time already past deletes the key and propagates DEL.

import {
  EXPIRE_GT_LT_CONFLICT,
  EXPIRE_NX_CONFLICT,
  invalidExpire,
  NOT_INTEGER,
  ReplyError,
  unsupportedOption,
} from "../errors.ts";
import type { Reply } from "../resp/types.ts";
import { parseI64 } from "../util/numbers.ts";
import type { CommandSpec, Ctx, KeySpec } from "./spec.ts";

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

const LLONG_MAX = 9223372036854775807n;
/** LLONG_MAX / 1000 and LLONG_MIN / 1000 (C division truncates). */
const MAX_SECONDS = 9223372036854775n;
const MIN_SECONDS = -9223372036854775n;
/** Below this many seconds, milliseconds plus a unix time stay exact JS numbers. */
const SAFE_SECONDS = 9e12;

// Parses NX|XX|GT|LT from argv[3...] (parseExtendedExpireArgumentsOrReply).
function expireFlags(argv: string[]): number {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === "nx") flags |= NX;
    else if (opt === "xx") flags |= XX;
    else if (opt === "gt") flags |= GT;
    else if (opt === "lt") flags |= LT;
    else throw new ReplyError(unsupportedOption(argv[i]));
  }
  if ((flags & NX) !== 0 && (flags & (XX | GT | LT)) !== 0) {
    throw new ReplyError(EXPIRE_NX_CONFLICT);
  }
  if ((flags & (GT | LT)) === (GT | LT)) throw new ReplyError(EXPIRE_GT_LT_CONFLICT);
  return flags;
}

// EXPIRE key seconds [NX|XX|GT|LT]        (basetime now, seconds)
// PEXPIRE key milliseconds [NX|XX|GT|LT]  (basetime now, ms)
// EXPIREAT key unix-time-seconds [NX|XX|GT|LT]
// PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]
function expireGeneric(ctx: Ctx, argv: string[], relative: boolean, seconds: boolean): Reply {
  const flags = expireFlags(argv);
  const arg = parseI64(argv[2]);
  if (arg === null) throw new ReplyError(NOT_INTEGER);
  const basetime = relative ? ctx.now : 0;
  // The absolute time in ms. Common values stay in doubles; beyond 2^53 it is computed exactly
  // in bigint for the overflow checks and the propagated argument, then stored as the nearest
  // double (hundreds of thousands of years away either way).
  let when = 0;
  let exact: string | null = null;
  if (typeof arg === "number" && (!seconds || Math.abs(arg) < SAFE_SECONDS)) {
    when = (seconds ? arg * 1000 : arg) + basetime;
    if (!Number.isSafeInteger(when)) exact = checkedWhen(BigInt(arg), seconds, basetime, argv);
  } else {
    exact = checkedWhen(BigInt(arg), seconds, basetime, argv);
  }
  if (exact !== null) when = Number(exact);

  const db = ctx.db;
  const key = argv[1];
  if (db.lookup(key) === undefined) return 0;
  if (flags !== 0) {
    const current = db.getExpire(key);
    if ((flags & NX) !== 0 && current !== undefined) return 0;
    if ((flags & XX) !== 0 && current === undefined) return 0;
    // No TTL counts as infinite: GT can never beat it, LT always does.
    if ((flags & GT) !== 0 && (current === undefined || when <= current)) return 0;
    if ((flags & LT) !== 0 && current !== undefined && when >= current) return 0;
  }
  const ks = ctx.server.keyspace;
  // A time already past deletes the key, except on a replica, which waits for the master's DEL,
  // and while an AOF loads (checkAlreadyExpired).
  if (when <= ctx.now && !ks.isReplica() && !ks.loading) {
    db.delete(key);
    ctx.rewrite([ctx.server.config.bool("lazyfree-lazy-expire") ? "UNLINK" : "DEL", key]);
    ks.hooks.notify("g", "del", key, db.id);
    return 1;
  }
  db.setExpire(key, when);
  ks.modified(db, key);
  if (relative || seconds) {
    // Options stay in the propagated command, as rewriteClientCommandArgument leaves them.
    const out = argv.slice();
    out[0] = "PEXPIREAT";
    out[2] = exact ?? String(when);
    ctx.rewrite(out);
  }
  ks.hooks.notify("g", "expire", key, db.id);
  return 1;
}

// The overflow checks of expireGenericCommand in exact 64-bit arithmetic.
function checkedWhen(v: bigint, seconds: boolean, basetime: number, argv: string[]): string {
  if (seconds) {
    if (v > MAX_SECONDS || v < MIN_SECONDS) throw new ReplyError(invalidExpire(cmdName(argv)));
    v *= 1000n;
  }
  const base = BigInt(basetime);
  if (v > LLONG_MAX - base) throw new ReplyError(invalidExpire(cmdName(argv)));
  return (v + base).toString();
}

// The command's lowercase name, as Redis's error prints c->cmd->fullname.
function cmdName(argv: string[]): string {
  return argv[0].toLowerCase();
}

// TTL key / PTTL key / EXPIRETIME key / PEXPIRETIME key
function ttlGeneric(ctx: Ctx, argv: string[], ms: boolean, absolute: boolean): Reply {
  const db = ctx.db;
  const key = argv[1];
  // Not an access for LRU/LFU (LOOKUP_NOTOUCH).
  if (db.lookupRead(key, true, false) === undefined) return -2;
  const at = db.getExpire(key);
  if (at === undefined) return -1;
  let ttl = absolute ? at : at - ctx.now;
  if (ttl < 0) ttl = 0;
  return ms ? ttl : Math.floor((ttl + 500) / 1000);
}

// PERSIST key
function persist(ctx: Ctx, argv: string[]): Reply {
  const db = ctx.db;
  const key = argv[1];
  if (db.lookup(key) === undefined || !db.persist(key)) return 0;
  const ks = ctx.server.keyspace;
  ks.modified(db, key);
  ks.hooks.notify("g", "persist", key, db.id);
  return 1;
}

const ONE_KEY = { first: 1, last: 1, step: 1 };
const RW_UPDATE: KeySpec[] = [{
  flags: ["RW", "update"],
  begin: { index: 1 },
  find: { lastKey: 0, keyStep: 1, limit: 0 },
}];
const RO_ACCESS: KeySpec[] = [{
  flags: ["RO", "access"],
  begin: { index: 1 },
  find: { lastKey: 0, keyStep: 1, limit: 0 },
}];
const OPTIONS_ADDED: [string, string][] = [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]];
const MINUS_TWO_ADDED: [string, string][] = [["2.8.0", "Added the -2 reply."]];

/** Builds the spec of one EXPIRE-family setter. */
function setter(
  name: string,
  relative: boolean,
  seconds: boolean,
  summary: string,
  since: string,
): CommandSpec {
  return {
    name,
    arity: -3,
    flags: ["write", "fast"],
    categories: ["keyspace", "write", "fast"],
    keys: ONE_KEY,
    keySpecs: RW_UPDATE,
    handler: (ctx, argv) => expireGeneric(ctx, argv, relative, seconds),
    summary,
    since,
    group: "generic",
    complexity: "O(1)",
    history: OPTIONS_ADDED,
  };
}

/** Builds the spec of one TTL-family getter. */
function getter(
  name: string,
  ms: boolean,
  absolute: boolean,
  summary: string,
  since: string,
): CommandSpec {
  return {
    name,
    arity: 2,
    flags: ["readonly", "fast"],
    categories: ["keyspace", "read", "fast"],
    keys: ONE_KEY,
    keySpecs: RO_ACCESS,
    // The remaining TTL depends on when the command runs; the absolute time does not.
    tips: absolute ? undefined : ["nondeterministic_output"],
    handler: (ctx, argv) => ttlGeneric(ctx, argv, ms, absolute),
    summary,
    since,
    group: "generic",
    complexity: "O(1)",
    history: absolute ? undefined : MINUS_TWO_ADDED,
  };
}

/** Expiry command specs. */
export const EXPIRE_COMMANDS: CommandSpec[] = [
  setter("expire", true, true, "Set a key's time to live in seconds", "1.0.0"),
  setter("pexpire", true, false, "Set a key's time to live in milliseconds", "2.6.0"),
  setter("expireat", false, true, "Set the expiration for a key as a UNIX timestamp", "1.2.0"),
  setter(
    "pexpireat",
    false,
    false,
    "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
    "2.6.0",
  ),
  getter("ttl", false, false, "Get the time to live for a key in seconds", "1.0.0"),
  getter("pttl", true, false, "Get the time to live for a key in milliseconds", "2.6.0"),
  getter("expiretime", false, true, "Get the expiration Unix timestamp for a key", "7.0.0"),
  getter(
    "pexpiretime",
    true,
    true,
    "Get the expiration Unix timestamp for a key in milliseconds",
    "7.0.0",
  ),
  {
    name: "persist",
    arity: 2,
    flags: ["write", "fast"],
    categories: ["keyspace", "write", "fast"],
    keys: ONE_KEY,
    keySpecs: RW_UPDATE,
    handler: persist,
    summary: "Remove the expiration from a key",
    since: "2.2.0",
    group: "generic",
    complexity: "O(1)",
  },
];
