// Connection commands: PING ECHO QUIT RESET HELLO AUTH SELECT and the CLIENT container.

import type { Client } from "../client.ts";
import { REDIS_VERSION } from "../config.ts";
import {
  AUTH_NO_PASSWORD,
  DB_INDEX_OUT_OF_RANGE,
  HELLO_NOAUTH,
  INT_OUT_OF_RANGE,
  NOPROTO,
  NOT_INTEGER,
  ReplyError,
  subcommandSyntax,
  SYNTAX,
  wrongArity,
  WRONGPASS,
} from "../errors.ts";
import { discardTransaction, unwatchAll } from "./transactions.ts";
import { NO_REPLY, OK, PONG, type Reply, RespMap, SimpleString, Verbatim } from "../resp/types.ts";
import type { Server } from "../server.ts";
import { parseSafeInt } from "../util/numbers.ts";
import { argInt, fail } from "./args.ts";
import type { CommandSpec, Ctx } from "./spec.ts";

const CONN = ["connection"];
/** What MONITOR and the slow log show instead of a secret argument. */
const REDACTED = "(redacted)";

/**
 * Checks a username/password pair against the ACL users (enabled, nopass or a matching
 * password hash, compared in constant time).
 * @returns true on success
 */
export function checkAuth(server: Server, user: string, pass: string): boolean {
  return server.acl.checkCredentials(user, pass);
}

// ACLAuthenticateUser: the client becomes `user`, or the failure is counted and logged.
function authenticate(ctx: Ctx, argv0: string, user: string, pass: string): void {
  if (!ctx.server.acl.authenticate(ctx.client, user, pass, argv0)) {
    ctx.server.authFailures++;
    throw new ReplyError(WRONGPASS);
  }
}

// PING [message]
function ping(ctx: Ctx, argv: string[]): Reply {
  const c = ctx.client;
  if (c.resp === 2 && c.subscriptionCount > 0) {
    return ["pong", argv.length > 1 ? argv[1] : ""];
  }
  return argv.length > 1 ? argv[1] : PONG;
}

// AUTH [username] password
function auth(ctx: Ctx, argv: string[]): Reply {
  if (argv.length > 3) throw new ReplyError(SYNTAX);
  // Credentials never reach MONITOR or the slow log, which read argv after the command.
  const user = argv.length === 3 ? argv[1] : "default";
  const pass = argv[argv.length - 1];
  argv[1] = REDACTED;
  // The one-argument form keeps Redis 5's error when the default user needs no password.
  if (argv.length === 2 && ctx.server.acl.defaultUser.nopass) {
    throw new ReplyError(AUTH_NO_PASSWORD);
  }
  if (argv.length === 3) argv[2] = REDACTED;
  authenticate(ctx, argv[0], user, pass);
  return OK;
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
function hello(ctx: Ctx, argv: string[]): Reply {
  const c = ctx.client;
  let ver = 0;
  if (argv.length >= 2) {
    const v = parseSafeInt(argv[1]);
    if (v === null) throw new ReplyError("ERR Protocol version is not an integer or out of range");
    if (v < 2 || v > 3) throw new ReplyError(NOPROTO);
    ver = v;
  }
  let setname: string | null = null;
  let creds: [string, string] | null = null;
  // Every option is parsed before anything takes effect, as helloCommand does.
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    const more = argv.length - i - 1;
    if (opt === "auth" && more >= 2) {
      creds = [argv[i + 1], argv[i + 2]];
      argv[i + 1] = argv[i + 2] = REDACTED;
      i += 2;
    } else if (opt === "setname" && more >= 1) {
      setname = argv[i + 1];
      i += 1;
    } else {
      throw new ReplyError(`ERR Syntax error in HELLO option '${argv[i]}'`);
    }
  }
  if (creds !== null) authenticate(ctx, argv[0], creds[0], creds[1]);
  if (!ctx.server.acl.hasAuthenticated(c)) throw new ReplyError(HELLO_NOAUTH);
  if (setname !== null) {
    if (!validName(setname)) throw new ReplyError(BAD_NAME);
    c.name = setname;
  }
  if (ver !== 0) c.setResp(ver as 2 | 3);
  return new RespMap([
    "server",
    "redis",
    "version",
    REDIS_VERSION,
    "proto",
    c.resp,
    "id",
    c.id,
    "mode",
    "standalone",
    "role",
    ctx.server.isReplica() ? "replica" : "master",
    "modules",
    [],
  ]);
}

// SELECT index
function select(ctx: Ctx, argv: string[]): Reply {
  const idx = parseSafeInt(argv[1]);
  if (idx === null) throw new ReplyError(NOT_INTEGER);
  // getIntFromObjectOrReply: beyond a C int the range error comes first.
  if (idx < -2147483648 || idx > 2147483647) throw new ReplyError(INT_OUT_OF_RANGE);
  if (idx < 0 || idx >= ctx.server.keyspace.dbs.length) throw new ReplyError(DB_INDEX_OUT_OF_RANGE);
  ctx.client.dbIndex = idx;
  return OK;
}

// RESET
function reset(ctx: Ctx): Reply {
  const c = ctx.client;
  const s = ctx.server;
  discardTransaction(c);
  unwatchAll(s, c);
  s.monitors.delete(c);
  c.monitor = false;
  for (const h of s.resetClientHooks) h(c);
  c.setResp(2);
  c.dbIndex = 0;
  c.name = "";
  c.replyMode = "on";
  c.noEvict = false;
  s.acl.initClient(c); // clientSetDefaultAuth: back to the default user
  return new SimpleString("RESET");
}

const BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

function validName(n: string): boolean {
  for (let i = 0; i < n.length; i++) {
    const ch = n.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

function clientFlags(c: Client, server: Server): string {
  let f = "";
  if (c.isReplica) f += "S";
  if (c.isMaster) f += "M";
  if (c.subscriptionCount > 0) f += "P";
  if (c.multi !== null) f += "x";
  if (c.blocked !== null) f += "b";
  if (c.casDirty) f += "d";
  if (c.closeAfterReply) f += "c";
  if (c.noEvict) f += "e";
  if (c.monitor) f += "O";
  if (f === "") f = "N";
  void server;
  return f;
}

/** One CLIENT LIST line (Redis 7.0 field set and order). */
export function clientInfoLine(c: Client, server: Server): string {
  const now = Date.now();
  const qbuf = c.decoder.buffered;
  // Our master's link has no ACL user (c->user == NULL in Redis).
  const user = c.isMaster ? "(superuser)" : c.user;
  return `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${
    c.conn ? c.id + 7 : -1
  } name=${c.name} age=${Math.floor((now - c.createdAt) / 1000)} idle=${
    Math.floor((now - c.lastInteraction) / 1000)
  } flags=${
    clientFlags(c, server)
  } db=${c.dbIndex} sub=${c.channels.size} psub=${c.patterns.size} ssub=${c.shardChannels.size} multi=${
    c.multi ? c.multi.queue.length : -1
  } qbuf=${qbuf} qbuf-free=${
    Math.max(0, 16384 - qbuf)
  } argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0 omem=${c.pendingOutput} tot-mem=${
    32768 + qbuf + c.pendingOutput
  } events=r cmd=${c.lastCommand.toLowerCase()} user=${user} redir=-1 resp=${c.resp}`;
}

function clientType(c: Client): string {
  if (c.isMaster) return "master";
  if (c.isReplica) return "replica";
  if (c.subscriptionCount > 0) return "pubsub";
  return "normal";
}

function parseType(t: string): string {
  const v = t.toLowerCase();
  if (v === "normal" || v === "master" || v === "pubsub") return v;
  if (v === "replica" || v === "slave") return "replica";
  throw new ReplyError(`ERR Unknown client type '${t}'`);
}

// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]
function clientList(ctx: Ctx, argv: string[]): Reply {
  let type: string | null = null;
  let ids: Set<number> | null = null;
  if (argv.length === 4 && argv[2].toLowerCase() === "type") {
    type = parseType(argv[3]);
  } else if (argv.length >= 4 && argv[2].toLowerCase() === "id") {
    ids = new Set();
    for (let i = 3; i < argv.length; i++) {
      const id = parseSafeInt(argv[i]);
      if (id === null || id <= 0) throw new ReplyError("ERR Invalid client ID");
      ids.add(id);
    }
  } else if (argv.length !== 2) {
    throw new ReplyError(SYNTAX);
  }
  let out = "";
  for (const c of ctx.server.clients.values()) {
    if (type !== null && clientType(c) !== type) continue;
    if (ids !== null && !ids.has(c.id)) continue;
    out += clientInfoLine(c, ctx.server) + "\n";
  }
  return new Verbatim("txt", out);
}

// CLIENT KILL ip:port | CLIENT KILL <filter> <value> ...
function clientKill(ctx: Ctx, argv: string[]): Reply {
  const s = ctx.server;
  if (argv.length === 3) {
    for (const c of s.clients.values()) {
      if (c.addr === argv[2]) {
        killClient(ctx, c);
        return OK;
      }
    }
    throw new ReplyError("ERR No such client");
  }
  if (argv.length % 2 !== 0) throw new ReplyError(SYNTAX);
  let id: number | null = null;
  let type: string | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let skipme = true;
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    const v = argv[i + 1];
    if (opt === "id") {
      const n = parseSafeInt(v);
      if (n === null || n <= 0) throw new ReplyError("ERR client-id should be greater than 0");
      id = n;
    } else if (opt === "type") type = parseType(v);
    else if (opt === "addr") addr = v;
    else if (opt === "laddr") laddr = v;
    else if (opt === "user") user = v;
    else if (opt === "skipme") {
      const l = v.toLowerCase();
      if (l === "yes") skipme = true;
      else if (l === "no") skipme = false;
      else throw new ReplyError(SYNTAX);
    } else throw new ReplyError(SYNTAX);
  }
  let killed = 0;
  for (const c of [...s.clients.values()]) {
    if (id !== null && c.id !== id) continue;
    if (type !== null && clientType(c) !== type) continue;
    if (addr !== null && c.addr !== addr) continue;
    if (laddr !== null && c.laddr !== laddr) continue;
    if (user !== null && c.user !== user) continue;
    if (c === ctx.client && skipme) continue;
    killClient(ctx, c);
    killed++;
  }
  return killed;
}

function killClient(ctx: Ctx, c: Client): void {
  if (c === ctx.client) {
    c.closeAfterReply = true; // reply first, as Redis does for CLIENT KILL of itself
  } else {
    c.kill();
  }
}

const CLIENT_HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CACHING (YES|NO)",
  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "    * ID <client-id>",
  "      Kill connections by client id.",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
  "         [OPTIN] [OPTOUT] [NOLOOP]",
  "    Control server assisted client side caching.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
  "HELP",
  "    Print this help.",
].map((l) => new SimpleString(l));

const ADMIN_CONN = ["admin", "slow", "dangerous", "connection"];

const CLIENT_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "id",
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    categories: ["slow", "connection"],
    handler: (ctx) => ctx.client.id,
  },
  {
    name: "setname",
    arity: 3,
    flags: ["noscript", "loading", "stale"],
    categories: ["slow", "connection"],
    handler: (ctx, argv) => {
      if (!validName(argv[2])) throw new ReplyError(BAD_NAME);
      ctx.client.name = argv[2];
      return OK;
    },
  },
  {
    name: "getname",
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    categories: ["slow", "connection"],
    handler: (ctx) => ctx.client.name === "" ? null : ctx.client.name,
  },
  {
    name: "list",
    arity: -2,
    flags: ["admin", "noscript", "loading", "stale"],
    categories: ADMIN_CONN,
    handler: clientList,
  },
  {
    name: "info",
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    categories: ["slow", "connection"],
    handler: (ctx) => new Verbatim("txt", clientInfoLine(ctx.client, ctx.server) + "\n"),
  },
  {
    name: "kill",
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    categories: ADMIN_CONN,
    handler: clientKill,
  },
  {
    name: "pause",
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    categories: ADMIN_CONN,
    handler: (ctx, argv) => {
      const ms = argInt(argv[2], "ERR timeout is not an integer or out of range");
      if (ms < 0) fail("ERR timeout is negative");
      let mode: "write" | "all" = "all";
      if (argv.length === 4) {
        const m = argv[3].toLowerCase();
        if (m === "write") mode = "write";
        else if (m !== "all") throw new ReplyError(SYNTAX);
      } else if (argv.length > 4) throw new ReplyError(SYNTAX);
      ctx.server.pause(Date.now() + ms, mode);
      return OK;
    },
  },
  {
    name: "unpause",
    arity: 2,
    flags: ["admin", "noscript", "loading", "stale"],
    categories: ADMIN_CONN,
    handler: (ctx) => {
      ctx.server.unpause();
      return OK;
    },
  },
  {
    name: "reply",
    arity: 3,
    flags: ["noscript", "loading", "stale"],
    categories: ["slow", "connection"],
    handler: (ctx, argv) => {
      const m = argv[2].toLowerCase();
      if (m === "on") {
        ctx.client.replyMode = "on";
        return OK;
      }
      if (m === "off") {
        ctx.client.replyMode = "off";
        return NO_REPLY;
      }
      if (m === "skip") {
        ctx.client.replyMode = "skip";
        return NO_REPLY;
      }
      throw new ReplyError(SYNTAX);
    },
  },
  {
    name: "no-evict",
    arity: 3,
    flags: ["admin", "noscript", "loading", "stale"],
    categories: ADMIN_CONN,
    handler: (ctx, argv) => {
      const m = argv[2].toLowerCase();
      if (m === "on") ctx.client.noEvict = true;
      else if (m === "off") ctx.client.noEvict = false;
      else throw new ReplyError(SYNTAX);
      return OK;
    },
  },
  {
    // Redis 7.2 addition; clients (node-redis, redis-py) send it on connect.
    name: "setinfo",
    arity: 4,
    flags: ["noscript", "loading", "stale"],
    categories: ["slow", "connection"],
    handler: (ctx, argv) => {
      const attr = argv[2].toLowerCase();
      const v = argv[3];
      for (let i = 0; i < v.length; i++) {
        const ch = v.charCodeAt(i);
        if (ch < 33 || ch > 126) {
          throw new ReplyError(
            `ERR ${argv[2]} cannot contain spaces, newlines or special characters.`,
          );
        }
      }
      if (attr === "lib-name") ctx.client.libName = v;
      else if (attr === "lib-ver") ctx.client.libVer = v;
      else throw new ReplyError(`ERR Unrecognized option '${argv[2]}'`);
      return OK;
    },
  },
  {
    name: "unblock",
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    categories: ADMIN_CONN,
    handler: (ctx, argv) => {
      const id = argInt(argv[2]);
      let asError = false;
      if (argv.length === 4) {
        const m = argv[3].toLowerCase();
        if (m === "error") asError = true;
        else if (m !== "timeout") {
          throw new ReplyError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        }
      } else if (argv.length > 4) throw new ReplyError(subcommandSyntax(argv[1], "client"));
      const target = ctx.server.clients.get(id);
      if (target === undefined || target === ctx.client) return 0;
      return ctx.server.blocking.unblock(target, asError) ? 1 : 0;
    },
    summary: "Unblock a client blocked in a blocking command from a different connection",
    since: "5.0.0",
    group: "connection",
    complexity: "O(log N) where N is the number of client connections",
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    categories: ["slow", "connection"],
    handler: () => CLIENT_HELP,
  },
];

/** Connection command specs. */
export const CONNECTION_COMMANDS: CommandSpec[] = [
  {
    name: "ping",
    arity: -1,
    flags: ["fast", "sentinel"],
    categories: CONN,
    handler: (ctx, argv) => {
      if (argv.length > 2) throw new ReplyError(wrongArity("ping"));
      return ping(ctx, argv);
    },
    summary: "Ping the server",
    since: "1.0.0",
    group: "connection",
  },
  {
    name: "echo",
    arity: 2,
    flags: ["fast"],
    categories: CONN,
    handler: (_ctx, argv) => argv[1],
    summary: "Echo the given string",
    since: "1.0.0",
    group: "connection",
  },
  {
    name: "quit",
    arity: -1,
    flags: ["allow_busy", "noscript", "loading", "stale", "fast", "no_auth"],
    categories: CONN,
    handler: (ctx) => {
      ctx.client.closeAfterReply = true;
      return OK;
    },
    summary: "Close the connection",
    since: "1.0.0",
    group: "connection",
  },
  {
    name: "reset",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    categories: CONN,
    handler: reset,
    summary: "Reset the connection",
    since: "6.2.0",
    group: "connection",
  },
  {
    name: "hello",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy", "sentinel"],
    categories: CONN,
    handler: hello,
    summary: "Handshake with Redis",
    since: "6.0.0",
    group: "connection",
  },
  {
    name: "auth",
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy", "sentinel"],
    categories: CONN,
    handler: auth,
    summary: "Authenticate to the server",
    since: "1.0.0",
    group: "connection",
  },
  {
    name: "select",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    categories: CONN,
    handler: select,
    summary: "Change the selected database for the current connection",
    since: "1.0.0",
    group: "connection",
  },
  {
    name: "client",
    arity: -2,
    flags: [],
    categories: ["slow"],
    subcommands: CLIENT_SUBCOMMANDS,
    summary: "A container for client connection commands",
    since: "2.4.0",
    group: "connection",
  },
];
