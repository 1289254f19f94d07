// Server administration commands: INFO, CONFIG, COMMAND, TIME, SHUTDOWN, MONITOR, SLOWLOG,
// LATENCY, MEMORY and DEBUG. COMMAND INFO/DOCS/LIST/GETKEYS read the command table, deriving
// what the specs leave out the way Redis derives it (implicit ACL categories, key specs from
// the legacy first/last/step triple). INFO text lives in info.ts, latency data in latency.ts.

import { debugReload } from "./persistence.ts";
import type { Client } from "../client.ts";
import { ConfigError, strerror } from "../config.ts";
import {
  configSetFailed,
  configSetUnknown,
  DEBUG_NOT_ALLOWED,
  GETKEYS_INVALID_ARGS,
  GETKEYS_INVALID_COMMAND,
  GETKEYS_INVALID_NUMBER,
  GETKEYS_NO_KEYS,
  latencyNoSamples,
  MONITOR_DENY_BLOCKING,
  NO_CONFIG_FILE,
  NO_SHUTDOWN_IN_PROGRESS,
  NO_SUCH_KEY,
  NOT_INTEGER,
  POPULATE_NOT_POSITIVE,
  ReplyError,
  rewriteFailed,
  SHUTDOWN_ERRORS,
  SLOWLOG_COUNT,
  subcommandSyntax,
  SYNTAX,
} from "../errors.ts";
import { allCommands, genInfo, lruClock, memorySnapshot } from "../info.ts";
import { log } from "../log.ts";
import {
  NO_REPLY,
  OK,
  type Reply,
  RespDouble,
  RespMap,
  RespSet,
  SimpleString,
  Verbatim,
} from "../resp/types.ts";
import type { Server } from "../server.ts";
import type { RedisValue } from "../store/database.ts";
import { bytesToStr, strToBytes } from "../util/bytes.ts";
import { DICT_ENTRY, jemallocSize, ROBJ, sdsAlloc } from "../util/memory.ts";
import { globMatch } from "../util/glob.ts";
import { parseI64 } from "../util/numbers.ts";
import { isSharedInteger, stringEncoding } from "./keyspace.ts";
import type { Command, CommandArg, CommandFlag, CommandSpec, Ctx, KeySpec } from "./spec.ts";

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** A HELP reply: status lines, the first naming the command (addReplyHelp). */
function helpReply(cmd: string, lines: string[]): Reply {
  return [
    `${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
    ...lines,
    "HELP",
    "    Prints this help.",
  ].map((l) => new SimpleString(l));
}

// ---------------------------------------------------------------------------------------------
// COMMAND: metadata as COMMAND INFO / DOCS print it

// Flags in the order Redis prints them; may_replicate, sentinel, only_sentinel and protected
// are deliberately hidden by Redis too.
const FLAG_ORDER = [
  "write",
  "readonly",
  "denyoom",
  "module",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "skip_slowlog",
  "asking",
  "fast",
  "no_auth",
  "no_mandatory_keys",
  "no_async_loading",
  "no_multi",
  "movablekeys",
  "allow_busy",
];

/** ACL categories in the order of Redis's ACLCommandCategories table (COMMAND INFO, ACL CAT). */
export const ACL_CATEGORIES = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
];

const KEY_FLAG_ORDER = [
  "RO",
  "RW",
  "OW",
  "RM",
  "access",
  "update",
  "insert",
  "delete",
  "not_key",
  "incomplete",
  "variable_flags",
];

/**
 * The ACL categories of a command: the spec's own plus those Redis implies from flags
 * (setImplicitACLCategories), in Redis's table order.
 */
export function commandCategories(cmd: Command): string[] {
  const f = cmd.flagSet;
  const cats = new Set(cmd.spec.categories);
  if (f.has("write")) cats.add("write");
  if (f.has("readonly") && !cats.has("scripting")) cats.add("read");
  if (f.has("admin")) {
    cats.add("admin");
    cats.add("dangerous");
  }
  if (f.has("pubsub")) cats.add("pubsub");
  if (f.has("fast")) cats.add("fast");
  if (f.has("blocking")) cats.add("blocking");
  if (!cats.has("fast")) cats.add("slow");
  return ACL_CATEGORIES.filter((c) => cats.has(c));
}

/**
 * The key specs of a command: the spec's own, or one index/range spec derived from the legacy
 * (first, last, step) triple, flagged RO+access for read-only commands and RW+update for writes.
 */
export function keySpecsOf(cmd: Command): KeySpec[] {
  const spec = cmd.spec;
  if (spec.keySpecs) return spec.keySpecs;
  const k = spec.keys;
  if (k === undefined || k.first <= 0) return [];
  const flags = cmd.flagSet.has("write")
    ? ["RW", "update"]
    : cmd.flagSet.has("readonly")
    ? ["RO", "access"]
    : ["RO"];
  return [{
    flags,
    begin: { index: k.first },
    find: { lastKey: k.last < 0 ? k.last : k.last - k.first, keyStep: k.step, limit: 0 },
  }];
}

function isMovable(cmd: Command): boolean {
  if (cmd.spec.getKeys) return true;
  return keySpecsOf(cmd).some((s) => !("index" in s.begin) || !("lastKey" in s.find));
}

function commandFlags(cmd: Command): string[] {
  const f = new Set<string>(cmd.flagSet);
  if (isMovable(cmd)) f.add("movablekeys");
  return FLAG_ORDER.filter((x) => f.has(x));
}

function keySpecReply(s: KeySpec): Reply {
  const entries: Reply[] = [];
  if (s.notes) entries.push("notes", s.notes);
  const flags = KEY_FLAG_ORDER.filter((f) => s.flags.includes(f)).map((f) => new SimpleString(f));
  entries.push("flags", new RespSet(flags));
  const b = s.begin;
  entries.push(
    "begin_search",
    "unknown" in b
      ? new RespMap(["type", "unknown", "spec", new RespMap([])])
      : "index" in b
      ? new RespMap(["type", "index", "spec", new RespMap(["index", b.index])])
      : new RespMap([
        "type",
        "keyword",
        "spec",
        new RespMap(["keyword", b.keyword, "startfrom", b.startFrom]),
      ]),
  );
  const f = s.find;
  entries.push(
    "find_keys",
    "unknown" in f
      ? new RespMap(["type", "unknown", "spec", new RespMap([])])
      : "lastKey" in f
      ? new RespMap([
        "type",
        "range",
        "spec",
        new RespMap(["lastkey", f.lastKey, "keystep", f.keyStep, "limit", f.limit]),
      ])
      : new RespMap([
        "type",
        "keynum",
        "spec",
        new RespMap(["keynumidx", f.keyNumIdx, "firstkey", f.firstKey, "keystep", f.keyStep]),
      ]),
  );
  return new RespMap(entries);
}

/** One COMMAND INFO entry (addReplyCommandInfo). */
function commandInfo(cmd: Command): Reply {
  const k = cmd.spec.keys;
  const subs = cmd.subcommands;
  return [
    cmd.name,
    cmd.spec.arity,
    new RespSet(commandFlags(cmd).map((f) => new SimpleString(f))),
    k ? k.first : 0,
    k ? k.last : 0,
    k ? k.step : 0,
    new RespSet(commandCategories(cmd).map((c) => new SimpleString("@" + c))),
    new RespSet(cmd.spec.tips ?? []),
    new RespSet(keySpecsOf(cmd).map(keySpecReply)),
    // Redis replies an empty set, but an array when there are subcommands.
    subs === undefined ? new RespSet([]) : [...subs.values()].map(commandInfo),
  ];
}

// One argument of COMMAND DOCS (addReplyCommandArgList).
function argDocs(a: CommandArg): Reply {
  const m: Reply[] = ["name", a.name, "type", a.type];
  if (a.keySpecIndex !== undefined) m.push("key_spec_index", a.keySpecIndex);
  if (a.token !== undefined) m.push("token", a.token);
  if (a.summary !== undefined) m.push("summary", a.summary);
  if (a.since !== undefined) m.push("since", a.since);
  if (a.deprecatedSince !== undefined) m.push("deprecated_since", a.deprecatedSince);
  if (a.flags) m.push("flags", new RespSet(a.flags.map((f) => new SimpleString(f))));
  if (a.type === "oneof" || a.type === "block") {
    m.push("arguments", (a.arguments ?? []).map(argDocs));
  }
  return new RespMap(m);
}

/** One COMMAND DOCS entry (addReplyCommandDocs). */
function commandDocs(cmd: Command): Reply {
  const s = cmd.spec;
  const m: Reply[] = [];
  if (s.summary) m.push("summary", s.summary);
  if (s.since) m.push("since", s.since);
  m.push("group", s.group ?? cmd.parent?.spec.group ?? "generic");
  if (s.complexity) m.push("complexity", s.complexity);
  if (s.docFlags) m.push("doc_flags", new RespSet(s.docFlags.map((f) => new SimpleString(f))));
  if (s.deprecatedSince) m.push("deprecated_since", s.deprecatedSince);
  if (s.replacedBy) m.push("replaced_by", s.replacedBy);
  if (s.history) m.push("history", s.history.map(([v, d]) => [v, d]));
  if (s.arguments) m.push("arguments", s.arguments.map(argDocs));
  if (cmd.subcommands) {
    const subs: Reply[] = [];
    for (const sub of cmd.subcommands.values()) subs.push(sub.name, commandDocs(sub));
    m.push("subcommands", new RespMap(subs));
  }
  return new RespMap(m);
}

// COMMAND (no subcommand): every command's info.
function commandAll(ctx: Ctx): Reply {
  return ctx.server.table.all().map(commandInfo);
}

// COMMAND INFO [command-name ...]
function commandInfoCmd(ctx: Ctx, argv: string[]): Reply {
  if (argv.length === 2) return commandAll(ctx);
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) {
    const cmd = ctx.server.table.getFull(argv[i]);
    out.push(cmd === undefined ? null : commandInfo(cmd));
  }
  return out;
}

// COMMAND DOCS [command-name ...]
function commandDocsCmd(ctx: Ctx, argv: string[]): Reply {
  const m: Reply[] = [];
  if (argv.length === 2) {
    for (const cmd of ctx.server.table.all()) m.push(cmd.name, commandDocs(cmd));
  } else {
    for (let i = 2; i < argv.length; i++) {
      const cmd = ctx.server.table.getFull(argv[i]);
      if (cmd !== undefined) m.push(cmd.name, commandDocs(cmd));
    }
  }
  return new RespMap(m);
}

// COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]
function commandList(ctx: Ctx, argv: string[]): Reply {
  let filter: ((c: Command) => boolean) | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (argv[i].toLowerCase() !== "filterby" || argv.length - 1 - i !== 2) {
      throw new ReplyError(SYNTAX);
    }
    const type = argv[i + 1].toLowerCase();
    const arg = argv[i + 2];
    if (type === "module") filter = () => false; // no modules can be loaded
    else if (type === "aclcat") {
      const cat = arg.toLowerCase();
      filter = (c) => commandCategories(c).includes(cat);
    } else if (type === "pattern") filter = (c) => globMatch(arg, c.name, true);
    else throw new ReplyError(SYNTAX);
    i += 2;
  }
  const out: Reply[] = [];
  for (const c of allCommands(ctx.server)) if (filter === null || filter(c)) out.push(c.name);
  return out;
}

// getKeysUsingKeySpecs: null when the arguments do not fit a spec.
function keysFromSpecs(specs: KeySpec[], argv: string[]): [number, string[]][] | null {
  const argc = argv.length;
  const out: [number, string[]][] = [];
  for (const spec of specs) {
    let first = 0;
    const b = spec.begin;
    // An unknown spec makes the whole search invalid (Redis's invalid_spec).
    if ("unknown" in b || "unknown" in spec.find) return null;
    if ("index" in b) first = b.index;
    else {
      const start = b.startFrom > 0 ? b.startFrom : argc + b.startFrom;
      const end = b.startFrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === b.keyword.toLowerCase()) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    }
    let last: number;
    const f = spec.find;
    const step = f.keyStep;
    if ("lastKey" in f) {
      if (f.lastKey >= 0) last = first + f.lastKey;
      else if (f.limit === 0) last = argc + f.lastKey;
      else last = first + (Math.floor((argc - first) / f.limit) + f.lastKey);
    } else {
      if (f.keyNumIdx >= argc) return null;
      const n = parseI64(argv[first + f.keyNumIdx] ?? "");
      if (n === null || n < 0) return null;
      first += f.firstKey;
      last = first + Number(n) - 1;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) {
      if (i >= argc || i < first) continue;
      out.push([i, spec.flags]);
    }
  }
  return out;
}

/**
 * Key positions of a full command line with their key-spec flags (getKeysFromCommandWithSpecs):
 * the key specs when they apply and have fixed flags, else the command's `getKeys`.
 * @returns the keys, or null when the arguments fit neither
 */
export function getKeyPositions(cmd: Command, argv: string[]): [number, string[]][] | null {
  const specs = keySpecsOf(cmd);
  const varFlags = specs.some((s) => s.flags.includes("variable_flags"));
  if (specs.some((s) => !s.flags.includes("not_key")) && !varFlags) {
    const r = keysFromSpecs(specs, argv);
    if (r !== null) return r;
  }
  const proc = cmd.spec.getKeys;
  if (proc === undefined) return varFlags ? keysFromSpecs(specs, argv) : null;
  const flags = specs[0]?.flags ?? [];
  return proc(argv).map((k) => (typeof k === "number" ? [k, flags] : [k.pos, k.flags]));
}

// COMMAND GETKEYS command [arg ...] / COMMAND GETKEYSANDFLAGS command [arg ...]
function commandGetKeys(ctx: Ctx, argv: string[], withFlags: boolean): Reply {
  const args = argv.slice(2);
  const top = ctx.server.table.get(args[0]);
  let cmd: Command | undefined = top;
  if (top?.subcommands !== undefined && args.length >= 2) {
    cmd = top.subcommands.get(args[1].toLowerCase());
  }
  if (cmd === undefined) throw new ReplyError(GETKEYS_INVALID_COMMAND);
  if (!cmd.spec.getKeys && keySpecsOf(cmd).length === 0) throw new ReplyError(GETKEYS_NO_KEYS);
  const a = cmd.spec.arity;
  if ((a > 0 && a !== args.length) || args.length < -a) {
    throw new ReplyError(GETKEYS_INVALID_NUMBER);
  }
  const keys = getKeyPositions(cmd, args);
  if (keys === null || keys.length === 0) {
    if (cmd.flagSet.has("no_mandatory_keys")) return [];
    throw new ReplyError(GETKEYS_INVALID_ARGS);
  }
  return keys.map(([p, flags]) =>
    withFlags
      ? [
        args[p],
        new RespSet(
          KEY_FLAG_ORDER.filter((f) => flags.includes(f)).map((f) => new SimpleString(f)),
        ),
      ]
      : args[p]
  );
}

const COMMAND_HELP = [
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys and the access flags from a full Redis command.",
];

// ---------------------------------------------------------------------------------------------
// CONFIG

// CONFIG GET parameter [parameter ...]
function configGet(ctx: Ctx, argv: string[]): Reply {
  const flat: Reply[] = [];
  for (const [k, v] of ctx.server.config.match(...argv.slice(2))) flat.push(k, v);
  return new RespMap(flat);
}

/** enable-protected-configs / enable-debug-command: yes, or local and a local client. */
function allowProtected(value: string, client: Client): boolean {
  if (value === "yes") return true;
  if (value !== "local") return false;
  if (client.conn === null) return true;
  const host = client.addr.slice(0, client.addr.lastIndexOf(":"));
  return host === "127.0.0.1" || host === "::1" || host === "[::1]" ||
    host.startsWith("::ffff:127.");
}

// CONFIG SET parameter value [parameter value ...]
// All-or-nothing like Redis: every name is checked first, then values are set in order and,
// when one fails, the earlier ones are restored to their previous values.
function configSet(ctx: Ctx, argv: string[]): Reply {
  if (argv.length % 2 !== 0) throw new ReplyError(SYNTAX);
  const config = ctx.server.config;
  // Secrets are replaced in argv, which the slow log and MONITOR see after the command, even
  // when the command fails (redactClientCommandArgument).
  const values: string[] = [];
  for (let i = 2; i < argv.length; i += 2) {
    values.push(argv[i + 1]);
    if (config.lookup(argv[i])?.sensitive) argv[i + 1] = "(redacted)";
  }
  const protectedOk = allowProtected(config.get("enable-protected-configs"), ctx.client);
  const names: { name: string; canonical: string; value: string }[] = [];
  for (let i = 2; i < argv.length; i += 2) {
    const info = config.lookup(argv[i]);
    if (info === undefined) throw new ReplyError(configSetUnknown(argv[i]));
    if (info.immutable || (info.protected && !protectedOk)) {
      throw new ReplyError(
        configSetFailed(
          argv[i],
          info.immutable ? "can't set immutable config" : "can't set protected config",
        ),
      );
    }
    // The same registered name twice (an alias and its target count as different, as in Redis).
    if (names.some((n) => n.name === info.name)) {
      throw new ReplyError(configSetFailed(argv[i], "duplicate parameter"));
    }
    names.push({ name: info.name, canonical: info.canonical, value: values[(i - 2) / 2] });
  }
  const old = names.map((n) => config.get(n.canonical));
  for (let i = 0; i < names.length; i++) {
    try {
      config.set(names[i].canonical, names[i].value);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (let j = 0; j <= i; j++) {
        try {
          config.set(names[j].canonical, old[j], true);
        } catch {
          // the previous value was valid when it was set
        }
      }
      throw new ReplyError(configSetFailed(names[i].name, err.message));
    }
  }
  return OK;
}

// CONFIG RESETSTAT
function configResetstat(ctx: Ctx): Reply {
  resetStats(ctx.server);
  return OK;
}

/** Zeroes the counters CONFIG RESETSTAT resets (resetServerStats, command and error stats). */
export function resetStats(server: Server): void {
  const st = server.stats;
  st.totalConnections = 0;
  st.rejectedConnections = 0;
  st.totalCommands = 0;
  st.netInput = 0;
  st.netOutput = 0;
  st.totalErrorReplies = 0;
  st.errors.clear();
  st.opsSamples.length = 0;
  st.lastOpsSampleCommands = 0;
  st.lastOpsSampleTime = Date.now();
  st.evictedClients = 0;
  const ks = server.keyspace.stats;
  ks.expiredKeys = 0;
  ks.expiredStalePerc = 0;
  ks.expiredTimeCapReached = 0;
  ks.expireCycleCpuMs = 0;
  ks.keyspaceHits = 0;
  ks.keyspaceMisses = 0;
  server.instMetrics.reset();
  for (const c of allCommands(server)) {
    c.calls = 0;
    c.usec = 0;
    c.rejectedCalls = 0;
    c.failedCalls = 0;
    c.histogram = undefined;
  }
  for (const h of server.resetStatsHooks) h();
}

// CONFIG REWRITE
// The new file is written next to the old one and renamed over it, so a crash never leaves a
// truncated config file. Redis also writes a `user default ...` line for its ACL; ACL users
// do not exist here (requirepass is the default user's password and is written as such), and
// our config loader would refuse the line.
function configRewrite(ctx: Ctx): Reply {
  const server = ctx.server;
  const path = server.config.file;
  if (path === "") throw new ReplyError(NO_CONFIG_FILE);
  try {
    let old = "";
    try {
      old = bytesToStr(Deno.readFileSync(path));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    const text = server.config.rewrite(old);
    const tmp = `${path}.tmp-${Deno.pid}-${Date.now()}`;
    Deno.writeFileSync(tmp, strToBytes(text), { mode: 0o644 });
    Deno.renameSync(tmp, path);
  } catch (err) {
    log.warning(`CONFIG REWRITE failed: ${strerror(err)}`);
    throw new ReplyError(rewriteFailed(strerror(err)));
  }
  log.notice("CONFIG REWRITE executed with success.");
  return OK;
}

const CONFIG_HELP = [
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
];

// ---------------------------------------------------------------------------------------------
// INFO, TIME, SHUTDOWN, MONITOR

// INFO [section [section ...]]
function info(ctx: Ctx, argv: string[]): Reply {
  return new Verbatim("txt", genInfo(ctx.server, argv.slice(1)));
}

// TIME
function time(): Reply {
  const usec = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const secs = Math.floor(usec / 1e6);
  return [String(secs), String(usec - secs * 1e6)];
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
// Shutdown is immediate: there is no wait for replicas to catch up, so NOW changes nothing
// and ABORT never finds a shutdown in progress. A final save needs a persistence subsystem
// (server.saveForShutdown); without one, a save that is asked for (SAVE, or save points
// configured without NOSAVE) fails like a failed rdbSave: refused unless FORCE.
function shutdown(ctx: Ctx, argv: string[]): Reply {
  let nosave = false;
  let save = false;
  let force = false;
  let abort = false;
  let any = false;
  for (let i = 1; i < argv.length; i++) {
    const o = argv[i].toLowerCase();
    if (o === "nosave") nosave = true;
    else if (o === "save") save = true;
    else if (o === "now") any = true;
    else if (o === "force") force = true;
    else if (o === "abort") abort = true;
    else throw new ReplyError(SYNTAX);
    if (o !== "abort") any = true;
  }
  if ((abort && any) || (nosave && save)) throw new ReplyError(SYNTAX);
  if (abort) throw new ReplyError(NO_SHUTDOWN_IN_PROGRESS);
  const server = ctx.server;
  // While a script is busy only SHUTDOWN NOSAVE stops the server: a save would store part
  // of the script's effects.
  if (!nosave && server.busyReply !== null) throw new ReplyError(server.busyReply);
  if ((server.config.get("save") !== "" && !nosave) || save) {
    log.notice("Saving the final RDB snapshot before exiting.");
    const ok = server.saveForShutdown !== null && server.saveForShutdown();
    if (!ok) {
      if (force) log.warning("Error trying to save the DB. Exit anyway.");
      else {
        log.warning("Error trying to save the DB, can't exit.");
        log.warning(
          "Errors trying to shut down the server. Check the logs for more information.",
        );
        throw new ReplyError(SHUTDOWN_ERRORS);
      }
    }
  }
  server.shutdownSaveDone = true;
  // The client gets no reply: its connection closes with the others.
  server.shutdown().catch((err) => log.warning(`Shutdown failed: ${(err as Error).message}`));
  return NO_REPLY;
}

// MONITOR
function monitor(ctx: Ctx): Reply {
  const c = ctx.client;
  // Inside EXEC the client expects one reply per command (CLIENT_DENY_BLOCKING).
  if (ctx.server.execDepth > 1) throw new ReplyError(MONITOR_DENY_BLOCKING);
  // A replica, or a client already monitoring, is silently ignored.
  if (c.monitor || c.isReplica) return NO_REPLY;
  c.monitor = true;
  ctx.server.monitors.add(c);
  return OK;
}

// ---------------------------------------------------------------------------------------------
// SLOWLOG

// SLOWLOG GET [count]
function slowlogGet(ctx: Ctx, argv: string[]): Reply {
  if (argv.length > 3) throw new ReplyError(subcommandSyntax(argv[1], argv[0]));
  const entries = ctx.server.slowlog.entries;
  let count = 10;
  if (argv.length === 3) {
    const n = parseI64(argv[2]);
    if (n === null || n < -1) throw new ReplyError(SLOWLOG_COUNT);
    count = n === -1 ? entries.length : Number(n);
  }
  const out: Reply[] = [];
  for (let i = 0; i < entries.length && i < count; i++) {
    const e = entries[i];
    out.push([e.id, e.time, e.usec, e.argv.slice(), e.addr, e.name]);
  }
  return out;
}

const SLOWLOG_HELP = [
  "GET [<count>]",
  "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
  "    Entries are made of:",
  "    id, timestamp, time in microseconds, arguments array, client IP and port,",
  "    client name",
  "LEN",
  "    Return the length of the slowlog.",
  "RESET",
  "    Reset the slowlog.",
];

// ---------------------------------------------------------------------------------------------
// LATENCY

// LATENCY LATEST
function latencyLatest(ctx: Ctx): Reply {
  const mon = ctx.server.latency;
  const out: Reply[] = [];
  for (const [event, ts] of mon.events) {
    const [time, ms] = mon.latest(ts);
    out.push([event, time, ms, ts.max]);
  }
  return out;
}

// LATENCY HISTORY event
function latencyHistory(ctx: Ctx, argv: string[]): Reply {
  const mon = ctx.server.latency;
  const ts = mon.events.get(argv[2]);
  return ts === undefined ? [] : mon.samples(ts).map(([t, ms]) => [t, ms]);
}

// LATENCY GRAPH event
function latencyGraph(ctx: Ctx, argv: string[]): Reply {
  const mon = ctx.server.latency;
  const ts = mon.events.get(argv[2]);
  if (ts === undefined) throw new ReplyError(latencyNoSamples(argv[2]));
  return new Verbatim("txt", mon.graph(argv[2], ts));
}

// LATENCY RESET [event [event ...]]
function latencyReset(ctx: Ctx, argv: string[]): Reply {
  const mon = ctx.server.latency;
  if (argv.length === 2) return mon.reset(null);
  let n = 0;
  for (let i = 2; i < argv.length; i++) n += mon.reset(argv[i]);
  return n;
}

function histogramReply(cmd: Command): Reply {
  const h = cmd.histogram!;
  const buckets: Reply[] = [];
  for (const [usec, count] of h.cdf()) buckets.push(usec, count);
  return new RespMap(["calls", h.totalCount, "histogram_usec", new RespMap(buckets)]);
}

// LATENCY HISTOGRAM [command [command ...]]
function latencyHistogram(ctx: Ctx, argv: string[]): Reply {
  const out: Reply[] = [];
  if (argv.length === 2) {
    for (const c of allCommands(ctx.server)) {
      if (c.histogram !== undefined) out.push(c.name, histogramReply(c));
    }
    return new RespMap(out);
  }
  for (let i = 2; i < argv.length; i++) {
    const cmd = ctx.server.table.getFull(argv[i]);
    if (cmd === undefined) continue;
    const list = [cmd, ...(cmd.subcommands?.values() ?? [])];
    for (const c of list) if (c.histogram !== undefined) out.push(c.name, histogramReply(c));
  }
  return new RespMap(out);
}

const LATENCY_HELP = [
  "GRAPH <event>",
  "    Return an ASCII latency graph for the <event> class.",
  "HISTORY <event>",
  "    Return time-latency samples for the <event> class.",
  "LATEST",
  "    Return the latest latency samples for all events.",
  "RESET [<event> ...]",
  "    Reset latency data of one or more <event> classes.",
  "    (default: reset all data for all event classes)",
  "HISTOGRAM [COMMAND ...]",
  "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
  "    If no commands are specified then all histograms are replied.",
];

// ---------------------------------------------------------------------------------------------
// MEMORY

/** Values that can estimate their own size (types implement it where they can). */
export interface MemoryMeasurable {
  /** Bytes Redis would use for the value, sampling `samples` elements (0 = all). */
  memoryUsage?(samples: number): number;
  /** RDB serialized length (DEBUG OBJECT's serializedlength). */
  serializedLength?(): number;
}

// Generic estimate for a value that cannot measure itself: walks its own enumerable data
// (strings by length, numbers as 8 bytes, Maps, Sets, arrays and plain objects), sampling at
// most `samples` elements per collection and scaling up, like objectComputeSize does.
function estimateObject(v: unknown, samples: number, depth = 0): number {
  if (typeof v === "string") return sdsAlloc(v.length, 3);
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return 8;
  if (v === null || typeof v !== "object" || depth > 4) return 0;
  const walk = (items: Iterable<unknown>, size: number): number => {
    let sum = 0;
    let n = 0;
    for (const x of items) {
      sum += estimateObject(x, samples, depth + 1) + 8;
      if (++n >= samples) break;
    }
    return n === 0 ? 0 : (sum / n) * size;
  };
  if (v instanceof Map) return walk(v.entries(), v.size);
  if (v instanceof Set || Array.isArray(v)) {
    return walk(v as Iterable<unknown>, v instanceof Set ? v.size : v.length);
  }
  if (ArrayBuffer.isView(v)) return v.byteLength;
  let sum = 0;
  for (const k of Object.keys(v)) {
    sum += estimateObject((v as Record<string, unknown>)[k], samples, depth + 1);
  }
  return sum;
}

/**
 * Estimated bytes of a key and its value (MEMORY USAGE): dict entry + key sds + value.
 * Strings follow Redis's layout exactly (int: a bare robj; embstr: robj and sds in one
 * allocation; raw: robj plus a separate sds), rounded to jemalloc size classes. Other types
 * use their own `memoryUsage` when they have one, else a generic estimate.
 */
export function memoryUsage(
  key: string,
  v: RedisValue,
  encoding: string,
  samples: number,
): number {
  let value: number;
  if (typeof v === "string") {
    if (encoding === "int") value = ROBJ;
    else if (encoding === "embstr") value = jemallocSize(ROBJ + 3 + v.length + 1);
    else value = ROBJ + sdsAlloc(v.length, 3);
  } else {
    const m = (v as MemoryMeasurable).memoryUsage;
    value = m ? m.call(v, samples) : ROBJ + Math.round(estimateObject(v, samples));
  }
  return value + sdsAlloc(key.length) + DICT_ENTRY;
}

function stringEncodingOf(ctx: Ctx, key: string, v: string): string {
  return ctx.db.rawStrings.has(key) ? "raw" : stringEncoding(v);
}

// MEMORY USAGE key [SAMPLES count]
function memoryUsageCmd(ctx: Ctx, argv: string[]): Reply {
  let samples = 5;
  for (let i = 3; i < argv.length; i++) {
    if (argv[i].toLowerCase() === "samples" && i + 1 < argv.length) {
      const n = parseI64(argv[i + 1]);
      if (n === null) throw new ReplyError(NOT_INTEGER);
      if (n < 0) throw new ReplyError(SYNTAX);
      samples = n === 0 ? Number.MAX_SAFE_INTEGER : Number(n);
      i++;
    } else {
      throw new ReplyError(SYNTAX);
    }
  }
  // Redis looks the key up without expiring it (dictFind).
  const v = ctx.db.data.get(argv[2]);
  if (v === undefined) return null;
  const enc = typeof v === "string" ? stringEncodingOf(ctx, argv[2], v) : v.encoding();
  return memoryUsage(argv[2], v, enc, samples);
}

// MEMORY STATS
// Redis's fields, with V8's figures standing in for the allocator's: allocated = heapUsed +
// external, active = heapTotal + external, resident = rss. Hash table overheads assume
// Redis's layout (24-byte entries, 8-byte buckets, power-of-two tables).
function memoryStats(ctx: Ctx): Reply {
  const server = ctx.server;
  const m = memorySnapshot(server);
  const mu = Deno.memoryUsage();
  const slots = (n: number) => (n === 0 ? 0 : Math.max(4, 2 ** Math.ceil(Math.log2(n))));
  const out: Reply[] = [
    "peak.allocated",
    m.peak,
    "total.allocated",
    m.used,
    "startup.allocated",
    m.startup,
    "replication.backlog",
    0,
    "clients.slaves",
    m.clientsReplicas,
    "clients.normal",
    m.clientsNormal,
    "cluster.links",
    0,
    "aof.buffer",
    0,
    "lua.caches",
    0,
    "functions.caches",
    0,
  ];
  let overhead = m.startup + m.clientsReplicas + m.clientsNormal;
  let keys = 0;
  for (const db of server.keyspace.dbs) {
    const n = db.data.size;
    if (n === 0) continue;
    keys += n;
    const main = n * DICT_ENTRY + slots(n) * 8;
    const exp = db.expires.size * DICT_ENTRY + slots(db.expires.size) * 8;
    overhead += main + exp;
    out.push(
      `db.${db.id}`,
      new RespMap([
        "overhead.hashtable.main",
        main,
        "overhead.hashtable.expires",
        exp,
        "overhead.hashtable.slot-to-keys",
        0,
      ]),
    );
  }
  const net = m.used > m.startup ? m.used - m.startup : 1;
  const dataset = Math.max(0, m.used - overhead);
  const active = mu.heapTotal + mu.external;
  const f = (x: number) => new RespDouble(Math.fround(x));
  out.push(
    "overhead.total",
    overhead,
    "keys.count",
    keys,
    "keys.bytes-per-key",
    keys === 0 ? 0 : Math.floor(net / keys),
    "dataset.bytes",
    dataset,
    "dataset.percentage",
    f((dataset * 100) / net),
    "peak.percentage",
    f(m.peak === 0 ? 0 : (m.used * 100) / m.peak),
    "allocator.allocated",
    m.used,
    "allocator.active",
    active,
    "allocator.resident",
    m.rss,
    "allocator-fragmentation.ratio",
    f(active / m.used),
    "allocator-fragmentation.bytes",
    active - m.used,
    "allocator-rss.ratio",
    f(m.rss / active),
    "allocator-rss.bytes",
    m.rss - active,
    "rss-overhead.ratio",
    f(1),
    "rss-overhead.bytes",
    0,
    "fragmentation",
    f(m.rss / m.used),
    "fragmentation.bytes",
    m.rss - m.used,
  );
  return new RespMap(out);
}

const MEMORY_HELP = [
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
];

// ---------------------------------------------------------------------------------------------
// DEBUG

// C's strtod prefix parse: the longest leading number, 0 when there is none.
function strtod(s: string): number {
  const r = /^[ \t\n\v\f\r]*[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|inf(inity)?)/i.exec(s);
  if (!r) return 0;
  const v = Number(r[0].trim().replace(/inf(inity)?/i, "Infinity"));
  return Number.isNaN(v) ? 0 : v;
}

// C's atoi.
function atoi(s: string): number {
  const r = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return r ? parseInt(r[1], 10) : 0;
}

/** Blocks the whole process for `ms`, as Redis's DEBUG SLEEP blocks its event loop. */
function sleepSync(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// rdbSaveLen: 1, 2, 5 or 9 bytes.
function rdbLenSize(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffff ? 5 : 9;
}

/**
 * RDB length of a string as rdbSaveRawString writes it, without LZF compression: small
 * integers in 2, 3 or 5 bytes, else length prefix plus bytes. (Redis compresses strings over
 * 20 bytes with LZF when that saves space, so compressible strings come out longer here.)
 */
export function rdbStringLength(s: string): number {
  if (s.length <= 11) {
    const n = parseI64(s);
    if (n !== null && String(n) === s) {
      const v = Number(n);
      if (v >= -128 && v <= 127) return 2;
      if (v >= -32768 && v <= 32767) return 3;
      if (v >= -2147483648 && v <= 2147483647) return 5;
    }
  }
  return rdbLenSize(s.length) + s.length;
}

// DEBUG OBJECT key
// No per-key access clock is kept, so lru is the current LRU clock and lru_seconds_idle 0;
// there is no object address either (Value at:0x0).
function debugObject(ctx: Ctx, key: string): Reply {
  const v = ctx.db.lookup(key);
  if (v === undefined) throw new ReplyError(NO_SUCH_KEY);
  let enc: string;
  let refcount = 1;
  let serialized: number;
  if (typeof v === "string") {
    enc = stringEncodingOf(ctx, key, v);
    if (isSharedInteger(ctx, key, v)) refcount = 2147483647;
    serialized = rdbStringLength(v);
  } else {
    enc = v.encoding();
    const sl = (v as MemoryMeasurable).serializedLength;
    serialized = sl ? sl.call(v) : Math.round(estimateObject(v, Number.MAX_SAFE_INTEGER));
  }
  return new SimpleString(
    `Value at:0x0 refcount:${refcount} encoding:${enc} serializedlength:${serialized} lru:${
      lruClock(Date.now())
    } lru_seconds_idle:0`,
  );
}

// DEBUG POPULATE count [prefix] [size]
// Keys are added without propagation and without counting as changes, as in Redis.
function debugPopulate(ctx: Ctx, argv: string[]): Reply {
  const count = parseI64(argv[2]);
  if (count === null || count < 0) throw new ReplyError(POPULATE_NOT_POSITIVE);
  let size = 0;
  if (argv.length === 5) {
    const n = parseI64(argv[4]);
    if (n === null || n < 0) throw new ReplyError(POPULATE_NOT_POSITIVE);
    size = Number(n);
  }
  const prefix = argv.length >= 4 ? argv[3] : "key";
  const ks = ctx.server.keyspace;
  const dirty = ks.dirty;
  ctx.preventPropagation = true;
  for (let j = 0; j < Number(count); j++) {
    // snprintf into a 128-byte buffer.
    const key = `${prefix}:${j}`.slice(0, 127);
    if (ctx.db.lookup(key) !== undefined) continue;
    let val = `value:${j}`;
    if (size !== 0) val = val.length >= size ? val.slice(0, size) : val.padEnd(size, "\0");
    ctx.db.add(key, val);
  }
  ks.dirty = dirty;
  return OK;
}

const DEBUG_HELP = [
  "LOG <message>",
  "    Write <message> to the server log.",
  "OBJECT <key>",
  "    Show low level info about `key` and associated value.",
  "POPULATE <count> [<prefix>] [<size>]",
  "    Create <count> string keys named key:<num>. If <prefix> is specified then",
  "    it is used instead of the 'key' prefix. These are not propagated to",
  "    replicas. Cluster slots are not respected so keys not belonging to the",
  "    current node can be created in cluster mode.",
  "RELOAD [option ...]",
  "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
  "    * MERGE: conflicting keys will be loaded from RDB.",
  "    * NOFLUSH: the existing database will not be removed before load, but",
  "      conflicting keys will generate an exception and kill the server.",
  "    * NOSAVE: the database will be loaded from an existing RDB file.",
  "    Examples:",
  "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
  "      the database.",
  "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
  "      existing RDB file.",
  "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
  "      file to the database.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Setting it to 0 disables expiring keys in background when they are not",
  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
  "    default.",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
];

// DEBUG subcommand [arg ...]
// Only the subcommands above; DEBUG needs `enable-debug-command yes` (or `local` and a local
// client), which Redis checks before running the command and counts as a rejection.
function debug(ctx: Ctx, argv: string[]): Reply {
  if (!allowProtected(ctx.server.config.get("enable-debug-command"), ctx.client)) {
    throw new ReplyError(DEBUG_NOT_ALLOWED);
  }
  const sub = argv[1].toLowerCase();
  const n = argv.length;
  if (sub === "help" && n === 2) return helpReply("DEBUG", DEBUG_HELP);
  if (sub === "sleep" && n === 3) {
    sleepSync(Math.trunc(strtod(argv[2]) * 1e6) / 1000);
    return OK;
  }
  if (sub === "set-active-expire" && n === 3) {
    ctx.server.keyspace.activeExpireEnabled = atoi(argv[2]) !== 0;
    return OK;
  }
  if (sub === "object" && n === 3) return debugObject(ctx, argv[2]);
  if (sub === "log" && n === 3) {
    log.warning(`DEBUG LOG: ${argv[2]}`);
    return OK;
  }
  if (sub === "populate" && n >= 3 && n <= 5) return debugPopulate(ctx, argv);
  if (sub === "reload") return debugReload(ctx, argv);
  throw new ReplyError(subcommandSyntax(argv[1], argv[0]));
}

// ---------------------------------------------------------------------------------------------
// Specs

const ADMIN_FLAGS: CommandFlag[] = ["admin", "noscript", "loading", "stale"];
const CONFIG_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "get",
    arity: -3,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: configGet,
    summary: "Get the values of configuration parameters",
    arguments: [{
      name: "parameter",
      type: "block",
      flags: ["multiple"],
      arguments: [{ name: "parameter", type: "string" }],
    }],
    since: "2.0.0",
    group: "server",
    complexity: "O(N) when N is the number of configuration parameters provided",
    history: [["7.0.0", "Added the ability to pass multiple pattern parameters in one call"]],
  },
  {
    name: "set",
    arity: -4,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: configSet,
    tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
    summary: "Set configuration parameters to the given values",
    arguments: [{
      name: "parameter_value",
      type: "block",
      flags: ["multiple"],
      arguments: [{ name: "parameter", type: "string" }, { name: "value", type: "string" }],
    }],
    since: "2.0.0",
    group: "server",
    complexity: "O(N) when N is the number of configuration parameters provided",
    history: [["7.0.0", "Added the ability to set multiple parameters in one call."]],
  },
  {
    name: "resetstat",
    arity: 2,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: configResetstat,
    summary: "Reset the stats returned by INFO",
    since: "2.0.0",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "rewrite",
    arity: 2,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: configRewrite,
    summary: "Rewrite the configuration file with the in memory configuration",
    since: "2.8.0",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    categories: [],
    handler: () => helpReply("CONFIG", CONFIG_HELP),
    summary: "Show helpful text about the different subcommands",
    since: "5.0.0",
    group: "server",
    complexity: "O(1)",
  },
];

const CMD_FLAGS: CommandFlag[] = ["loading", "stale"];
const CMD_CATS = ["connection"];
const COMMAND_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "count",
    arity: 2,
    flags: CMD_FLAGS,
    categories: CMD_CATS,
    handler: (ctx) => ctx.server.table.commands.size,
    summary: "Get total number of Redis commands",
    since: "2.8.13",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "list",
    arity: -2,
    flags: CMD_FLAGS,
    categories: CMD_CATS,
    handler: commandList,
    tips: ["nondeterministic_output_order"],
    summary: "Get an array of Redis command names",
    arguments: [{
      name: "filterby",
      type: "oneof",
      token: "FILTERBY",
      flags: ["optional"],
      arguments: [{ name: "module-name", type: "string", token: "MODULE" }, {
        name: "category",
        type: "string",
        token: "ACLCAT",
      }, { name: "pattern", type: "pattern", token: "PATTERN" }],
    }],
    since: "7.0.0",
    group: "server",
    complexity: "O(N) where N is the total number of Redis commands",
  },
  {
    name: "info",
    arity: -2,
    flags: CMD_FLAGS,
    categories: CMD_CATS,
    handler: commandInfoCmd,
    tips: ["nondeterministic_output_order"],
    summary: "Get array of specific Redis command details, or all when no argument is given.",
    arguments: [{ name: "command-name", type: "string", flags: ["optional", "multiple"] }],
    since: "2.8.13",
    group: "server",
    complexity: "O(N) where N is the number of commands to look up",
    history: [["7.0.0", "Allowed to be called with no argument to get info on all commands."]],
  },
  {
    name: "docs",
    arity: -2,
    flags: CMD_FLAGS,
    categories: CMD_CATS,
    handler: commandDocsCmd,
    tips: ["nondeterministic_output_order"],
    summary: "Get array of specific Redis command documentation",
    arguments: [{ name: "command-name", type: "string", flags: ["optional", "multiple"] }],
    since: "7.0.0",
    group: "server",
    complexity: "O(N) where N is the number of commands to look up",
  },
  {
    name: "getkeys",
    arity: -4,
    flags: CMD_FLAGS,
    categories: CMD_CATS,
    handler: (ctx, argv) => commandGetKeys(ctx, argv, false),
    summary: "Extract keys given a full Redis command",
    since: "2.8.13",
    group: "server",
    complexity: "O(N) where N is the number of arguments to the command",
  },
  {
    name: "getkeysandflags",
    arity: -4,
    flags: CMD_FLAGS,
    categories: CMD_CATS,
    handler: (ctx, argv) => commandGetKeys(ctx, argv, true),
    summary: "Extract keys and access flags given a full Redis command",
    since: "7.0.0",
    group: "server",
    complexity: "O(N) where N is the number of arguments to the command",
  },
  {
    name: "help",
    arity: 2,
    flags: CMD_FLAGS,
    categories: CMD_CATS,
    handler: () => helpReply("COMMAND", COMMAND_HELP),
    summary: "Show helpful text about the different subcommands",
    since: "5.0.0",
    group: "server",
    complexity: "O(1)",
  },
];

const SLOWLOG_ADMIN: CommandFlag[] = ["admin", "loading", "stale"];
const SLOWLOG_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "get",
    arity: -2,
    flags: SLOWLOG_ADMIN,
    categories: [],
    handler: slowlogGet,
    tips: ["request_policy:all_nodes", "nondeterministic_output"],
    summary: "Get the slow log's entries",
    arguments: [{ name: "count", type: "integer", flags: ["optional"] }],
    since: "2.2.12",
    group: "server",
    complexity: "O(N) where N is the number of entries returned",
    history: [["4.0.0", "Added client IP address, port and name to the reply."]],
  },
  {
    name: "len",
    arity: 2,
    flags: SLOWLOG_ADMIN,
    categories: [],
    handler: (ctx) => ctx.server.slowlog.entries.length,
    tips: ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
    summary: "Get the slow log's length",
    since: "2.2.12",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "reset",
    arity: 2,
    flags: SLOWLOG_ADMIN,
    categories: [],
    handler: (ctx) => {
      ctx.server.slowlog.reset();
      return OK;
    },
    tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
    summary: "Clear all entries from the slow log",
    since: "2.2.12",
    group: "server",
    complexity: "O(N) where N is the number of entries in the slowlog",
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    categories: [],
    handler: () => helpReply("SLOWLOG", SLOWLOG_HELP),
    summary: "Show helpful text about the different subcommands",
    since: "6.2.0",
    group: "server",
    complexity: "O(1)",
  },
];

const LATENCY_TIPS = [
  "nondeterministic_output",
  "request_policy:all_nodes",
  "response_policy:special",
];
const LATENCY_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "latest",
    arity: 2,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: latencyLatest,
    tips: LATENCY_TIPS,
    summary: "Return the latest latency samples for all events.",
    since: "2.8.13",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "history",
    arity: 3,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: latencyHistory,
    tips: LATENCY_TIPS,
    summary: "Return timestamp-latency samples for the event.",
    arguments: [{ name: "event", type: "string" }],
    since: "2.8.13",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "graph",
    arity: 3,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: latencyGraph,
    tips: LATENCY_TIPS,
    summary: "Return a latency graph for the event.",
    arguments: [{ name: "event", type: "string" }],
    since: "2.8.13",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "reset",
    arity: -2,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: latencyReset,
    tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
    summary: "Reset latency data for one or more events.",
    arguments: [{ name: "event", type: "string", flags: ["optional", "multiple"] }],
    since: "2.8.13",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "histogram",
    arity: -2,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: latencyHistogram,
    tips: LATENCY_TIPS,
    summary: "Return the cumulative distribution of latencies of a subset of commands or all.",
    arguments: [{ name: "command", type: "string", flags: ["optional", "multiple"] }],
    since: "7.0.0",
    group: "server",
    complexity: "O(N) where N is the number of commands with latency information being retrieved.",
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    categories: [],
    handler: () => helpReply("LATENCY", LATENCY_HELP),
    summary: "Show helpful text about the different subcommands.",
    since: "2.8.13",
    group: "server",
    complexity: "O(1)",
  },
];

const MEMORY_TIPS = [
  "nondeterministic_output",
  "request_policy:all_shards",
  "response_policy:special",
];
const MEMORY_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "usage",
    arity: -3,
    flags: ["readonly"],
    categories: [],
    keys: { first: 2, last: 2, step: 1 },
    keySpecs: [{
      flags: ["RO"],
      begin: { index: 2 },
      find: { lastKey: 0, keyStep: 1, limit: 0 },
    }],
    handler: memoryUsageCmd,
    summary: "Estimate the memory usage of a key",
    arguments: [{ name: "key", type: "key", keySpecIndex: 0 }, {
      name: "count",
      type: "integer",
      token: "SAMPLES",
      flags: ["optional"],
    }],
    since: "4.0.0",
    group: "server",
    complexity: "O(N) where N is the number of samples.",
  },
  {
    name: "stats",
    arity: 2,
    flags: [],
    categories: [],
    handler: memoryStats,
    tips: MEMORY_TIPS,
    summary: "Show memory usage details",
    since: "4.0.0",
    group: "server",
    complexity: "O(1)",
  },
  {
    // V8 manages its own heap: like Redis built without jemalloc, there is nothing to purge.
    name: "purge",
    arity: 2,
    flags: [],
    categories: [],
    handler: () => OK,
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    summary: "Ask the allocator to release memory",
    since: "4.0.0",
    group: "server",
    complexity: "Depends on how much memory is allocated, could be slow",
  },
  {
    // Redis's reply when built with an allocator other than jemalloc.
    name: "malloc-stats",
    arity: 2,
    flags: [],
    categories: [],
    handler: () => "Stats not supported for the current allocator",
    tips: MEMORY_TIPS,
    summary: "Show allocator internal stats",
    since: "4.0.0",
    group: "server",
    complexity: "Depends on how much memory is allocated, could be slow",
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    categories: [],
    handler: () => helpReply("MEMORY", MEMORY_HELP),
    summary: "Show helpful text about the different subcommands",
    since: "4.0.0",
    group: "server",
    complexity: "O(1)",
  },
];

/** Server administration command specs. */
export const ADMIN_COMMANDS: CommandSpec[] = [
  {
    name: "info",
    arity: -1,
    flags: ["loading", "stale"],
    categories: ["dangerous"],
    handler: info,
    tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
    summary: "Get information and statistics about the server",
    arguments: [{ name: "section", type: "string", flags: ["optional", "multiple"] }],
    since: "1.0.0",
    group: "server",
    complexity: "O(1)",
    history: [["7.0.0", "Added support for taking multiple section arguments."]],
  },
  {
    name: "config",
    arity: -2,
    flags: [],
    categories: [],
    subcommands: CONFIG_SUBCOMMANDS,
    summary: "A container for server configuration commands",
    since: "2.0.0",
    group: "server",
    complexity: "Depends on subcommand.",
  },
  {
    name: "command",
    arity: -1,
    flags: CMD_FLAGS,
    categories: CMD_CATS,
    handler: commandAll,
    subcommands: COMMAND_SUBCOMMANDS,
    tips: ["nondeterministic_output_order"],
    summary: "Get array of Redis command details",
    since: "2.8.13",
    group: "server",
    complexity: "O(N) where N is the total number of Redis commands",
  },
  {
    name: "time",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    categories: [],
    handler: time,
    tips: ["nondeterministic_output"],
    summary: "Return the current server time",
    since: "2.6.0",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "shutdown",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    categories: [],
    handler: shutdown,
    summary: "Synchronously save the dataset to disk and then shut down the server",
    arguments: [
      {
        name: "nosave_save",
        type: "oneof",
        flags: ["optional"],
        arguments: [{ name: "nosave", type: "pure-token", token: "NOSAVE" }, {
          name: "save",
          type: "pure-token",
          token: "SAVE",
        }],
      },
      { name: "now", type: "pure-token", token: "NOW", since: "7.0.0", flags: ["optional"] },
      { name: "force", type: "pure-token", token: "FORCE", since: "7.0.0", flags: ["optional"] },
      { name: "abort", type: "pure-token", token: "ABORT", since: "7.0.0", flags: ["optional"] },
    ],
    since: "1.0.0",
    group: "server",
    complexity:
      "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
    history: [["7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."]],
  },
  {
    name: "monitor",
    arity: 1,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: monitor,
    summary: "Listen for all requests received by the server in real time",
    since: "1.0.0",
    group: "server",
  },
  {
    name: "slowlog",
    arity: -2,
    flags: [],
    categories: [],
    subcommands: SLOWLOG_SUBCOMMANDS,
    summary: "A container for slow log commands",
    since: "2.2.12",
    group: "server",
    complexity: "Depends on subcommand.",
  },
  {
    name: "latency",
    arity: -2,
    flags: [],
    categories: [],
    subcommands: LATENCY_SUBCOMMANDS,
    summary: "A container for latency diagnostics commands",
    since: "2.8.13",
    group: "server",
    complexity: "Depends on subcommand.",
  },
  {
    name: "memory",
    arity: -2,
    flags: [],
    categories: [],
    subcommands: MEMORY_SUBCOMMANDS,
    summary: "A container for memory diagnostics commands",
    since: "4.0.0",
    group: "server",
    complexity: "Depends on subcommand.",
  },
  {
    name: "debug",
    arity: -2,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: debug,
    summary: "A container for debugging commands",
    since: "1.0.0",
    group: "server",
    complexity: "Depends on subcommand.",
    docFlags: ["syscmd"],
  },
];
