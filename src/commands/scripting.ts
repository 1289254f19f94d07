// EVAL / EVALSHA / EVAL_RO / EVALSHA_RO and SCRIPT (eval.c): argument checks, the script
// cache and the replies; the Lua side lives in src/scripting/. A script's EVAL is never
// propagated: the write commands it runs are, as one MULTI/EXEC unit (Redis 7 effects
// replication). Like Redis, EVAL feeds MONITOR itself before the script runs, so the script's
// commands show after it (the specs carry skip_monitor).

import { NOT_INTEGER, ReplyError } from "../errors.ts";
import { OK, type Reply, SimpleString } from "../resp/types.ts";
import { killBusyScript, scriptingOf } from "../scripting/engine.ts";
import type { Pending } from "./dispatcher.ts";
import { parseI64 } from "../util/numbers.ts";
import type { CommandArg, CommandSpec, Ctx, KeyRef, KeySpec } from "./spec.ts";

const NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";
/** Shared with FCALL. */
export const KEYS_GREATER = "ERR Number of keys can't be greater than number of args";
export const KEYS_NEGATIVE = "ERR Number of keys can't be negative";
const FLUSH_SYNTAX = "ERR SCRIPT FLUSH only support SYNC|ASYNC option";

// EVAL script numkeys [key ...] [arg ...]  (and EVALSHA, EVAL_RO, EVALSHA_RO)
// A script running past busy-reply-threshold pauses between slices of its run: the reply is
// then a Pending, settled when it ends (src/scripting/README.md).
function evalGeneric(ctx: Ctx, argv: string[], evalsha: boolean, ro: boolean): Reply | Pending {
  const server = ctx.server;
  const caller = ctx.client;
  // Explicitly fed here so the script's own commands appear after it.
  if (server.monitors.size > 0) server.feedMonitors(caller, argv);
  // An EVALSHA whose SHA cannot match is refused before anything else (evalShaCommand).
  if (evalsha && argv[1].length !== 40) throw new ReplyError(NOSCRIPT);
  const numkeys = parseI64(argv[2]);
  if (numkeys === null) throw new ReplyError(NOT_INTEGER);
  if (numkeys > argv.length - 3) throw new ReplyError(KEYS_GREATER);
  if (numkeys < 0) throw new ReplyError(KEYS_NEGATIVE);
  const engine = scriptingOf(server);
  let sha: string;
  if (evalsha) {
    // The cache is keyed by the lowercase SHA; clients send it so, the rest is lowercased.
    sha = argv[1];
    if (!engine.scripts.has(sha)) {
      sha = sha.replace(/[A-Z]/g, (c) => c.toLowerCase());
      if (!engine.scripts.has(sha)) throw new ReplyError(NOSCRIPT);
    }
  } else {
    const created = engine.createFunction(argv[1]);
    if (created instanceof ReplyError) throw created;
    sha = created;
  }
  // Effects are propagated by the commands the script runs, never the script itself.
  ctx.preventPropagation = true;
  const nk = Number(numkeys);
  return engine.run(caller, sha, argv.slice(3, 3 + nk), argv.slice(3 + nk), ro, argv);
}

// SCRIPT FLUSH [ASYNC|SYNC]
function scriptFlush(ctx: Ctx, argv: string[]): Reply {
  // ASYNC frees the old VM in the background in Redis; dropping it does the same here.
  if (argv.length === 3) {
    const mode = argv[2].toLowerCase();
    if (mode !== "sync" && mode !== "async") throw new ReplyError(FLUSH_SYNTAX);
  } else if (argv.length !== 2) {
    throw new ReplyError(FLUSH_SYNTAX);
  }
  scriptingOf(ctx.server).reset();
  return OK;
}

// SCRIPT EXISTS sha1 [sha1 ...]
function scriptExists(ctx: Ctx, argv: string[]): Reply {
  const scripts = scriptingOf(ctx.server).scripts;
  // The cache is keyed by lowercase SHA and looked up case-insensitively (dictStrCaseHash).
  return argv.slice(2).map((s) => scripts.has(s.toLowerCase()) ? 1 : 0);
}

// SCRIPT LOAD script
function scriptLoad(ctx: Ctx, argv: string[]): Reply {
  const created = scriptingOf(ctx.server).createFunction(argv[2]);
  if (created instanceof ReplyError) throw created;
  return created;
}

// SCRIPT KILL
// Runs only while a script is busy (paused between slices, allow_busy); the script raises
// "Script killed by user..." when it resumes.
function scriptKill(ctx: Ctx): Reply {
  const err = killBusyScript(ctx.server, true);
  if (err !== null) throw new ReplyError(err);
  return OK;
}

const SCRIPT_HELP = [
  "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DEBUG (YES|SYNC|NO)",
  "    Set the debug mode for subsequent scripts executed.",
  "EXISTS <sha1> [<sha1> ...]",
  "    Return information about the existence of the scripts in the script cache.",
  "FLUSH [ASYNC|SYNC]",
  "    Flush the Lua scripts cache. Very dangerous on replicas.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the scripts cache.",
  "    * SYNC: Synchronously flush the scripts cache.",
  "KILL",
  "    Kill the currently executing Lua script.",
  "LOAD <script>",
  "    Load a script into the scripts cache without executing it.",
  "HELP",
  "    Prints this help.",
].map((l) => new SimpleString(l));

/** EVAL- and FCALL-family keys: numkeys at argument 2, then that many keys. */
export function evalKeys(argv: string[]): KeyRef[] {
  const n = parseI64(argv[2] ?? "");
  if (n === null || n < 0 || n > argv.length - 3) return [];
  const out: KeyRef[] = [];
  for (let i = 0; i < Number(n); i++) out.push(3 + i);
  return out;
}

const EVAL_NOTES = "We cannot tell how the keys will be used so we assume the worst, ";

/** The key spec of EVAL/FCALL and their _RO forms. */
export function evalKeySpecs(ro: boolean, notes: boolean): KeySpec[] {
  return [{
    flags: ro ? ["RO", "access"] : ["RW", "access", "update"],
    begin: { index: 2 },
    find: { keyNumIdx: 0, firstKey: 1, keyStep: 1 },
    ...(notes ? { notes: EVAL_NOTES + (ro ? "RO and ACCESS" : "RW and UPDATE") } : {}),
  }];
}

/** COMMAND DOCS arguments of EVAL/FCALL; `first` names the script/function argument. */
export function evalArgs(first: string): CommandArg[] {
  return [
    { name: first, type: "string" },
    { name: "numkeys", type: "integer" },
    { name: "key", type: "key", keySpecIndex: 0, flags: ["optional", "multiple"] },
    { name: "arg", type: "string", flags: ["optional", "multiple"] },
  ];
}

const EVAL_FLAGS = ["noscript", "stale", "skip_monitor", "no_mandatory_keys"] as const;
const EVAL_RO_FLAGS = ["readonly", ...EVAL_FLAGS] as const;
const SCRIPTING = ["slow", "scripting"];
const DEPENDS = "Depends on the script that is executed.";

/** Scripting command specs. */
export const SCRIPTING_COMMANDS: CommandSpec[] = [
  {
    name: "eval",
    arity: -3,
    flags: [...EVAL_FLAGS],
    categories: SCRIPTING,
    keySpecs: evalKeySpecs(false, true),
    getKeys: evalKeys,
    handler: (ctx, argv) => evalGeneric(ctx, argv, false, false),
    summary: "Execute a Lua script server side",
    since: "2.6.0",
    group: "scripting",
    complexity: DEPENDS,
    arguments: evalArgs("script"),
  },
  {
    name: "evalsha",
    arity: -3,
    flags: [...EVAL_FLAGS],
    categories: SCRIPTING,
    keySpecs: evalKeySpecs(false, false),
    getKeys: evalKeys,
    handler: (ctx, argv) => evalGeneric(ctx, argv, true, false),
    summary: "Execute a Lua script server side",
    since: "2.6.0",
    group: "scripting",
    complexity: DEPENDS,
    arguments: evalArgs("sha1"),
  },
  {
    name: "eval_ro",
    arity: -3,
    flags: [...EVAL_RO_FLAGS],
    categories: SCRIPTING,
    keySpecs: evalKeySpecs(true, true),
    getKeys: evalKeys,
    handler: (ctx, argv) => evalGeneric(ctx, argv, false, true),
    summary: "Execute a read-only Lua script server side",
    since: "7.0.0",
    group: "scripting",
    complexity: DEPENDS,
    arguments: evalArgs("script"),
  },
  {
    name: "evalsha_ro",
    arity: -3,
    flags: [...EVAL_RO_FLAGS],
    categories: SCRIPTING,
    keySpecs: evalKeySpecs(true, false),
    getKeys: evalKeys,
    handler: (ctx, argv) => evalGeneric(ctx, argv, true, true),
    summary: "Execute a read-only Lua script server side",
    since: "7.0.0",
    group: "scripting",
    complexity: DEPENDS,
    arguments: evalArgs("sha1"),
  },
  {
    name: "script",
    arity: -2,
    flags: [],
    categories: ["slow"],
    summary: "A container for Lua scripts management commands",
    since: "2.6.0",
    group: "scripting",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "flush",
        arity: -2,
        flags: ["noscript"],
        categories: SCRIPTING,
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: scriptFlush,
        summary: "Remove all the scripts from the script cache.",
        since: "2.6.0",
        group: "scripting",
        complexity: "O(N) with N being the number of scripts in cache",
        history: [["6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers."]],
        arguments: [{
          name: "async",
          type: "oneof",
          since: "6.2.0",
          flags: ["optional"],
          arguments: [
            { name: "async", type: "pure-token", token: "ASYNC" },
            { name: "sync", type: "pure-token", token: "SYNC" },
          ],
        }],
      },
      {
        name: "exists",
        arity: -3,
        flags: ["noscript"],
        categories: SCRIPTING,
        tips: ["request_policy:all_shards", "response_policy:agg_logical_and"],
        handler: scriptExists,
        summary: "Check existence of scripts in the script cache.",
        since: "2.6.0",
        group: "scripting",
        complexity:
          "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
        arguments: [{ name: "sha1", type: "string", flags: ["multiple"] }],
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: SCRIPTING,
        handler: () => SCRIPT_HELP,
        summary: "Show helpful text about the different subcommands",
        since: "5.0.0",
        group: "scripting",
        complexity: "O(1)",
      },
      {
        name: "kill",
        arity: 2,
        flags: ["noscript", "allow_busy"],
        categories: SCRIPTING,
        tips: ["request_policy:all_shards", "response_policy:one_succeeded"],
        handler: scriptKill,
        summary: "Kill the script currently in execution.",
        since: "2.6.0",
        group: "scripting",
        complexity: "O(1)",
      },
      {
        name: "load",
        arity: 3,
        flags: ["noscript", "stale"],
        categories: SCRIPTING,
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: scriptLoad,
        summary: "Load the specified Lua script into the script cache.",
        since: "2.6.0",
        group: "scripting",
        complexity: "O(N) with N being the length in bytes of the script body.",
        arguments: [{ name: "script", type: "string" }],
      },
    ],
  },
];
