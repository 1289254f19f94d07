// Second step of loading fengari as Lua 5.1 (see lua.ts): after luaconf (lua_conf.ts) and the
// core modules, before lauxlib and the libraries copy lua_pushinteger. Makes every number a
// double and adds read-only tables; both are checked by tests/unit/lua_vm_test.ts.

import "./lua_conf.ts";
import luaMod from "fengari/src/lua.js";
import lapiMod from "fengari/src/lapi.js";
import lobjectMod from "fengari/src/lobject.js";
import ltableMod from "fengari/src/ltable.js";
import ldebugMod from "fengari/src/ldebug.js";
import lstringMod from "fengari/src/lstring.js";
import lvmMod from "fengari/src/lvm.js";
import lstateMod from "fengari/src/lstate.js";
import core from "fengari/src/fengaricore.js";

type LuaState = object;
interface TValueLike {
  type: number;
  value: unknown;
}
interface TableLike {
  readonly?: boolean;
}
type Exports = Record<string, unknown>;

const LUA_TNUMFLT = 3; // LUA_TNUMBER | (0 << 4)

// --- Every number is a double, as in Lua 5.1. Integers only ever enter the VM through
// TValue.setivalue (numerals, string conversion, integer arithmetic, # and for loops) and
// lua_pushinteger (library results); both now make floats, so integer arithmetic never runs.
{
  const TValue = (lobjectMod as Exports).TValue as { prototype: Record<string, unknown> };
  TValue.prototype.setivalue = function (this: TValueLike, x: number) {
    this.type = LUA_TNUMFLT;
    this.value = x;
  };
  TValue.prototype.chgivalue = function (this: TValueLike, x: number) {
    this.value = x;
  };
  const lapi = lapiMod as Exports;
  const pushnumber = lapi.lua_pushnumber as (L: LuaState, n: number) => void;
  const pushinteger = (L: LuaState, n: number) => pushnumber(L, n);
  lapi.lua_pushinteger = pushinteger;
  (luaMod as Exports).lua_pushinteger = pushinteger;
}

// --- lua_pcallk saves the caller's 'allowhook' in its CallInfo for a yieldable call; fengari
// only ever clears that bit (`&=` where 5.3 sets it), so an error inside such a pcall (xpcall,
// Redis's pcall, the script runner, see engine.ts) restored allowhook as 0 and the coroutine
// never called a hook again: the next script could not be timed or paused.
{
  const CIST_OAH = (lstateMod as Exports).CIST_OAH as number;
  const lapi = lapiMod as Exports;
  type PcallK = (L: LuaState, n: number, r: number, f: number, ctx: unknown, k: unknown) => number;
  const pcallk = lapi.lua_pcallk as PcallK;
  const fixed: PcallK = (L, n, r, f, ctx, k) => {
    const s = L as { allowhook: number; ci: { callstatus: number } };
    if (s.allowhook) s.ci.callstatus |= CIST_OAH;
    return pcallk(L, n, r, f, ctx, k);
  };
  lapi.lua_pcallk = fixed;
  (luaMod as Exports).lua_pcallk = fixed;
}

// --- lua_tointeger truncates like Lua 5.1 on x86-64 ((int)d), where 5.3 refuses numbers with
// a fraction ("number has no integer representation"): string.sub(s, 1, #s / 2) must work.
{
  const lvm = lvmMod as Exports;
  const tonumber = lvm.tonumber as (o: unknown) => number | false;
  lvm.tointeger = (o: unknown): number | false => {
    const n = tonumber(o);
    if (n === false) return false;
    const t = Math.trunc(n);
    return t >= -9007199254740992 && t <= 9007199254740992 ? t : false;
  };
}

// --- Hexadecimal numerals of any size. 5.3 reads "0x..." as an integer that wraps (fengari's
// at 32 bits: 0x100000000 became 0); Lua 5.1 reads every numeral with strtod, so a hex numeral
// is its full value as a double (BullMQ's scripts compute priority * 0x100000000).
{
  const lobject = lobjectMod as Exports;
  const str2num = lobject.luaO_str2num as (s: Uint8Array, o: TValueLike) => number;
  const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
  const hexValue = (c: number) =>
    c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
  lobject.luaO_str2num = (s: Uint8Array, o: TValueLike): number => {
    let i = 0;
    while (i < s.length && isSpace(s[i])) i++;
    const neg = s[i] === 45;
    if (neg || s[i] === 43) i++;
    if (s[i] !== 48 || (s[i + 1] !== 120 && s[i + 1] !== 88)) return str2num(s, o);
    let j = i + 2;
    let a = 0;
    for (; j < s.length && hexValue(s[j]) >= 0; j++) a = a * 16 + hexValue(s[j]);
    let end = j;
    while (end < s.length && isSpace(s[end])) end++;
    // Hex fractions and exponents ("0x1.8p1"), and malformed numerals: 5.3's own reading.
    if (j === i + 2 || (end !== s.length && s[end] !== 0)) return str2num(s, o);
    o.type = LUA_TNUMFLT;
    o.value = neg ? -a : a;
    return end + 1;
  };
}

// --- Read-only tables (Redis's Lua: "Attempt to modify a readonly table"). Every store into a
// table goes through ltable.luaH_setfrom or luaH_setint, looked up on the module at call time.
const runerror = (ldebugMod as Exports).luaG_runerror as (L: LuaState, fmt: Uint8Array) => never;
const READONLY_MSG = (core as { to_luastring(s: string): Uint8Array }).to_luastring(
  "Attempt to modify a readonly table",
);
/** While `on` is false, read-only tables accept writes (the engine sets KEYS and ARGV). */
export const protection = { on: true };
{
  const ltable = ltableMod as Exports;
  const setfrom = ltable.luaH_setfrom as (
    L: LuaState,
    t: TableLike,
    k: unknown,
    v: unknown,
  ) => void;
  const setint = ltable.luaH_setint as (t: TableLike, k: number, v: unknown) => void;
  ltable.luaH_setfrom = (L: LuaState, t: TableLike, k: unknown, v: unknown) => {
    if (t.readonly === true && protection.on) runerror(L, READONLY_MSG);
    setfrom(L, t, k, v);
  };
  ltable.luaH_setint = (t: TableLike, k: number, v: unknown) => {
    // Only lua_rawseti and table constructors use this; no lua_State to raise with, so refuse
    // silently (Redis raises; reachable only through rawset on a library table).
    if (t.readonly === true && protection.on) return;
    setint(t, k, v);
  };
}

// --- Pushing a string the caller hands over (lua_pushstring copies it: a second typed array,
// which costs as much as a short script's own work).
const bless = (lstringMod as Exports).luaS_bless as (L: LuaState, b: Uint8Array) => unknown;
const pushsvalue = (lobjectMod as Exports).pushsvalue2s as (L: LuaState, ts: unknown) => void;

/** Pushes `bytes` as a Lua string without copying; the caller must not modify them later. */
export function pushOwnedString(L: LuaState, bytes: Uint8Array): void {
  pushsvalue(L, bless(L, bytes));
}

/** A Lua string object to push many times (`pushTString`): made once, its hash kept. */
export function makeTString(bytes: Uint8Array): unknown {
  return bless(null as unknown as LuaState, bytes);
}

/** Pushes a string object made by makeTString. */
export function pushTString(L: LuaState, ts: unknown): void {
  pushsvalue(L, ts);
}
