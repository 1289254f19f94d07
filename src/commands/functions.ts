// FUNCTION and FCALL / FCALL_RO (functions.c): argument checks and replies; the registry and
// the Lua side live in src/scripting/functions.ts. LOAD, DELETE, FLUSH and RESTORE count as
// data changes (server.dirty++), so they are propagated to replicas and the AOF as sent; an
// FCALL is never propagated itself, the writes its function runs are (as for EVAL).

import {
  BUSY_EVAL,
  FUNCTION_BAD_NUMKEYS,
  FUNCTION_CODE_MISSING,
  FUNCTION_FLUSH_SYNTAX,
  FUNCTION_LIBRARY_NOT_FOUND,
  FUNCTION_LIST_NO_NAME,
  FUNCTION_NOT_FOUND,
  FUNCTION_PAYLOAD_INVALID,
  FUNCTION_RESTORE_POLICY,
  functionUnknownArgument,
  functionUnknownOption,
  ReplyError,
  subcommandSyntax,
} from "../errors.ts";
import { verifyDumpPayload } from "../persistence/rdb/reader.ts";
import { OK, type Reply, RespMap, RespSet, SimpleString } from "../resp/types.ts";
import { busyScriptOf, FLAG_NAMES, killBusyScript } from "../scripting/engine.ts";
import {
  dumpFunctions,
  ENGINE_NAME,
  functionsIfCreated,
  functionsOf,
  LOAD_TIMEOUT_MS,
  type RestorePolicy,
} from "../scripting/functions.ts";
import { bytesToStr, strToBytes } from "../util/bytes.ts";
import { globMatch } from "../util/glob.ts";
import { parseI64 } from "../util/numbers.ts";
import { evalArgs, evalKeys, evalKeySpecs, KEYS_GREATER, KEYS_NEGATIVE } from "./scripting.ts";
import type { Pending } from "./dispatcher.ts";
import type { CommandSpec, Ctx } from "./spec.ts";

// FCALL function numkeys [key ...] [arg ...]  (and FCALL_RO)
// A Pending when the function runs past busy-reply-threshold and paused (as EVAL).
function fcallGeneric(ctx: Ctx, argv: string[], ro: boolean): Reply | Pending {
  const server = ctx.server;
  // Fed here so the function's own commands appear after it (fcallCommandGeneric).
  if (server.monitors.size > 0) server.feedMonitors(ctx.client, argv);
  const fns = functionsIfCreated(server);
  const fn = fns?.find(argv[1]);
  if (fns === undefined || fn === undefined) throw new ReplyError(FUNCTION_NOT_FOUND);
  const numkeys = parseI64(argv[2]);
  if (numkeys === null) throw new ReplyError(FUNCTION_BAD_NUMKEYS);
  if (numkeys > argv.length - 3) throw new ReplyError(KEYS_GREATER);
  if (numkeys < 0) throw new ReplyError(KEYS_NEGATIVE);
  // Effects are propagated by the commands the function runs, never FCALL itself.
  ctx.preventPropagation = true;
  const nk = Number(numkeys);
  return fns.call(ctx.client, fn, argv.slice(3, 3 + nk), argv.slice(3 + nk), ro, argv);
}

// FUNCTION LOAD [REPLACE] function-code
function functionLoad(ctx: Ctx, argv: string[]): Reply {
  let replace = false;
  let pos = 2;
  while (pos < argv.length - 1) {
    const opt = argv[pos++];
    if (opt.toLowerCase() !== "replace") throw new ReplyError(functionUnknownOption(opt));
    replace = true;
  }
  if (pos >= argv.length) throw new ReplyError(FUNCTION_CODE_MISSING);
  // Our master's FUNCTION LOAD must not fail on time (mustObeyClient).
  const timeout = ctx.client.isMaster ? 0 : LOAD_TIMEOUT_MS;
  const made = functionsOf(ctx.server).create(argv[pos], replace, undefined, timeout);
  if ("error" in made) throw new ReplyError(`ERR ${made.error}`);
  ctx.server.keyspace.dirty++;
  return made.name;
}

// FUNCTION DELETE library-name
function functionDelete(ctx: Ctx, argv: string[]): Reply {
  const fns = functionsIfCreated(ctx.server);
  if (fns === undefined || !fns.delete(argv[2])) throw new ReplyError(FUNCTION_LIBRARY_NOT_FOUND);
  ctx.server.keyspace.dirty++;
  return OK;
}

// FUNCTION FLUSH [ASYNC|SYNC]
function functionFlush(ctx: Ctx, argv: string[]): Reply {
  if (argv.length > 3) throw new ReplyError(subcommandSyntax(argv[1], "function"));
  if (argv.length === 3) {
    const mode = argv[2].toLowerCase();
    if (mode !== "sync" && mode !== "async") throw new ReplyError(FUNCTION_FLUSH_SYNTAX);
  }
  // ASYNC frees the old VM in a background thread in Redis; dropping it does the same here.
  functionsIfCreated(ctx.server)?.flush();
  ctx.server.keyspace.dirty++;
  return OK;
}

// FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
function functionList(ctx: Ctx, argv: string[]): Reply {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (!withCode && a === "withcode") {
      withCode = true;
      continue;
    }
    if (pattern === null && a === "libraryname") {
      if (i >= argv.length - 1) throw new ReplyError(FUNCTION_LIST_NO_NAME);
      pattern = argv[++i];
      continue;
    }
    throw new ReplyError(functionUnknownArgument(argv[i]));
  }
  const fns = functionsIfCreated(ctx.server);
  if (fns === undefined) return [];
  const out: Reply[] = [];
  for (const li of fns.ctx.libraries.values()) {
    if (pattern !== null && !globMatch(pattern, li.name, true)) continue;
    const functions: Reply[] = [];
    for (const fi of li.functions.values()) {
      const flags: Reply[] = [];
      for (const [name, bit] of FLAG_NAMES) if (fi.flags & bit) flags.push(new SimpleString(name));
      functions.push(
        new RespMap(["name", fi.name, "description", fi.desc, "flags", new RespSet(flags)]),
      );
    }
    const entry: Reply[] = ["library_name", li.name, "engine", ENGINE_NAME, "functions", functions];
    if (withCode) entry.push("library_code", li.code);
    out.push(new RespMap(entry));
  }
  return out;
}

// FUNCTION DUMP
function functionDump(ctx: Ctx): Reply {
  const compression = ctx.server.config.bool("rdbcompression");
  return bytesToStr(dumpFunctions(ctx.server, compression));
}

// FUNCTION RESTORE serialized-value [FLUSH|APPEND|REPLACE]
function functionRestore(ctx: Ctx, argv: string[]): Reply {
  if (argv.length > 4) throw new ReplyError(subcommandSyntax(argv[1], "function"));
  let policy: RestorePolicy = "append";
  if (argv.length === 4) {
    const p = argv[3].toLowerCase();
    if (p !== "append" && p !== "replace" && p !== "flush") {
      throw new ReplyError(FUNCTION_RESTORE_POLICY);
    }
    policy = p;
  }
  const payload = strToBytes(argv[2]);
  if (verifyDumpPayload(payload) < 0) throw new ReplyError(FUNCTION_PAYLOAD_INVALID);
  const err = functionsOf(ctx.server).restore(payload, policy);
  if (err !== null) throw new ReplyError(`ERR ${err}`);
  ctx.server.keyspace.dirty++;
  return OK;
}

// FUNCTION STATS
// running_script is the busy function (allow_busy: this runs while it is paused); a busy
// EVAL script is refused as every other command is then.
function functionStats(ctx: Ctx): Reply {
  const busy = busyScriptOf(ctx.server);
  if (busy !== null && busy.isEval) throw new ReplyError(BUSY_EVAL);
  const running = busy === null
    ? null
    : new RespMap(["name", busy.name, "command", busy.argv, "duration_ms", busy.durationMs]);
  const fns = functionsIfCreated(ctx.server);
  const libs = fns?.ctx.libraries.size ?? 0;
  const count = fns?.ctx.functionCount ?? 0;
  return new RespMap([
    "running_script",
    running,
    "engines",
    new RespMap([
      ENGINE_NAME,
      new RespMap(["libraries_count", libs, "functions_count", count]),
    ]),
  ]);
}

// FUNCTION KILL
function functionKill(ctx: Ctx): Reply {
  const err = killBusyScript(ctx.server, false);
  if (err !== null) throw new ReplyError(err);
  return OK;
}

const FUNCTION_HELP = [
  "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "LOAD [REPLACE] <FUNCTION CODE>",
  "    Create a new library with the given library name and code.",
  "DELETE <LIBRARY NAME>",
  "    Delete the given library.",
  "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
  "    Return general information on all the libraries:",
  "    * Library name",
  "    * The engine used to run the Library",
  "    * Library description",
  "    * Functions list",
  "    * Library code (if WITHCODE is given)",
  "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
  "STATS",
  "    Return information about the current function running:",
  "    * Function name",
  "    * Command used to run the function",
  "    * Duration in MS that the function is running",
  "    If no function is running, return nil",
  "    In addition, returns a list of available engines.",
  "KILL",
  "    Kill the current running function.",
  "FLUSH [ASYNC|SYNC]",
  "    Delete all the libraries.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the libraries.",
  "    * SYNC: Synchronously flush the libraries.",
  "DUMP",
  "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
  "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
  "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
  "    control how to handle existing libraries (default APPEND):",
  "    * FLUSH: delete all existing libraries.",
  "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
  "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
  "      libraries with the new libraries (notice that even on this option there is a chance of failure",
  "      in case of functions name collision with another library).",
  "HELP",
  "    Prints this help.",
].map((l) => new SimpleString(l));

const FCALL_FLAGS = ["noscript", "stale", "skip_monitor", "no_mandatory_keys"] as const;
const SCRIPTING = ["slow", "scripting"];
const ALL_SHARDS = ["request_policy:all_shards", "response_policy:all_succeeded"];
const fn = (summary: string, complexity: string) => ({
  summary,
  since: "7.0.0",
  group: "scripting",
  complexity,
});

/** Function command specs. */
export const FUNCTIONS_COMMANDS: CommandSpec[] = [
  {
    name: "fcall",
    arity: -3,
    flags: [...FCALL_FLAGS],
    categories: SCRIPTING,
    keySpecs: evalKeySpecs(false, true),
    getKeys: evalKeys,
    handler: (ctx, argv) => fcallGeneric(ctx, argv, false),
    ...fn("Invoke a function", "Depends on the function that is executed."),
    arguments: evalArgs("function"),
  },
  {
    name: "fcall_ro",
    arity: -3,
    flags: ["readonly", ...FCALL_FLAGS],
    categories: SCRIPTING,
    keySpecs: evalKeySpecs(true, true),
    getKeys: evalKeys,
    handler: (ctx, argv) => fcallGeneric(ctx, argv, true),
    ...fn("Invoke a read-only function", "Depends on the function that is executed."),
    arguments: evalArgs("function"),
  },
  {
    name: "function",
    arity: -2,
    flags: [],
    categories: ["slow"],
    ...fn("A container for function commands", "Depends on subcommand."),
    subcommands: [
      {
        name: "delete",
        arity: 3,
        flags: ["write", "noscript"],
        categories: SCRIPTING,
        tips: ALL_SHARDS,
        handler: functionDelete,
        ...fn("Delete a function by name", "O(1)"),
        arguments: [{ name: "library-name", type: "string" }],
      },
      {
        name: "dump",
        arity: 2,
        flags: ["noscript"],
        categories: SCRIPTING,
        handler: functionDump,
        ...fn(
          "Dump all functions into a serialized binary payload",
          "O(N) where N is the number of functions",
        ),
      },
      {
        name: "flush",
        arity: -2,
        flags: ["write", "noscript"],
        categories: SCRIPTING,
        tips: ALL_SHARDS,
        handler: functionFlush,
        ...fn("Deleting all functions", "O(N) where N is the number of functions deleted"),
        arguments: [{
          name: "async",
          type: "oneof",
          flags: ["optional"],
          arguments: [
            { name: "async", type: "pure-token", token: "ASYNC" },
            { name: "sync", type: "pure-token", token: "SYNC" },
          ],
        }],
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: SCRIPTING,
        handler: () => FUNCTION_HELP,
        ...fn("Show helpful text about the different subcommands", "O(1)"),
      },
      {
        name: "kill",
        arity: 2,
        flags: ["noscript", "allow_busy"],
        categories: SCRIPTING,
        tips: ["request_policy:all_shards", "response_policy:one_succeeded"],
        handler: functionKill,
        ...fn("Kill the function currently in execution.", "O(1)"),
      },
      {
        name: "list",
        arity: -2,
        flags: ["noscript"],
        categories: SCRIPTING,
        tips: ["nondeterministic_output_order"],
        handler: functionList,
        ...fn(
          "List information about all the functions",
          "O(N) where N is the number of functions",
        ),
        arguments: [
          {
            name: "library-name-pattern",
            type: "string",
            token: "LIBRARYNAME",
            flags: ["optional"],
          },
          { name: "withcode", type: "pure-token", token: "WITHCODE", flags: ["optional"] },
        ],
      },
      {
        name: "load",
        arity: -3,
        flags: ["write", "denyoom", "noscript"],
        categories: SCRIPTING,
        tips: ALL_SHARDS,
        handler: functionLoad,
        ...fn(
          "Create a function with the given arguments (name, code, description)",
          "O(1) (considering compilation time is redundant)",
        ),
        arguments: [
          { name: "replace", type: "pure-token", token: "REPLACE", flags: ["optional"] },
          { name: "function-code", type: "string" },
        ],
      },
      {
        name: "restore",
        arity: -3,
        flags: ["write", "denyoom", "noscript"],
        categories: SCRIPTING,
        tips: ALL_SHARDS,
        handler: functionRestore,
        ...fn(
          "Restore all the functions on the given payload",
          "O(N) where N is the number of functions on the payload",
        ),
        arguments: [
          { name: "serialized-value", type: "string" },
          {
            name: "policy",
            type: "oneof",
            flags: ["optional"],
            arguments: [
              { name: "flush", type: "pure-token", token: "FLUSH" },
              { name: "append", type: "pure-token", token: "APPEND" },
              { name: "replace", type: "pure-token", token: "REPLACE" },
            ],
          },
        ],
      },
      {
        name: "stats",
        arity: 2,
        flags: ["noscript", "allow_busy"],
        categories: SCRIPTING,
        tips: [
          "nondeterministic_output",
          "request_policy:all_shards",
          "response_policy:special",
        ],
        handler: functionStats,
        ...fn(
          "Return information about the function currently running (name, description, duration)",
          "O(1)",
        ),
      },
    ],
  },
];
