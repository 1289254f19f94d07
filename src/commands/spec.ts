// Command metadata and the context handlers run in. Each family file exports an array of
// `CommandSpec`; table.ts assembles them. Flags follow Redis's command flags (server.h): the
// dispatcher applies every check they imply once, before the handler runs.

import type { Client } from "../client.ts";
import type { Reply } from "../resp/types.ts";
import type { BlockRequest } from "../blocking/registry.ts";
import type { Database } from "../store/database.ts";
import type { Server } from "../server.ts";
import type { HdrHistogram } from "../latency.ts";
import type { Pending } from "./dispatcher.ts";

/** Redis command flags (lowercase as COMMAND INFO prints them). */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "no_mandatory_keys"
  | "no_multi"
  | "no_async_loading"
  | "allow_busy"
  | "sentinel";

/** Key positions, Redis's legacy (first, last, step) triple; last -1 means "to the end". */
export interface KeyRange {
  first: number;
  last: number;
  step: number;
}

/**
 * A command handler: synchronous, returns the reply, throws ReplyError for error replies. A
 * BlockRequest blocks the client; a Pending (EVAL, FCALL, EXEC) replies once a busy script ends.
 */
export type Handler = (ctx: Ctx, argv: string[]) => Reply | BlockRequest | Pending;

/** One command or subcommand. */
export interface CommandSpec {
  /** Lowercase name; subcommands use their own name (`get` under `config`). */
  name: string;
  /** Redis arity: N means exactly N (counting the name), -N at least N. */
  arity: number;
  flags: CommandFlag[];
  /** ACL categories without the `@` (`string`, `keyspace`, ...); `fast`/`slow`, `read`/`write` are derived. */
  categories: string[];
  keys?: KeyRange;
  handler?: Handler;
  subcommands?: CommandSpec[];
  /** One-line summary for COMMAND DOCS. */
  summary?: string;
  /** Redis version that introduced the command, for COMMAND DOCS. */
  since?: string;
  /** COMMAND DOCS group (string, generic, connection, server ...). */
  group?: string;
  /** Complexity text for COMMAND DOCS. */
  complexity?: string;
  /** COMMAND INFO tips (`nondeterministic_output`, `request_policy:all_shards` ...). */
  tips?: string[];
  /** Redis 7 key specs; when absent COMMAND INFO derives one range spec from `keys`. */
  keySpecs?: KeySpec[];
  /**
   * Key positions for commands whose key specs cannot say (EVAL, SORT, SET's variable flags):
   * COMMAND GETKEYS uses it when specs are missing, fail, or carry `variable_flags`. A plain
   * number takes the first key spec's flags.
   */
  getKeys?: (argv: string[]) => KeyRef[];
  /** COMMAND DOCS arguments (Redis's command JSON `arguments`). */
  arguments?: CommandArg[];
  /** COMMAND DOCS history: [version, description] pairs. */
  history?: [string, string][];
  /** COMMAND DOCS doc_flags (`deprecated`, `syscmd`). */
  docFlags?: string[];
  /** COMMAND DOCS deprecated_since / replaced_by. */
  deprecatedSince?: string;
  replacedBy?: string;
}

/** A key position from `getKeys`, optionally with its own key-spec flags. */
export type KeyRef = number | { pos: number; flags: string[] };

/** One COMMAND DOCS argument. */
export interface CommandArg {
  name: string;
  /** string integer double key pattern unix-time pure-token oneof block */
  type: string;
  keySpecIndex?: number;
  token?: string;
  summary?: string;
  since?: string;
  deprecatedSince?: string;
  /** optional multiple multiple_token */
  flags?: string[];
  /** The parts of a oneof or block. */
  arguments?: CommandArg[];
}

/** A Redis 7 key specification (COMMAND INFO's 9th field; see Redis's key-specs docs). */
export interface KeySpec {
  /** RO RW OW RM access update insert delete not_key incomplete variable_flags */
  flags: string[];
  /**
   * Where the search starts: an argument index, or after a keyword; `unknown` when no spec can
   * say (SORT's STORE and BY/GET keys: COMMAND GETKEYS then uses `getKeys`).
   */
  begin: { index: number } | { keyword: string; startFrom: number } | { unknown: true };
  /** Which keys follow: a range (lastKey relative to the first key, -1 = end), or a count. */
  find: { lastKey: number; keyStep: number; limit: number } | {
    keyNumIdx: number;
    firstKey: number;
    keyStep: number;
  } | { unknown: true };
  notes?: string;
}

/** A resolved, validated entry of the command table. */
export interface Command {
  name: string; // full name: `get`, `config|get`
  spec: CommandSpec;
  parent?: Command;
  subcommands?: Map<string, Command>;
  flagSet: Set<CommandFlag>;
  isWrite: boolean;
  /** Flagged `fast` (O(1) or O(log N)): timed in bulk, see Server.settleFast. */
  isFast: boolean;
  // per-command statistics (INFO commandstats)
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** Latency histogram (INFO latencystats, LATENCY HISTOGRAM), created on first call. */
  histogram?: HdrHistogram;
}

/**
 * What a handler sees: the client, its selected database, the server and the time snapshot.
 * One instance per client, reset before every command, so the hot path allocates nothing.
 */
export class Ctx {
  client!: Client;
  server!: Server;
  db!: Database;
  /** Milliseconds since epoch, snapshotted once per command (once per EXEC). */
  now = 0;
  command!: Command;
  /** Replaces the argv that gets propagated (SET EX → SET PXAT ...). */
  rewritten: string[] | null = null;
  /** Extra commands to propagate after this one, in order. */
  also: string[][] | null = null;
  /** Set to stop this command's own argv from being propagated. */
  preventPropagation = false;

  /** Propagate `argv` instead of the command as received. */
  rewrite(argv: string[]): void {
    this.rewritten = argv;
  }

  /** Propagate an extra command as part of this execution unit. */
  alsoPropagate(argv: string[]): void {
    (this.also ??= []).push(argv);
  }
}

/**
 * A range key spec (begin at argument `index`, keys up to `lastKey`, every `keyStep`), the form
 * most commands declare.
 */
export function rangeKeySpec(
  flags: string[],
  index: number,
  lastKey = 0,
  keyStep = 1,
  notes?: string,
): KeySpec {
  const spec: KeySpec = { flags, begin: { index }, find: { lastKey, keyStep, limit: 0 } };
  if (notes !== undefined) spec.notes = notes;
  return spec;
}
