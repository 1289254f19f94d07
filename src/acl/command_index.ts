// The ACL view of the command table: a dense id per command and subcommand (the bit users'
// command bitmaps are indexed by), each command's ACL categories as a bitmask, and Redis's
// ACLLookupCommand name resolution (`get`, `config|get`, any letter case, one level of `|`).
// Categories come from the command table itself (spec categories plus the flag-implied ones,
// exactly what COMMAND INFO reports), so ACL rules and COMMAND INFO cannot disagree.

import { ACL_CATEGORIES, commandCategories } from "../commands/admin.ts";
import type { Command } from "../commands/spec.ts";
import type { CommandTable } from "../commands/table.ts";

export { ACL_CATEGORIES };

/** One command or subcommand as ACL rules see it. */
export interface AclCommand {
  /** Bit index in a selector's command bitmap. */
  id: number;
  cmd: Command;
  /** Full name as rules print it (`get`, `config|get`). */
  name: string;
  /** Bit i set when the command is in ACL_CATEGORIES[i]. */
  cats: number;
  /** Subcommands of a container, in table order. */
  subs: AclCommand[];
  /** Has the no_auth flag: always allowed (AUTH, HELLO ...). */
  noAuth: boolean;
}

/**
 * Category bitmask of a category name (case-insensitive), 0 when unknown.
 * @param name a category without `@`
 */
export function categoryFlag(name: string): number {
  const i = ACL_CATEGORIES.indexOf(name.toLowerCase());
  return i < 0 ? 0 : 1 << i;
}

/** Ids and categories for every command of a table. */
export class CommandIndex {
  /** Top-level commands in table order (Redis walks its command dict; order is not contractual). */
  readonly top: AclCommand[] = [];
  /** Number of ids handed out; id `size` is the reserved "future commands" bit. */
  readonly size: number;
  #byCmd = new Map<Command, AclCommand>();
  #byName = new Map<string, AclCommand>();

  constructor(table: CommandTable) {
    let next = 0;
    const make = (cmd: Command): AclCommand => {
      const info: AclCommand = {
        id: next++,
        cmd,
        name: cmd.name,
        cats: 0,
        subs: [],
        noAuth: cmd.flagSet.has("no_auth"),
      };
      for (const c of commandCategories(cmd)) info.cats |= categoryFlag(c);
      this.#byCmd.set(cmd, info);
      this.#byName.set(cmd.name, info);
      if (cmd.subcommands !== undefined) {
        for (const sub of cmd.subcommands.values()) info.subs.push(make(sub));
      }
      return info;
    };
    for (const cmd of table.all()) this.top.push(make(cmd));
    this.size = next;
  }

  /** The ACL entry of a resolved command. */
  of(cmd: Command): AclCommand | undefined {
    return this.#byCmd.get(cmd);
  }

  /**
   * ACLLookupCommand: `name` or `container|sub`, any letter case; a `|` on a command without
   * subcommands, or more than one `|`, finds nothing.
   */
  lookup(name: string): AclCommand | undefined {
    const parts = name.toLowerCase().split("|");
    if (parts.length > 2) return undefined;
    const top = this.#byName.get(parts[0]);
    if (top === undefined || parts.length === 1) return top;
    if (top.subs.length === 0) return undefined;
    return this.#byName.get(`${parts[0]}|${parts[1]}`);
  }

  /** Calls `fn` for every command, each container followed by its subcommands. */
  forEach(fn: (c: AclCommand) => void): void {
    for (const c of this.top) {
      fn(c);
      for (const s of c.subs) fn(s);
    }
  }
}
