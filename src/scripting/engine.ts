// The EVAL scripting engine (Redis 7.0 eval.c, script.c, script_lua.c): one Lua VM per server
// with the Lua 5.1 environment Redis gives scripts (read-only globals, the redis.* API, bit,
// cjson, struct, cmsgpack), the SHA1 → script cache, and `run`, which executes a script for a
// caller. Commands a script runs go through the dispatcher's `call` with one fake client (no
// connection), so statistics, keyspace events, MONITOR and propagation work as for clients;
// the script's own EVAL is not propagated, its effects are (MULTI/EXEC-wrapped by the unit).
// The same class builds the functions VM (function_lua.c): no KEYS/ARGV, globals behind a
// proxy table, and library code run once at FUNCTION LOAD with only redis.register_function,
// redis.log and the version fields reachable.

import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";
import type { Client } from "../client.ts";
import { call, Pending } from "../commands/dispatcher.ts";
import type { Command } from "../commands/spec.ts";
import { ACL_OK } from "../acl/check.ts";
import {
  BUSY_EVAL,
  BUSY_FUNCTION,
  MISCONF,
  MISCONF_SCRIPT,
  NOTBUSY,
  OOM,
  READONLY,
  ReplyError,
  SCRIPT_KILLED,
  UNKILLABLE,
} from "../errors.ts";
import { log, type LogLevel } from "../log.ts";
import type { Reply } from "../resp/types.ts";
import type { Server } from "../server.ts";
import { splitArgs } from "../util/split_args.ts";
import { REDIS_VERSION } from "../config.ts";
import {
  extractErrorInfo,
  oneLineError,
  popReply,
  pushErrorTable,
  pushReply,
  ScriptError,
} from "./convert.ts";
import {
  fromLua,
  isReadonly,
  lauxlib,
  lua,
  type LuaFunction,
  lualib,
  type LuaState,
  luaText,
  pushBytes,
  raiseError,
  setReadonly,
  toLua,
  useTransientStrings,
  withoutProtection,
} from "./lua.ts";
import { makeTString, protection, pushTString } from "./lua_core.ts";
import { formatG } from "./numfmt.ts";
import { installCompat51 } from "./compat51.ts";
import { openBit } from "./libs/bit.ts";
import { openCjson } from "./libs/cjson.ts";
import { openStruct } from "./libs/struct.ts";
import { openCmsgpack } from "./libs/cmsgpack.ts";

/** Script flags (script.h), declared with `#!lua flags=...`. */
export const SCRIPT_FLAG_NO_WRITES = 1 << 0;
export const SCRIPT_FLAG_ALLOW_OOM = 1 << 1;
export const SCRIPT_FLAG_ALLOW_STALE = 1 << 2;
export const SCRIPT_FLAG_NO_CLUSTER = 1 << 3;
export const SCRIPT_FLAG_EVAL_COMPAT_MODE = 1 << 4;
export const SCRIPT_FLAG_ALLOW_CROSS_SLOT = 1 << 5;

/** Flag names as `#!lua flags=` and register_function's `flags` spell them (scripts_flags_def). */
export const FLAG_NAMES: [string, number][] = [
  ["no-writes", SCRIPT_FLAG_NO_WRITES],
  ["allow-oom", SCRIPT_FLAG_ALLOW_OOM],
  ["allow-stale", SCRIPT_FLAG_ALLOW_STALE],
  ["no-cluster", SCRIPT_FLAG_NO_CLUSTER],
  ["allow-cross-slot-keys", SCRIPT_FLAG_ALLOW_CROSS_SLOT],
];

// redis.set_repl flags (PROPAGATE_AOF | PROPAGATE_REPL).
const PROPAGATE_AOF = 1;
const PROPAGATE_REPL = 2;

const KEYS_NAME = makeTString(luaText("KEYS"));
const ARGV_NAME = makeTString(luaText("ARGV"));
// The count hook runs every HOOK_COUNT instructions (luaMaskCountHook's interval). Once a
// script is busy it pauses when it ran SLICE_MS since the last pause: each pause costs a timer
// turn (~1-2 ms), so shorter slices would slow the script down a lot, longer ones the replies
// to other clients (-BUSY, SCRIPT KILL).
const HOOK_COUNT = 100000;
const SLICE_MS = 10;
const LOG_LEVELS: LogLevel[] = ["debug", "verbose", "notice", "warning"];
const REDIS_VERSION_NUM = REDIS_VERSION.split(".").reduce((n, p) => n * 256 + Number(p), 0);

/** A cached EVAL script. */
export interface Script {
  /** The body as sent (byte string). */
  body: string;
  /** SCRIPT_FLAG_* from its shebang; EVAL_COMPAT_MODE when it has none. */
  flags: number;
  /** The compiled function's registry reference (Redis names it f_<sha> in the registry). */
  ref: number;
}

/** A command refused before it ran (scriptCall's errors): "msg" or "-CODE msg". */
class Refusal {
  constructor(readonly text: string) {}
}

/** State of the script being run (scriptRunCtx). */
interface RunCtx {
  caller: Client;
  fake: Client;
  /** The script's SHA1 (Redis's funcname for EVAL). */
  funcname: string;
  readOnly: boolean;
  /** A write command already ran: later checks must not fail the script half-way. */
  writeDirty: boolean;
  /** PROPAGATE_AOF | PROPAGATE_REPL, changed by redis.set_repl. */
  repl: number;
  /** The shebang has allow-oom: denyoom commands run even over maxmemory. */
  allowOom?: boolean;
  /** The caller's command (FUNCTION STATS' running_script). */
  argv: string[];
  /** performance.now() at its start. */
  start: number;
  /** The keyspace clock it runs with, frozen again for each slice. */
  now: number;
  /** server.execDepth inside its command, restored for each slice. */
  depth: number;
  /** It may pause (not for our master or the AOF). */
  mayPause: boolean;
  /** Past busy-reply-threshold (logged). */
  slow: boolean;
  /** Past the threshold and able to pause: the server is in busy mode. */
  busy: boolean;
  /** SCRIPT KILL / FUNCTION KILL asked to stop it. */
  killed: boolean;
  /** performance.now() when the current slice began. */
  sliceStart: number;
  /** What the caller waits on, once it paused. */
  pending: Pending | null;
}

/** The busy script, as FUNCTION STATS shows it. */
export interface BusyScript {
  /** EVAL (the EVAL VM), or FCALL. */
  isEval: boolean;
  /** The SHA1 or the function name. */
  name: string;
  /** Its caller's command. */
  argv: string[];
  durationMs: number;
}

// The engine whose script is busy, per server (one at a time: others get -BUSY meanwhile).
const busyEngines = new WeakMap<Server, ScriptingEngine>();
// Servers whose shutdown already abandons a busy script.
const shutdownHooked = new WeakSet<Server>();

/**
 * Lua's own error handler for EVAL (eval.c scriptingInit), verbatim but for fengari naming
 * functions written in JS 'J' where C Lua says 'C'.
 */
const ERROR_HANDLER_BODY = `(err)
  local i = dbg.getinfo(2,'nSl')
  if i and (i.what == 'C' or i.what == 'J') then
    i = dbg.getinfo(3,'nSl')
  end
  if type(err) ~= 'table' then
    err = {err='ERR ' .. tostring(err)}  end  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end  return err
end
`;
const ERROR_HANDLER = `local dbg = debug
debug = nil
function __redis__err__handler${ERROR_HANDLER_BODY}`;

/** The functions VM's error handler (function_lua.c): the same, but kept out of the globals. */
const FUNCTION_ERROR_HANDLER = `local dbg = debug
debug = nil
local error_handler = function ${ERROR_HANDLER_BODY}return error_handler
`;

// fengari's registry slot of the globals table (LUA_RIDX_GLOBALS): chunks loaded later take
// it as their _ENV, which is how the functions VM swaps in its proxy globals.
const LUA_RIDX_GLOBALS = 2;
// FUNCTION LOAD's hook runs every 100000 instructions; the load fails after 500 ms.
const LOAD_HOOK_COUNT = 100000;

/** A function a library registered (redis.register_function's arguments). */
export interface RegisteredFunction {
  name: string;
  desc: string | null;
  flags: number;
  /** Registry reference of the callback. */
  ref: number;
}

/** State of a FUNCTION LOAD in progress (loadCtx). */
interface LoadCtx {
  register: (f: RegisteredFunction) => string | null;
  start: number;
  timeoutMs: number;
}

// Lua 5.1 names scripts may use that fengari (5.3) lacks, and 5.3 names Redis's Lua does not
// have. The environment then lists exactly what Redis 7.0's does (pairs(_G), pairs(string) ...).
const COMPAT_51 = `local t, s, m = table, string, math
unpack = t.unpack
loadstring = load
function t.getn(x)
  if type(x) ~= 'table' then error("bad argument #1 to 'getn' (table expected, got " .. (x == nil and 'no value' or type(x)) .. ")", 2) end
  return #x
end
function t.setn() error("'setn' is obsolete", 2) end
function t.maxn(x)
  local n = 0
  for k in pairs(x) do if type(k) == 'number' and k > n then n = k end end
  return n
end
function t.foreach(x, f)
  for k, v in pairs(x) do local r = f(k, v) if r ~= nil then return r end end
end
function t.foreachi(x, f)
  for i = 1, #x do local r = f(i, x[i]) if r ~= nil then return r end end
end
t.pack, t.unpack, t.move = nil, nil, nil
s.gfind = s.gmatch
s.pack, s.unpack, s.packsize = nil, nil, nil
m.mod = m.fmod
function m.pow(x, y) return x ^ y end
function m.log10(x) return m.log(x, 10) end
function m.ldexp(x, e) return x * 2.0 ^ e end
function m.frexp(x)
  if x == 0 or x ~= x or x == m.huge or x == -m.huge then return x, 0 end
  local e = m.floor(m.log(m.abs(x), 2)) + 1
  local f = x / 2.0 ^ e
  if m.abs(f) >= 1 then f = f / 2 e = e + 1 elseif m.abs(f) < 0.5 then f = f * 2 e = e - 1 end
  return f, e
end
function m.cosh(x) return (m.exp(x) + m.exp(-x)) / 2 end
function m.sinh(x) return (m.exp(x) - m.exp(-x)) / 2 end
function m.tanh(x) local a, b = m.exp(x), m.exp(-x) return (a - b) / (a + b) end
m.atan2 = m.atan
m.type, m.tointeger, m.ult, m.maxinteger, m.mininteger = nil, nil, nil, nil, nil
coroutine.isyieldable = nil
rawlen, require, package, utf8, print, dofile, loadfile = nil, nil, nil, nil, nil, nil, nil
_VERSION = 'Lua 5.1'
`;

/** SHA1 of a byte string, in lowercase hex (eval.c sha1hex). */
export function sha1hex(s: string): string {
  return createHash("sha1").update(Buffer.from(s, "latin1")).digest("hex");
}

/** Redis's lrand48 (rand.c): a 48-bit LCG, so math.random gives Redis's sequence. */
class Rand48 {
  #x = 0x1234abcd330en;
  seed(v: number): void {
    this.#x = ((BigInt(v >>> 0) << 16n) | 0x330en) & 0xffffffffffffn;
  }
  next(): number {
    this.#x = (this.#x * 0x5deece66dn + 0xbn) & 0xffffffffffffn;
    return Number(this.#x >> 17n);
  }
}
const RAND48_MAX = 2147483647;
const rands = new WeakMap<Server, Rand48>();

/** Result of parsing a script's shebang line. */
export interface Shebang {
  flags: number;
  /** Bytes to skip (the line, not its newline, so line numbers stay right). */
  length: number;
}

/**
 * Parses a `#!lua flags=...` first line (eval.c evalExtractShebangFlags).
 * @returns the flags and shebang length, or the error text (without "ERR ")
 */
export function parseShebang(body: string): Shebang | string {
  if (!body.startsWith("#!")) return { flags: SCRIPT_FLAG_EVAL_COMPAT_MODE, length: 0 };
  const end = body.indexOf("\n");
  if (end < 0) return "Invalid script shebang";
  const parts = splitArgs(body.slice(0, end));
  if (parts === null || parts.length === 0) return "Invalid engine in script shebang";
  if (parts[0] !== "#!lua") return `Unexpected engine in script shebang: ${parts[0]}`;
  let flags = 0;
  for (let j = 1; j < parts.length; j++) {
    if (!parts[j].startsWith("flags=")) return `Unknown lua shebang option: ${parts[j]}`;
    const list = parts[j].slice(6);
    if (list === "") continue;
    for (const f of list.split(",")) {
      const known = FLAG_NAMES.find(([name]) => name === f);
      if (known === undefined) return `Unexpected flag in script shebang: ${f}`;
      flags |= known[1];
    }
  }
  return { flags, length: end };
}

/** The Lua scripting engine of one server: the EVAL VM, or the functions VM. */
export class ScriptingEngine {
  readonly server: Server;
  /** True for the functions VM (FCALL), false for EVAL's. */
  readonly functions: boolean;
  /** SHA1 → script, the script cache (SCRIPT EXISTS, EVALSHA). */
  scripts = new Map<string, Script>();
  #L!: LuaState;
  #run: RunCtx | null = null;
  /** The coroutine scripts run in (they pause by yielding from the count hook). */
  #co: LuaState | null = null;
  /** How the last script ended (set by #scriptDone). */
  #status = 0;
  /** The timer of a paused script's next slice. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fake: Client | null = null;
  #inUse = false;
  /** Registry reference of the error handler (__redis__err__handler for EVAL). */
  #handlerRef = 0;
  /** Functions VM: the metatable of the proxy globals, whose __index is swapped at load. */
  #globalsMetaRef = 0;
  /** Functions VM: the real globals (GLOBALS_API) and the load-time API (LIBRARY_API). */
  #globalsApiRef = 0;
  #libraryApiRef = 0;
  #load: LoadCtx | null = null;
  /** Shared by both VMs of a server, never reseeded (Redis's rand.c state is process-wide). */
  readonly #rand: Rand48;

  constructor(server: Server, functions = false) {
    this.server = server;
    this.functions = functions;
    let rand = rands.get(server);
    if (rand === undefined) rands.set(server, rand = new Rand48());
    this.#rand = rand;
    this.#init();
    if (!shutdownHooked.has(server)) {
      shutdownHooked.add(server);
      // First of the shutdown hooks: the final save and the AOF flush come after it.
      server.shutdownHooks.unshift(() => {
        const busy = busyEngines.get(server);
        if (busy !== undefined) busy.#abandon();
      });
    }
  }

  /** The Lua state (tests, libraries). */
  get state(): LuaState {
    return this.#L;
  }

  /** True while a script runs. */
  get running(): boolean {
    return this.#run !== null;
  }

  /** SCRIPT FLUSH: drops every script and starts a fresh VM (scriptingReset). */
  reset(): void {
    this.scripts = new Map();
    this.#init();
  }

  #init(): void {
    const L = lauxlib.luaL_newstate();
    this.#L = L;
    this.#co = null;
    if (!this.functions) useTransientStrings(L);
    const open = (name: string, f: LuaFunction) => {
      lauxlib.luaL_requiref(L, name, f, 1);
      lua.lua_pop(L, 1);
    };
    open("_G", lualib.luaopen_base);
    open("table", lualib.luaopen_table);
    open("string", lualib.luaopen_string);
    open("math", lualib.luaopen_math);
    open("debug", lualib.luaopen_debug);
    open("coroutine", lualib.luaopen_coroutine);
    open("cjson", openCjson);
    open("struct", openStruct);
    open("cmsgpack", openCmsgpack);
    open("bit", openBit);
    this.#doString(COMPAT_51, "@compat");
    installCompat51(L);

    this.#register("pcall", (L) => this.#pcall(L));
    this.#register("error", error51);
    this.#register("assert", assert51);
    lua.lua_newtable(L);
    const fns: [string, LuaFunction][] = [
      ["call", (L) => this.#redisCall(L, true)],
      ["pcall", (L) => this.#redisCall(L, false)],
      ["log", (L) => this.#log(L)],
      ["setresp", (L) => this.#setResp(L)],
      ["sha1hex", (L) => this.#sha1hex(L)],
      ["error_reply", (L) => this.#errorReply(L)],
      ["status_reply", (L) => this.#statusReply(L)],
      ["set_repl", (L) => this.#setRepl(L)],
      ["acl_check_cmd", (L) => this.#aclCheckCmd(L)],
      // The debugger (SCRIPT DEBUG) is not available: scripts always run outside a session.
      ["breakpoint", (L) => (lua.lua_pushboolean(L, false), 1)],
      ["debug", () => 0],
      // Deprecated; effects replication is the only mode in 7.0.
      ["replicate_commands", (L) => (lua.lua_pushboolean(L, true), 1)],
    ];
    for (const [name, f] of fns) {
      lua.lua_pushcfunction(L, f);
      lua.lua_setfield(L, -2, name);
    }
    const nums: [string, number][] = [
      ["LOG_DEBUG", 0],
      ["LOG_VERBOSE", 1],
      ["LOG_NOTICE", 2],
      ["LOG_WARNING", 3],
      ["REDIS_VERSION_NUM", REDIS_VERSION_NUM],
      ["REPL_NONE", 0],
      ["REPL_AOF", PROPAGATE_AOF],
      ["REPL_SLAVE", PROPAGATE_REPL],
      ["REPL_REPLICA", PROPAGATE_REPL],
      ["REPL_ALL", PROPAGATE_AOF | PROPAGATE_REPL],
    ];
    for (const [name, v] of nums) {
      lua.lua_pushnumber(L, v);
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_pushstring(L, REDIS_VERSION);
    lua.lua_setfield(L, -2, "REDIS_VERSION");
    lua.lua_setglobal(L, "redis");

    // A script runs in a coroutine of ours (paused only by the count hook): at its top level
    // coroutine.yield and coroutine.running behave as on Lua 5.1's main thread.
    lua.lua_getglobal(L, "coroutine");
    lua.lua_pushcfunction(L, (L) => {
      if (L !== this.#co) return lua.lua_yield(L, lua.lua_gettop(L));
      lua.lua_pushstring(L, "attempt to yield across metamethod/C-call boundary");
      return lua.lua_error(L);
    });
    lua.lua_setfield(L, -2, "yield");
    lua.lua_pushcfunction(L, (L) => {
      if (L === this.#co) lua.lua_pushnil(L);
      else lua.lua_pushthread(L);
      return 1;
    });
    lua.lua_setfield(L, -2, "running");
    lua.lua_pop(L, 1);

    lua.lua_getglobal(L, "math");
    lua.lua_pushcfunction(L, (L) => this.#mathRandom(L));
    lua.lua_setfield(L, -2, "random");
    lua.lua_pushcfunction(L, (L) => this.#mathRandomseed(L));
    lua.lua_setfield(L, -2, "randomseed");
    lua.lua_pop(L, 1);

    if (this.functions) {
      const b = luaText(FUNCTION_ERROR_HANDLER);
      lauxlib.luaL_loadbuffer(L, b, b.length, "@err_handler_def");
      lua.lua_call(L, 0, 1);
    } else {
      this.#doString(ERROR_HANDLER, "@err_handler_def");
      lua.lua_getglobal(L, "__redis__err__handler");
    }
    this.#handlerRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);

    // Lock the globals: reading a missing one is an error, and every table reachable from
    // them (and their metatables) is read-only.
    lua.lua_pushglobaltable(L);
    lua.lua_newtable(L);
    lua.lua_pushcfunction(L, globalsIndexError);
    lua.lua_setfield(L, -2, "__index");
    lua.lua_setmetatable(L, -2);
    protectRecursively(L);
    lua.lua_pop(L, 1);
    if (this.functions) this.#initFunctionsGlobals();
  }

  // luaEngineInitEngine: the load-time API table, and an empty read-only table standing in
  // for the globals whose metatable's __index points at the real globals (or, while a library
  // loads, at the load-time API).
  #initFunctionsGlobals(): void {
    const L = this.#L;
    lua.lua_newtable(L); // LIBRARY_API
    lua.lua_newtable(L); // its redis table
    const fns: [string, LuaFunction][] = [
      ["register_function", (L) => this.#registerFunction(L)],
      ["log", (L) => this.#log(L)],
    ];
    for (const [name, f] of fns) {
      lua.lua_pushcfunction(L, f);
      lua.lua_setfield(L, -2, name);
    }
    const nums: [string, number][] = [
      ["LOG_DEBUG", 0],
      ["LOG_VERBOSE", 1],
      ["LOG_NOTICE", 2],
      ["LOG_WARNING", 3],
      ["REDIS_VERSION_NUM", REDIS_VERSION_NUM],
    ];
    for (const [name, v] of nums) {
      lua.lua_pushnumber(L, v);
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_pushstring(L, REDIS_VERSION);
    lua.lua_setfield(L, -2, "REDIS_VERSION");
    setErrorMetatable(L);
    lua.lua_setfield(L, -2, "redis");
    setErrorMetatable(L);
    protectRecursively(L);
    this.#libraryApiRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);

    lua.lua_pushglobaltable(L);
    this.#globalsApiRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_newtable(L); // the new globals
    lua.lua_newtable(L); // their metatable
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.#globalsApiRef);
    lua.lua_setfield(L, -2, "__index");
    setReadonly(L, -1, true);
    lua.lua_pushvalue(L, -1);
    this.#globalsMetaRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_setmetatable(L, -2);
    setReadonly(L, -1, true);
    lua.lua_rawseti(L, lua.LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  }

  // Points the proxy globals' __index at the registry value `ref`.
  #setGlobalsIndex(ref: number): void {
    const L = this.#L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.#globalsMetaRef);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    withoutProtection(() => lua.lua_setfield(L, -2, "__index"));
    lua.lua_pop(L, 1);
  }

  /**
   * Compiles library code and runs it so it registers its functions (luaEngineCreate). Only
   * for the functions VM.
   * @param code the code after the shebang line (starting with its newline)
   * @param timeoutMs 0 for no limit (a master's FUNCTION LOAD, RDB loading)
   * @param register called for each redis.register_function; returns an error text or null
   * @returns null, or the error text (without "ERR ")
   */
  createLibrary(
    code: string,
    timeoutMs: number,
    register: (f: RegisteredFunction) => string | null,
  ): string | null {
    const L = this.#L;
    this.#setGlobalsIndex(this.#libraryApiRef);
    try {
      const b = toLua(code);
      if (lauxlib.luaL_loadbuffer(L, b, b.length, "@user_function") !== lua.LUA_OK) {
        const msg = fromLua(lua.lua_tolstring(L, -1)!).replace(/ near <eof>$/, " near '<eof>'");
        lua.lua_pop(L, 1);
        return oneLineError(`Error compiling function: ${msg}`);
      }
      this.#load = { register, start: performance.now(), timeoutMs };
      lua.lua_sethook(L, (L) => this.#loadHook(L), lua.LUA_MASKCOUNT, LOAD_HOOK_COUNT);
      if (lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
        const info = extractErrorInfo(L);
        lua.lua_pop(L, 1);
        return oneLineError(`Error registering functions: ${lua51Message(info.msg)}`);
      }
      return null;
    } finally {
      this.#setGlobalsIndex(this.#globalsApiRef);
      lua.lua_sethook(L, null, 0, 0);
      this.#load = null;
      lua.lua_settop(L, 0);
    }
  }

  /** Drops a registered function's callback (luaEngineFreeFunction). */
  releaseFunction(ref: number): void {
    lauxlib.luaL_unref(this.#L, lua.LUA_REGISTRYINDEX, ref);
  }

  // luaEngineLoadHook: a library's top level may not run longer than the load timeout.
  #loadHook(L: LuaState): void {
    const load = this.#load;
    if (load === null || load.timeoutMs <= 0) return;
    if (performance.now() - load.start > load.timeoutMs) {
      lua.lua_sethook(L, null, 0, 0);
      raise(L, "FUNCTION LOAD timeout");
    }
  }

  // redis.register_function(name, callback) or redis.register_function{function_name=...,
  // callback=..., flags={...}, description=...} (luaRegisterFunction).
  #registerFunction(L: LuaState): number {
    const load = this.#load;
    if (load === null) {
      return raise(L, "redis.register_function can only be called on FUNCTION LOAD command");
    }
    const f = readRegisterArgs(L);
    if (typeof f === "string") return raise(L, f);
    const err = load.register(f);
    if (err !== null) {
      this.releaseFunction(f.ref);
      return raise(L, err);
    }
    return 0;
  }

  #register(name: string, f: LuaFunction): void {
    lua.lua_pushcfunction(this.#L, f);
    lua.lua_setglobal(this.#L, name);
  }

  #doString(code: string, name: string): void {
    const L = this.#L;
    const b = luaText(code);
    if (lauxlib.luaL_loadbuffer(L, b, b.length, name) !== lua.LUA_OK || lua.lua_pcall(L, 0, 0, 0)) {
      throw new Error(`Lua init failed: ${fromLua(lua.lua_tolstring(L, -1) ?? new Uint8Array())}`);
    }
  }

  /**
   * Compiles `body` into the cache unless it is there (luaCreateFunction).
   * @returns the SHA1, or the error reply text
   */
  createFunction(body: string): string | ReplyError {
    const sha = sha1hex(body);
    if (this.scripts.has(sha)) return sha;
    const shebang = parseShebang(body);
    if (typeof shebang === "string") return new ReplyError(`ERR ${shebang}`);
    const L = this.#L;
    const code = toLua(body.slice(shebang.length));
    if (lauxlib.luaL_loadbuffer(L, code, code.length, "@user_script") !== lua.LUA_OK) {
      // Lua 5.1 quotes every token in "near ..." (5.3 leaves <eof> bare).
      const msg = fromLua(lua.lua_tolstring(L, -1)!).replace(/ near <eof>$/, " near '<eof>'");
      lua.lua_pop(L, 1);
      return new ReplyError(oneLineError(`ERR Error compiling script (new function): ${msg}`));
    }
    // Kept by reference, not by name: looking a 42-byte name up costs more than the script.
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.scripts.set(sha, { body, flags: shebang.flags, ref });
    return sha;
  }

  /** The fake client scripts run commands as (created on first use). */
  #fakeClient(): Client {
    if (this.#fake === null) {
      this.#fake = this.server.createClient(null);
      this.#fake.authenticated = true;
      this.#fake.name = "";
    }
    return this.#fake;
  }

  /**
   * Checks a script may run for `caller` now (scriptPrepareForRun's refusals).
   * @returns the error to reply, or null
   */
  prepareError(flags: number, ro: boolean, caller: Client): ReplyError | null {
    if (flags & SCRIPT_FLAG_EVAL_COMPAT_MODE) return null;
    if (!(flags & SCRIPT_FLAG_NO_WRITES)) {
      const s = this.server;
      // maxmemory: such a script is a denyoom command for processCommand (scriptFlagsToCmdFlags).
      if (!(flags & SCRIPT_FLAG_ALLOW_OOM) && s.evictor.preCommandOom && !caller.isMaster) {
        return new ReplyError(OOM);
      }
      if (s.isReplica() && s.config.bool("replica-read-only") && !caller.isMaster) {
        return new ReplyError("READONLY Can not run script with write flag on readonly replica");
      }
      // scriptPrepareForRun: a failed BGSAVE has its script text; an AOF error its own.
      const disk = caller.isMaster ? null : s.persistence.diskErrorMessage();
      if (disk !== null) return new ReplyError(disk === MISCONF ? MISCONF_SCRIPT : disk);
      if (ro) {
        return new ReplyError("ERR Can not execute a script with write flag using *_ro command.");
      }
    }
    return null;
  }

  /**
   * Runs the cached script `sha` for `caller` (luaCallFunction).
   * @param keys KEYS
   * @param args ARGV
   * @param ro called as EVAL_RO / EVALSHA_RO
   * @param argv the caller's command
   * @returns the script's reply (a ReplyError when it failed), or a Pending when it runs past
   *   busy-reply-threshold and paused
   */
  run(
    caller: Client,
    sha: string,
    keys: string[],
    args: string[],
    ro: boolean,
    argv: string[],
  ): Reply | Pending {
    const script = this.scripts.get(sha)!;
    return this.#invoke(caller, sha, script.ref, script.flags, keys, args, ro, argv);
  }

  /**
   * Runs a registered function for `caller` (luaEngineCall): it gets the keys and arguments
   * as its two parameters. Only for the functions VM.
   * @param ro called as FCALL_RO
   * @param argv the caller's command (FUNCTION STATS shows it while the function is busy)
   * @returns the function's reply (a ReplyError when it failed), or a Pending (see `run`)
   */
  callFunction(
    caller: Client,
    fn: RegisteredFunction,
    keys: string[],
    args: string[],
    ro: boolean,
    argv: string[],
  ): Reply | Pending {
    return this.#invoke(caller, fn.name, fn.ref, fn.flags, keys, args, ro, argv);
  }

  #invoke(
    caller: Client,
    funcname: string,
    ref: number,
    flags: number,
    keys: string[],
    args: string[],
    ro: boolean,
    argv: string[],
  ): Reply | Pending {
    const refused = this.prepareError(flags, ro, caller);
    if (refused !== null) return refused;
    const s = this.server;
    const L = this.#L;
    const co = this.#co ??= this.#newThread();
    const fake = this.#fakeClient();
    fake.dbIndex = caller.dbIndex;
    fake.setResp(2);
    fake.user = caller.user;
    const compat = (flags & SCRIPT_FLAG_EVAL_COMPAT_MODE) !== 0;
    // Our master and the AOF must be obeyed, never answered BUSY: their scripts run to the end
    // in one go (Redis does not let SCRIPT KILL stop them either).
    const mayPause = !caller.isMaster;
    const run: RunCtx = this.#run = {
      caller,
      fake,
      funcname,
      readOnly: ro || (!compat && (flags & SCRIPT_FLAG_NO_WRITES) !== 0),
      writeDirty: false,
      repl: PROPAGATE_AOF | PROPAGATE_REPL,
      allowOom: (flags & SCRIPT_FLAG_ALLOW_OOM) !== 0,
      argv,
      // The dispatcher's last clock reading is this command's start: no clock read here.
      start: mayPause ? s.perfMark : performance.now(),
      now: s.keyspace.now(),
      depth: s.execDepth,
      mayPause,
      slow: false,
      busy: false,
      killed: false,
      sliceStart: 0,
      pending: null,
    };
    if (!this.functions) {
      // KEYS and ARGV into the read-only globals. The names are strings made once: set with
      // lua_setglobal they were copied and hashed each time (as much as a short script costs).
      protection.on = false;
      try {
        lua.lua_pushglobaltable(L);
        pushTString(L, KEYS_NAME);
        pushStringArray(L, keys);
        lua.lua_rawset(L, -3);
        pushTString(L, ARGV_NAME);
        pushStringArray(L, args);
        lua.lua_rawset(L, -3);
      } finally {
        protection.on = true;
        lua.lua_settop(L, 0);
      }
    }
    // The coroutine runs runScript(handler, f, ...): see #runScript.
    lua.lua_pushcfunction(co, this.#runScript);
    lua.lua_rawgeti(co, lua.LUA_REGISTRYINDEX, this.#handlerRef);
    lua.lua_rawgeti(co, lua.LUA_REGISTRYINDEX, ref);
    let nargs = 2;
    if (this.functions) {
      pushStringArray(co, keys);
      pushStringArray(co, args);
      nargs = 4;
    }
    // luaCallFunction sets the count hook only when the limit is on: it costs every script.
    if (s.config.num("busy-reply-threshold") > 0) {
      lua.lua_sethook(co, this.#countHook, lua.LUA_MASKCOUNT, HOOK_COUNT);
    } else {
      lua.lua_sethook(co, null, 0, 0);
    }
    return this.#resume(run, nargs);
  }

  // A fresh coroutine for scripts; one is reused while scripts end normally.
  #newThread(): LuaState {
    const co = lua.lua_newthread(this.#L);
    lua.lua_pop(this.#L, 1);
    return co;
  }

  // The coroutine's body: pcall(f, ...) with Redis's error handler, as a pcall the coroutine
  // can yield across (lua_pcallk), so a slice may end anywhere in the script.
  readonly #runScript = (L: LuaState): number => {
    const status = lua.lua_pcallk(L, lua.lua_gettop(L) - 2, 1, 1, 0, this.#scriptDone);
    return this.#scriptDone(L, status);
  };

  // The end of #runScript (also its continuation after a resume): the result, or the error
  // object, is on top.
  readonly #scriptDone = (_L: LuaState, status: number): number => {
    this.#status = status === lua.LUA_YIELD ? lua.LUA_OK : status;
    return 1;
  };

  // Runs the script's coroutine until it ends or pauses (a slice).
  #resume(run: RunCtx, nargs: number): Reply | Pending {
    const co = this.#co!;
    let status: number;
    let reply: Reply;
    try {
      status = lua.lua_resume(co, this.#L, nargs);
      if (status === lua.LUA_YIELD) {
        // Paused by the count hook: the event loop runs (BUSY for others) until the next slice.
        this.#timer = setTimeout(this.#nextSlice, 0);
        this.server.keyspace.unfreezeTime();
        return run.pending ??= new Pending();
      }
      if (status !== lua.LUA_OK) {
        // Not the script (its errors end the pcall): the coroutine itself died. A new one next.
        this.#co = null;
        reply = this.#errorReply51(co, run.funcname);
      } else if (this.#status !== lua.LUA_OK) {
        reply = this.#errorReply51(co, run.funcname);
      } else {
        try {
          reply = popReply(co, run.fake.resp);
        } catch (e) {
          // Nesting deep enough to exhaust the JS stack before Lua's own limit (~8000 levels).
          if (!(e instanceof RangeError)) throw e;
          reply = new ReplyError("ERR reached lua stack limit");
        }
      }
    } catch (err) {
      this.#co = null;
      this.#end(run);
      throw err;
    }
    if (this.#co !== null) lua.lua_settop(co, 0);
    this.#end(run);
    return reply;
  }

  // A script stops running (scriptResetRun): leaves busy mode.
  #end(run: RunCtx): void {
    this.#run = null;
    if (run.busy) {
      this.server.busyReply = null;
      busyEngines.delete(this.server);
    }
  }

  // The next slice of the paused script, then, once it ended, the rest of its command.
  readonly #nextSlice = (): void => {
    this.#timer = undefined;
    const run = this.#run;
    if (run === null) return;
    const s = this.server;
    const depth = s.execDepth;
    // The script's own context: nested in its command, at its frozen clock.
    s.execDepth = run.depth;
    s.keyspace.freezeTime(run.now);
    s.perfMark = run.sliceStart = performance.now();
    if (run.killed) lua.lua_sethook(this.#co!, this.#countHook, lua.LUA_MASKLINE, 0);
    try {
      let reply: Reply | Pending;
      try {
        reply = this.#resume(run, 0);
      } catch (err) {
        log.warning(`Internal error running a script: ${(err as Error).stack ?? err}`);
        reply = new ReplyError(`ERR internal error: ${(err as Error).message}`);
      }
      if (reply instanceof Pending) return;
      try {
        run.pending!.settle(reply);
      } catch (err) {
        log.warning(`Internal error ending a script: ${(err as Error).stack ?? err}`);
      }
    } finally {
      s.execDepth = depth;
    }
    s.notBusy();
  };

  // luaMaskCountHook and scriptInterrupt: every HOOK_COUNT instructions, checks the time. Past
  // busy-reply-threshold the server enters busy mode (other clients get -BUSY) and the script
  // pauses every SLICE_MS so that the event loop runs; a killed script raises an error.
  readonly #countHook = (L: LuaState): void => {
    const run = this.#run;
    if (run === null) return;
    if (run.killed) {
      log.warning("Lua script killed by user with SCRIPT KILL.");
      // From now on every line raises it again, so that pcall cannot catch it and go on.
      lua.lua_sethook(L, this.#countHook, lua.LUA_MASKLINE, 0);
      raise(L, SCRIPT_KILLED);
    }
    const now = performance.now();
    if (!run.slow) {
      const elapsed = now - run.start;
      if (elapsed < this.server.config.num("busy-reply-threshold")) return;
      run.slow = true;
      log.warning(
        `Slow script detected: still in execution after ${
          Math.floor(elapsed)
        } milliseconds. You can try killing the script using the ${
          this.functions ? "FUNCTION KILL" : "SCRIPT KILL"
        } command. Script name is: ${run.funcname}.`,
      );
      if (!run.mayPause) return;
      run.busy = true;
      this.server.busyReply = this.functions ? BUSY_FUNCTION : BUSY_EVAL;
      busyEngines.set(this.server, this);
    }
    // Only the script's own coroutine pauses (not one it created, nor code a library function
    // such as table.sort calls: those cannot yield).
    if (
      run.busy && now - run.sliceStart >= SLICE_MS && L === this.#co && lua.lua_isyieldable(L)
    ) {
      lua.lua_yield(L, 0);
    }
  };

  /** FUNCTION STATS' running_script: the busy script, or null. */
  busyInfo(): BusyScript | null {
    const run = this.#run;
    if (run === null || !run.busy) return null;
    return {
      isEval: !this.functions,
      name: run.funcname,
      argv: run.argv,
      durationMs: Math.floor(performance.now() - run.start),
    };
  }

  /**
   * SCRIPT KILL / FUNCTION KILL of the busy script (scriptKill).
   * @returns null when it will stop at its next instruction, else the error to reply
   */
  kill(isEval: boolean): string | null {
    const run = this.#run;
    if (run === null || !run.busy) return NOTBUSY;
    if (run.writeDirty) return UNKILLABLE;
    if (isEval && this.functions) return BUSY_FUNCTION;
    if (!isEval && !this.functions) return BUSY_EVAL;
    run.killed = true;
    return null;
  }

  // SHUTDOWN while a script is paused: it never resumes and its caller never gets a reply.
  // Nothing is saved on the way out either: the dataset holds part of the script's effects
  // (SHUTDOWN NOSAVE is the only way Redis stops then; its SIGTERM waits for the script).
  #abandon(): void {
    const run = this.#run;
    if (run === null || run.pending === null) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#co = null;
    this.#run = null;
    if (!this.server.shutdownSaveDone) {
      log.warning("Shutting down while a script is busy: the dataset is not saved.");
      this.server.shutdownSaveDone = true;
    }
  }

  // The caller's error reply for a failed script (luaCallFunction's error branch).
  #errorReply51(L: LuaState, funcname: string): ReplyError {
    if (!lua.lua_istable(L, -1)) {
      const msg = lua.lua_isstring(L, -1)
        ? fromLua(lua.lua_tolstring(L, -1)!).slice(0, 100)
        : "execution failure";
      return new ReplyError(oneLineError(`ERR Error running script ${funcname}, ${msg}`));
    }
    const info = extractErrorInfo(L);
    let msg = lua51Message(info.msg);
    if (info.line !== null && info.source !== null) {
      msg += ` script: ${funcname}, on ${info.source}:${info.line}.`;
    }
    return new ScriptError(oneLineError(msg), info.ignoreStats);
  }

  // --- redis.call / redis.pcall

  #redisCall(L: LuaState, raise: boolean): number {
    const run = this.#run;
    if (run === null) {
      pushErrorTable(L, "redis.call/pcall can only be called inside a script invocation");
      return lua.lua_error(L);
    }
    const argv = argsToArgv(L);
    if (argv === null) return raise ? lua.lua_error(L) : 1;
    if (this.#inUse) {
      const warning =
        "luaRedisGenericCommand() recursive call detected. Are you doing funny stuff with Lua debug hooks?";
      log.warning(warning);
      pushErrorTable(L, warning);
      return 1;
    }
    this.#inUse = true;
    let isError: boolean;
    try {
      const r = this.#scriptCall(run, argv);
      if (r instanceof Refusal) {
        pushErrorTable(L, r.text);
        lua.lua_pushstring(L, "ignore_error_stats_update");
        lua.lua_pushboolean(L, true);
        lua.lua_settable(L, -3);
        isError = true;
      } else {
        pushReply(L, r, run.fake.resp);
        isError = r instanceof ReplyError;
      }
    } finally {
      this.#inUse = false;
    }
    if (raise && isError) return lua.lua_error(L);
    return 1;
  }

  /**
   * Runs one command for the script (scriptCall), with the checks Redis applies first.
   * @returns the reply, or the refusal for the error table
   */
  #scriptCall(run: RunCtx, argv: string[]): Reply | Refusal {
    const s = this.server;
    const top = s.table.get(argv[0]);
    let cmd: Command | undefined = top;
    if (top !== undefined && top.subcommands !== undefined && argv.length >= 2) {
      cmd = top.subcommands.get(argv[1].toLowerCase());
    }
    if (cmd === undefined) return this.#reject(null, "Unknown Redis command called from script");
    const a = cmd.spec.arity;
    if ((a > 0 && a !== argv.length) || argv.length < -a) {
      return this.#reject(cmd, "Wrong number of args calling Redis command from script");
    }
    if (cmd.flagSet.has("noscript")) {
      return this.#reject(cmd, "This Redis command is not allowed from script");
    }
    // Scripts run with the caller's ACL permissions (script.c scriptVerifyACL).
    const denied = s.acl.scriptDenied(run.caller, cmd, argv);
    if (denied !== null) return this.#reject(cmd, denied);
    // For scripts, may-replicate commands count as writes (so read-only scripts can run
    // during CLIENT PAUSE WRITE).
    if (run.readOnly && (cmd.isWrite || cmd.flagSet.has("may_replicate"))) {
      return this.#reject(cmd, "Write commands are not allowed from read-only scripts.");
    }
    if (cmd.isWrite && !run.writeDirty) {
      // Once the script wrote, it cannot be failed half-way on server state.
      if (s.isReplica() && s.config.bool("replica-read-only") && !run.caller.isMaster) {
        return this.#reject(cmd, `-${READONLY}`);
      }
      const disk = s.persistence.diskErrorMessage();
      if (disk !== null) return this.#reject(cmd, `-${disk}`);
    }
    // scriptVerifyOOM: over maxmemory when the script started, its first write may not be a
    // denyoom command (unless allow-oom).
    if (
      !run.writeDirty && !run.allowOom && s.evictor.preCommandOom &&
      cmd.flagSet.has("denyoom") && !run.caller.isMaster
    ) {
      return this.#reject(cmd, `-${OOM}`);
    }
    if (cmd.isWrite) run.writeDirty = true;
    const fake = run.fake;
    if (streamReadBlocks(cmd, argv)) {
      // t_stream.c refuses BLOCK for the script client while parsing (the streams family
      // cannot tell the script client apart, so the check lives here).
      const err = new ReplyError(
        `ERR ${argv[0]} command is not allowed with BLOCK option from scripts`,
      );
      cmd.calls++;
      cmd.failedCalls++;
      s.countError(err);
      return err;
    }
    if (run.repl === 0) {
      // redis.set_repl(redis.REPL_NONE): the command runs but is not propagated.
      const mute = s as unknown as { propagate: (db: number, argv: string[]) => void };
      mute.propagate = () => {};
      try {
        return call(s, fake, cmd, argv) as Reply;
      } finally {
        delete (mute as { propagate?: unknown }).propagate;
      }
    }
    // Never a Pending: what could pause (EVAL, FCALL, EXEC) is noscript.
    return call(s, fake, cmd, argv) as Reply;
  }

  // A refused command counts as a rejected call and an error reply (afterErrorReply).
  #reject(cmd: Command | null, text: string): Refusal {
    if (cmd !== null) cmd.rejectedCalls++;
    const full = text.startsWith("-") ? text.slice(1) : `ERR ${text}`;
    this.server.countError(new ReplyError(full));
    return new Refusal(text);
  }

  // Redis's pcall: like Lua's, but an error table {err=...} comes back as its message.
  #pcall(L: LuaState): number {
    const argc = lua.lua_gettop(L);
    if (argc === 0) {
      // Redis calls lua_pcall with -1 arguments here: Lua ends up calling a nil value.
      lua.lua_pushboolean(L, false);
      lua.lua_pushstring(L, "attempt to call a nil value");
      return 2;
    }
    lua.lua_pushboolean(L, true);
    lua.lua_insert(L, 1);
    // A pcall the script's coroutine can yield across, so a slice may end inside it.
    return finishPcall(L, lua.lua_pcallk(L, argc - 1, lua.LUA_MULTRET, 0, 0, finishPcall));
  }

  // --- the rest of the redis.* API

  #log(L: LuaState): number {
    const argc = lua.lua_gettop(L);
    if (argc < 2) return raise(L, "redis.log() requires two arguments or more.");
    if (!lua.lua_isnumber(L, 1)) return raise(L, "First argument must be a number (log level).");
    const level = Math.trunc(lua.lua_tonumber(L, 1));
    if (!(level >= 0 && level <= 3)) return raise(L, "Invalid debug level.");
    const name = LOG_LEVELS[level];
    if (!log.enabled(name)) return 0;
    const parts: string[] = [];
    for (let j = 2; j <= argc; j++) {
      const s = lua.lua_tolstring(L, j);
      if (s !== null) parts.push(fromLua(s));
    }
    log.log(name, parts.join(" "));
    return 0;
  }

  #setResp(L: LuaState): number {
    const run = this.#run;
    if (run === null) {
      return raise(L, "redis.setresp can only be called inside a script invocation");
    }
    if (lua.lua_gettop(L) !== 1) return raise(L, "redis.setresp() requires one argument.");
    const resp = Math.trunc(lua.lua_tonumber(L, 1));
    if (resp !== 2 && resp !== 3) return raise(L, "RESP version must be 2 or 3.");
    run.fake.setResp(resp);
    return 0;
  }

  #sha1hex(L: LuaState): number {
    if (lua.lua_gettop(L) !== 1) return raise(L, "wrong number of arguments");
    const s = lua.lua_tolstring(L, 1);
    lua.lua_pushstring(L, sha1hex(s === null ? "" : fromLua(s)));
    return 1;
  }

  #errorReply(L: LuaState): number {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
      pushErrorTable(L, "wrong number or type of arguments");
      return 1;
    }
    const err = fromLua(lua.lua_tolstring(L, -1)!);
    pushErrorTable(L, err.startsWith("-") ? err : `-${err}`);
    return 1;
  }

  #statusReply(L: LuaState): number {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
      pushErrorTable(L, "wrong number or type of arguments");
      return 1;
    }
    lua.lua_newtable(L);
    lua.lua_pushstring(L, "ok");
    lua.lua_pushvalue(L, -3);
    lua.lua_settable(L, -3);
    return 1;
  }

  #setRepl(L: LuaState): number {
    const run = this.#run;
    if (run === null) {
      return raise(L, "redis.set_repl can only be called inside a script invocation");
    }
    if (lua.lua_gettop(L) !== 1) return raise(L, "redis.set_repl() requires two arguments.");
    const flags = Math.trunc(lua.lua_tonumber(L, -1));
    if ((flags & ~(PROPAGATE_AOF | PROPAGATE_REPL)) !== 0) {
      return raise(
        L,
        "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
      );
    }
    run.repl = flags;
    return 0;
  }

  #aclCheckCmd(L: LuaState): number {
    if (this.#run === null) {
      return raise(L, "redis.acl_check_cmd can only be called inside a script invocation");
    }
    const argv = argsToArgv(L);
    if (argv === null) return lua.lua_error(L);
    const top = this.server.table.get(argv[0]);
    let cmd: Command | undefined = top;
    if (top?.subcommands !== undefined && argv.length >= 2) {
      cmd = top.subcommands.get(argv[1].toLowerCase());
    }
    if (cmd === undefined) return raise(L, "Invalid command passed to redis.acl_check_cmd()");
    // The caller's permissions, as for redis.call, but nothing is logged (ACL LOG stays empty).
    const acl = this.server.acl;
    lua.lua_pushboolean(L, acl.check(acl.userOf(this.#run.caller), cmd, argv).result === ACL_OK);
    return 1;
  }

  #mathRandom(L: LuaState): number {
    if (this.#run === null) {
      return raiseError(L, "math.random can only be called inside a script invocation");
    }
    const r = (this.#rand.next() % RAND48_MAX) / RAND48_MAX;
    switch (lua.lua_gettop(L)) {
      case 0:
        lua.lua_pushnumber(L, r);
        break;
      case 1: {
        const u = checkInt(L, 1);
        if (!(1 <= u)) lauxlib.luaL_argerror(L, 1, "interval is empty");
        lua.lua_pushnumber(L, Math.floor(r * u) + 1);
        break;
      }
      case 2: {
        const l = checkInt(L, 1);
        const u = checkInt(L, 2);
        if (!(l <= u)) lauxlib.luaL_argerror(L, 2, "interval is empty");
        lua.lua_pushnumber(L, Math.floor(r * (u - l + 1)) + l);
        break;
      }
      default:
        return raiseError(L, "wrong number of arguments");
    }
    return 1;
  }

  #mathRandomseed(L: LuaState): number {
    if (this.#run === null) {
      return raiseError(L, "math.randomseed can only be called inside a script invocation");
    }
    this.#rand.seed(checkInt(L, 1));
    return 0;
  }
}

// The end of Redis's pcall (also its continuation after a pause): true and the results, or
// false and the error (its `err` field for an error table).
function finishPcall(L: LuaState, status: number): number {
  if (status !== lua.LUA_OK && status !== lua.LUA_YIELD) {
    lua.lua_remove(L, 1);
    if (lua.lua_istable(L, -1)) {
      lua.lua_getfield(L, -1, "err");
      if (lua.lua_isstring(L, -1)) lua.lua_replace(L, -2);
    }
    lua.lua_pushboolean(L, false);
    lua.lua_insert(L, 1);
  }
  return lua.lua_gettop(L);
}

// XREAD / XREADGROUP with a BLOCK option before STREAMS.
function streamReadBlocks(cmd: Command, argv: string[]): boolean {
  if (cmd.name !== "xread" && cmd.name !== "xreadgroup") return false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a === "streams") return false;
    if (a === "block") return true;
  }
  return false;
}

// Lua 5.1's error: numbers get the position prefix too (5.3 adds it to strings only).
function error51(L: LuaState): number {
  const level = Math.trunc(lauxlib.luaL_optnumber(L, 2, 1));
  lua.lua_settop(L, 1);
  if (lua.lua_isstring(L, 1) && level > 0) {
    lauxlib.luaL_where(L, level);
    lua.lua_pushvalue(L, 1);
    lua.lua_concat(L, 2);
  }
  return lua.lua_error(L);
}

// Lua 5.1's assert: the message must be a string (or number) and always gets the position.
function assert51(L: LuaState): number {
  lauxlib.luaL_checkany(L, 1);
  if (lua.lua_toboolean(L, 1)) return lua.lua_gettop(L);
  const msg = lua.lua_type(L, 2) <= lua.LUA_TNIL
    ? luaText("assertion failed!")
    : lauxlib.luaL_checklstring(L, 2);
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, msg);
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}

// luaL_checkint in Lua 5.1: any number, truncated to a C int.
function checkInt(L: LuaState, arg: number): number {
  return lauxlib.luaL_checknumber(L, arg) | 0;
}

// Raises the error table for `msg` (luaPushError + luaError).
function raise(L: LuaState, msg: string): never {
  pushErrorTable(L, msg);
  return lua.lua_error(L);
}

// The arguments of redis.call as argv (luaArgsToRedisArgv): numbers as %.17g, strings as
// bytes. On error the error table is pushed and null returned.
function argsToArgv(L: LuaState): string[] | null {
  const argc = lua.lua_gettop(L);
  if (argc === 0) {
    pushErrorTable(L, "Please specify at least one argument for this redis lib call");
    return null;
  }
  const argv: string[] = new Array(argc);
  let j = 0;
  for (; j < argc; j++) {
    const t = lua.lua_type(L, j + 1);
    if (t === lua.LUA_TNUMBER) argv[j] = formatG(lua.lua_tonumber(L, j + 1), 17);
    else if (t === lua.LUA_TSTRING) argv[j] = fromLua(lua.lua_tolstring(L, j + 1)!);
    else break;
  }
  lua.lua_settop(L, 0);
  if (j !== argc) {
    pushErrorTable(L, "Lua redis lib command arguments must be strings or integers");
    return null;
  }
  return argv;
}

function pushStringArray(L: LuaState, items: string[]): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushBytes(L, items[i]);
    lua.lua_rawseti(L, -2, i + 1);
  }
}

// Sets a metatable whose __index raises on unknown names on the table on top of the stack
// (luaSetErrorMetatable).
function setErrorMetatable(L: LuaState): void {
  lua.lua_newtable(L);
  lua.lua_pushcfunction(L, globalsIndexError);
  lua.lua_setfield(L, -2, "__index");
  lua.lua_setmetatable(L, -2);
}

// A string argument as luaGetStringSds reads it: strings and numbers (converted), else null.
function stringArg(L: LuaState, idx: number): string | null {
  if (!lua.lua_isstring(L, idx)) return null;
  lua.lua_pushvalue(L, idx); // converting a copy leaves table keys intact for lua_next
  const s = fromLua(lua.lua_tolstring(L, -1)!);
  lua.lua_pop(L, 1);
  return s;
}

// Reads redis.register_function's arguments (luaRegisterFunctionReadArgs): the function, or
// the error text. The callback is referenced from the registry once accepted.
function readRegisterArgs(L: LuaState): RegisteredFunction | string {
  const argc = lua.lua_gettop(L);
  if (argc < 1 || argc > 2) return "wrong number of arguments to redis.register_function";
  if (argc === 2) {
    const name = stringArg(L, 1);
    if (name === null) return "first argument to redis.register_function must be a string";
    if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) {
      return "second argument to redis.register_function must be a function";
    }
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    return { name, desc: null, flags: 0, ref };
  }
  if (!lua.lua_istable(L, 1)) {
    return "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).";
  }
  let name: string | null = null;
  let desc: string | null = null;
  let flags = 0;
  let ref = -1;
  const fail = (err: string): string => {
    if (ref !== -1) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref);
    return err;
  };
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1)) {
    const key = stringArg(L, -2);
    if (key === null) {
      return fail("named argument key given to redis.register_function is not a string");
    }
    switch (key.toLowerCase()) {
      case "function_name":
        name = stringArg(L, -1);
        if (name === null) {
          return fail("function_name argument given to redis.register_function must be a string");
        }
        break;
      case "description":
        desc = stringArg(L, -1);
        if (desc === null) {
          return fail("description argument given to redis.register_function must be a string");
        }
        break;
      case "callback":
        if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION) {
          return fail("callback argument given to redis.register_function must be a function");
        }
        if (ref !== -1) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref);
        ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
        continue; // luaL_ref popped the value
      case "flags": {
        if (!lua.lua_istable(L, -1)) {
          return fail(
            "flags argument to redis.register_function must be a table representing function flags",
          );
        }
        const f = readFlags(L);
        if (f === null) return fail("unknown flag given");
        flags = f;
        break;
      }
      default:
        return fail("unknown argument given to redis.register_function");
    }
    lua.lua_pop(L, 1);
  }
  if (name === null) return fail("redis.register_function must get a function name argument");
  if (ref === -1) return fail("redis.register_function must get a callback argument");
  return { name, desc, flags, ref };
}

// The flags table on top of the stack: 1..n until the first nil; null on an unknown flag or a
// value that is not a string (luaRegisterFunctionReadFlags).
function readFlags(L: LuaState): number | null {
  let flags = 0;
  for (let j = 1;; j++) {
    lua.lua_rawgeti(L, -1, j);
    if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      return flags;
    }
    const s = stringArg(L, -1);
    lua.lua_pop(L, 1);
    if (s === null) return null;
    const known = FLAG_NAMES.find(([n]) => n === s.toLowerCase());
    if (known === undefined) return null;
    flags |= known[1];
  }
}

// __index of the globals table: reading an unset global is an error (luaProtectedTableError).
function globalsIndexError(L: LuaState): number {
  const name = lua.lua_isstring(L, 2) ? fromLua(lua.lua_tolstring(L, 2)!) : "?";
  return raiseError(L, `Script attempted to access nonexistent global variable '${name}'`);
}

// Marks the table on top of the stack, every table in it and their metatables read-only
// (luaSetTableProtectionRecursively).
function protectRecursively(L: LuaState): void {
  if (isReadonly(L, -1)) return;
  setReadonly(L, -1, true);
  lua.lua_checkstack(L, 2);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    if (lua.lua_istable(L, -1)) protectRecursively(L);
    lua.lua_pop(L, 1);
  }
  if (lua.lua_getmetatable(L, -1)) {
    protectRecursively(L);
    lua.lua_pop(L, 1);
  }
}

// Lua 5.3 names the culprit after the type ("attempt to index a nil value (local 't')"); the
// 5.1 Redis runs names it first ("attempt to index local 't' (a nil value)").
function lua51Message(msg: string): string {
  return msg.replace(
    /attempt to ([a-z ]+?) a (\w+) value \((global|local|field|upvalue|method) '([^']*)'\)/,
    "attempt to $1 $3 '$4' (a $2 value)",
  );
}

/** The script paused past busy-reply-threshold on `server` (EVAL or FCALL), or null. */
export function busyScriptOf(server: Server): BusyScript | null {
  return busyEngines.get(server)?.busyInfo() ?? null;
}

/**
 * SCRIPT KILL (`isEval`) or FUNCTION KILL.
 * @returns null when the busy script will stop, else the error to reply
 */
export function killBusyScript(server: Server, isEval: boolean): string | null {
  const busy = busyEngines.get(server);
  return busy === undefined ? NOTBUSY : busy.kill(isEval);
}

const engines = new WeakMap<Server, ScriptingEngine>();

/** The scripting engine of `server`, created on first use. */
export function scriptingOf(server: Server): ScriptingEngine {
  let e = engines.get(server);
  if (e === undefined) {
    e = new ScriptingEngine(server);
    engines.set(server, e);
  }
  return e;
}

/** The EVAL engine of `server` if a script ever ran or was loaded (INFO must not create it). */
export function scriptingIfCreated(server: Server): ScriptingEngine | undefined {
  return engines.get(server);
}
