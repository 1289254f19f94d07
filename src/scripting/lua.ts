// The Lua VM: fengari (npm, a Lua 5.3 VM written in JS, synchronous) patched at load time to
// behave like the Lua 5.1 Redis embeds where scripts can tell. Every number is a double (5.3's
// integer subtype is 32-bit in fengari and would wrap: 100000*100000), integral numbers print
// without ".0", and tables can be made read-only (Redis's patched Lua: lua_enablereadonlytable).
// The patches replace fengari module exports before the modules that copy them are loaded, so
// the import order below matters (lua_conf.ts first, lua.js next, the library modules last).

import { protection, pushOwnedString } from "./lua_core.ts";
import fengari from "fengari";

/** An opaque lua_State. */
export type LuaState = { readonly __luaState: unique symbol };
/** A Lua string: bytes. */
export type LuaString = Uint8Array;
/** A function callable from Lua (lua_CFunction): returns the number of results pushed. */
export type LuaFunction = (L: LuaState) => number;

/** The parts of the Lua C API (lua.h) the scripting engine uses. */
export interface LuaApi {
  LUA_REGISTRYINDEX: number;
  LUA_MULTRET: number;
  LUA_OK: number;
  LUA_YIELD: number;
  LUA_TNONE: number;
  LUA_TNIL: number;
  LUA_TBOOLEAN: number;
  LUA_TLIGHTUSERDATA: number;
  LUA_TNUMBER: number;
  LUA_TSTRING: number;
  LUA_TTABLE: number;
  LUA_TFUNCTION: number;
  LUA_TUSERDATA: number;
  LUA_MASKCOUNT: number;
  LUA_MASKLINE: number;
  lua_absindex(L: LuaState, idx: number): number;
  lua_call(L: LuaState, nargs: number, nresults: number): void;
  lua_checkstack(L: LuaState, n: number): boolean;
  lua_concat(L: LuaState, n: number): void;
  lua_createtable(L: LuaState, narr: number, nrec: number): void;
  lua_error(L: LuaState): never;
  lua_getfield(L: LuaState, idx: number, k: LuaString | string): number;
  lua_getglobal(L: LuaState, name: LuaString | string): number;
  lua_getmetatable(L: LuaState, idx: number): boolean;
  lua_gettable(L: LuaState, idx: number): number;
  lua_gettop(L: LuaState): number;
  lua_insert(L: LuaState, idx: number): void;
  lua_isnumber(L: LuaState, idx: number): boolean;
  lua_isstring(L: LuaState, idx: number): boolean;
  lua_istable(L: LuaState, idx: number): boolean;
  lua_newtable(L: LuaState): void;
  lua_next(L: LuaState, idx: number): boolean;
  lua_pcall(L: LuaState, nargs: number, nresults: number, errfunc: number): number;
  /** A pcall a coroutine may yield across: `k` finishes it after a resume (or an error). */
  lua_pcallk(
    L: LuaState,
    nargs: number,
    nresults: number,
    errfunc: number,
    ctx: number,
    k: (L: LuaState, status: number, ctx: number) => number,
  ): number;
  lua_newthread(L: LuaState): LuaState;
  lua_pushthread(L: LuaState): boolean;
  lua_resume(L: LuaState, from: LuaState | null, nargs: number): number;
  lua_yield(L: LuaState, nresults: number): number;
  lua_isyieldable(L: LuaState): boolean;
  lua_pop(L: LuaState, n: number): void;
  lua_pushboolean(L: LuaState, b: boolean | number): void;
  lua_pushcfunction(L: LuaState, f: LuaFunction): void;
  lua_pushlightuserdata(L: LuaState, p: unknown): void;
  lua_pushglobaltable(L: LuaState): void;
  lua_pushnil(L: LuaState): void;
  lua_pushnumber(L: LuaState, n: number): void;
  lua_pushstring(L: LuaState, s: LuaString | string): void;
  lua_pushvalue(L: LuaState, idx: number): void;
  lua_rawequal(L: LuaState, a: number, b: number): boolean;
  lua_rawget(L: LuaState, idx: number): number;
  lua_rawgeti(L: LuaState, idx: number, n: number): number;
  lua_rawlen(L: LuaState, idx: number): number;
  lua_rawset(L: LuaState, idx: number): void;
  lua_rawseti(L: LuaState, idx: number, n: number): void;
  lua_remove(L: LuaState, idx: number): void;
  lua_replace(L: LuaState, idx: number): void;
  lua_setfield(L: LuaState, idx: number, k: LuaString | string): void;
  lua_setglobal(L: LuaState, name: LuaString | string): void;
  lua_sethook(
    L: LuaState,
    f: ((L: LuaState, ar: unknown) => void) | null,
    mask: number,
    count: number,
  ): void;
  lua_setmetatable(L: LuaState, idx: number): void;
  lua_settable(L: LuaState, idx: number): void;
  lua_settop(L: LuaState, idx: number): void;
  lua_toboolean(L: LuaState, idx: number): boolean;
  lua_tolstring(L: LuaState, idx: number): LuaString | null;
  lua_tonumber(L: LuaState, idx: number): number;
  lua_topointer(L: LuaState, idx: number): unknown;
  lua_touserdata(L: LuaState, idx: number): unknown;
  lua_type(L: LuaState, idx: number): number;
  lua_typename(L: LuaState, t: number): LuaString;
}

/** The parts of lauxlib.h used. */
export interface LauxApi {
  luaL_newstate(): LuaState;
  luaL_loadbuffer(L: LuaState, buff: LuaString, size: number, name: LuaString | string): number;
  luaL_error(L: LuaState, fmt: LuaString | string, ...args: unknown[]): never;
  luaL_argerror(L: LuaState, arg: number, msg: LuaString | string): never;
  luaL_checknumber(L: LuaState, arg: number): number;
  luaL_checkinteger(L: LuaState, arg: number): number;
  luaL_checklstring(L: LuaState, arg: number): LuaString;
  luaL_checktype(L: LuaState, arg: number, t: number): void;
  luaL_checkany(L: LuaState, arg: number): void;
  luaL_optinteger(L: LuaState, arg: number, def: number): number;
  luaL_optnumber(L: LuaState, arg: number, def: number): number;
  luaL_tolstring(L: LuaState, idx: number): LuaString;
  luaL_ref(L: LuaState, t: number): number;
  luaL_unref(L: LuaState, t: number, ref: number): void;
  luaL_requiref(L: LuaState, name: LuaString | string, f: LuaFunction, glb: number): void;
  luaL_where(L: LuaState, lvl: number): void;
}

/** The library openers (lualib.h). */
export interface LualibApi {
  luaopen_base: LuaFunction;
  luaopen_table: LuaFunction;
  luaopen_string: LuaFunction;
  luaopen_math: LuaFunction;
  luaopen_coroutine: LuaFunction;
  luaopen_debug: LuaFunction;
}

/** Marks the table at `idx` read-only (true) or writable (false). */
export function setReadonly(L: LuaState, idx: number, on: boolean): void {
  const t = lua.lua_topointer(L, idx) as { readonly?: boolean };
  t.readonly = on;
}

/** True when the table at `idx` is read-only. */
export function isReadonly(L: LuaState, idx: number): boolean {
  return (lua.lua_topointer(L, idx) as { readonly?: boolean }).readonly === true;
}

/** Runs `f` with read-only protection lifted (setting KEYS/ARGV globals). */
export function withoutProtection<T>(f: () => T): T {
  protection.on = false;
  try {
    return f();
  } finally {
    protection.on = true;
  }
}

/** lua.h */
export const lua = fengari.lua as unknown as LuaApi;
/** lauxlib.h */
export const lauxlib = fengari.lauxlib as unknown as LauxApi;
/** lualib.h */
export const lualib = fengari.lualib as unknown as LualibApi;

const enc = new TextEncoder();

/** A JS text (UTF-16) as a Lua string (UTF-8), for names and messages. */
export function luaText(s: string): LuaString {
  return enc.encode(s);
}

/** Pushes a byte string (one char per byte) as a Lua string. */
export function pushBytes(L: LuaState, s: string): void {
  const n = s.length;
  if (n > SLAB_MAX || (L as unknown as TransientFlag).l_G.transientStrings !== true) {
    pushOwnedString(L as unknown as object, toLua(s));
    return;
  }
  if (slabUsed + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const b = slab.subarray(slabUsed, slabUsed += n);
  for (let i = 0; i < n; i++) b[i] = s.charCodeAt(i);
  pushOwnedString(L as unknown as object, b);
}

// Short strings pushed into a VM whose values die with each script call (the EVAL VM: its
// globals are read-only, so a script keeps nothing) are views into shared slabs: a typed array
// of its own costs ~0.8 us in Deno, a view ~0.15 us, and a short script pushes several (KEYS,
// ARGV, replies). The functions VM keeps its own arrays: a library may cache values in its
// locals, and one survivor would pin a whole slab.
const SLAB_SIZE = 8192;
const SLAB_MAX = 128;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;
type TransientFlag = { l_G: { transientStrings?: boolean } };

/** Lets pushBytes carve short strings for this VM out of shared slabs (see above). */
export function useTransientStrings(L: LuaState): void {
  (L as unknown as TransientFlag).l_G.transientStrings = true;
}

/**
 * Raises a Lua error with `msg` (a byte string) prefixed by the caller's position, as
 * luaL_error does, without reading `msg` as a format.
 */
export function raiseError(L: LuaState, msg: string): never {
  lauxlib.luaL_where(L, 1);
  pushBytes(L, msg);
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}

/** A byte string (one char per byte) as a Lua string. */
export function toLua(s: string): LuaString {
  const n = s.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A Lua string as a byte string (one char per byte). */
export function fromLua(b: LuaString): string {
  const n = b.length;
  if (n < 64) {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(b[i]);
    return s;
  }
  let s = "";
  for (let i = 0; i < n; i += 8192) {
    s += String.fromCharCode.apply(
      null,
      b.subarray(i, Math.min(n, i + 8192)) as unknown as number[],
    );
  }
  return s;
}
