// ACL users and selectors (acl.c): the rule language of ACL SETUSER, `user` config lines and
// ACL files, applied one rule at a time, and the inverse, describing a user as the rules that
// recreate it (ACL LIST, ACL SAVE, CONFIG REWRITE, ACL GETUSER). A user has flags, password
// hashes and a list of selectors; the first (root) selector holds the rules given outside
// parentheses, each `(...)` adds another selector, and a command is allowed when any selector
// allows it. Permission checks against a command line live in check.ts.

import { splitArgs } from "../util/split_args.ts";
import {
  ACL_CATEGORIES,
  type AclCommand,
  categoryFlag,
  type CommandIndex,
} from "./command_index.ts";
import { sha256Hex } from "./sha256.ts";

/** Key pattern permission bits (ACL_READ_PERMISSION, ACL_WRITE_PERMISSION). */
export const PERM_READ = 1;
export const PERM_WRITE = 2;
export const PERM_ALL = 3;

/** Why a rule was refused: the errno Redis's ACLSetUser sets. */
export type RuleError =
  | "EINVAL"
  | "ENOENT"
  | "EEXIST"
  | "EISDIR"
  | "ENODEV"
  | "EBADMSG"
  | "EALREADY"
  | "ECHILD";

/** ACLSetUserStringError: the text for a refused rule. */
export function ruleErrorText(e: RuleError): string {
  switch (e) {
    case "ENOENT":
      return "Unknown command or category name in ACL";
    case "EINVAL":
      return "Syntax error";
    case "EEXIST":
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case "EISDIR":
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    case "ENODEV":
      return "The password you are trying to remove from the user does not exist";
    case "EBADMSG":
      return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
    case "EALREADY":
      return "Duplicate user found. A user can only be defined once in config files";
    case "ECHILD":
      return "Allowing first-arg of a subcommand is not supported";
  }
}

/** What rules need besides the rule text. */
export interface RuleEnv {
  index: CommandIndex;
  /** acl-pubsub-default is allchannels: new selectors start with every channel allowed. */
  allChannelsByDefault: boolean;
  /** Logs the deprecation warning for `+cmd|firstarg`. */
  warn?: (msg: string) => void;
}

/** A key pattern with its read/write permission bits. */
export interface KeyPattern {
  pattern: string;
  flags: number;
}

/** The C-string view Redis's strcasecmp and strlen take of an argument: up to the first NUL. */
export function cstr(s: string): string {
  const z = s.indexOf("\0");
  return z < 0 ? s : s.slice(0, z);
}

/** ACLStringHasSpaces: isspace() or NUL anywhere. */
export function hasSpaces(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13) || c === 0) return true;
  }
  return false;
}

/** A set of command, key and channel permissions. */
export class Selector {
  root: boolean;
  allKeys = false;
  allChannels: boolean;
  /** Set by +@all, cleared as soon as any command is removed: skips the bitmap test. */
  allCommands = false;
  /** One byte per command id; the last byte is the "future commands" bit set by +@all. */
  bits: Uint8Array;
  /** Allowed first arguments of otherwise denied commands (`+select|0`), by command id. */
  firstArgs: Map<number, string[]> | null = null;
  patterns: KeyPattern[] = [];
  channels: string[] = [];

  constructor(size: number, root: boolean, allChannels: boolean) {
    this.bits = new Uint8Array(size + 1);
    this.root = root;
    this.allChannels = allChannels;
  }

  /** A deep copy (ACLCopySelector). */
  clone(): Selector {
    const s = new Selector(this.bits.length - 1, this.root, this.allChannels);
    s.allKeys = this.allKeys;
    s.allCommands = this.allCommands;
    s.bits.set(this.bits);
    if (this.firstArgs !== null) {
      s.firstArgs = new Map();
      for (const [id, args] of this.firstArgs) s.firstArgs.set(id, [...args]);
    }
    s.patterns = this.patterns.map((p) => ({ ...p }));
    s.channels = [...this.channels];
    return s;
  }

  /** +@all was the starting point: commands added later (modules) are allowed too. */
  canRunFutureCommands(): boolean {
    return this.bits[this.bits.length - 1] === 1;
  }

  #setBit(id: number, on: boolean): void {
    this.bits[id] = on ? 1 : 0;
    if (!on) this.allCommands = false;
  }

  /** ACLChangeSelectorPerm: a command and, for a container, all its subcommands. */
  changePerm(c: AclCommand, allow: boolean): void {
    this.#setBit(c.id, allow);
    this.firstArgs?.delete(c.id);
    for (const s of c.subs) this.#setBit(s.id, allow);
  }

  /** +@category / -@category over every command and subcommand in it. */
  setCategory(flag: number, allow: boolean, index: CommandIndex): void {
    for (const c of index.top) {
      if (c.cats & flag) this.changePerm(c, allow);
      for (const s of c.subs) if (s.cats & flag) this.changePerm(s, allow);
    }
  }

  /** Allows or denies everything (+@all / -@all). */
  setAll(allow: boolean): void {
    this.bits.fill(allow ? 1 : 0);
    this.allCommands = allow;
    this.firstArgs = null;
  }

  #addFirstArg(id: number, arg: string): void {
    this.firstArgs ??= new Map();
    const list = this.firstArgs.get(id);
    if (list === undefined) {
      this.firstArgs.set(id, [arg]);
    } else if (!list.some((a) => a.toLowerCase() === arg.toLowerCase())) {
      list.push(arg);
    }
  }

  /**
   * ACLSetSelector: applies one selector rule (commands, keys, channels).
   * @returns null, or why the rule is refused
   */
  apply(op: string, env: RuleEnv): RuleError | null {
    const kw = cstr(op).toLowerCase();
    if (kw === "allkeys" || kw === "~*") {
      this.allKeys = true;
      this.patterns = [];
    } else if (kw === "resetkeys") {
      this.allKeys = false;
      this.patterns = [];
    } else if (kw === "allchannels" || kw === "&*") {
      this.allChannels = true;
      this.channels = [];
    } else if (kw === "resetchannels") {
      this.allChannels = false;
      this.channels = [];
    } else if (kw === "allcommands" || kw === "+@all") {
      this.setAll(true);
    } else if (kw === "nocommands" || kw === "-@all") {
      this.setAll(false);
    } else if (op[0] === "~" || op[0] === "%") {
      if (this.allKeys) return "EEXIST";
      let flags = 0;
      let offset = 1;
      if (op[0] === "%") {
        for (; offset < op.length; offset++) {
          const ch = op[offset].toUpperCase();
          if (ch === "R" && !(flags & PERM_READ)) flags |= PERM_READ;
          else if (ch === "W" && !(flags & PERM_WRITE)) flags |= PERM_WRITE;
          else if (op[offset] === "~") {
            offset++;
            break;
          } else return "EINVAL";
        }
      } else {
        flags = PERM_ALL;
      }
      const pattern = op.slice(offset);
      if (hasSpaces(pattern)) return "EINVAL";
      const old = this.patterns.find((p) => p.pattern === pattern);
      if (old === undefined) this.patterns.push({ pattern, flags });
      else old.flags |= flags;
      this.allKeys = false;
    } else if (op[0] === "&") {
      if (this.allChannels) return "EISDIR";
      const channel = op.slice(1);
      if (hasSpaces(channel)) return "EINVAL";
      if (!this.channels.includes(channel)) this.channels.push(channel);
      this.allChannels = false;
    } else if (op[0] === "+" && op[1] !== "@") {
      return this.#allow(cstr(op).slice(1), env);
    } else if (op[0] === "-" && op[1] !== "@") {
      const c = env.index.lookup(cstr(op).slice(1));
      if (c === undefined) return "ENOENT";
      this.changePerm(c, false);
    } else if ((op[0] === "+" || op[0] === "-") && op[1] === "@") {
      const flag = categoryFlag(cstr(op).slice(2));
      if (flag === 0) return "ENOENT";
      this.setCategory(flag, op[0] === "+", env.index);
    } else {
      return "EINVAL";
    }
    return null;
  }

  // +command, +container|sub, or +command|first-arg (deprecated, but Redis 7.0 accepts it).
  #allow(name: string, env: RuleEnv): RuleError | null {
    const bar = name.lastIndexOf("|");
    if (bar < 0) {
      const c = env.index.lookup(name);
      if (c === undefined) return "ENOENT";
      this.changePerm(c, true);
      return null;
    }
    const base = env.index.lookup(name.slice(0, bar));
    if (base === undefined) return "ENOENT";
    if (base.cmd.parent !== undefined) return "ECHILD";
    const sub = name.slice(bar + 1);
    if (sub === "") return "EINVAL";
    if (base.subs.length > 0) {
      const c = env.index.lookup(name);
      if (c === undefined) return "ENOENT";
      this.changePerm(c, true);
    } else {
      env.warn?.(
        `Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse of ACL and may get disabled in the future (offender: +${name})`,
      );
      this.#addFirstArg(base.id, sub);
    }
    return null;
  }
}

/** An ACL user. */
export class User {
  readonly name: string;
  /** on/off: a disabled user cannot authenticate (existing connections keep working). */
  enabled = false;
  nopass = false;
  /** The sanitize-payload flags, when one was set. */
  sanitize: "" | "sanitize-payload" | "skip-sanitize-payload" = "";
  /** SHA-256 hex hashes. */
  passwords: string[] = [];
  /** The root selector first, then one per `(...)` rule. */
  selectors: Selector[];

  constructor(name: string, env: RuleEnv) {
    this.name = name;
    this.selectors = [new Selector(env.index.size, true, env.allChannelsByDefault)];
  }

  /** The selector of the rules given outside parentheses. */
  get root(): Selector {
    return this.selectors[0];
  }

  /** ACLCopyUser: takes over every rule of `src` (the name stays). */
  copyFrom(src: User): void {
    this.enabled = src.enabled;
    this.nopass = src.nopass;
    this.sanitize = src.sanitize;
    this.passwords = [...src.passwords];
    this.selectors = src.selectors.map((s) => s.clone());
  }

  /** The user flags in Redis's ACLUserFlags order (ACL GETUSER, describe). */
  flags(): string[] {
    const out = [this.enabled ? "on" : "off"];
    if (this.nopass) out.push("nopass");
    if (this.sanitize !== "") out.push(this.sanitize);
    return out;
  }

  /**
   * ACLSetUser: applies one rule.
   * @returns null, or why the rule is refused (earlier rules stay applied)
   */
  apply(op: string, env: RuleEnv): RuleError | null {
    if (op.length === 0) return null;
    const kw = cstr(op).toLowerCase();
    if (kw === "on") this.enabled = true;
    else if (kw === "off") this.enabled = false;
    else if (kw === "skip-sanitize-payload") this.sanitize = "skip-sanitize-payload";
    else if (kw === "sanitize-payload") this.sanitize = "sanitize-payload";
    else if (kw === "nopass") {
      this.nopass = true;
      this.passwords = [];
    } else if (kw === "resetpass") {
      this.nopass = false;
      this.passwords = [];
    } else if (op[0] === ">" || op[0] === "#") {
      let hash: string;
      if (op[0] === ">") hash = sha256Hex(op.slice(1));
      else {
        hash = op.slice(1);
        if (!isPasswordHash(hash)) return "EBADMSG";
      }
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
    } else if (op[0] === "<" || op[0] === "!") {
      let hash: string;
      if (op[0] === "<") hash = sha256Hex(op.slice(1));
      else {
        hash = op.slice(1);
        if (!isPasswordHash(hash)) return "EBADMSG";
      }
      const i = this.passwords.indexOf(hash);
      if (i < 0) return "ENODEV";
      this.passwords.splice(i, 1);
    } else if (op[0] === "(" && op[op.length - 1] === ")") {
      const s = new Selector(env.index.size, false, env.allChannelsByDefault);
      // sdssplitargs of the inside; unbalanced quotes give no rules at all, as in Redis.
      const rules = splitArgs(cstr(op.slice(1, -1))) ?? [];
      for (const r of rules) {
        const err = s.apply(r, env);
        if (err !== null) return err;
      }
      this.selectors.push(s);
    } else if (kw === "clearselectors") {
      this.selectors.length = 1;
    } else if (kw === "reset") {
      this.apply("resetpass", env);
      this.apply("resetkeys", env);
      this.apply("resetchannels", env);
      if (env.allChannelsByDefault) this.apply("allchannels", env);
      this.apply("off", env);
      this.apply("sanitize-payload", env);
      this.apply("clearselectors", env);
      this.apply("-@all", env);
    } else {
      return this.root.apply(op, env);
    }
    return null;
  }
}

/** ACLCheckPasswordHash: 64 lowercase hex characters. */
function isPasswordHash(h: string): boolean {
  return /^[0-9a-f]{64}$/.test(h);
}

/**
 * ACLMergeSelectorArguments: rejoins a selector split over several arguments (`(~a`, `+get)`)
 * into one rule.
 * @returns the merged rules, or the index of an unclosed `(` argument
 */
export function mergeSelectorArgs(args: string[]): string[] | { unclosed: number } {
  const out: string[] = [];
  let open = -1;
  let selector = "";
  for (let j = 0; j < args.length; j++) {
    const op = args[j];
    if (op[0] === "(" && op[op.length - 1] !== ")") {
      selector = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      selector += " " + cstr(op);
      if (op[op.length - 1] === ")") {
        open = -1;
        out.push(selector);
      }
      continue;
    }
    out.push(op);
  }
  return open === -1 ? out : { unclosed: open };
}

// ---------------------------------------------------------------------------------------------
// Describing users as rules

function countCategory(sel: Selector, flag: number, index: CommandIndex): [number, number] {
  let on = 0;
  let off = 0;
  index.forEach((c) => {
    if (c.cats & flag) {
      if (sel.bits[c.id]) on++;
      else off++;
    }
  });
  return [on, off];
}

/**
 * ACLDescribeSelectorCommandRules: `+@all` or `-@all`, then the categories that best fit the
 * bitmap (greedily, as Redis does), then the single commands and first-args that remain.
 * Single commands come in command-table order; Redis walks a hash table with a random seed, so
 * its order differs between servers and is not part of the contract.
 */
export function describeCommandRules(sel: Selector, env: RuleEnv): string {
  const index = env.index;
  const additive = !sel.canRunFutureCommands();
  let rules = additive ? "-@all " : "+@all ";
  const fake = new Selector(index.size, false, false);
  fake.setAll(!additive);
  const temp = new Selector(index.size, false, false);
  temp.bits.set(sel.bits);
  const applied = new Set<number>();
  for (;;) {
    let best = -1;
    let minDiff = Number.MAX_SAFE_INTEGER;
    let maxSame = 0;
    for (let j = 0; j < ACL_CATEGORIES.length; j++) {
      if (applied.has(j)) continue;
      const [on, off] = countCategory(temp, 1 << j, index);
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
        best = j;
        minDiff = diff;
        maxSame = same;
      }
    }
    if (best === -1) break;
    fake.setCategory(1 << best, additive, index);
    temp.setCategory(1 << best, !additive, index);
    rules += `${additive ? "+@" : "-@"}${ACL_CATEGORIES[best]} `;
    applied.add(best);
  }
  const single = (c: AclCommand): void => {
    const userBit = sel.bits[c.id] === 1;
    if (userBit !== (fake.bits[c.id] === 1)) {
      rules += `${userBit ? "+" : "-"}${c.name} `;
      fake.changePerm(c, userBit);
    }
    for (const s of c.subs) single(s);
    const first = sel.firstArgs?.get(c.id);
    if (!userBit && first !== undefined) { for (const a of first) rules += `+${c.name}|${a} `; }
  };
  for (const c of index.top) single(c);
  return rules.slice(0, -1);
}

/** sdsCatPatternString: `~p`, `%R~p` or `%W~p`. */
export function patternString(p: KeyPattern): string {
  if (p.flags === PERM_ALL) return `~${p.pattern}`;
  if (p.flags === PERM_READ) return `%R~${p.pattern}`;
  if (p.flags === PERM_WRITE) return `%W~${p.pattern}`;
  // Redis panics describing a pattern without permissions (`%~p`); print it back as given.
  return `%~${p.pattern}`;
}

/** ACLDescribeSelector: keys, channels, then command rules. */
export function describeSelector(sel: Selector, env: RuleEnv): string {
  let out = "";
  if (sel.allKeys) out += "~* ";
  else for (const p of sel.patterns) out += patternString(p) + " ";
  if (sel.allChannels) out += "&* ";
  else {
    out += "resetchannels ";
    for (const c of sel.channels) out += `&${c} `;
  }
  return out + describeCommandRules(sel, env);
}

/** ACLDescribeUser: the rules after `user <name>` in ACL LIST and files. */
export function describeUser(u: User, env: RuleEnv): string {
  let out = "";
  for (const f of u.flags()) out += f + " ";
  for (const p of u.passwords) out += `#${p} `;
  for (const s of u.selectors) {
    const d = describeSelector(s, env);
    out += s.root ? d : ` (${d})`;
  }
  return out;
}
