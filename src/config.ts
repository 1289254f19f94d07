// Configuration with Redis 7.0's directive table (config.c): names, aliases, defaults, value
// syntax, bounds, and the exact error texts of CONFIG SET and of the fatal config-file error.
// `parseArgs` reads `redis-server [file] [--name value ...]` the way Redis's main() does: the
// command line becomes extra config lines after the file. `Config` keeps each value as CONFIG
// GET prints it plus a parsed number for fast typed reads, and `rewrite` produces CONFIG
// REWRITE's file. Directives that only make sense inside C Redis (jemalloc, io-threads, TLS
// ciphers ...) are accepted and reported but have no effect; the README lists which ones act.

import { globMatch } from "./util/glob.ts";
import { bytesToStr, strToUtf8, utf8ToStr } from "./util/bytes.ts";
import { parseFloatStrict, parseI64 } from "./util/numbers.ts";
import { splitArgs } from "./util/split_args.ts";

/** Redis version we present ourselves as (INFO redis_version, HELLO). */
export const REDIS_VERSION = "7.0.15";
/** This project's own version. */
export const SERVER_VERSION = "0.1.0";
export const SERVER_NAME = "redis-server-deno";

type Kind = "bool" | "int" | "memory" | "string" | "enum" | "special";

/** How a value is being set: CONFIG SET, or a config-file / command-line line. */
interface SetContext {
  fromFile: boolean;
  /** The first `save` line of a file replaces the defaults, later ones add to it. */
  saveLoaded: boolean;
}

interface Def {
  name: string;
  kind: Kind;
  /** The default, as CONFIG GET prints it. */
  def: string;
  alias?: string;
  immutable?: boolean;
  /** Needs enable-protected-configs (dir, dbfilename). */
  protected?: boolean;
  /** Only an exact CONFIG GET name shows it, never a pattern. */
  hidden?: boolean;
  /** A secret: CONFIG SET hides its value from SLOWLOG and MONITOR. */
  sensitive?: boolean;
  /** Several arguments (save, bind ...): CONFIG SET splits its value on spaces. */
  multiArg?: boolean;
  /** enum names, in Redis's table order (error texts list them in this order). */
  values?: string[];
  /** enum values when names share one (oom-score-adj yes = relative), or bit flags. */
  enumVals?: number[];
  /** Flag enums (shutdown-on-sig*): several names OR together. */
  bitflags?: boolean;
  min?: bigint;
  max?: bigint;
  /** memory-or-percent (maxmemory-clients): `N%` is stored as -N. */
  percent?: boolean;
  octal?: boolean;
  /** Stored value is clamped into this range after validation (hz). */
  clamp?: [number, number];
  /** Validates special/string values: normalised text, or the error reason. */
  check?: (args: string[], cfg: Config, ctx: SetContext) => string | { error: string };
}

const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const UINT_MAX = 4294967295n;
const LONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;

function b(name: string, def: "yes" | "no", extra: Partial<Def> = {}): Def {
  return { name, kind: "bool", def, ...extra };
}
function i(name: string, def: number, min: bigint, max: bigint, extra: Partial<Def> = {}): Def {
  return { name, kind: "int", def: String(def), min, max, ...extra };
}
function m(name: string, def: number, min = 0n, max = LONG_MAX, extra: Partial<Def> = {}): Def {
  return { name, kind: "memory", def: String(def), min, max, ...extra };
}
function s(name: string, def: string, extra: Partial<Def> = {}): Def {
  return { name, kind: "string", def, ...extra };
}
function e(name: string, def: string, values: string[], extra: Partial<Def> = {}): Def {
  return { name, kind: "enum", def, values, ...extra };
}
function sp(
  name: string,
  def: string,
  check: Def["check"],
  extra: Partial<Def> = {},
): Def {
  return { name, kind: "special", def, check, ...extra };
}

const IMM = { immutable: true };
const HIDDEN = { hidden: true };
const LOGLEVELS = ["debug", "verbose", "notice", "warning"];
const POLICIES = [
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "noeviction",
];
const PROTECTED_ACTION = ["no", "yes", "local"];
const SHUTDOWN = {
  values: ["default", "save", "nosave", "now", "force"],
  enumVals: [0, 1, 2, 4, 8],
  bitflags: true,
  multiArg: true,
};
const SYSLOG_FACILITIES = [
  "user",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
];

// Redis 7.0's standardConfig table (config.c), with compiled-in defaults. One deliberate
// difference: `bind` defaults to loopback (redis.conf's shipped value) rather than every
// interface: listening on every interface must be an explicit choice (protected mode then
// still refuses non-loopback clients while the default user has no password).
const DEFS: Def[] = [
  // network
  sp("bind", "127.0.0.1 -::1", checkBind, { multiArg: true }),
  s("bind-source-addr", ""),
  i("port", 6379, 0n, 65535n),
  i("tcp-backlog", 511, 0n, INT_MAX, IMM),
  i("timeout", 0, 0n, INT_MAX),
  i("tcp-keepalive", 300, 0n, INT_MAX),
  b("protected-mode", "yes"),
  s("unixsocket", "", IMM),
  i("unixsocketperm", 0, 0n, 0o777n, { ...IMM, octal: true }),
  i("socket-mark-id", 0, 0n, UINT_MAX, IMM),
  i("maxclients", 10000, 1n, UINT_MAX),
  // general
  b("daemonize", "no", IMM),
  e("supervised", "no", ["upstart", "systemd", "auto", "no"], IMM),
  s("pidfile", "", IMM),
  e("loglevel", "notice", LOGLEVELS),
  s("logfile", "", IMM),
  b("syslog-enabled", "no", IMM),
  s("syslog-ident", "redis", IMM),
  e("syslog-facility", "local0", SYSLOG_FACILITIES, IMM),
  i("databases", 16, 1n, INT_MAX, IMM),
  b("always-show-logo", "no", IMM),
  b("set-proc-title", "yes", IMM),
  s("proc-title-template", "{title} {listen-addr} {server-mode}", { check: checkProcTitle }),
  sp("dir", "", checkDir, { protected: true }),
  // Redis clamps the stored hz to 1..500 (CONFIG_MIN_HZ, CONFIG_MAX_HZ).
  i("hz", 10, 0n, INT_MAX, { clamp: [1, 500] }),
  b("dynamic-hz", "yes"),
  b("crash-log-enabled", "yes"),
  b("crash-memcheck-enabled", "yes"),
  b("use-exit-on-panic", "no", HIDDEN),
  b("disable-thp", "yes", IMM),
  e("enable-protected-configs", "no", PROTECTED_ACTION, IMM),
  e("enable-debug-command", "no", PROTECTED_ACTION, IMM),
  e("enable-module-command", "no", PROTECTED_ACTION, IMM),
  s("ignore-warnings", ""),
  i("watchdog-period", 0, 0n, INT_MAX, HIDDEN),
  s("server_cpulist", "", IMM),
  s("bio_cpulist", "", IMM),
  s("aof_rewrite_cpulist", "", IMM),
  s("bgsave_cpulist", "", IMM),
  // snapshotting
  sp("save", "3600 1 300 100 60 10000", checkSave, { multiArg: true }),
  b("stop-writes-on-bgsave-error", "yes"),
  b("rdbcompression", "yes"),
  b("rdbchecksum", "yes", IMM),
  s("dbfilename", "dump.rdb", { protected: true, check: fileNameCheck("dbfilename") }),
  b("rdb-del-sync-files", "no"),
  b("rdb-save-incremental-fsync", "yes"),
  i("rdb-key-save-delay", 0, INT_MIN, INT_MAX, HIDDEN),
  i("key-load-delay", 0, INT_MIN, INT_MAX, HIDDEN),
  i("loading-process-events-interval-bytes", 2 * 1024 * 1024, 1024n, INT_MAX, HIDDEN),
  e("sanitize-dump-payload", "no", ["no", "yes", "clients"]),
  // replication
  sp("replicaof", "", checkReplicaof, { alias: "slaveof", multiArg: true, immutable: true }),
  s("masterauth", "", { sensitive: true }),
  s("masteruser", "", { sensitive: true }),
  b("replica-serve-stale-data", "yes", { alias: "slave-serve-stale-data" }),
  b("replica-read-only", "yes", { alias: "slave-read-only" }),
  b("repl-diskless-sync", "yes"),
  i("repl-diskless-sync-delay", 5, 0n, INT_MAX),
  i("repl-diskless-sync-max-replicas", 0, 0n, INT_MAX),
  e("repl-diskless-load", "disabled", ["disabled", "on-empty-db", "swapdb"]),
  i("repl-ping-replica-period", 10, 1n, INT_MAX, { alias: "repl-ping-slave-period" }),
  i("repl-timeout", 60, 1n, INT_MAX),
  b("repl-disable-tcp-nodelay", "no"),
  m("repl-backlog-size", 1024 * 1024, 1n),
  i("repl-backlog-ttl", 3600, 0n, LONG_MAX),
  i("replica-priority", 100, 0n, INT_MAX, { alias: "slave-priority" }),
  b("replica-announced", "yes"),
  i("min-replicas-to-write", 0, 0n, INT_MAX, { alias: "min-slaves-to-write" }),
  i("min-replicas-max-lag", 10, 0n, INT_MAX, { alias: "min-slaves-max-lag" }),
  s("replica-announce-ip", "", { alias: "slave-announce-ip" }),
  i("replica-announce-port", 0, 0n, 65535n, { alias: "slave-announce-port" }),
  b("replica-ignore-maxmemory", "yes", { alias: "slave-ignore-maxmemory" }),
  b("replica-lazy-flush", "no", { alias: "slave-lazy-flush" }),
  b("replica-ignore-disk-write-errors", "no"),
  e("propagation-error-behavior", "ignore", ["ignore", "panic", "panic-on-replicas"]),
  // security
  s("requirepass", "", { sensitive: true }),
  s("aclfile", "", IMM),
  i("acllog-max-len", 128, 0n, LONG_MAX),
  e("acl-pubsub-default", "resetchannels", ["allchannels", "resetchannels"]),
  // clients / memory
  m("maxmemory", 0, 0n, ULLONG_MAX),
  e("maxmemory-policy", "noeviction", POLICIES),
  i("maxmemory-samples", 5, 1n, INT_MAX),
  i("maxmemory-eviction-tenacity", 10, 0n, 100n),
  i("lfu-log-factor", 10, 0n, INT_MAX),
  i("lfu-decay-time", 1, 0n, INT_MAX),
  m("maxmemory-clients", 0, -100n, LONG_MAX, { percent: true }),
  b("lazyfree-lazy-eviction", "no"),
  b("lazyfree-lazy-expire", "no"),
  b("lazyfree-lazy-server-del", "no"),
  b("lazyfree-lazy-user-del", "no"),
  b("lazyfree-lazy-user-flush", "no"),
  b("activedefrag", "no"),
  m("active-defrag-ignore-bytes", 100 * 1024 * 1024, 1n),
  i("active-defrag-threshold-lower", 10, 0n, 1000n),
  i("active-defrag-threshold-upper", 100, 0n, 1000n),
  i("active-defrag-cycle-min", 1, 1n, 99n),
  i("active-defrag-cycle-max", 25, 1n, 99n),
  i("active-defrag-max-scan-fields", 1000, 1n, LONG_MAX),
  i("active-expire-effort", 1, 1n, 10n),
  i("io-threads", 1, 1n, 128n, IMM),
  b("io-threads-do-reads", "no", IMM),
  b("jemalloc-bg-thread", "yes"),
  e("oom-score-adj", "no", ["no", "yes", "relative", "absolute"], { enumVals: [0, 1, 1, 2] }),
  sp("oom-score-adj-values", "0 200 800", checkOomValues, { multiArg: true }),
  // persistence: aof
  b("appendonly", "no"),
  s("appendfilename", "appendonly.aof", { ...IMM, check: fileNameCheck("appendfilename") }),
  s("appenddirname", "appendonlydir", { ...IMM, check: dirNameCheck }),
  e("appendfsync", "everysec", ["everysec", "always", "no"]),
  b("no-appendfsync-on-rewrite", "no"),
  i("auto-aof-rewrite-percentage", 100, 0n, INT_MAX),
  m("auto-aof-rewrite-min-size", 64 * 1024 * 1024),
  b("aof-load-truncated", "yes"),
  b("aof-use-rdb-preamble", "yes"),
  b("aof-timestamp-enabled", "no"),
  b("aof-rewrite-incremental-fsync", "yes"),
  b("aof-disable-auto-gc", "no"),
  // scripting / shutdown
  i("busy-reply-threshold", 5000, 0n, LONG_MAX, { alias: "lua-time-limit" }),
  i("shutdown-timeout", 10, 0n, INT_MAX),
  e("shutdown-on-sigint", "default", SHUTDOWN.values, SHUTDOWN),
  e("shutdown-on-sigterm", "default", SHUTDOWN.values, SHUTDOWN),
  // cluster (accepted, cluster mode is not implemented)
  b("cluster-enabled", "no", IMM),
  s("cluster-config-file", "nodes.conf", IMM),
  i("cluster-port", 0, 0n, 65535n, IMM),
  i("cluster-node-timeout", 15000, 0n, LONG_MAX),
  i("cluster-migration-barrier", 1, 0n, INT_MAX),
  i("cluster-replica-validity-factor", 10, 0n, INT_MAX, {
    alias: "cluster-slave-validity-factor",
  }),
  b("cluster-replica-no-failover", "no", { alias: "cluster-slave-no-failover" }),
  b("cluster-require-full-coverage", "yes"),
  b("cluster-allow-reads-when-down", "no"),
  b("cluster-allow-pubsubshard-when-down", "yes"),
  b("cluster-allow-replica-migration", "yes"),
  s("cluster-announce-ip", ""),
  s("cluster-announce-hostname", ""),
  i("cluster-announce-port", 0, 0n, 65535n),
  i("cluster-announce-bus-port", 0, 0n, 65535n),
  i("cluster-announce-tls-port", 0, 0n, 65535n),
  e("cluster-preferred-endpoint-type", "ip", ["ip", "hostname", "unknown-endpoint"]),
  m("cluster-link-sendbuf-limit", 0, 0n, ULLONG_MAX),
  // slow log / latency
  i("slowlog-log-slower-than", 10000, -1n, LONG_MAX),
  i("slowlog-max-len", 128, 0n, LONG_MAX),
  i("latency-monitor-threshold", 0, 0n, LONG_MAX),
  b("latency-tracking", "yes"),
  sp("latency-tracking-info-percentiles", "50 99 99.9", checkPercentiles, { multiArg: true }),
  // notifications
  sp("notify-keyspace-events", "", checkNotify),
  // encodings
  i("hash-max-listpack-entries", 512, 0n, LONG_MAX, { alias: "hash-max-ziplist-entries" }),
  m("hash-max-listpack-value", 64, 0n, LONG_MAX, { alias: "hash-max-ziplist-value" }),
  i("list-max-listpack-size", -2, INT_MIN, INT_MAX, { alias: "list-max-ziplist-size" }),
  i("list-compress-depth", 0, 0n, INT_MAX),
  i("set-max-intset-entries", 512, 0n, LONG_MAX),
  i("zset-max-listpack-entries", 128, 0n, LONG_MAX, { alias: "zset-max-ziplist-entries" }),
  m("zset-max-listpack-value", 64, 0n, LONG_MAX, { alias: "zset-max-ziplist-value" }),
  m("hll-sparse-max-bytes", 3000),
  m("stream-node-max-bytes", 4096),
  i("stream-node-max-entries", 100, 0n, LONG_MAX),
  b("activerehashing", "yes"),
  // limits
  sp(
    "client-output-buffer-limit",
    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    checkCobl,
    { multiArg: true },
  ),
  m("client-query-buffer-limit", 1024 * 1024 * 1024, 1024n * 1024n),
  m("proto-max-bulk-len", 512 * 1024 * 1024, 1024n * 1024n),
  i("tracking-table-max-keys", 1000000, 0n, LONG_MAX),
  // tls
  i("tls-port", 0, 0n, 65535n),
  s("tls-cert-file", ""),
  s("tls-key-file", ""),
  s("tls-key-file-pass", "", { sensitive: true }),
  s("tls-client-cert-file", ""),
  s("tls-client-key-file", ""),
  s("tls-client-key-file-pass", "", { sensitive: true }),
  s("tls-dh-params-file", ""),
  s("tls-ca-cert-file", ""),
  s("tls-ca-cert-dir", ""),
  s("tls-protocols", ""),
  s("tls-ciphers", ""),
  s("tls-ciphersuites", ""),
  b("tls-prefer-server-ciphers", "no"),
  b("tls-session-caching", "yes"),
  i("tls-session-cache-size", 20480, 0n, INT_MAX),
  i("tls-session-cache-timeout", 300, 0n, INT_MAX),
  e("tls-auth-clients", "yes", ["no", "yes", "optional"]),
  b("tls-replication", "no"),
  b("tls-cluster", "no"),
];

/** Directives Redis 7.0 still accepts in a config file, with a warning, and ignores. */
const DEPRECATED = ["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"];

const BY_NAME = new Map<string, Def>();
for (const d of DEFS) {
  BY_NAME.set(d.name, d);
  if (d.alias) BY_NAME.set(d.alias, d);
}

/** Outcome of parsing the command line. */
export type ParsedArgs =
  | { kind: "run"; config: Config }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "error"; message: string };

/** A config error; `message` is the reason text Redis prints after "- " or on its own line. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** What CONFIG SET needs to know about a directive before setting it. */
export interface DirectiveInfo {
  /** The registered name the lookup hit: the alias itself when given an alias. */
  name: string;
  canonical: string;
  immutable: boolean;
  protected: boolean;
  sensitive: boolean;
}

/** What the ACL subsystem says about a `user` config line: its merged rules, or an error. */
export type UserLineCheck = { rules: string[] } | { arg: string; message: string };

// Installed by src/acl/acl.ts (ACLAppendUserForLoading needs the command table, which this
// module cannot import without a cycle); without it `user` lines are kept unchecked.
let userLineValidator: ((argv: string[]) => UserLineCheck) | null = null;

/** Installs the checker of `user` config lines (called once by the ACL module). */
export function setUserLineValidator(fn: (argv: string[]) => UserLineCheck): void {
  userLineValidator = fn;
}

/** All directives with current values. */
export class Config {
  #text = new Map<string, string>();
  #num = new Map<string, number>();
  /** Absolute path of the config file given at start ("" if none), for CONFIG REWRITE. */
  file = "";
  /** Called after a successful set (server applies side effects). */
  onChange: ((name: string, value: string) => void) | null = null;
  /** Warnings produced while loading (deprecated directives), for the log. */
  readonly warnings: string[] = [];
  /** `user` lines of the config file: the username then its rules, loaded by the ACL module. */
  readonly userLines: string[][] = [];
  /** Lines of other subsystems CONFIG REWRITE writes (the ACL's `user` lines). */
  rewriteExtras: (() => [string, string[]][]) | null = null;

  constructor() {
    for (const d of DEFS) this.#store(d, d.def);
  }

  /** Every canonical directive name. */
  static names(): string[] {
    return DEFS.map((d) => d.name);
  }

  /** Whether `name` (or an alias) is a known directive. */
  static has(name: string): boolean {
    return BY_NAME.has(name.toLowerCase());
  }

  /** The textual value as CONFIG GET shows it. */
  get(name: string): string {
    const d = BY_NAME.get(name) ?? BY_NAME.get(name.toLowerCase())!;
    if (d.name === "dir") return currentDir();
    return this.#text.get(d.name)!;
  }

  /** The numeric value of an int/memory directive (percent values are negative). */
  num(name: string): number {
    return this.#num.get((BY_NAME.get(name) ?? BY_NAME.get(name.toLowerCase())!).name)!;
  }

  /** The value of a yes/no directive. */
  bool(name: string): boolean {
    return this.#num.get((BY_NAME.get(name) ?? BY_NAME.get(name.toLowerCase())!).name) === 1;
  }

  /**
   * CONFIG GET: for each pattern, an exact name (no glob characters) is looked up, hidden ones
   * and aliases included, and reported as typed; a glob matches every non-hidden registered
   * name (aliases too), case-insensitively. A name already reported is not repeated.
   */
  match(...patterns: string[]): [string, string][] {
    const out: [string, string][] = [];
    const seen = new Set<string>();
    for (const p of patterns) {
      if (!/[[*?]/.test(p)) {
        const d = BY_NAME.get(p.toLowerCase());
        if (d === undefined || seen.has(p.toLowerCase())) continue;
        seen.add(p.toLowerCase());
        out.push([p, this.get(d.name)]);
        continue;
      }
      for (const d of DEFS) {
        if (d.hidden) continue;
        for (const name of d.alias ? [d.name, d.alias] : [d.name]) {
          if (seen.has(name) || !globMatch(p, name, true)) continue;
          seen.add(name);
          out.push([name, this.get(d.name)]);
        }
      }
    }
    return out;
  }

  /** Facts about a directive, or undefined when unknown. */
  lookup(name: string): DirectiveInfo | undefined {
    const lower = name.toLowerCase();
    const d = BY_NAME.get(lower);
    if (d === undefined) return undefined;
    return {
      name: d.alias === lower ? d.alias : d.name,
      canonical: d.name,
      immutable: d.immutable === true,
      protected: d.protected === true,
      sensitive: d.sensitive === true,
    };
  }

  /**
   * Validates and stores a value the way CONFIG SET does (a multi-argument directive's value
   * is split on spaces); `allowImmutable` is for callers other than CONFIG SET.
   * @throws ConfigError with the reason text Redis uses after "- "
   */
  set(name: string, value: string, allowImmutable = false): void {
    const d = BY_NAME.get(name.toLowerCase());
    if (!d) throw new ConfigError("Bad directive or wrong number of arguments");
    if (d.immutable && !allowImmutable) throw new ConfigError("can't set immutable config");
    const args = d.multiArg ? (value === "" ? [] : value.split(" ")) : [value];
    this.#apply(d, args, { fromFile: false, saveLoaded: true });
  }

  /** Sets from a config-file line's arguments (after the directive name). */
  setArgs(name: string, args: string[], ctx: SetContext): void {
    const d = BY_NAME.get(name.toLowerCase())!;
    if (!d.multiArg && args.length !== 1) throw new ConfigError("wrong number of arguments");
    // A multi-argument directive given as one quoted argument is split again, so that
    // `--replicaof "host port"` works like `--replicaof host port` (but `save ""` stays empty).
    let list = args;
    if (d.multiArg && args.length === 1 && args[0] !== "") list = splitArgs(args[0]) ?? [];
    this.#apply(d, list, ctx);
  }

  /** Checks a value without storing it. */
  validate(name: string, value: string, allowImmutable = false): void {
    const d = BY_NAME.get(name.toLowerCase());
    if (!d) throw new ConfigError("Bad directive or wrong number of arguments");
    if (d.immutable && !allowImmutable) throw new ConfigError("can't set immutable config");
    if (d.name === "dir") return; // validating dir means changing directory; set() does it
    const args = d.multiArg ? (value === "" ? [] : value.split(" ")) : [value];
    this.#parse(d, args, { fromFile: false, saveLoaded: true });
  }

  /** The canonical name of a directive or alias. */
  canonical(name: string): string | undefined {
    return BY_NAME.get(name.toLowerCase())?.name;
  }

  #apply(d: Def, args: string[], ctx: SetContext): void {
    const norm = this.#parse(d, args, ctx);
    this.#store(d, norm);
    this.onChange?.(d.name, norm);
  }

  #parse(d: Def, args: string[], ctx: SetContext): string {
    const value = args[0];
    switch (d.kind) {
      case "bool": {
        const v = value.toLowerCase();
        if (v !== "yes" && v !== "no") throw new ConfigError("argument must be 'yes' or 'no'");
        return v;
      }
      case "int":
        return parseIntValue(d, value);
      case "memory":
        return parseMemoryValue(d, value);
      case "enum":
        return parseEnum(d, args);
      case "string":
      case "special": {
        if (d.check) {
          const r = d.check(args, this, ctx);
          if (typeof r !== "string") throw new ConfigError(r.error);
          return r;
        }
        return value;
      }
    }
  }

  #store(d: Def, v: string): void {
    this.#text.set(d.name, v);
    if (d.kind === "bool") this.#num.set(d.name, v === "yes" ? 1 : 0);
    else if (d.kind === "int") this.#num.set(d.name, d.octal ? parseInt(v, 8) : Number(v));
    else if (d.kind === "memory") {
      this.#num.set(d.name, v.endsWith("%") ? -Number(v.slice(0, -1)) : Number(v));
    }
  }

  /** Directives whose value differs from the default, canonical names. */
  changed(): [string, string][] {
    const out: [string, string][] = [];
    for (const d of DEFS) {
      const v = this.get(d.name);
      if (v !== d.def) out.push([d.name, v]);
    }
    return out;
  }

  /**
   * CONFIG REWRITE's new file content from the old one (config.c rewriteConfig): comments and
   * lines Redis would keep stay; each known directive's lines are replaced in place by its
   * current value; directives not in the file are appended under "# Generated by CONFIG
   * REWRITE" when they differ from the default; surplus old lines are blanked and runs of
   * blank lines collapse to one. `extraLines` are forced lines of other subsystems
   * (`user ...`), keyed by directive; by default those `rewriteExtras` gives.
   */
  rewrite(old: string, extraLines: [string, string[]][] = this.rewriteExtras?.() ?? []): string {
    const lines: string[] = [];
    const optionLines = new Map<string, number[]>();
    let needsSignature = true;
    const oldLines = old === "" ? [] : old.split("\n");
    for (const raw of oldLines) {
      const line = trimLine(raw);
      if (line === "" || line[0] === "#") {
        if (line === SIGNATURE) needsSignature = false;
        lines.push(line);
        continue;
      }
      const argv = splitArgs(line);
      const first = argv?.[0]?.toLowerCase();
      if (
        argv === null || argv.length === 0 ||
        (!BY_NAME.has(first!) && !FILE_ONLY_DIRECTIVES.includes(first!))
      ) {
        lines.push("# ??? " + line);
        continue;
      }
      lines.push(line);
      const option = BY_NAME.get(first!)?.name ?? first!;
      const list = optionLines.get(option);
      if (list === undefined) optionLines.set(option, [lines.length - 1]);
      else list.push(lines.length - 1);
    }
    const rewritten = new Set<string>();
    const put = (option: string, line: string, force: boolean) => {
      rewritten.add(option);
      const list = optionLines.get(option);
      if (list === undefined || list.length === 0) {
        if (!force) return;
        if (needsSignature) {
          lines.push(SIGNATURE);
          needsSignature = false;
        }
        lines.push(line);
        return;
      }
      lines[list.shift()!] = line;
    };
    for (const d of DEFS) {
      for (const [line, force] of this.#rewriteLines(d)) put(d.name, line, force);
      rewritten.add(d.name);
    }
    for (const [option, extra] of extraLines) {
      for (const line of extra) put(option, line, true);
      rewritten.add(option);
    }
    // Lines of rewritten options that are no longer needed are blanked.
    for (const [option, list] of optionLines) {
      if (!rewritten.has(option)) continue;
      for (const n of list) lines[n] = "";
    }
    let out = "";
    let wasEmpty = false;
    for (const line of lines) {
      if (line === "") {
        if (wasEmpty) continue;
        wasEmpty = true;
      } else {
        wasEmpty = false;
      }
      out += line + "\n";
    }
    return out;
  }

  // The lines CONFIG REWRITE writes for one directive, each with its `force` flag.
  #rewriteLines(d: Def): [string, boolean][] {
    const v = this.get(d.name);
    const changed = v !== d.def;
    switch (d.kind) {
      case "bool":
      case "enum":
        return [[`${d.name} ${v}`, changed]];
      case "int":
        return [[`${d.name} ${v}`, changed]];
      case "memory":
        return [[`${d.name} ${v.endsWith("%") ? v : formatMemory(BigInt(v))}`, changed]];
      case "string":
        return [[`${d.name} ${repr(v)}`, changed]];
      case "special":
        break;
    }
    switch (d.name) {
      case "dir":
        return [[`dir ${repr(v)}`, true]];
      case "save": {
        if (v === "") return [[`save ""`, changed]];
        const p = v.split(" ");
        const out: [string, boolean][] = [];
        for (let k = 0; k < p.length; k += 2) out.push([`save ${p[k]} ${p[k + 1]}`, changed]);
        return out;
      }
      case "bind":
        return [[`bind ${v === "" ? '""' : v}`, changed]];
      case "replicaof":
        return v === "" ? [] : [[`replicaof ${v}`, true]];
      case "notify-keyspace-events":
        return [[`notify-keyspace-events ${repr(v)}`, v !== ""]];
      case "client-output-buffer-limit": {
        const p = v.split(" ");
        const q = d.def.split(" ");
        const out: [string, boolean][] = [];
        for (let k = 0; k < p.length; k += 4) {
          const force = p[k + 1] !== q[k + 1] || p[k + 2] !== q[k + 2] || p[k + 3] !== q[k + 3];
          const cls = p[k] === "slave" ? "replica" : p[k];
          out.push([
            `${d.name} ${cls} ${formatMemory(BigInt(p[k + 1]))} ${formatMemory(BigInt(p[k + 2]))} ${
              p[k + 3]
            }`,
            force,
          ]);
        }
        return out;
      }
      case "latency-tracking-info-percentiles":
        // Redis 7.0 always writes this one, even at its default.
        return [[`${d.name} ${v === "" ? '""' : v}`, true]];
      default:
        return [[`${d.name} ${v}`, changed]];
    }
  }
}

const SIGNATURE = "# Generated by CONFIG REWRITE";
/** Config-file directives that are not settings (kept by CONFIG REWRITE). */
const FILE_ONLY_DIRECTIVES = ["include", "rename-command", "user", "loadmodule", "sentinel"];

// sdstrim(line, " \t\r\n")
function trimLine(s: string): string {
  let a = 0;
  let z = s.length;
  const ws = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";
  while (a < z && ws(s[a])) a++;
  while (z > a && ws(s[z - 1])) z--;
  return s.slice(a, z);
}

function currentDir(): string {
  try {
    return Deno.cwd();
  } catch {
    return "";
  }
}

/** rewriteConfigFormatMemory: 1gb, 64mb, 4kb, or plain bytes. */
export function formatMemory(bytes: bigint): string {
  const gb = 1024n * 1024n * 1024n;
  const mb = 1024n * 1024n;
  const kb = 1024n;
  if (bytes !== 0n && bytes % gb === 0n) return `${bytes / gb}gb`;
  if (bytes !== 0n && bytes % mb === 0n) return `${bytes / mb}mb`;
  if (bytes !== 0n && bytes % kb === 0n) return `${bytes / kb}kb`;
  return String(bytes);
}

/** sdscatrepr: a double-quoted string with C escapes, as CONFIG REWRITE and the fatal error print. */
export function repr(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 92) out += "\\\\";
    else if (c === 34) out += '\\"';
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else if (c === 7) out += "\\a";
    else if (c === 8) out += "\\b";
    else if (c < 32 || c > 126) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += s[k];
  }
  return out + '"';
}

function boundsError(d: Def): ConfigError {
  if (d.octal) {
    return new ConfigError(
      `argument must be between ${d.min!.toString(8)} and ${d.max!.toString(8)} inclusive`,
    );
  }
  return new ConfigError(`argument must be between ${d.min} and ${d.max} inclusive`);
}

function parseIntValue(d: Def, value: string): string {
  let v: bigint;
  if (d.octal) {
    // strtoll(value, &end, 8) with nothing left over.
    const r = /^[ \t\n\v\f\r]*([+-]?)([0-7]*)$/.exec(value);
    if (!r) throw new ConfigError("argument couldn't be parsed as an octal number");
    v = BigInt("0o" + (r[2] || "0"));
    if (r[1] === "-") v = -v;
    if (v < d.min! || v > d.max!) throw boundsError(d);
    return v.toString(8);
  }
  const p = parseI64(value);
  if (p === null) throw new ConfigError("argument couldn't be parsed into an integer");
  v = BigInt(p);
  if (v < d.min! || v > d.max!) throw boundsError(d);
  if (d.clamp) return String(Math.min(Math.max(Number(v), d.clamp[0]), d.clamp[1]));
  return String(v);
}

/**
 * Redis memtoull: digits with an optional unit (b, k=1000, kb=1024, m, mb, g, gb; any case).
 * @returns the byte count, or null when it is not a memory value
 */
export function parseMemoryBig(s: string): bigint | null {
  const r = /^(\d*)(.*)$/.exec(s)!;
  const unit = r[2].toLowerCase();
  const mul = unit === "" || unit === "b"
    ? 1n
    : unit === "k"
    ? 1000n
    : unit === "kb"
    ? 1024n
    : unit === "m"
    ? 1000n * 1000n
    : unit === "mb"
    ? 1024n * 1024n
    : unit === "g"
    ? 1000n * 1000n * 1000n
    : unit === "gb"
    ? 1024n * 1024n * 1024n
    : 0n;
  if (mul === 0n || r[1].length >= 128) return null;
  // strtoull saturates on overflow, and an empty digit string reads as 0.
  let v = r[1] === "" ? 0n : BigInt(r[1]);
  if (v > ULLONG_MAX) v = ULLONG_MAX;
  if (v > ULLONG_MAX / mul) return null;
  return v * mul;
}

/** Memory value as a JS number (see parseMemoryBig), or null. */
export function parseMemory(s: string): number | null {
  const v = parseMemoryBig(s);
  return v === null ? null : Number(v);
}

function parseMemoryValue(d: Def, value: string): string {
  let v = parseMemoryBig(value);
  if (v === null && d.percent && value.length > 1 && value.endsWith("%")) {
    const p = parseI64(value.slice(0, -1));
    if (p !== null && p >= 0) {
      if (BigInt(p) > -d.min!) {
        throw new ConfigError(`percentage argument must be less or equal to ${-d.min!}`);
      }
      return `${p}%`;
    }
  }
  if (v === null) {
    throw new ConfigError(
      d.percent ? "argument must be a memory or percent value" : "argument must be a memory value",
    );
  }
  // A signed (ssize_t) directive reads values above 2^63 as negative, i.e. as a percentage.
  if (d.percent && v > LONG_MAX) {
    v -= ULLONG_MAX + 1n;
    if (v < d.min!) {
      throw new ConfigError(`percentage argument must be less or equal to ${-d.min!}`);
    }
    return `${-v}%`;
  }
  if (v < (d.min! < 0n ? 0n : d.min!) || v > d.max!) throw boundsError(d);
  return String(v);
}

function parseEnum(d: Def, args: string[]): string {
  const values = d.values!;
  const vals = d.enumVals ?? values.map((_, k) => k);
  let acc = 0;
  let ok = args.length > 0 && (d.bitflags || args.length === 1);
  for (const a of ok ? args : []) {
    const k = values.indexOf(a.toLowerCase());
    if (k < 0) {
      ok = false;
      break;
    }
    acc |= vals[k];
  }
  if (!ok) {
    throw new ConfigError(`argument(s) must be one of the following: ${values.join(", ")}`);
  }
  if (d.bitflags && (acc & 1) && (acc & 2)) {
    throw new ConfigError("shutdown options SAVE and NOSAVE can't be used simultaneously");
  }
  return enumName(d, acc);
}

// configEnumGetName: the first name with exactly this value, else the flag names it is made of.
function enumName(d: Def, val: number): string {
  const values = d.values!;
  const vals = d.enumVals ?? values.map((_, k) => k);
  const names: string[] = [];
  let unmatched = val;
  for (let k = 0; k < values.length; k++) {
    if (vals[k] === val) return values[k];
    if (d.bitflags && vals[k] !== 0 && (unmatched & vals[k]) === vals[k]) {
      names.push(values[k]);
      unmatched &= ~vals[k];
    }
  }
  return names.length === 0 || unmatched !== 0 ? "unknown" : names.join(" ");
}

function checkBind(args: string[]): string | { error: string } {
  if (args.length > 16) return { error: "Too many bind addresses specified." };
  if (args.length === 1 && args[0] === "") return "";
  return args.join(" ");
}

function checkDir(args: string[]): string | { error: string } {
  try {
    Deno.chdir(args[0]);
    return currentDir();
  } catch (err) {
    return { error: strerror(err) };
  }
}

function fileNameCheck(name: string): Def["check"] {
  return (args) => {
    if (args[0].includes("/")) return { error: `${name} can't be a path, just a filename` };
    return args[0];
  };
}

function dirNameCheck(args: string[]): string | { error: string } {
  if (args[0].includes("/")) return { error: "appenddirname can't be a path, just a dirname" };
  return args[0];
}

// validateProcTitleTemplate: only known {variables}, balanced braces, non-empty.
function checkProcTitle(args: string[]): string | { error: string } {
  const v = args[0];
  const known = [
    "{title}",
    "{listen-addr}",
    "{server-mode}",
    "{port}",
    "{tls-port}",
    "{unixsocket}",
    "{config-file}",
  ];
  let rest = v;
  for (const k of known) rest = rest.split(k).join("");
  if (v.trim() === "" || rest.includes("{") || rest.includes("}")) {
    return { error: "template format is invalid or contains unknown variables" };
  }
  return v;
}

function checkSave(args: string[], cfg: Config, ctx: SetContext): string | { error: string } {
  let list = args;
  if (list.length === 1 && list[0] === "") list = [];
  if (list.length % 2 !== 0) return { error: "Invalid save parameters" };
  const nums: bigint[] = [];
  for (let k = 0; k < list.length; k++) {
    // strtoll with nothing left over: seconds >= 1, changes >= 0.
    if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(list[k])) return { error: "Invalid save parameters" };
    const v = BigInt(list[k].trim());
    if ((k % 2 === 0 && v < 1n) || (k % 2 === 1 && v < 0n)) {
      return { error: "Invalid save parameters" };
    }
    nums.push(v);
  }
  // In a file, the first `save` line replaces the defaults and later lines add points.
  let prefix = "";
  if (ctx.fromFile && ctx.saveLoaded && !(args.length === 1 && args[0] === "")) {
    prefix = cfg.get("save");
  }
  ctx.saveLoaded = true;
  const points = nums.map(String).join(" ");
  return prefix === "" ? points : points === "" ? prefix : `${prefix} ${points}`;
}

function checkReplicaof(args: string[]): string | { error: string } {
  if (args.length !== 2) return { error: "wrong number of arguments" };
  if (args[0].toLowerCase() === "no" && args[1].toLowerCase() === "one") return "";
  const r = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(args[1]);
  const port = r ? Number(r[1]) : NaN;
  if (!r || port < 0 || port > 65535) return { error: "Invalid master port" };
  return `${args[0]} ${port}`;
}

function checkOomValues(args: string[]): string | { error: string } {
  if (args.length !== 3) return { error: "wrong number of arguments" };
  const out: number[] = [];
  for (const a of args) {
    const r = /^[ \t\n\v\f\r]*[+-]?\d+$/.test(a) ? Number(a.trim()) : NaN;
    if (Number.isNaN(r) || r < -2000 || r > 2000) {
      return { error: "Invalid oom-score-adj-values, elements must be between -2000 and 2000." };
    }
    out.push(r);
  }
  return out.join(" ");
}

/** Formats a percentile like Redis's "%f" with trailing zeros trimmed (50, 99.9). */
export function formatPercentile(p: number): string {
  let s = p.toFixed(6);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s;
}

/** The numbers of latency-tracking-info-percentiles, or null when invalid. */
export function parsePercentiles(v: string): number[] | null {
  if (v === "") return [];
  const out: number[] = [];
  for (const p of v.split(" ")) {
    const n = parseFloatStrict(p);
    if (n === null || n > 100 || n < 0) return null;
    out.push(n);
  }
  return out;
}

function checkPercentiles(args: string[]): string | { error: string } {
  if (args.length === 0 || (args.length === 1 && args[0] === "")) return "";
  const out: string[] = [];
  for (const a of args) {
    const n = parseFloatStrict(a);
    if (n === null) return { error: "Invalid latency-tracking-info-percentiles parameters" };
    if (n > 100 || n < 0) {
      return {
        error: "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
      };
    }
    out.push(formatPercentile(n));
  }
  return out.join(" ");
}

const NOTIFY_CLASSES = "Ag$lshzxeKEtmdn";

function checkNotify(args: string[]): string | { error: string } {
  for (const c of args[0]) {
    if (!NOTIFY_CLASSES.includes(c)) {
      return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
    }
  }
  return normalizeNotify(args[0]);
}

/** notify-keyspace-events as CONFIG GET prints it (keyspaceEventsFlagsToString). */
export function normalizeNotify(v: string): string {
  const has = (c: string) => v.includes(c);
  const all = "g$lshzxetd";
  let out = "";
  if (has("A") || [...all].every(has)) out += "A";
  else {
    for (const c of all) if (has(c)) out += c;
    if (has("n")) out += "n";
  }
  if (has("K")) out += "K";
  if (has("E")) out += "E";
  if (has("m")) out += "m";
  return out;
}

function checkCobl(args: string[], cfg: Config): string | { error: string } {
  if (args.length === 0 || args.length % 4 !== 0) {
    return { error: "Wrong number of arguments in buffer limit configuration." };
  }
  const cur = cfg.get("client-output-buffer-limit").split(" ");
  const classes: Record<string, string[]> = {
    normal: cur.slice(1, 4),
    slave: cur.slice(5, 8),
    pubsub: cur.slice(9, 12),
  };
  const updates: [string, string[]][] = [];
  for (let k = 0; k < args.length; k += 4) {
    let cls = args[k].toLowerCase();
    if (cls === "replica") cls = "slave";
    if (!(cls in classes)) {
      return { error: "Invalid client class specified in buffer limit configuration." };
    }
    const hard = parseMemoryBig(args[k + 1]);
    const soft = parseMemoryBig(args[k + 2]);
    const r = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(args[k + 3]);
    if (hard === null || soft === null || !r || Number(r[1]) < 0) {
      return {
        error: "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
      };
    }
    updates.push([cls, [String(hard), String(soft), String(Number(r[1]))]]);
  }
  for (const [cls, v] of updates) classes[cls] = v;
  return `normal ${classes.normal.join(" ")} slave ${classes.slave.join(" ")} pubsub ${
    classes.pubsub.join(" ")
  }`;
}

/** strerror-style text for a Deno file-system error. */
export function strerror(err: unknown): string {
  if (err instanceof Deno.errors.NotFound) return "No such file or directory";
  if (err instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (err instanceof Deno.errors.NotADirectory) return "Not a directory";
  if (err instanceof Deno.errors.IsADirectory) return "Is a directory";
  if (err instanceof Deno.errors.AlreadyExists) return "File exists";
  const msg = (err as Error).message ?? String(err);
  const i = msg.indexOf(" (os error");
  return i > 0 ? msg.slice(0, i) : msg;
}

function absolutePath(p: string): string {
  if (p.startsWith("/")) return p;
  const cwd = currentDir();
  return cwd.endsWith("/") ? cwd + p : `${cwd}/${p}`;
}

/**
 * Reads `redis-server [configfile] [--directive value ...]` into a Config.
 * Errors carry the full text Redis prints for a fatal config error (without the final newline).
 */
export function parseArgs(rawArgs: string[]): ParsedArgs {
  const args = rawArgs.map(utf8ToStr);
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) return { kind: "help" };
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
    return { kind: "version" };
  }
  const config = new Config();
  let j = 0;
  let text = "";
  let fromStdin = false;
  if (args.length > 0 && args[0][0] !== "-") {
    config.file = absolutePath(args[0]);
    j = 1;
  }
  // Options become one config line each, appended after the file (server.c main()): a name
  // starts a line, its values follow quoted with sdscatrepr. A bare `--save` or `--save`
  // followed by another option means `save ""`.
  let options = "";
  let lastHasArg = true;
  for (; j < args.length; j++) {
    const a = args[j];
    if (a === "-" && (j === 0 || j === args.length - 1)) {
      fromStdin = true;
    } else if (lastHasArg && a.startsWith("--")) {
      if (options.length > 0) options += "\n";
      options += a.slice(2) + " ";
      const parts = splitArgs(a) ?? [];
      if (parts.length === 1) {
        lastHasArg = false;
        const next = args[j + 1];
        const isSave = a.toLowerCase() === "--save";
        if (isSave && next !== undefined && next.startsWith("--")) {
          options += '""';
          lastHasArg = true;
        } else if (isSave && next === undefined) {
          options += '""';
        }
      } else {
        lastHasArg = true;
      }
    } else {
      options += repr(a) + " ";
      lastHasArg = true;
    }
  }
  if (config.file !== "") {
    try {
      text = bytesToStr(Deno.readFileSync(config.file));
    } catch (err) {
      return {
        kind: "error",
        message: `Fatal error, can't open config file '${strToUtf8(config.file)}': ${
          strerror(err)
        }`,
      };
    }
  }
  if (fromStdin) {
    try {
      text += bytesToStr(readAllStdin());
    } catch {
      // nothing on stdin
    }
  }
  const r = loadConfigText(config, text + "\n" + options, { fromFile: true, saveLoaded: false });
  if (r !== null) return { kind: "error", message: r };
  return { kind: "run", config };
}

function readAllStdin(): Uint8Array {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = Deno.stdin.readSync(buf);
    if (n === null || n === 0) break;
    chunks.push(buf.slice(0, n));
  }
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function fatal(lineNo: number, line: string, reason: string): string {
  return `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nReading the configuration file, at line ${lineNo}\n>>> '${
    strToUtf8(line)
  }'\n${reason}`;
}

/**
 * Applies config text (loadServerConfigFromString): one directive per line, `include` files
 * read recursively (glob patterns allowed in the file name).
 * @returns null on success, else the fatal error text
 */
export function loadConfigText(config: Config, text: string, ctx: SetContext): string | null {
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = trimLine(lines[n]);
    if (line === "" || line[0] === "#") continue;
    const argv = splitArgs(line);
    if (argv === null) return fatal(n + 1, line, "Unbalanced quotes in configuration line");
    if (argv.length === 0) continue;
    const name = argv[0].toLowerCase();
    if (Config.has(name)) {
      try {
        config.setArgs(name, argv.slice(1), ctx);
      } catch (err) {
        return fatal(n + 1, line, (err as Error).message);
      }
      continue;
    }
    if (DEPRECATED.includes(name)) {
      config.warnings.push(`Configuration option '${argv[0]}' is deprecated and will be ignored`);
      continue;
    }
    if (name === "user" && argv.length >= 2) {
      // ACLAppendUserForLoading: checked now, loaded once the server (and its commands) exist.
      if (config.userLines.some((u) => u[0] === argv[1])) {
        return fatal(
          n + 1,
          line,
          `Error in user declaration '${
            argv[1]
          }': Duplicate user found. A user can only be defined once in config files`,
        );
      }
      const r = userLineValidator?.(argv) ?? { rules: argv.slice(2) };
      if ("message" in r) {
        return fatal(n + 1, line, `Error in user declaration '${r.arg}': ${r.message}`);
      }
      config.userLines.push([argv[1], ...r.rules]);
      continue;
    }
    if (name === "include" && argv.length === 2) {
      const files = includeFiles(argv[1]);
      if (typeof files === "string") return files;
      for (const f of files) {
        let inc: string;
        try {
          inc = bytesToStr(Deno.readFileSync(f));
        } catch (err) {
          return `Fatal error, can't open config file '${strToUtf8(f)}': ${strerror(err)}`;
        }
        const r = loadConfigText(config, inc, ctx);
        if (r !== null) return r;
      }
      continue;
    }
    return fatal(n + 1, line, "Bad directive or wrong number of arguments");
  }
  return null;
}

// An include pattern with glob characters expands to the sorted matching files of its
// directory (no match: nothing); a plain name is returned as is.
function includeFiles(pattern: string): string[] | string {
  if (!/[*?[]/.test(pattern)) return [pattern];
  const slash = pattern.lastIndexOf("/");
  const dir = slash < 0 ? "." : pattern.slice(0, slash) || "/";
  const base = pattern.slice(slash + 1);
  const out: string[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (!globMatch(base, entry.name)) continue;
      out.push(slash < 0 ? entry.name : dir === "/" ? `/${entry.name}` : `${dir}/${entry.name}`);
    }
  } catch {
    return [];
  }
  return out.sort();
}
