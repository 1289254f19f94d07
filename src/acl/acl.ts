// The server's ACL state (acl.c): the users, the default user every connection starts as,
// authentication, the permission check the dispatcher runs before each command, the ACL LOG,
// `user` config lines and the ACL file (ACL LOAD/SAVE). Clients refer to their user by name
// (`Client.user`); deleting or reloading a user disconnects the clients authenticated as it,
// as Redis does. `Client.authenticated` holds Redis's authRequired() negated: it is kept in step
// whenever the default user changes (a new requirepass, ACL SETUSER default, ACL LOAD).

import type { Client } from "../client.ts";
import { clientInfoLine } from "../commands/connection.ts";
import type { Command } from "../commands/spec.ts";
import { CommandTable } from "../commands/table.ts";
import { type Config, setUserLineValidator, strerror } from "../config.ts";
import {
  ACL_USERNAME_SPACES,
  aclSetuserError,
  aclUnmatchedParenthesis,
  NOPERM_CHANNEL,
  NOPERM_KEY,
  nopermCommand,
  nopermExec,
} from "../errors.ts";
import { log } from "../log.ts";
import { RespDouble, RespMap } from "../resp/types.ts";
import type { Reply } from "../resp/types.ts";
import type { Server } from "../server.ts";
import { bytesToStr, strToBytes } from "../util/bytes.ts";
import {
  ACL_OK,
  channelAllowed,
  checkCommand,
  type CheckResult,
  DENIED_AUTH,
  DENIED_CHANNEL,
  DENIED_CMD,
  DENIED_KEY,
} from "./check.ts";
import { CommandIndex } from "./command_index.ts";
import { sha256Hex } from "./sha256.ts";
import {
  cstr,
  describeUser,
  hasSpaces,
  mergeSelectorArgs,
  type RuleEnv,
  ruleErrorText,
  User,
} from "./user.ts";

/** Where a denial happened (ACL LOG `context`). */
export type AclContext = "toplevel" | "multi" | "lua" | "module";

/** ACL LOG entries within this many ms of each other are merged (ACL_LOG_GROUPING_MAX_TIME_DELTA). */
const LOG_GROUPING_MS = 60000;

interface LogEntry {
  count: number;
  reason: number;
  context: AclContext;
  object: string;
  username: string;
  /** Unix ms of the last occurrence. */
  ctime: number;
  /** CLIENT LIST line of the last client that caused it. */
  cinfo: string;
}

const REASON_NAMES: Record<number, string> = {
  [DENIED_CMD]: "command",
  [DENIED_KEY]: "key",
  [DENIED_CHANNEL]: "channel",
  [DENIED_AUTH]: "auth",
};

/** The NOPERM error for a denial in processCommand. */
export function nopermMessage(check: CheckResult, cmdName: string): string {
  switch (check.result) {
    case DENIED_CMD:
      return nopermCommand(cmdName);
    case DENIED_KEY:
      return NOPERM_KEY;
    default:
      return NOPERM_CHANNEL;
  }
}

/** The NOPERM error EXEC gives a queued command the ACL rules no longer allow. */
export function execNopermMessage(check: CheckResult): string {
  const reason = check.result === DENIED_CMD
    ? "no permission to execute the command or subcommand"
    : check.result === DENIED_KEY
    ? "no permission to touch the specified keys"
    : check.result === DENIED_CHANNEL
    ? "no permission to access one of the channels used as arguments"
    : "no permission";
  return nopermExec(reason);
}

/** getAclErrorMessage: why a script (or module) may not run a command. */
export function aclErrorMessage(result: number): string {
  switch (result) {
    case DENIED_CMD:
      return "can't run this command or subcommand";
    case DENIED_KEY:
      return "can't access at least one of the keys mentioned in the command arguments";
    case DENIED_CHANNEL:
      return "can't publish to the channel mentioned in the command";
    default:
      return "lacking the permissions for the command";
  }
}

/** The ACL subsystem of one server. */
export class Acl {
  readonly index: CommandIndex;
  readonly env: RuleEnv;
  /** Every user by name; the default user is always present. */
  readonly users = new Map<string, User>();
  readonly defaultUser: User;
  /** Newest first. */
  readonly log: LogEntry[] = [];
  /** A startup problem (bad `user` line rules, bad ACL file) that must stop the server. */
  startupError: string | null = null;
  #server: Server;
  /** Redis's per-client `authenticated` flag (authenticated explicitly, or born so). */
  #authed = new WeakSet<Client>();
  // True while the default user grants everything: the per-command check is skipped.
  #defaultOpen = true;

  constructor(server: Server) {
    this.#server = server;
    const config = server.config;
    this.index = new CommandIndex(server.table);
    this.env = {
      index: this.index,
      get allChannelsByDefault() {
        return config.get("acl-pubsub-default") === "allchannels";
      },
      warn: (msg) => log.warning(msg),
    };
    this.defaultUser = createDefaultUser(this.env);
    this.users.set("default", this.defaultUser);
    const pass = config.get("requirepass");
    if (pass !== "") this.updateDefaultPassword(pass);
    this.#loadAtStartup(config);
    this.#defaultChanged();
    config.rewriteExtras = () => this.rewriteLines();
  }

  // ACLLoadUsersAtStartup: `user` lines and `aclfile` exclude each other; a rule that fails
  // now (an unknown command) or a broken ACL file stops the server.
  #loadAtStartup(config: Config): void {
    const file = config.get("aclfile");
    if (file !== "" && config.userLines.length > 0) {
      this.startupError =
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.";
      return;
    }
    for (const rules of config.userLines) {
      const name = rules[0];
      if (hasSpaces(name)) {
        log.warning("Spaces not allowed in ACL usernames");
        this.startupError = "Critical error while loading ACLs. Exiting.";
        return;
      }
      let u = this.users.get(name);
      if (u === undefined) {
        u = new User(name, this.env);
        this.users.set(name, u);
      } else {
        u.apply("reset", this.env);
      }
      for (let j = 1; j < rules.length; j++) {
        const err = u.apply(rules[j], this.env);
        if (err !== null) {
          log.warning(
            `Error loading ACL rule '${cstr(rules[j])}' for the user named '${cstr(name)}': ${
              ruleErrorText(err)
            }`,
          );
          this.startupError = "Critical error while loading ACLs. Exiting.";
          return;
        }
      }
      if (!u.enabled) {
        log.notice(
          `The user '${
            cstr(name)
          }' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`,
        );
      }
    }
    if (file !== "") {
      const errors = this.loadFile(file);
      if (errors !== null) {
        this.startupError = `Aborting Redis startup because of ACL errors: ${errors}`;
      }
    }
  }

  // --- authentication

  /** Redis's authRequired() for a client that has not authenticated. */
  authRequired(): boolean {
    return !this.defaultUser.nopass || !this.defaultUser.enabled;
  }

  /** Sets up a new connection as the default user (createClient / clientSetDefaultAuth). */
  initClient(c: Client): void {
    c.user = "default";
    if (this.authRequired()) this.#authed.delete(c);
    else this.#authed.add(c);
    this.#sync(c);
  }

  /**
   * Redis's `c->authenticated`: authenticated explicitly, or connected while the default user
   * needed no password (HELLO's NOAUTH check uses this, not authRequired()).
   */
  hasAuthenticated(c: Client): boolean {
    return this.#authed.has(c);
  }

  // Keeps the dispatcher's and the decoder's view (authRequired negated) in step.
  #sync(c: Client): void {
    const ok = this.#authed.has(c) || !this.authRequired();
    c.authenticated = ok;
    c.decoder.authenticated = ok;
  }

  // Called whenever the default user may have changed.
  #defaultChanged(): void {
    const d = this.defaultUser;
    this.#defaultOpen = d.selectors.length === 1 && d.root.allCommands && d.root.allKeys &&
      d.root.allChannels;
    for (const c of this.#server.clients.values()) this.#sync(c);
  }

  /**
   * ACLCheckUserCredentials: the user exists, is enabled, and is nopass or one of its password
   * hashes matches (compared in constant time).
   */
  checkCredentials(username: string, password: string): boolean {
    const u = this.users.get(username);
    if (u === undefined || !u.enabled) return false;
    if (u.nopass) return true;
    const hashed = sha256Hex(password);
    let ok = false;
    for (const p of u.passwords) if (timingSafeEqual(hashed, p)) ok = true;
    return ok;
  }

  /**
   * ACLAuthenticateUser: on success the client becomes `username`; a failure is logged.
   * @param argv0 the command name as the client typed it (the ACL LOG object)
   */
  authenticate(c: Client, username: string, password: string, argv0: string): boolean {
    if (this.checkCredentials(username, password)) {
      c.user = username;
      this.#authed.add(c);
      this.#sync(c);
      return true;
    }
    const context = c.multi !== null || this.#server.execDepth > 1 ? "multi" : "toplevel";
    this.addLog(c, DENIED_AUTH, context, argv0, username);
    return false;
  }

  /**
   * Marks an internal client (our master's link) authenticated whatever the default user
   * requires, as Redis does for the master client.
   */
  markAuthenticated(c: Client): void {
    this.#authed.add(c);
    this.#sync(c);
  }

  /** ACLUpdateDefaultUserPassword: `requirepass` is the default user's only password. */
  updateDefaultPassword(pass: string): void {
    this.defaultUser.apply("resetpass", this.env);
    this.defaultUser.apply(pass === "" ? "nopass" : `>${pass}`, this.env);
    this.#defaultChanged();
  }

  /** The user a client runs as. */
  userOf(c: Client): User {
    return c.user === "default" ? this.defaultUser : this.users.get(c.user) ?? this.defaultUser;
  }

  // --- permission checks

  /**
   * The processCommand ACL check: null when allowed, else the NOPERM error to reply (the
   * denial is logged).
   */
  denied(c: Client, cmd: Command, argv: string[]): string | null {
    if (this.#defaultOpen && c.user === "default") return null;
    // Our master's link has no user in Redis (c->user == NULL): it may run anything.
    if (c.isMaster) return null;
    const r = this.check(this.userOf(c), cmd, argv);
    if (r.result === ACL_OK) return null;
    this.logDenial(c, r, cmd, argv, c.multi !== null ? "multi" : "toplevel");
    return nopermMessage(r, cmd.name);
  }

  /** EXEC's re-check of a queued command: null when still allowed, else the error (logged). */
  execDenied(c: Client, cmd: Command, argv: string[]): string | null {
    if ((this.#defaultOpen && c.user === "default") || c.isMaster) return null;
    const r = this.check(this.userOf(c), cmd, argv);
    if (r.result === ACL_OK) return null;
    this.logDenial(c, r, cmd, argv, "multi");
    return execNopermMessage(r);
  }

  /**
   * scriptVerifyACL: a command called from a script runs with the caller's permissions.
   * @returns null when allowed, else the script error text without its `ERR ` prefix (the
   *   denial is logged with the `lua` context and the caller's client info)
   */
  scriptDenied(caller: Client, cmd: Command, argv: string[]): string | null {
    if (this.#defaultOpen && caller.user === "default") return null;
    const r = this.check(this.userOf(caller), cmd, argv);
    if (r.result === ACL_OK) return null;
    this.logDenial(caller, r, cmd, argv, "lua");
    return `The user executing the script ${aclErrorMessage(r.result)}`;
  }

  /** Whether `user` may run `argv` (resolved to `cmd`). */
  check(user: User, cmd: Command, argv: string[]): CheckResult {
    const info = this.index.of(cmd);
    if (info === undefined) return { result: ACL_OK, pos: 0 };
    return checkCommand(user, info, argv);
  }

  /** Logs a denial from `check` (the object is the command name, key or channel). */
  logDenial(c: Client, r: CheckResult, cmd: Command, argv: string[], context: AclContext): void {
    const object = r.result === DENIED_CMD ? cmd.name : argv[r.pos];
    this.addLog(c, r.result, context, object, c.user);
  }

  // --- ACL LOG

  /** addACLLogEntry: a new entry, or a bump of a similar recent one among the latest ten. */
  addLog(c: Client, reason: number, context: AclContext, object: string, username: string): void {
    const now = Date.now();
    const cinfo = clientInfoLine(c, this.#server);
    for (let i = 0; i < Math.min(10, this.log.length); i++) {
      const e = this.log[i];
      if (
        e.reason === reason && e.context === context &&
        Math.abs(e.ctime - now) <= LOG_GROUPING_MS &&
        e.object === object && e.username === username
      ) {
        this.log.splice(i, 1);
        this.log.unshift(e);
        e.cinfo = cinfo;
        e.ctime = now;
        e.count++;
        return;
      }
    }
    this.log.unshift({ count: 1, reason, context, object, username, ctime: now, cinfo });
    const max = this.#server.config.num("acllog-max-len");
    if (this.log.length > max) this.log.length = max;
  }

  /** ACL LOG [count]: the newest `count` entries. */
  logReply(count: number): Reply {
    const now = Date.now();
    return this.log.slice(0, count).map((e) =>
      new RespMap([
        "count",
        e.count,
        "reason",
        REASON_NAMES[e.reason] ?? "unknown",
        "context",
        e.context,
        "object",
        e.object,
        "username",
        e.username,
        "age-seconds",
        new RespDouble((now - e.ctime) / 1000),
        "client-info",
        e.cinfo,
      ])
    );
  }

  // --- user management

  /** Usernames in Redis's (byte-wise sorted, radix tree) order. */
  names(): string[] {
    return [...this.users.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The `user <name> <rules>` line of a user. */
  describeLine(u: User): string {
    return `user ${u.name} ${describeUser(u, this.env)}`;
  }

  /**
   * ACL SETUSER username rule...: applies every rule to a copy, then, when all succeeded, to the user
   * (created when missing). Subscribed clients of the user that lost a channel are dropped.
   * @returns null, or the error text
   */
  setUser(argv: string[], current: Client | null): string | null {
    const name = argv[2];
    if (hasSpaces(name)) return ACL_USERNAME_SPACES;
    const merged = mergeSelectorArgs(argv.slice(3));
    if (!Array.isArray(merged)) {
      return aclUnmatchedParenthesis(argv[3 + merged.unclosed]);
    }
    const temp = new User(name, this.env);
    const existing = this.users.get(name);
    if (existing !== undefined) temp.copyFrom(existing);
    for (const op of merged) {
      const err = temp.apply(op, this.env);
      if (err !== null) {
        return aclSetuserError(op, ruleErrorText(err));
      }
    }
    if (existing !== undefined) this.#killPubsubClientsIfNeeded(temp, existing, current);
    let u = existing;
    if (u === undefined) {
      u = new User(name, this.env);
      this.users.set(name, u);
    }
    u.copyFrom(temp);
    if (u === this.defaultUser) this.#defaultChanged();
    return null;
  }

  /**
   * ACL DELUSER: removes users and disconnects their clients.
   * @returns how many existed
   */
  delUsers(names: string[], current: Client | null): number {
    let deleted = 0;
    for (const name of names) {
      const u = this.users.get(name);
      if (u === undefined) continue;
      this.users.delete(name);
      this.#killClientsOf(u.name, current);
      deleted++;
    }
    return deleted;
  }

  // ACLFreeUserAndKillClients: clients authenticated as the user go back to the default user,
  // unauthenticated, and are closed (the current one after its reply).
  #killClientsOf(name: string, current: Client | null): void {
    for (const c of [...this.#server.clients.values()]) {
      if (c.user !== name) continue;
      c.user = "default";
      this.#authed.delete(c);
      c.authenticated = false;
      c.decoder.authenticated = false;
      if (c === current) c.closeAfterReply = true;
      else c.kill();
    }
  }

  // ACLKillPubsubClientsIfNeeded: when the new rules lose a channel the old ones had,
  // subscribed clients of the user whose subscriptions are no longer allowed are closed.
  #killPubsubClientsIfNeeded(next: User, original: User, current: Client | null): void {
    if (next.selectors.some((s) => s.allChannels)) return;
    const upcoming = next.selectors.flatMap((s) => s.channels);
    const kept = original.selectors.every((s) => s.channels.every((ch) => upcoming.includes(ch)));
    if (kept) return;
    for (const c of [...this.#server.clients.values()]) {
      if (c.user !== original.name || c.subscriptionCount === 0 || c.isMaster || c.isReplica) {
        continue;
      }
      let kill = false;
      for (const p of c.patterns) if (!channelAllowed(upcoming, p, true)) kill = true;
      for (const ch of c.channels) if (!channelAllowed(upcoming, ch, false)) kill = true;
      for (const ch of c.shardChannels) if (!channelAllowed(upcoming, ch, false)) kill = true;
      if (!kill) continue;
      if (c === current) c.closeAfterReply = true;
      else c.kill();
    }
  }

  // --- ACL file

  /**
   * ACLLoadFromFile: validates the whole file into a fresh user set and switches to it only
   * when every line is valid. Clients of the replaced users (all but default) are closed.
   * @returns null on success, else every problem found on one line
   */
  loadFile(path: string, current: Client | null = null): string | null {
    let text: string;
    try {
      text = cstr(bytesToStr(Deno.readFileSync(path)));
    } catch (err) {
      return `Error loading ACLs, opening file '${path}': ${strerror(err)}`;
    }
    const users = new Map<string, User>();
    let errors = "";
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = trim(lines[i], " \t\r\n");
      const linenum = i + 1;
      if (line === "") continue;
      // Split on single spaces (sdssplitlen), not with quoting rules.
      const argv = line.split(" ");
      if (argv[0] !== "user" || argv.length < 2) {
        errors += `${path}:${linenum} should start with user keyword followed by the username. `;
        continue;
      }
      const name = argv[1];
      if (hasSpaces(name)) {
        errors += `'${path}:${linenum}: username '${cstr(name)}' contains invalid characters. `;
        continue;
      }
      if (users.has(name)) {
        errors += `WARNING: Duplicate user '${cstr(name)}' found on line ${linenum}. `;
        continue;
      }
      const u = new User(name, this.env);
      users.set(name, u);
      const merged = mergeSelectorArgs(argv.slice(2));
      if (!Array.isArray(merged)) {
        errors += `${path}:${linenum}: Unmatched parenthesis in selector definition.`;
        continue;
      }
      // Unknown commands are all reported with the rule; of other errors only the first, as
      // it may change the meaning of the rules after it.
      let syntaxError = false;
      for (const raw of merged) {
        const op = trim(raw, "\t\r\n");
        const err = u.apply(op, this.env);
        if (err === "ENOENT") {
          errors += `${path}:${linenum}: Error in applying operation '${cstr(op)}': ${
            ruleErrorText(err)
          }. `;
        } else if (err !== null && !syntaxError) {
          errors += `${path}:${linenum}: ${ruleErrorText(err)}. `;
          syntaxError = true;
        }
      }
    }
    if (errors !== "") {
      return errors +
        "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";
    }
    const loadedDefault = users.get("default") ?? createDefaultUser(this.env);
    this.defaultUser.copyFrom(loadedDefault);
    const old = [...this.users.values()].filter((u) => u !== this.defaultUser);
    this.users.clear();
    for (const [name, u] of users) if (name !== "default") this.users.set(name, u);
    this.users.set("default", this.defaultUser);
    for (const u of old) this.#killClientsOf(u.name, current);
    this.#defaultChanged();
    return null;
  }

  /**
   * ACLSaveToFile: every user as a `user` line, written to a temp file renamed over the target.
   * @returns true on success (failures are logged)
   */
  saveFile(path: string): boolean {
    let text = "";
    for (const name of this.names()) text += this.describeLine(this.users.get(name)!) + "\n";
    const tmp = `${path}.tmp-${Deno.pid}-${Date.now()}`;
    try {
      Deno.writeFileSync(tmp, strToBytes(text), { mode: 0o644 });
    } catch (err) {
      log.warning(`Opening temp ACL file for ACL SAVE: ${strerror(err)}`);
      return false;
    }
    try {
      Deno.renameSync(tmp, path);
    } catch (err) {
      log.warning(`Renaming ACL file for ACL SAVE: ${strerror(err)}`);
      try {
        Deno.removeSync(tmp);
      } catch {
        // already gone
      }
      return false;
    }
    return true;
  }

  /**
   * CONFIG REWRITE's `user` lines (rewriteConfigUserOption): every user, unless an ACL file
   * holds them, in which case `user` lines are dropped from the config file.
   */
  rewriteLines(): [string, string[]][] {
    if (this.#server.config.get("aclfile") !== "") return [["user", []]];
    return [["user", this.names().map((n) => this.describeLine(this.users.get(n)!))]];
  }
}

/** ACLCreateDefaultUser: on, nopass, every command, key and channel. */
function createDefaultUser(env: RuleEnv): User {
  const u = new User("default", env);
  for (const op of ["+@all", "~*", "&*", "on", "nopass"]) u.apply(op, env);
  return u;
}

/** Compares two strings in time independent of where they differ. */
function timingSafeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}

// sdstrim: strips the given characters from both ends.
function trim(s: string, chars: string): string {
  let a = 0;
  let z = s.length;
  while (a < z && chars.includes(s[a])) a++;
  while (z > a && chars.includes(s[z - 1])) z--;
  return s.slice(a, z);
}

// Validation of `user` config lines while the config file is read (ACLAppendUserForLoading):
// rules are tried on a throwaway user; unknown commands are only reported at startup.
let validationIndex: CommandIndex | null = null;

setUserLineValidator((argv) => {
  validationIndex ??= new CommandIndex(new CommandTable());
  const env: RuleEnv = { index: validationIndex, allChannelsByDefault: false };
  const merged = mergeSelectorArgs(argv.slice(2));
  // Redis reports the argument at the failing rule's index into the *whole* line (its
  // argc_err is relative to the rules but indexes argv), and a stale errno: kept as is.
  if (!Array.isArray(merged)) {
    return { arg: argv[merged.unclosed] ?? "", message: ruleErrorText("ENOENT") };
  }
  const fake = new User("__fakeuser:0__", env);
  for (let j = 0; j < merged.length; j++) {
    const err = fake.apply(merged[j], env);
    if (err !== null && err !== "ENOENT") {
      return { arg: argv[j] ?? "", message: ruleErrorText(err) };
    }
  }
  return { rules: merged };
});
