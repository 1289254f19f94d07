// ACL permission checks of a command line (acl.c ACLCheckAllUserCommandPerm): a selector
// allows a command when the command (or its first argument) is allowed, every key it names
// matches a key pattern with the needed read/write permission, and every channel it publishes
// or subscribes to matches a channel pattern. A user is allowed when any selector is; otherwise
// the most relevant denial is reported (channel over key over command, then the last position).

import { getKeyPositions } from "../commands/admin.ts";
import { globMatch } from "../util/glob.ts";
import type { AclCommand } from "./command_index.ts";
import { PERM_READ, PERM_WRITE, type Selector, type User } from "./user.ts";

/** Check results, with Redis's ACL_* values (their order ranks denials). */
export const ACL_OK = 0;
export const DENIED_CMD = 1;
export const DENIED_KEY = 2;
export const DENIED_AUTH = 3;
export const DENIED_CHANNEL = 4;

/** Outcome of a check: ACL_OK or a denial, with the argv index of the key or channel. */
export interface CheckResult {
  result: number;
  pos: number;
}

// Channel arguments (getChannelsFromCommand): PUBLISH's channel, the subscribe family's
// channels (PSUBSCRIBE's as patterns). Unsubscribing is never checked.
function channelArgs(
  name: string,
  argv: string[],
): { from: number; to: number; pattern: boolean } | null {
  switch (name) {
    case "publish":
    case "spublish":
      return argv.length > 1 ? { from: 1, to: 1, pattern: false } : null;
    case "subscribe":
    case "ssubscribe":
      return { from: 1, to: argv.length - 1, pattern: false };
    case "psubscribe":
      return { from: 1, to: argv.length - 1, pattern: true };
    default:
      return null;
  }
}

/**
 * ACLCheckChannelAgainstList: a channel matches a pattern of the list; a PSUBSCRIBE pattern
 * must equal one literally.
 */
export function channelAllowed(list: string[], channel: string, isPattern: boolean): boolean {
  for (const p of list) {
    if (isPattern ? p === channel : globMatch(p, channel)) return true;
  }
  return false;
}

// The key positions of a command line with their key-spec flags, minus `not_key` specs.
type Keys = [number, string[]][];

// The key flags of the two Redis 7.0 commands whose key spec says `variable_flags`, as their
// getkeys procs compute them: SET needs read access only with GET (setGetKeys), BITFIELD only
// write access when it has a SET/INCRBY or anything unparsable (bitfieldGetKeys).
function variableKeyFlags(name: string, argv: string[]): string[] | null {
  if (name === "set") {
    for (let i = 3; i < argv.length; i++) {
      if (argv[i].toLowerCase() === "get") return ["RW", "access", "update"];
    }
    return ["OW", "update"];
  }
  if (name === "bitfield") {
    for (let i = 2; i < argv.length; i++) {
      const arg = argv[i].toLowerCase();
      const rem = argv.length - i - 1;
      if (arg === "get" && rem >= 2) i += 2;
      else if (arg === "overflow" && rem >= 1) i += 1;
      else return ["RW", "access", "update"];
    }
    return ["RO", "access"];
  }
  return null;
}

function keyPerm(flags: string[]): number {
  let need = 0;
  for (const f of flags) {
    if (f === "access") need |= PERM_READ;
    else if (f === "insert" || f === "delete" || f === "update") need |= PERM_WRITE;
  }
  return need;
}

/** ACLSelectorCheckKey: a key is allowed by a pattern granting at least the needed access. */
export function keyAllowed(sel: Selector, key: string, flags: string[]): boolean {
  if (sel.allKeys) return true;
  const need = keyPerm(flags);
  for (const p of sel.patterns) {
    if ((p.flags & need) !== need) continue;
    if (globMatch(p.pattern, key)) return true;
  }
  return false;
}

function checkSelector(
  sel: Selector,
  c: AclCommand,
  argv: string[],
  keys: () => Keys,
): CheckResult {
  if (!sel.allCommands && !c.noAuth && sel.bits[c.id] === 0) {
    const first = sel.firstArgs?.get(c.id);
    if (argv.length < 2 || first === undefined) return { result: DENIED_CMD, pos: 0 };
    const arg = argv[c.cmd.parent !== undefined ? 2 : 1].toLowerCase();
    if (!first.some((a) => a.toLowerCase() === arg)) return { result: DENIED_CMD, pos: 0 };
  }
  if (!sel.allKeys) {
    for (const [pos, flags] of keys()) {
      if (!keyAllowed(sel, argv[pos], flags)) return { result: DENIED_KEY, pos };
    }
  }
  if (!sel.allChannels) {
    const ch = channelArgs(c.name, argv);
    if (ch !== null) {
      for (let i = ch.from; i <= ch.to; i++) {
        if (!channelAllowed(sel.channels, argv[i], ch.pattern)) {
          return { result: DENIED_CHANNEL, pos: i };
        }
      }
    }
  }
  return { result: ACL_OK, pos: 0 };
}

/**
 * Whether `user` may run the command line `argv` resolved to `c`.
 * @returns ACL_OK, or the most relevant denial over all selectors
 */
export function checkCommand(user: User, c: AclCommand, argv: string[]): CheckResult {
  let cache: Keys | null = null;
  const keys = (): Keys => {
    if (cache === null) {
      cache = (getKeyPositions(c.cmd, argv) ?? []).filter(([, f]) => !f.includes("not_key"));
      const varFlags = variableKeyFlags(c.name, argv);
      if (varFlags !== null) cache = cache.map(([pos]) => [pos, varFlags]);
    }
    return cache;
  };
  let relevant = DENIED_CMD;
  let lastPos = 0;
  for (const sel of user.selectors) {
    const r = checkSelector(sel, c, argv, keys);
    if (r.result === ACL_OK) return r;
    if (r.result > relevant || (r.result === relevant && r.pos > lastPos)) {
      relevant = r.result;
      lastPos = r.pos;
    }
  }
  return { result: relevant, pos: lastPos };
}

/** ACLUserCheckChannelPerm: whether any selector of `user` allows the channel. */
export function userChannelAllowed(user: User, channel: string, isPattern: boolean): boolean {
  for (const s of user.selectors) {
    if (s.allChannels || channelAllowed(s.channels, channel, isPattern)) return true;
  }
  return false;
}

/** ACLUserCheckKeyPerm: whether any selector of `user` allows the key with these flags. */
export function userKeyAllowed(user: User, key: string, flags: string[]): boolean {
  for (const s of user.selectors) if (keyAllowed(s, key, flags)) return true;
  return false;
}
