// Assembles every family's specs into the command table and validates its invariants at
// startup: unique lowercase names, non-zero arity, write and readonly never both set.
// The dispatcher, COMMAND, and the README's command list all read this one table.

import type { Command, CommandFlag, CommandSpec } from "./spec.ts";
import { STRING_COMMANDS } from "./strings.ts";
import { KEYSPACE_COMMANDS } from "./keyspace.ts";
import { EXPIRE_COMMANDS } from "./expire.ts";
import { CONNECTION_COMMANDS } from "./connection.ts";
import { ADMIN_COMMANDS } from "./admin.ts";
import { TRANSACTION_COMMANDS } from "./transactions.ts";
import { LISTS_COMMANDS } from "./lists.ts";
import { HASHES_COMMANDS } from "./hashes.ts";
import { SETS_COMMANDS } from "./sets.ts";
import { ZSETS_COMMANDS } from "./zsets.ts";
import { GEO_COMMANDS } from "./geo.ts";
import { BITMAPS_COMMANDS } from "./bitmaps.ts";
import { HYPERLOGLOG_COMMANDS } from "./hyperloglog.ts";
import { PUBSUB_COMMANDS } from "./pubsub.ts";
import { STREAMS_COMMANDS } from "./streams.ts";
import { PERSISTENCE_COMMANDS } from "./persistence.ts";
import { SORT_COMMANDS } from "./sort.ts";
import { ACL_COMMANDS } from "./acl.ts";
import { SCRIPTING_COMMANDS } from "./scripting.ts";
import { FUNCTIONS_COMMANDS } from "./functions.ts";
import { REPLICATION_COMMANDS } from "./replication.ts";

/** Every spec array, in family order. */
export const FAMILIES: CommandSpec[][] = [
  STRING_COMMANDS,
  KEYSPACE_COMMANDS,
  EXPIRE_COMMANDS,
  CONNECTION_COMMANDS,
  ADMIN_COMMANDS,
  TRANSACTION_COMMANDS,
  LISTS_COMMANDS,
  HASHES_COMMANDS,
  SETS_COMMANDS,
  ZSETS_COMMANDS,
  GEO_COMMANDS,
  BITMAPS_COMMANDS,
  HYPERLOGLOG_COMMANDS,
  PUBSUB_COMMANDS,
  PERSISTENCE_COMMANDS,
  STREAMS_COMMANDS,
  SORT_COMMANDS,
  ACL_COMMANDS,
  SCRIPTING_COMMANDS,
  FUNCTIONS_COMMANDS,
  REPLICATION_COMMANDS,
];

function build(spec: CommandSpec, parent?: Command): Command {
  const full = parent ? `${parent.name}|${spec.name}` : spec.name;
  if (spec.name !== spec.name.toLowerCase()) throw new Error(`Command name not lowercase: ${full}`);
  if (spec.arity === 0) throw new Error(`Command has zero arity: ${full}`);
  const flags = new Set<CommandFlag>(spec.flags);
  if (flags.has("write") && flags.has("readonly")) {
    throw new Error(`Command is both write and readonly: ${full}`);
  }
  if (!spec.handler && !spec.subcommands) throw new Error(`Command has no handler: ${full}`);
  const cmd: Command = {
    name: full,
    spec,
    parent,
    flagSet: flags,
    isWrite: flags.has("write"),
    isFast: flags.has("fast"),
    calls: 0,
    usec: 0,
    rejectedCalls: 0,
    failedCalls: 0,
  };
  if (spec.subcommands) {
    cmd.subcommands = new Map();
    for (const sub of spec.subcommands) {
      if (cmd.subcommands.has(sub.name)) {
        throw new Error(`Duplicate subcommand: ${full}|${sub.name}`);
      }
      cmd.subcommands.set(sub.name, build(sub, cmd));
    }
  }
  return cmd;
}

/** The command table: lookups by name in any letter case. */
export class CommandTable {
  readonly commands = new Map<string, Command>();
  // Also indexed by the uppercase name so the common client spellings need no lowercasing.
  #fast = new Map<string, Command>();

  constructor(families: CommandSpec[][] = FAMILIES) {
    for (const fam of families) {
      for (const spec of fam) {
        if (this.commands.has(spec.name)) throw new Error(`Duplicate command: ${spec.name}`);
        const cmd = build(spec);
        this.commands.set(spec.name, cmd);
        this.#fast.set(spec.name, cmd);
        this.#fast.set(spec.name.toUpperCase(), cmd);
      }
    }
  }

  /** The top-level command named `name` (any case). */
  get(name: string): Command | undefined {
    return this.#fast.get(name) ?? this.commands.get(name.toLowerCase());
  }

  /** Resolves `config get`-style names given as `config|get` too. */
  getFull(name: string): Command | undefined {
    const [top, sub] = name.toLowerCase().split("|", 2);
    const cmd = this.commands.get(top);
    if (!cmd || sub === undefined) return cmd;
    return cmd.subcommands?.get(sub);
  }

  /** Every top-level command. */
  all(): Command[] {
    return [...this.commands.values()];
  }
}
