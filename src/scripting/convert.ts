// Conversions between command replies and Lua values, as Redis 7.0's script_lua.c does them.
// Reply → Lua follows what the reply would look like on the wire for the script client's
// protocol (redis.setresp): RESP2 null → false, status → {ok=}, error → {err=}, RESP3 map →
// {map=}, set → {set=}, double → {double=}, ... Lua → reply follows luaReplyToRedisReply:
// numbers truncated to integers, false → null, tables by their err/ok/double/... field, else
// an array that stops at the first nil.

import { ReplyError } from "../errors.ts";
import {
  BigNumber,
  NO_REPLY,
  NULL_ARRAY,
  type Reply,
  RespBool,
  RespDouble,
  RespMap,
  RespSet,
  SimpleString,
  Verbatim,
} from "../resp/types.ts";
import { formatDouble } from "../util/numbers.ts";
import { fromLua, lua, type LuaState, pushBytes, toLua } from "./lua.ts";

const LLONG_MIN = -9223372036854775808n;
const TWO63 = 9223372036854775808;

/**
 * Pushes the error table `{err = "CODE msg"}` that redis.pcall returns (luaPushErrorBuff).
 * @param L the Lua state
 * @param text "-CODE msg" (code taken from the text) or "msg" (code ERR); byte string
 */
export function pushErrorTable(L: LuaState, text: string): void {
  let code = "ERR";
  let msg = text;
  if (text.charCodeAt(0) === 45 /* - */) {
    const sp = text.indexOf(" ");
    if (sp < 0) msg = text.slice(1);
    else {
      code = text.slice(1, sp);
      msg = text.slice(sp + 1);
    }
  }
  msg = msg.replace(/^[\r\n]+|[\r\n]+$/g, "");
  lua.lua_newtable(L);
  lua.lua_pushstring(L, "err");
  lua.lua_pushstring(L, toLua(`${code} ${msg}`));
  lua.lua_settable(L, -3);
}

/**
 * Pushes `r` as the Lua value a script sees for a command reply (redisProtocolToLuaType).
 * @param L the Lua state
 * @param r the command's reply
 * @param resp the protocol the script client speaks (redis.setresp)
 */
export function pushReply(L: LuaState, r: Reply, resp: 2 | 3): void {
  lua.lua_checkstack(L, 4);
  if (typeof r === "string") return pushBytes(L, r);
  if (typeof r === "number") return lua.lua_pushnumber(L, r);
  if (typeof r === "bigint") return lua.lua_pushnumber(L, Number(r));
  if (r === null || r === NULL_ARRAY || r === NO_REPLY) {
    // RESP2 null bulk / null array → false; RESP3 null → nil.
    if (resp === 3 && r !== NO_REPLY) return lua.lua_pushnil(L);
    return lua.lua_pushboolean(L, false);
  }
  if (Array.isArray(r)) return pushArray(L, r, resp);
  if (r instanceof SimpleString) return pushField(L, "ok", r.value);
  if (r instanceof ReplyError) {
    pushErrorTable(L, `-${r.message}`);
    // The command already counted this error in the error stats.
    lua.lua_pushstring(L, "ignore_error_stats_update");
    lua.lua_pushboolean(L, true);
    lua.lua_settable(L, -3);
    return;
  }
  if (r instanceof RespMap) {
    if (resp === 2) return pushArray(L, r.entries, resp);
    lua.lua_newtable(L);
    lua.lua_pushstring(L, "map");
    lua.lua_newtable(L);
    for (let i = 0; i + 1 < r.entries.length; i += 2) {
      pushReply(L, r.entries[i], resp);
      pushReply(L, r.entries[i + 1], resp);
      settableSafe(L);
    }
    lua.lua_settable(L, -3);
    return;
  }
  if (r instanceof RespSet) {
    if (resp === 2) return pushArray(L, r.items, resp);
    lua.lua_newtable(L);
    lua.lua_pushstring(L, "set");
    lua.lua_newtable(L);
    for (const x of r.items) {
      pushReply(L, x, resp);
      lua.lua_pushboolean(L, true);
      settableSafe(L);
    }
    lua.lua_settable(L, -3);
    return;
  }
  if (r instanceof RespDouble) {
    const text = r.text ?? formatDouble(r.value);
    if (resp === 2) return lua.lua_pushstring(L, toLua(text));
    lua.lua_newtable(L);
    lua.lua_pushstring(L, "double");
    lua.lua_pushnumber(L, parseDoubleText(text));
    lua.lua_settable(L, -3);
    return;
  }
  if (r instanceof RespBool) {
    if (resp === 2) return lua.lua_pushnumber(L, r.value ? 1 : 0);
    return lua.lua_pushboolean(L, r.value);
  }
  if (r instanceof Verbatim) {
    if (resp === 2) return lua.lua_pushstring(L, toLua(r.text));
    lua.lua_newtable(L);
    lua.lua_pushstring(L, "verbatim_string");
    lua.lua_newtable(L);
    lua.lua_pushstring(L, "string");
    lua.lua_pushstring(L, toLua(r.text));
    lua.lua_settable(L, -3);
    lua.lua_pushstring(L, "format");
    lua.lua_pushstring(L, toLua(r.format));
    lua.lua_settable(L, -3);
    lua.lua_settable(L, -3);
    return;
  }
  if (r instanceof BigNumber) {
    if (resp === 2) return lua.lua_pushstring(L, toLua(r.digits));
    return pushField(L, "big_number", r.digits);
  }
  // Push and Multi never come back from a command run by a script.
  lua.lua_pushboolean(L, false);
}

// A nil key (RESP3 null as a map key) cannot index a table: skip the pair as Lua would fail.
function settableSafe(L: LuaState): void {
  if (lua.lua_type(L, -2) === lua.LUA_TNIL) {
    lua.lua_pop(L, 2);
    return;
  }
  lua.lua_settable(L, -3);
}

function pushArray(L: LuaState, items: Reply[], resp: 2 | 3): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    lua.lua_pushnumber(L, i + 1);
    pushReply(L, items[i], resp);
    lua.lua_settable(L, -3);
  }
}

function pushField(L: LuaState, field: string, value: string): void {
  lua.lua_newtable(L);
  lua.lua_pushstring(L, field);
  lua.lua_pushstring(L, toLua(value));
  lua.lua_settable(L, -3);
}

function parseDoubleText(text: string): number {
  if (text === "inf") return Infinity;
  if (text === "-inf") return -Infinity;
  if (text === "nan" || text === "-nan") return NaN;
  return Number(text);
}

/** C's (long long) cast of a double on x86-64: NaN and out-of-range values become LLONG_MIN. */
export function toLongLong(n: number): number | bigint {
  if (n !== n || n >= TWO63 || n < -TWO63) return LLONG_MIN;
  const t = Math.trunc(n);
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t;
  return BigInt(t);
}

/** Information from an error table (luaExtractErrorInformation). */
export interface ErrorInfo {
  msg: string;
  source: string | null;
  line: string | null;
  ignoreStats: boolean;
}

/** Reads err/source/line/ignore_error_stats_update from the error value on top of the stack. */
export function extractErrorInfo(L: LuaState): ErrorInfo {
  const info: ErrorInfo = { msg: "", source: null, line: null, ignoreStats: false };
  if (lua.lua_isstring(L, -1)) info.msg = `ERR ${fromLua(lua.lua_tolstring(L, -1)!)}`;
  if (!lua.lua_istable(L, -1)) return info;
  info.msg = getStringField(L, "err") ?? info.msg;
  info.source = getStringField(L, "source");
  info.line = getStringField(L, "line");
  lua.lua_getfield(L, -1, "ignore_error_stats_update");
  if (lua.lua_type(L, -1) === lua.LUA_TBOOLEAN) info.ignoreStats = lua.lua_toboolean(L, -1);
  lua.lua_pop(L, 1);
  return info;
}

function getStringField(L: LuaState, name: string): string | null {
  lua.lua_getfield(L, -1, name);
  const s = lua.lua_isstring(L, -1) ? fromLua(lua.lua_tolstring(L, -1)!) : null;
  lua.lua_pop(L, 1);
  return s;
}

/** An error reply built from a script's error (`-%s` formatted: newlines become spaces). */
export class ScriptError extends ReplyError {
  /** Already counted in the error stats by the command that failed inside the script. */
  readonly ignoreStats: boolean;
  constructor(message: string, ignoreStats: boolean) {
    super(message);
    this.ignoreStats = ignoreStats;
  }
}

/** addReplyErrorFormat's cleanup: trailing CR/LF dropped, inner ones turned into spaces. */
export function oneLineError(s: string): string {
  return s.replace(/[\r\n]+$/, "").replace(/[\r\n]/g, " ");
}

/**
 * Pops the Lua value on top of the stack and returns it as the script's reply
 * (luaReplyToRedisReply).
 * @param L the Lua state
 * @param scriptResp the script client's protocol (booleans depend on it)
 * @returns the reply for the caller
 */
export function popReply(L: LuaState, scriptResp: 2 | 3, depth = 1): Reply {
  const r = toReply(L, scriptResp, depth);
  lua.lua_pop(L, 1);
  return r;
}

// Lua 5.1 refuses lua_checkstack beyond LUAI_MAXCSTACK (8000) slots above the C function's
// base; Redis's conversion holds one slot per nesting level above two of its own.
const MAX_REPLY_DEPTH = 8000 - 4 - 1;

function toReply(L: LuaState, scriptResp: 2 | 3, depth: number): Reply {
  if (depth > MAX_REPLY_DEPTH || !lua.lua_checkstack(L, 4)) {
    return new ReplyError("ERR reached lua stack limit");
  }
  const t = lua.lua_type(L, -1);
  if (t === lua.LUA_TSTRING) return fromLua(lua.lua_tolstring(L, -1)!);
  if (t === lua.LUA_TBOOLEAN) {
    const b = lua.lua_toboolean(L, -1);
    if (scriptResp === 2) return b ? 1 : null;
    return new RespBool(b);
  }
  if (t === lua.LUA_TNUMBER) return toLongLong(lua.lua_tonumber(L, -1));
  if (t !== lua.LUA_TTABLE) return null;

  // Fields are read raw: metatables (__index) take no part (Redis 7.0.15 uses lua_rawget).
  lua.lua_pushstring(L, "err");
  lua.lua_rawget(L, -2);
  if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
    lua.lua_pop(L, 1);
    const info = extractErrorInfo(L);
    return new ScriptError(oneLineError(info.msg), info.ignoreStats);
  }
  lua.lua_pop(L, 1);

  lua.lua_pushstring(L, "ok");
  lua.lua_rawget(L, -2);
  if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
    const ok = fromLua(lua.lua_tolstring(L, -1)!).replace(/[\r\n]/g, " ");
    lua.lua_pop(L, 1);
    return new SimpleString(ok);
  }
  lua.lua_pop(L, 1);

  lua.lua_pushstring(L, "double");
  lua.lua_rawget(L, -2);
  if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
    const d = lua.lua_tonumber(L, -1);
    lua.lua_pop(L, 1);
    return new RespDouble(d);
  }
  lua.lua_pop(L, 1);

  lua.lua_pushstring(L, "big_number");
  lua.lua_rawget(L, -2);
  if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
    const digits = fromLua(lua.lua_tolstring(L, -1)!).replace(/[\r\n]/g, " ");
    lua.lua_pop(L, 1);
    return new BigNumber(digits);
  }
  lua.lua_pop(L, 1);

  lua.lua_pushstring(L, "verbatim_string");
  lua.lua_rawget(L, -2);
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    lua.lua_pushstring(L, "format");
    lua.lua_rawget(L, -2);
    if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
      const format = fromLua(lua.lua_tolstring(L, -1)!);
      lua.lua_pushstring(L, "string");
      lua.lua_rawget(L, -3);
      if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
        const text = fromLua(lua.lua_tolstring(L, -1)!);
        lua.lua_pop(L, 3);
        // addReplyVerbatim copies exactly three bytes of the format.
        return new Verbatim((format + "\0\0\0").slice(0, 3), text);
      }
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
  }
  lua.lua_pop(L, 1);

  lua.lua_pushstring(L, "map");
  lua.lua_rawget(L, -2);
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    const entries: Reply[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      lua.lua_pushvalue(L, -2);
      entries.push(popReply(L, scriptResp, depth + 2));
      entries.push(popReply(L, scriptResp, depth + 1));
    }
    lua.lua_pop(L, 1);
    return new RespMap(entries);
  }
  lua.lua_pop(L, 1);

  lua.lua_pushstring(L, "set");
  lua.lua_rawget(L, -2);
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    const items: Reply[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      lua.lua_pop(L, 1);
      lua.lua_pushvalue(L, -1);
      items.push(popReply(L, scriptResp, depth + 2));
    }
    lua.lua_pop(L, 1);
    return new RespSet(items);
  }
  lua.lua_pop(L, 1);

  const out: Reply[] = [];
  for (let j = 1;; j++) {
    lua.lua_pushnumber(L, j);
    lua.lua_rawget(L, -2);
    if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    out.push(popReply(L, scriptResp, depth + 1));
  }
  return out;
}
