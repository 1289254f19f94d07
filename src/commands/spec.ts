// Command metadata and the context handlers run in. Each family file exports an array of
// `CommandSpec`; table.ts assembles them. Flags follow Redis's command flags (server.h): the
// dispatcher applies every check they imply once, before the handler runs.

import type { Client } from "../client.ts";
import type { Reply } from "../resp/types.ts";
import type { Database } from "../store/database.ts";
import type { Server } from "../server.ts";

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
  | "allow_busy"
  | "sentinel";

/** Key positions, Redis's legacy (first, last, step) triple; last -1 means "to the end". */
export interface KeyRange {
  first: number;
  last: number;
  step: number;
}

/** A command handler: synchronous, returns the reply, throws ReplyError for error replies. */
export type Handler = (ctx: Ctx, argv: string[]) => Reply;

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
}

/** A resolved, validated entry of the command table. */
export interface Command {
  name: string; // full name: `get`, `config|get`
  spec: CommandSpec;
  parent?: Command;
  subcommands?: Map<string, Command>;
  flagSet: Set<CommandFlag>;
  isWrite: boolean;
  // per-command statistics (INFO commandstats)
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
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
