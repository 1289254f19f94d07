// Configuration with Redis's directive names, value syntax and error texts. `parseArgs` reads
// `redis-server [file] [--name value ...]`: the file first, the command line overriding it.
// `Config` holds the textual value (as CONFIG GET shows it) plus a parsed copy for fast
// typed reads; CONFIG SET goes through the same validation. Directives that only make sense
// inside C Redis (jemalloc, io-threads ...) are accepted and reported but have no effect; the
// README lists which ones act.

import { splitArgs } from "./util/split_args.ts";
import { globMatch } from "./util/glob.ts";

/** Redis version we present ourselves as (INFO redis_version, HELLO). */
export const REDIS_VERSION = "7.0.15";
/** This project's own version. */
export const SERVER_VERSION = "0.1.0";
export const SERVER_NAME = "redis-server-deno";

type Kind = "bool" | "int" | "memory" | "string" | "enum" | "special";

interface Def {
  name: string;
  kind: Kind;
  def: string;
  alias?: string;
  immutable?: boolean;
  values?: string[]; // enum values
  min?: number;
  max?: number;
  /** Special kinds: normalise text or return an error message. */
  check?: (v: string) => string | { error: string };
}

const LLMAX = Number.MAX_SAFE_INTEGER;

function b(name: string, def: "yes" | "no", extra: Partial<Def> = {}): Def {
  return { name, kind: "bool", def, ...extra };
}
function i(name: string, def: number, min: number, max: number, extra: Partial<Def> = {}): Def {
  return { name, kind: "int", def: String(def), min, max, ...extra };
}
function m(name: string, def: number, extra: Partial<Def> = {}): Def {
  return { name, kind: "memory", def: String(def), min: 0, max: LLMAX, ...extra };
}
function s(name: string, def: string, extra: Partial<Def> = {}): Def {
  return { name, kind: "string", def, ...extra };
}
function e(name: string, def: string, values: string[], extra: Partial<Def> = {}): Def {
  return { name, kind: "enum", def, values, ...extra };
}

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

const DEFS: Def[] = [
  // network
  { name: "bind", kind: "special", def: "127.0.0.1 -::1", check: checkBind },
  i("port", 6379, 0, 65535),
  i("tcp-backlog", 511, 0, 2147483647, { immutable: true }),
  i("timeout", 0, 0, 2147483647),
  i("tcp-keepalive", 300, 0, 2147483647),
  b("protected-mode", "yes"),
  s("unixsocket", "", { immutable: true }),
  i("unixsocketperm", 0, 0, 511, { immutable: true }),
  i("maxclients", 10000, 1, 2147483647),
  // general
  b("daemonize", "no", { immutable: true }),
  e("supervised", "no", ["upstart", "systemd", "auto", "no"], { immutable: true }),
  s("pidfile", "", { immutable: true }),
  e("loglevel", "notice", LOGLEVELS),
  s("logfile", "", { immutable: true }),
  b("syslog-enabled", "no", { immutable: true }),
  s("syslog-ident", "redis", { immutable: true }),
  i("databases", 16, 1, 2147483647, { immutable: true }),
  b("always-show-logo", "no", { immutable: true }),
  b("set-proc-title", "yes", { immutable: true }),
  s("proc-title-template", "{title} {listen-addr} {server-mode}"),
  s("dir", "", { check: checkDir }),
  i("hz", 10, 0, 2147483647),
  b("dynamic-hz", "yes"),
  b("crash-log-enabled", "yes"),
  b("crash-memcheck-enabled", "yes"),
  b("disable-thp", "yes", { immutable: true }),
  e("enable-protected-configs", "no", ["no", "yes", "local"], { immutable: true }),
  e("enable-debug-command", "no", ["no", "yes", "local"], { immutable: true }),
  e("enable-module-command", "no", ["no", "yes", "local"], { immutable: true }),
  // snapshotting
  { name: "save", kind: "special", def: "3600 1 300 100 60 10000", check: checkSave },
  b("stop-writes-on-bgsave-error", "yes"),
  b("rdbcompression", "yes"),
  b("rdbchecksum", "yes", { immutable: true }),
  s("dbfilename", "dump.rdb", { check: checkFilename }),
  b("rdb-del-sync-files", "no"),
  b("rdb-save-incremental-fsync", "yes"),
  // replication
  { name: "replicaof", alias: "slaveof", kind: "special", def: "", check: checkReplicaof },
  s("masterauth", ""),
  s("masteruser", ""),
  b("replica-serve-stale-data", "yes", { alias: "slave-serve-stale-data" }),
  b("replica-read-only", "yes", { alias: "slave-read-only" }),
  b("repl-diskless-sync", "yes"),
  i("repl-diskless-sync-delay", 5, 0, 2147483647),
  i("repl-diskless-sync-max-replicas", 0, 0, 2147483647),
  e("repl-diskless-load", "disabled", ["disabled", "on-empty-db", "swapdb"]),
  i("repl-ping-replica-period", 10, 1, 2147483647, { alias: "repl-ping-slave-period" }),
  i("repl-timeout", 60, 1, 2147483647),
  b("repl-disable-tcp-nodelay", "no"),
  m("repl-backlog-size", 1024 * 1024),
  i("repl-backlog-ttl", 3600, 0, 2147483647),
  i("replica-priority", 100, 0, 2147483647, { alias: "slave-priority" }),
  b("replica-announced", "yes"),
  i("min-replicas-to-write", 0, 0, 2147483647, { alias: "min-slaves-to-write" }),
  i("min-replicas-max-lag", 10, 0, 2147483647, { alias: "min-slaves-max-lag" }),
  s("replica-announce-ip", "", { alias: "slave-announce-ip" }),
  i("replica-announce-port", 0, 0, 65535, { alias: "slave-announce-port" }),
  b("replica-ignore-maxmemory", "yes", { alias: "slave-ignore-maxmemory" }),
  b("replica-lazy-flush", "no", { alias: "slave-lazy-flush" }),
  // security
  s("requirepass", ""),
  s("aclfile", "", { immutable: true }),
  i("acllog-max-len", 128, 0, LLMAX),
  e("acl-pubsub-default", "resetchannels", ["allchannels", "resetchannels"]),
  // clients / memory
  m("maxmemory", 0),
  e("maxmemory-policy", "noeviction", POLICIES),
  i("maxmemory-samples", 5, 1, 64),
  i("maxmemory-eviction-tenacity", 10, 0, 100),
  i("lfu-log-factor", 10, 0, 2147483647),
  i("lfu-decay-time", 1, 0, 2147483647),
  m("maxmemory-clients", 0),
  b("lazyfree-lazy-eviction", "no"),
  b("lazyfree-lazy-expire", "no"),
  b("lazyfree-lazy-server-del", "no"),
  b("lazyfree-lazy-user-del", "no"),
  b("lazyfree-lazy-user-flush", "no"),
  b("activedefrag", "no"),
  i("io-threads", 1, 1, 128, { immutable: true }),
  b("io-threads-do-reads", "no", { immutable: true }),
  b("jemalloc-bg-thread", "yes"),
  b("oom-score-adj", "no"),
  s("oom-score-adj-values", "0 200 800"),
  // persistence: aof
  b("appendonly", "no"),
  s("appendfilename", "appendonly.aof", { immutable: true, check: checkFilename }),
  s("appenddirname", "appendonlydir", { immutable: true, check: checkFilename }),
  e("appendfsync", "everysec", ["always", "everysec", "no"]),
  b("no-appendfsync-on-rewrite", "no"),
  i("auto-aof-rewrite-percentage", 100, 0, 2147483647),
  m("auto-aof-rewrite-min-size", 64 * 1024 * 1024),
  b("aof-load-truncated", "yes"),
  b("aof-use-rdb-preamble", "yes"),
  b("aof-timestamp-enabled", "no"),
  b("aof-rewrite-incremental-fsync", "yes"),
  // scripting / shutdown
  i("busy-reply-threshold", 5000, 0, LLMAX, { alias: "lua-time-limit" }),
  i("shutdown-timeout", 10, 0, 2147483647),
  s("shutdown-on-sigint", "default"),
  s("shutdown-on-sigterm", "default"),
  // cluster (accepted, cluster mode is not implemented)
  b("cluster-enabled", "no", { immutable: true }),
  // slow log / latency
  i("slowlog-log-slower-than", 10000, -1, LLMAX),
  i("slowlog-max-len", 128, 0, 2147483647),
  i("latency-monitor-threshold", 0, 0, LLMAX),
  b("latency-tracking", "yes"),
  s("latency-tracking-info-percentiles", "50 99 99.9"),
  // notifications
  { name: "notify-keyspace-events", kind: "special", def: "", check: checkNotify },
  // encodings
  m("hash-max-listpack-entries", 128, { alias: "hash-max-ziplist-entries" }),
  m("hash-max-listpack-value", 64, { alias: "hash-max-ziplist-value" }),
  i("list-max-listpack-size", -2, -5, 2147483647, { alias: "list-max-ziplist-size" }),
  i("list-compress-depth", 0, 0, 2147483647),
  m("set-max-intset-entries", 512),
  m("zset-max-listpack-entries", 128, { alias: "zset-max-ziplist-entries" }),
  m("zset-max-listpack-value", 64, { alias: "zset-max-ziplist-value" }),
  m("hll-sparse-max-bytes", 3000),
  m("stream-node-max-bytes", 4096),
  i("stream-node-max-entries", 100, 0, LLMAX),
  b("activerehashing", "yes"),
  // limits
  {
    name: "client-output-buffer-limit",
    kind: "special",
    def: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    check: checkCobl,
  },
  m("client-query-buffer-limit", 1024 * 1024 * 1024, { min: 1024 * 1024 }),
  m("proto-max-bulk-len", 512 * 1024 * 1024, { min: 1024 * 1024 }),
  i("tracking-table-max-keys", 1000000, 0, LLMAX),
  // tls (issue 7)
  i("tls-port", 0, 0, 65535),
  s("tls-cert-file", ""),
  s("tls-key-file", ""),
  s("tls-ca-cert-file", ""),
  b("tls-auth-clients", "yes"),
  b("tls-replication", "no"),
];

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

/** A config error with Redis's text. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** All directives with current values. */
export class Config {
  #text = new Map<string, string>();
  #num = new Map<string, number>();
  /** Path of the config file given at start, for CONFIG REWRITE. */
  file = "";
  /** Called after a successful set (server applies side effects). */
  onChange: ((name: string, value: string) => void) | null = null;

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
    const d = BY_NAME.get(name)!;
    return this.#text.get(d.name)!;
  }

  /** The numeric value of an int/memory directive. */
  num(name: string): number {
    return this.#num.get(BY_NAME.get(name)!.name)!;
  }

  /** The value of a yes/no directive. */
  bool(name: string): boolean {
    return this.#num.get(BY_NAME.get(name)!.name) === 1;
  }

  /** Pairs for CONFIG GET with one glob pattern: canonical names, and aliases only on exact match. */
  match(pattern: string): [string, string][] {
    const out: [string, string][] = [];
    const p = pattern.toLowerCase();
    for (const d of DEFS) {
      if (globMatch(p, d.name, false)) out.push([d.name, this.#text.get(d.name)!]);
      else if (d.alias && p === d.alias) out.push([d.alias, this.#text.get(d.name)!]);
    }
    return out;
  }

  /**
   * Validates and stores a value; `fromFile` allows immutable directives.
   * @throws ConfigError with the reason text Redis uses after "- "
   */
  set(name: string, value: string, fromFile = false): void {
    const d = BY_NAME.get(name.toLowerCase());
    if (!d) throw new ConfigError("Bad directive or wrong number of arguments");
    if (d.immutable && !fromFile) throw new ConfigError("can't set immutable config");
    const norm = this.#validate(d, value);
    this.#store(d, norm);
    this.onChange?.(d.name, norm);
  }

  /** Checks a value without storing it. */
  validate(name: string, value: string, fromFile = false): void {
    const d = BY_NAME.get(name.toLowerCase());
    if (!d) throw new ConfigError("Bad directive or wrong number of arguments");
    if (d.immutable && !fromFile) throw new ConfigError("can't set immutable config");
    this.#validate(d, value);
  }

  /** The canonical name of a directive or alias. */
  canonical(name: string): string | undefined {
    return BY_NAME.get(name.toLowerCase())?.name;
  }

  #validate(d: Def, value: string): string {
    switch (d.kind) {
      case "bool": {
        const v = value.toLowerCase();
        if (v !== "yes" && v !== "no") throw new ConfigError("argument must be 'yes' or 'no'");
        return v;
      }
      case "int": {
        if (!/^-?\d+$/.test(value)) {
          throw new ConfigError("argument couldn't be parsed into an integer");
        }
        const n = Number(value);
        if (n < d.min! || n > d.max!) {
          throw new ConfigError(`argument must be between ${d.min} and ${d.max} inclusive`);
        }
        return String(n);
      }
      case "memory": {
        const n = parseMemory(value);
        if (n === null) throw new ConfigError("argument must be a memory value");
        if (n < d.min! || n > d.max!) {
          throw new ConfigError(`argument must be between ${d.min} and ${d.max} inclusive`);
        }
        return String(n);
      }
      case "enum": {
        const v = value.toLowerCase();
        if (!d.values!.includes(v)) {
          throw new ConfigError(
            `argument(s) must be one of the following: ${d.values!.join(", ")}`,
          );
        }
        return v;
      }
      case "string":
      case "special": {
        if (d.check) {
          const r = d.check(value);
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
    else if (d.kind === "int" || d.kind === "memory") this.#num.set(d.name, Number(v));
  }

  /** Directives whose value differs from the default, for CONFIG REWRITE. */
  changed(): [string, string][] {
    const out: [string, string][] = [];
    for (const d of DEFS) {
      const v = this.#text.get(d.name)!;
      if (v !== d.def) out.push([d.name, v]);
    }
    return out;
  }
}

/** Redis memory units: 1k=1000, 1kb=1024, m/mb, g/gb; case-insensitive. */
export function parseMemory(s: string): number | null {
  const r = /^(-?\d+)(k|kb|m|mb|g|gb)?$/i.exec(s);
  if (!r) return null;
  const n = Number(r[1]);
  const unit = (r[2] ?? "").toLowerCase();
  const mul = unit === "k"
    ? 1000
    : unit === "kb"
    ? 1024
    : unit === "m"
    ? 1000 * 1000
    : unit === "mb"
    ? 1024 * 1024
    : unit === "g"
    ? 1000 * 1000 * 1000
    : unit === "gb"
    ? 1024 * 1024 * 1024
    : 1;
  return n * mul;
}

function checkBind(v: string): string | { error: string } {
  const parts = v.split(/\s+/).filter((x) => x.length > 0);
  if (parts.length > 16) return { error: "Too many bind addresses specified." };
  return parts.join(" ");
}

function checkDir(v: string): string | { error: string } {
  try {
    if (v !== "") Deno.chdir(v);
    return Deno.cwd();
  } catch (err) {
    return { error: `No such file or directory: ${(err as Error).message}` };
  }
}

function checkFilename(v: string): string | { error: string } {
  if (v.includes("/")) return { error: "File name can't be a path, just a filename" };
  return v;
}

function checkSave(v: string): string | { error: string } {
  const parts = v.split(/\s+/).filter((x) => x.length > 0);
  if (parts.length === 0) return "";
  if (parts.length % 2 !== 0) return { error: "Invalid save parameters" };
  for (const p of parts) if (!/^\d+$/.test(p)) return { error: "Invalid save parameters" };
  return parts.map((p) => String(Number(p))).join(" ");
}

function checkReplicaof(v: string): string | { error: string } {
  const parts = v.split(/\s+/).filter((x) => x.length > 0);
  if (parts.length === 0) return "";
  if (parts.length !== 2) return { error: "wrong number of arguments" };
  if (parts[0].toLowerCase() === "no" && parts[1].toLowerCase() === "one") return "";
  if (!/^\d+$/.test(parts[1]) || Number(parts[1]) > 65535) return { error: "Invalid master port" };
  return `${parts[0]} ${Number(parts[1])}`;
}

const NOTIFY_CLASSES = "KEg$lshzxetmdnA";

function checkNotify(v: string): string | { error: string } {
  for (const c of v) {
    if (!NOTIFY_CLASSES.includes(c)) {
      return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
    }
  }
  return normalizeNotify(v);
}

/** Canonical form of notify-keyspace-events, as CONFIG GET prints it (keyspaceEventsFlagsToString). */
export function normalizeNotify(v: string): string {
  const has = (c: string) => v.includes(c);
  const all = has("A");
  let out = "";
  if (all) out += "A";
  else {
    for (const c of "g$lshzxetmd") if (has(c)) out += c;
  }
  if (has("n")) out += "n";
  if (has("K")) out += "K";
  if (has("E")) out += "E";
  // Redis stores 0 unless at least K or E is set.
  if (!has("K") && !has("E")) return "";
  return out;
}

function checkCobl(v: string): string | { error: string } {
  const parts = v.split(/\s+/).filter((x) => x.length > 0);
  if (parts.length % 4 !== 0) {
    return { error: "Wrong number of arguments in buffer limit configuration." };
  }
  const classes: Record<string, string[]> = {
    normal: ["0", "0", "0"],
    slave: ["268435456", "67108864", "60"],
    pubsub: ["33554432", "8388608", "60"],
  };
  for (let k = 0; k < parts.length; k += 4) {
    let cls = parts[k].toLowerCase();
    if (cls === "replica") cls = "slave";
    if (!(cls in classes)) {
      return { error: "Invalid client class specified in buffer limit configuration." };
    }
    const hard = parseMemory(parts[k + 1]);
    const soft = parseMemory(parts[k + 2]);
    const secs = /^\d+$/.test(parts[k + 3]) ? Number(parts[k + 3]) : null;
    if (hard === null || soft === null || secs === null || hard < 0 || soft < 0) {
      return {
        error: "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
      };
    }
    classes[cls] = [String(hard), String(soft), String(secs)];
  }
  return `normal ${classes.normal.join(" ")} slave ${classes.slave.join(" ")} pubsub ${
    classes.pubsub.join(" ")
  }`;
}

/**
 * Reads `redis-server [configfile] [--directive value ...]` into a Config.
 * Errors carry the full text Redis prints for a fatal config error.
 */
export function parseArgs(args: string[]): ParsedArgs {
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) return { kind: "help" };
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
    return { kind: "version" };
  }
  const config = new Config();
  let k = 0;
  let text = "";
  if (args.length > 0 && !args[0].startsWith("--")) {
    config.file = args[0];
    try {
      text = args[0] === "-" ? "" : Deno.readTextFileSync(args[0]);
    } catch (err) {
      return {
        kind: "error",
        message: `Fatal error, can't open config file '${args[0]}': ${(err as Error).message}`,
      };
    }
    k = 1;
  }
  // Command-line options are appended as extra config lines, as Redis does; an option's
  // values run until the next `--`.
  const extra: string[] = [];
  while (k < args.length) {
    const a = args[k];
    if (!a.startsWith("--")) {
      return {
        kind: "error",
        message: fatal(0, a, "Invalid argument: options must start with --"),
      };
    }
    const vals: string[] = [];
    k++;
    while (k < args.length && !(args[k].startsWith("--") && args[k].length > 2)) {
      vals.push(args[k++]);
    }
    extra.push([a.slice(2), ...vals.map(quoteArg)].join(" "));
  }
  const lines = text.split("\n");
  lines.push(...extra);
  const r = loadLines(config, lines);
  if (r !== null) return { kind: "error", message: r };
  return { kind: "run", config };
}

function quoteArg(v: string): string {
  if (v === "") return '""';
  return /[\s"'\\]/.test(v) ? `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : v;
}

function fatal(lineNo: number, line: string, reason: string): string {
  return `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nReading the configuration file, at line ${lineNo}\n>>> '${line}'\n${reason}`;
}

function loadLines(config: Config, lines: string[]): string | null {
  const seenSave = { reset: false };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === "" || line.startsWith("#")) continue;
    const argv = splitArgs(line);
    if (argv === null) return fatal(n + 1, line, "Unbalanced quotes in configuration line");
    if (argv.length === 0) continue;
    const name = argv[0].toLowerCase();
    if (name === "include") {
      if (argv.length !== 2) {
        return fatal(n + 1, line, "Bad directive or wrong number of arguments");
      }
      let inc: string;
      try {
        inc = Deno.readTextFileSync(argv[1]);
      } catch {
        return fatal(n + 1, line, `Can't open include file '${argv[1]}'`);
      }
      const r = loadLines(config, inc.split("\n"));
      if (r !== null) return r;
      continue;
    }
    if (!Config.has(name)) return fatal(n + 1, line, "Bad directive or wrong number of arguments");
    const canon = config.canonical(name)!;
    let value: string;
    if (canon === "save") {
      // Each `save` line adds a point; `save ""` clears them.
      if (argv.length === 2 && argv[1] === "") value = "";
      else if (argv.length !== 3) return fatal(n + 1, line, "Invalid save parameters");
      else {
        const prev = seenSave.reset ? config.get("save") : "";
        seenSave.reset = true;
        value = (prev + " " + argv.slice(1).join(" ")).trim();
      }
      if (argv.length === 2) seenSave.reset = true;
    } else if (
      canon === "bind" || canon === "client-output-buffer-limit" || canon === "replicaof"
    ) {
      value = argv.slice(1).join(" ");
      if (canon === "client-output-buffer-limit") {
        value = config.get(canon) + " " + value;
      }
    } else {
      if (argv.length !== 2) {
        return fatal(n + 1, line, "Bad directive or wrong number of arguments");
      }
      value = argv[1];
    }
    try {
      config.set(canon, value, true);
    } catch (err) {
      return fatal(n + 1, line, (err as Error).message);
    }
  }
  return null;
}
