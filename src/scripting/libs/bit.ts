// The `bit` library scripts get (LuaBitOp 1.0.2, as bundled with Redis): 32-bit operations on
// Lua numbers. Arguments are reduced modulo 2^32 after rounding to an integer (LuaBitOp's
// 2^52+2^51 addition trick); results are signed 32-bit numbers, as bit.tobit gives.

import { lauxlib, lua, type LuaFunction, type LuaState } from "../lua.ts";

const view = new DataView(new ArrayBuffer(8));

// barg: the argument as a 32-bit pattern (unsigned), rounding like the FPU does.
function barg(L: LuaState, i: number): number {
  const n = lauxlib.luaL_checknumber(L, i);
  view.setFloat64(0, n + 6755399441055744.0, true);
  return view.getUint32(0, true);
}

function push(L: LuaState, b: number): number {
  lua.lua_pushnumber(L, b | 0);
  return 1;
}

function variadic(op: (a: number, b: number) => number): LuaFunction {
  return (L) => {
    let b = barg(L, 1);
    for (let i = lua.lua_gettop(L); i > 1; i--) b = op(b, barg(L, i));
    return push(L, b);
  };
}

const FUNCS: [string, LuaFunction][] = [
  ["tobit", (L) => push(L, barg(L, 1))],
  ["bnot", (L) => push(L, ~barg(L, 1))],
  ["band", variadic((a, b) => a & b)],
  ["bor", variadic((a, b) => a | b)],
  ["bxor", variadic((a, b) => a ^ b)],
  ["lshift", (L) => push(L, barg(L, 1) << (barg(L, 2) & 31))],
  ["rshift", (L) => push(L, barg(L, 1) >>> (barg(L, 2) & 31))],
  ["arshift", (L) => push(L, (barg(L, 1) | 0) >> (barg(L, 2) & 31))],
  ["rol", (L) => {
    const b = barg(L, 1);
    const n = barg(L, 2) & 31;
    return push(L, (b << n) | (b >>> ((32 - n) & 31)));
  }],
  ["ror", (L) => {
    const b = barg(L, 1);
    const n = barg(L, 2) & 31;
    return push(L, (b >>> n) | (b << ((32 - n) & 31)));
  }],
  ["bswap", (L) => {
    const b = barg(L, 1);
    return push(L, (b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24));
  }],
  ["tohex", (L) => {
    let b = barg(L, 1);
    let n = lua.lua_type(L, 2) === lua.LUA_TNONE ? 8 : barg(L, 2) | 0;
    let digits = "0123456789abcdef";
    if (n < 0) {
      n = -n;
      digits = "0123456789ABCDEF";
    }
    if (n > 8) n = 8;
    const out: string[] = new Array(n);
    for (let i = n; --i >= 0;) {
      out[i] = digits[b & 15];
      b >>>= 4;
    }
    lua.lua_pushstring(L, out.join(""));
    return 1;
  }],
];

/** luaopen_bit: pushes the `bit` table. */
export function openBit(L: LuaState): number {
  lua.lua_createtable(L, 0, FUNCS.length);
  for (const [name, f] of FUNCS) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, name);
  }
  return 1;
}
