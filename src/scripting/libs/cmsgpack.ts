// The `cmsgpack` library scripts get (lua-cmsgpack 0.4.0 as bundled with Redis): pack any
// number of values into MessagePack, unpack, unpack_one and unpack_limit. Integral numbers use
// the smallest integer encoding, others float32 when exact, else float64; a table whose keys
// are exactly 1..n is an array, any other a map; nesting deeper than 16 packs as nil.
// Like cjson, maps follow the VM's iteration order (insertion order here).

import {
  fromLua,
  lauxlib,
  lua,
  type LuaFunction,
  type LuaState,
  raiseError,
  toLua,
} from "../lua.ts";

const MAX_NESTING = 16;
const view = new DataView(new ArrayBuffer(8));

function u8(out: number[], ...b: number[]): void {
  for (const x of b) out.push(x & 0xff);
}

function be(out: number[], v: number | bigint, bytes: number): void {
  let b = BigInt.asUintN(bytes * 8, BigInt(v));
  const tmp = new Array<number>(bytes);
  for (let i = bytes - 1; i >= 0; i--) {
    tmp[i] = Number(b & 0xffn);
    b >>= 8n;
  }
  for (const x of tmp) out.push(x);
}

function encodeInt(out: number[], n: number): void {
  if (n >= 0) {
    if (n <= 127) u8(out, n);
    else if (n <= 0xff) u8(out, 0xcc, n);
    else if (n <= 0xffff) (u8(out, 0xcd), be(out, n, 2));
    else if (n <= 0xffffffff) (u8(out, 0xce), be(out, n, 4));
    else (u8(out, 0xcf), be(out, BigInt(n), 8));
  } else {
    if (n >= -32) u8(out, n);
    else if (n >= -128) u8(out, 0xd0, n);
    else if (n >= -32768) (u8(out, 0xd1), be(out, n, 2));
    else if (n >= -2147483648) (u8(out, 0xd2), be(out, n, 4));
    else (u8(out, 0xd3), be(out, BigInt(n), 8));
  }
}

function encodeNumber(out: number[], n: number): void {
  // IS_INT64_EQUIVALENT: finite and (int64_t)n == n.
  if (
    Number.isFinite(n) && Number.isInteger(n) && n >= -9223372036854775808 &&
    n < 9223372036854775808
  ) {
    return encodeInt(out, n);
  }
  if (Math.fround(n) === n || n !== n) {
    view.setFloat32(0, n);
    u8(out, 0xca, view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
  } else {
    view.setFloat64(0, n);
    out.push(0xcb);
    for (let i = 0; i < 8; i++) out.push(view.getUint8(i));
  }
}

function encodeBytes(out: number[], s: Uint8Array): void {
  const n = s.length;
  if (n < 32) u8(out, 0xa0 | n);
  else if (n <= 0xff) u8(out, 0xd9, n);
  else if (n <= 0xffff) (u8(out, 0xda), be(out, n, 2));
  else (u8(out, 0xdb), be(out, n, 4));
  for (let i = 0; i < n; i++) out.push(s[i]);
}

// table_is_an_array: every key a positive integer and the largest equals the count.
function arrayLength(L: LuaState): number {
  let count = 0;
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    lua.lua_pop(L, 1);
    if (lua.lua_type(L, -1) !== lua.LUA_TNUMBER) {
      lua.lua_pop(L, 1);
      return -1;
    }
    const k = lua.lua_tonumber(L, -1);
    if (!(k > 0 && Math.floor(k) === k)) {
      lua.lua_pop(L, 1);
      return -1;
    }
    if (k > max) max = k;
    count++;
  }
  return max === count ? count : -1;
}

function encodeValue(L: LuaState, out: number[], level: number): void {
  const t = lua.lua_type(L, -1);
  if (t === lua.LUA_TSTRING) return encodeBytes(out, lua.lua_tolstring(L, -1)!);
  if (t === lua.LUA_TBOOLEAN) return u8(out, lua.lua_toboolean(L, -1) ? 0xc3 : 0xc2);
  if (t === lua.LUA_TNUMBER) return encodeNumber(out, lua.lua_tonumber(L, -1));
  if (t !== lua.LUA_TTABLE || level >= MAX_NESTING || !lua.lua_checkstack(L, 3)) {
    return u8(out, 0xc0);
  }
  const len = arrayLength(L);
  if (len >= 0) {
    if (len <= 15) u8(out, 0x90 | len);
    else if (len <= 0xffff) (u8(out, 0xdc), be(out, len, 2));
    else (u8(out, 0xdd), be(out, len, 4));
    for (let i = 1; i <= len; i++) {
      lua.lua_rawgeti(L, -1, i);
      encodeValue(L, out, level + 1);
      lua.lua_pop(L, 1);
    }
    return;
  }
  let n = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    lua.lua_pop(L, 1);
    n++;
  }
  if (n <= 15) u8(out, 0x80 | n);
  else if (n <= 0xffff) (u8(out, 0xde), be(out, n, 2));
  else (u8(out, 0xdf), be(out, n, 4));
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    lua.lua_pushvalue(L, -2);
    encodeValue(L, out, level + 1);
    lua.lua_pop(L, 1);
    encodeValue(L, out, level + 1);
    lua.lua_pop(L, 1);
  }
}

function pack(L: LuaState): number {
  const nargs = lua.lua_gettop(L);
  if (nargs === 0) lauxlib.luaL_argerror(L, 0, "MessagePack pack needs input.");
  const out: number[] = [];
  for (let i = 1; i <= nargs; i++) {
    lua.lua_pushvalue(L, i);
    encodeValue(L, out, 0);
    lua.lua_pop(L, 1);
  }
  lua.lua_pushstring(L, Uint8Array.from(out));
  return 1;
}

class Eof extends Error {}
class BadFormat extends Error {}

interface Cur {
  s: string;
  p: number;
}

function need(c: Cur, n: number): void {
  if (c.p + n > c.s.length) throw new Eof();
}

function readUint(c: Cur, bytes: number): bigint {
  need(c, bytes);
  let v = 0n;
  for (let i = 0; i < bytes; i++) v = (v << 8n) | BigInt(c.s.charCodeAt(c.p + i));
  c.p += bytes;
  return v;
}

function readBytes(c: Cur, n: number): string {
  need(c, n);
  const s = c.s.slice(c.p, c.p + n);
  c.p += n;
  return s;
}

function decodeValue(L: LuaState, c: Cur): void {
  lua.lua_checkstack(L, 2);
  need(c, 1);
  const b = c.s.charCodeAt(c.p++);
  if (b <= 0x7f) return lua.lua_pushnumber(L, b);
  if (b >= 0xe0) return lua.lua_pushnumber(L, b - 256);
  if ((b & 0xe0) === 0xa0) return lua.lua_pushstring(L, toLua(readBytes(c, b & 0x1f)));
  if ((b & 0xf0) === 0x90) return decodeArray(L, c, b & 0x0f);
  if ((b & 0xf0) === 0x80) return decodeMap(L, c, b & 0x0f);
  switch (b) {
    case 0xc0:
      return lua.lua_pushnil(L);
    case 0xc2:
      return lua.lua_pushboolean(L, false);
    case 0xc3:
      return lua.lua_pushboolean(L, true);
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
      return lua.lua_pushnumber(L, Number(readUint(c, 1 << (b - 0xcc))));
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
      const bytes = 1 << (b - 0xd0);
      return lua.lua_pushnumber(L, Number(BigInt.asIntN(bytes * 8, readUint(c, bytes))));
    }
    case 0xca: {
      const v = Number(readUint(c, 4));
      view.setUint32(0, v);
      return lua.lua_pushnumber(L, view.getFloat32(0));
    }
    case 0xcb: {
      const v = readUint(c, 8);
      view.setBigUint64(0, v);
      return lua.lua_pushnumber(L, view.getFloat64(0));
    }
    case 0xc4:
    case 0xd9:
      return lua.lua_pushstring(L, toLua(readBytes(c, Number(readUint(c, 1)))));
    case 0xc5:
    case 0xda:
      return lua.lua_pushstring(L, toLua(readBytes(c, Number(readUint(c, 2)))));
    case 0xc6:
    case 0xdb:
      return lua.lua_pushstring(L, toLua(readBytes(c, Number(readUint(c, 4)))));
    case 0xdc:
      return decodeArray(L, c, Number(readUint(c, 2)));
    case 0xdd:
      return decodeArray(L, c, Number(readUint(c, 4)));
    case 0xde:
      return decodeMap(L, c, Number(readUint(c, 2)));
    case 0xdf:
      return decodeMap(L, c, Number(readUint(c, 4)));
    default:
      throw new BadFormat();
  }
}

function decodeArray(L: LuaState, c: Cur, n: number): void {
  lua.lua_newtable(L);
  for (let i = 1; i <= n; i++) {
    lua.lua_pushnumber(L, i);
    decodeValue(L, c);
    lua.lua_settable(L, -3);
  }
}

function decodeMap(L: LuaState, c: Cur, n: number): void {
  lua.lua_newtable(L);
  for (let i = 0; i < n; i++) {
    decodeValue(L, c);
    decodeValue(L, c);
    if (lua.lua_type(L, -2) === lua.LUA_TNIL) lua.lua_pop(L, 2);
    else lua.lua_settable(L, -3);
  }
}

// mp_unpack_full: decodes up to `limit` values (all when limit and offset are 0).
function unpackFull(L: LuaState, limit: number, offset: number): number {
  const s = fromLua(lauxlib.luaL_checklstring(L, 1));
  const len = s.length;
  const all = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) {
    return raiseError(
      L,
      `Invalid request to unpack with offset of ${offset} and limit of ${len}.`,
    );
  }
  if (offset > len) {
    return raiseError(L, `Start offset ${offset} greater than input length ${len}.`);
  }
  if (all) limit = 2147483647;
  const c: Cur = { s, p: offset };
  let cnt = 0;
  for (; c.p < len && cnt < limit; cnt++) {
    try {
      decodeValue(L, c);
    } catch (e) {
      if (e instanceof Eof) return raiseError(L, "Missing bytes in input.");
      if (e instanceof BadFormat) return raiseError(L, "Bad data format in input.");
      throw e;
    }
  }
  if (!all) {
    lua.lua_pushnumber(L, c.p >= len ? -1 : c.p);
    lua.lua_insert(L, 2);
    cnt++;
  }
  return cnt;
}

const FUNCS: [string, LuaFunction][] = [
  ["pack", pack],
  ["unpack", (L) => unpackFull(L, 0, 0)],
  ["unpack_one", (L) => {
    const offset = Math.trunc(lauxlib.luaL_optnumber(L, 2, 0));
    lua.lua_settop(L, 1);
    return unpackFull(L, 1, offset);
  }],
  ["unpack_limit", (L) => {
    const limit = Math.trunc(lauxlib.luaL_checknumber(L, 2));
    const offset = Math.trunc(lauxlib.luaL_optnumber(L, 3, 0));
    lua.lua_settop(L, 1);
    return unpackFull(L, limit, offset);
  }],
];

/** luaopen_cmsgpack: pushes the `cmsgpack` table. */
export function openCmsgpack(L: LuaState): number {
  lua.lua_createtable(L, 0, FUNCS.length + 4);
  for (const [name, f] of FUNCS) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, name);
  }
  const info: [string, string][] = [
    ["_NAME", "cmsgpack"],
    ["_VERSION", "lua-cmsgpack 0.4.0"],
    ["_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"],
    ["_DESCRIPTION", "MessagePack C implementation for Lua"],
  ];
  for (const [k, v] of info) {
    lua.lua_pushstring(L, v);
    lua.lua_setfield(L, -2, k);
  }
  return 1;
}
