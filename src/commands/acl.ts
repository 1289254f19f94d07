// The ACL command (acl.c aclCommand): users (SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI),
// categories (CAT), passwords (GENPASS), what-if checks (DRYRUN), the denial log (LOG) and the
// ACL file (LOAD, SAVE). The rule language and the checks themselves live in src/acl/.

import { ACL_CATEGORIES, categoryFlag } from "../acl/command_index.ts";
import { ACL_OK, DENIED_CHANNEL, DENIED_CMD } from "../acl/check.ts";
import { cstr, describeCommandRules, patternString, type Selector } from "../acl/user.ts";
import {
  ACL_DEFAULT_UNDELETABLE,
  ACL_GENPASS_BITS,
  ACL_NO_FILE,
  ACL_SAVE_FAILED,
  aclCommandNotFound,
  aclUnknownCategory,
  aclUserNotFound,
  ReplyError,
  subcommandSyntax,
  wrongArity,
} from "../errors.ts";
import { OK, type Reply, RespMap, RespSet, SimpleString } from "../resp/types.ts";
import { argInt } from "./args.ts";
import type { Command, CommandSpec, Ctx } from "./spec.ts";

// ACL SETUSER username [rule [rule ...]]
function setuser(ctx: Ctx, argv: string[]): Reply {
  // Rules may hold passwords: the slow log sees every argument redacted.
  const args = argv.slice();
  for (let i = 2; i < argv.length; i++) argv[i] = "(redacted)";
  const err = ctx.server.acl.setUser(args, ctx.client);
  if (err !== null) throw new ReplyError(err);
  return OK;
}

// ACL DELUSER username [username ...]
function deluser(ctx: Ctx, argv: string[]): Reply {
  const names = argv.slice(2);
  if (names.includes("default")) throw new ReplyError(ACL_DEFAULT_UNDELETABLE);
  return ctx.server.acl.delUsers(names, ctx.client);
}

// The commands/keys/channels fields of one selector (aclAddReplySelectorDescription).
function selectorFields(ctx: Ctx, s: Selector): Reply[] {
  const keys = s.allKeys ? "~*" : s.patterns.map(patternString).join(" ");
  const channels = s.allChannels ? "&*" : s.channels.map((c) => `&${c}`).join(" ");
  return [
    "commands",
    describeCommandRules(s, ctx.server.acl.env),
    "keys",
    keys,
    "channels",
    channels,
  ];
}

// ACL GETUSER username
function getuser(ctx: Ctx, argv: string[]): Reply {
  const u = ctx.server.acl.users.get(argv[2]);
  if (u === undefined) return null;
  return new RespMap([
    "flags",
    new RespSet(u.flags()),
    "passwords",
    [...u.passwords],
    ...selectorFields(ctx, u.root),
    "selectors",
    u.selectors.slice(1).map((s) => new RespMap(selectorFields(ctx, s))),
  ]);
}

// ACL LIST
function list(ctx: Ctx): Reply {
  const acl = ctx.server.acl;
  return acl.names().map((n) => acl.describeLine(acl.users.get(n)!));
}

// ACL USERS
function users(ctx: Ctx): Reply {
  return ctx.server.acl.names();
}

// ACL WHOAMI
function whoami(ctx: Ctx): Reply {
  return ctx.client.user;
}

// ACL LOAD
function load(ctx: Ctx): Reply {
  const file = ctx.server.config.get("aclfile");
  if (file === "") throw new ReplyError(ACL_NO_FILE);
  const errors = ctx.server.acl.loadFile(file, ctx.client);
  if (errors !== null) throw new ReplyError(`ERR ${errors}`);
  return OK;
}

// ACL SAVE
function save(ctx: Ctx): Reply {
  const file = ctx.server.config.get("aclfile");
  if (file === "") throw new ReplyError(ACL_NO_FILE);
  if (!ctx.server.acl.saveFile(file)) throw new ReplyError(ACL_SAVE_FAILED);
  return OK;
}

// ACL CAT [category]
function cat(ctx: Ctx, argv: string[]): Reply {
  if (argv.length === 2) return [...ACL_CATEGORIES];
  if (argv.length !== 3) throw new ReplyError(subcommandSyntax(argv[1], "acl"));
  const flag = categoryFlag(cstr(argv[2]));
  if (flag === 0) throw new ReplyError(aclUnknownCategory(argv[2]));
  const out: string[] = [];
  ctx.server.acl.index.forEach((c) => {
    if (c.cats & flag) out.push(c.name);
  });
  return out;
}

// ACL GENPASS [bits]
function genpass(_ctx: Ctx, argv: string[]): Reply {
  if (argv.length > 3) throw new ReplyError(subcommandSyntax(argv[1], "acl"));
  const bits = argv.length === 3 ? argInt(argv[2]) : 256;
  if (bits <= 0 || bits > 4096) throw new ReplyError(ACL_GENPASS_BITS);
  const chars = Math.floor((bits + 3) / 4);
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(chars / 2)));
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex.slice(0, chars);
}

// ACL LOG [count | RESET]
function aclLog(ctx: Ctx, argv: string[]): Reply {
  if (argv.length > 3) throw new ReplyError(subcommandSyntax(argv[1], "acl"));
  const acl = ctx.server.acl;
  let count = 10;
  if (argv.length === 3) {
    if (argv[2].toLowerCase() === "reset") {
      acl.log.length = 0;
      return OK;
    }
    count = Math.max(0, argInt(argv[2]));
  }
  return acl.logReply(count);
}

// lookupCommand (not strict): a container named alone is the container itself.
function lookupForDryrun(ctx: Ctx, args: string[]): Command | undefined {
  const base = ctx.server.table.get(args[0]);
  if (base === undefined || args.length === 1 || base.subcommands === undefined) return base;
  return base.subcommands.get(args[1].toLowerCase());
}

// ACL DRYRUN username command [arg ...]
function dryrun(ctx: Ctx, argv: string[]): Reply {
  const acl = ctx.server.acl;
  const u = acl.users.get(argv[2]);
  if (u === undefined) throw new ReplyError(aclUserNotFound(argv[2]));
  const args = argv.slice(3);
  const cmd = lookupForDryrun(ctx, args);
  if (cmd === undefined) throw new ReplyError(aclCommandNotFound(argv[3]));
  const a = cmd.spec.arity;
  if ((a > 0 && a !== args.length) || args.length < -a) throw new ReplyError(wrongArity(cmd.name));
  const r = acl.check(u, cmd, args);
  if (r.result === ACL_OK) return OK;
  if (r.result === DENIED_CMD) {
    return `This user has no permissions to run the '${cmd.name}' command`;
  }
  const what = r.result === DENIED_CHANNEL ? "channel" : "key";
  return `This user has no permissions to access the '${cstr(args[r.pos])}' ${what}`;
}

const ACL_HELP = [
  "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CAT [<category>]",
  "    List all commands that belong to <category>, or all command categories",
  "    when no category is specified.",
  "DELUSER <username> [<username> ...]",
  "    Delete a list of users.",
  "DRYRUN <username> <command> [<arg> ...]",
  "    Returns whether the user can execute the given command without executing the command.",
  "GETUSER <username>",
  "    Get the user's details.",
  "GENPASS [<bits>]",
  "    Generate a secure 256-bit user password. The optional `bits` argument can",
  "    be used to specify a different size.",
  "LIST",
  "    Show users details in config file format.",
  "LOAD",
  "    Reload users from the ACL file.",
  "LOG [<count> | RESET]",
  "    Show the ACL log entries.",
  "SAVE",
  "    Save the current config to the ACL file.",
  "SETUSER <username> <attribute> [<attribute> ...]",
  "    Create or modify a user with the specified attributes.",
  "USERS",
  "    List all the registered usernames.",
  "WHOAMI",
  "    Return the current connection username.",
  "HELP",
  "    Prints this help.",
].map((l) => new SimpleString(l));

const ADMIN_FLAGS: CommandSpec["flags"] = ["admin", "noscript", "loading", "stale"];
const PLAIN_FLAGS: CommandSpec["flags"] = ["noscript", "loading", "stale"];
const N_USERS = "O(N). Where N is the number of configured users.";

const ACL_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "cat",
    arity: -2,
    flags: PLAIN_FLAGS,
    categories: [],
    handler: cat,
    summary: "List the ACL categories or the commands inside a category",
    since: "6.0.0",
    group: "server",
    complexity: "O(1) since the categories and commands are a fixed set.",
    arguments: [{ name: "categoryname", type: "string", flags: ["optional"] }],
  },
  {
    name: "deluser",
    arity: -3,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: deluser,
    summary: "Remove the specified ACL users and the associated rules",
    since: "6.0.0",
    group: "server",
    complexity: "O(1) amortized time considering the typical user.",
    arguments: [{ name: "username", type: "string", flags: ["multiple"] }],
  },
  {
    name: "dryrun",
    arity: -4,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: dryrun,
    summary:
      "Returns whether the user can execute the given command without executing the command.",
    since: "7.0.0",
    group: "server",
    complexity: "O(1).",
    arguments: [
      { name: "username", type: "string" },
      { name: "command", type: "string" },
      { name: "arg", type: "string", flags: ["optional", "multiple"] },
    ],
  },
  {
    name: "genpass",
    arity: -2,
    flags: PLAIN_FLAGS,
    categories: [],
    handler: genpass,
    summary: "Generate a pseudorandom secure password to use for ACL users",
    since: "6.0.0",
    group: "server",
    complexity: "O(1)",
    arguments: [{ name: "bits", type: "integer", flags: ["optional"] }],
  },
  {
    name: "getuser",
    arity: 3,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: getuser,
    summary: "Get the rules for a specific ACL user",
    since: "6.0.0",
    group: "server",
    complexity:
      "O(N). Where N is the number of password, command and pattern rules that the user has.",
    history: [
      ["6.2.0", "Added Pub/Sub channel patterns."],
      [
        "7.0.0",
        "Added selectors and changed the format of key and channel patterns from a list to their rule representation.",
      ],
    ],
    arguments: [{ name: "username", type: "string" }],
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    categories: [],
    handler: () => ACL_HELP,
    summary: "Show helpful text about the different subcommands",
    since: "6.0.0",
    group: "server",
    complexity: "O(1)",
  },
  {
    name: "list",
    arity: 2,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: list,
    summary: "List the current ACL rules in ACL config file format",
    since: "6.0.0",
    group: "server",
    complexity: N_USERS,
  },
  {
    name: "load",
    arity: 2,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: load,
    summary: "Reload the ACLs from the configured ACL file",
    since: "6.0.0",
    group: "server",
    complexity: N_USERS,
  },
  {
    name: "log",
    arity: -2,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: aclLog,
    summary: "List latest events denied because of ACLs in place",
    since: "6.0.0",
    group: "server",
    complexity: "O(N) with N being the number of entries shown.",
    arguments: [{
      name: "operation",
      type: "oneof",
      flags: ["optional"],
      arguments: [
        { name: "count", type: "integer" },
        { name: "reset", type: "pure-token", token: "RESET" },
      ],
    }],
  },
  {
    name: "save",
    arity: 2,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: save,
    summary: "Save the current ACL rules in the configured ACL file",
    since: "6.0.0",
    group: "server",
    complexity: N_USERS,
  },
  {
    name: "setuser",
    arity: -3,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: setuser,
    summary: "Modify or create the rules for a specific ACL user",
    since: "6.0.0",
    group: "server",
    complexity: "O(N). Where N is the number of rules provided.",
    history: [
      ["6.2.0", "Added Pub/Sub channel patterns."],
      ["7.0.0", "Added selectors and key based permissions."],
    ],
    arguments: [
      { name: "username", type: "string" },
      { name: "rule", type: "string", flags: ["optional", "multiple"] },
    ],
  },
  {
    name: "users",
    arity: 2,
    flags: ADMIN_FLAGS,
    categories: [],
    handler: users,
    summary: "List the username of all the configured ACL rules",
    since: "6.0.0",
    group: "server",
    complexity: N_USERS,
  },
  {
    name: "whoami",
    arity: 2,
    flags: PLAIN_FLAGS,
    categories: [],
    handler: whoami,
    summary: "Return the name of the user associated to the current connection",
    since: "6.0.0",
    group: "server",
    complexity: "O(1)",
  },
];

/** ACL command specs. */
export const ACL_COMMANDS: CommandSpec[] = [
  {
    name: "acl",
    arity: -2,
    flags: [],
    categories: ["slow"],
    subcommands: ACL_SUBCOMMANDS,
    summary: "A container for Access List Control commands ",
    since: "6.0.0",
    group: "server",
    complexity: "Depends on subcommand.",
  },
];
