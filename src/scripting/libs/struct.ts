// The `struct` library scripts get (Roberto Ierusalimschy's struct 0.2 as bundled with Redis,
// lua_struct.c): pack, unpack and size with the formats > < ! x b B h H l L T i[n] I[n] c[n]
// s f d, sizes of a 64-bit Linux build (short 2, int 4, long and size_t 8, max alignment 8).
// Integers up to 8 bytes keep 64-bit precision (BigInt); wider ones (i9..i32) use the low 64
// bits, as the C code's 64-bit accumulator does.

import {
  fromLua,
  lauxlib,
  lua,
  type LuaFunction,
  type LuaState,
  raiseError,
  toLua,
} from "../lua.ts";

const MAXINTSIZE = 32;
const MAXALIGN = 8;
const INT_MAX = 2147483647;

interface Header {
  little: boolean;
  align: number;
}

interface Cursor {
  fmt: string;
  i: number;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

function getnum(L: LuaState, c: Cursor, df: number): number {
  if (!isDigit(c.fmt[c.i])) return df;
  let a = 0;
  do {
    const d = c.fmt.charCodeAt(c.i) - 48;
    if (a > INT_MAX / 10 || a * 10 > INT_MAX - d) raiseError(L, "integral size overflow");
    a = a * 10 + d;
    c.i++;
  } while (isDigit(c.fmt[c.i]));
  return a;
}

function optsize(L: LuaState, opt: string, c: Cursor): number {
  switch (opt) {
    case "B":
    case "b":
      return 1;
    case "H":
    case "h":
      return 2;
    case "L":
    case "l":
    case "T":
      return 8;
    case "f":
      return 4;
    case "d":
      return 8;
    case "x":
      return 1;
    case "c":
      return getnum(L, c, 1);
    case "i":
    case "I": {
      const sz = getnum(L, c, 4);
      if (sz > MAXINTSIZE) {
        raiseError(L, `integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
      }
      return sz;
    }
    default:
      return 0;
  }
}

function gettoalign(len: number, h: Header, opt: string, size: number): number {
  if (size === 0 || opt === "c") return 0;
  if (size > h.align) size = h.align;
  return (size - (len & (size - 1))) & (size - 1);
}

function controloptions(L: LuaState, opt: string, c: Cursor, h: Header): void {
  switch (opt) {
    case " ":
      return;
    case ">":
      h.little = false;
      return;
    case "<":
      h.little = true;
      return;
    case "!": {
      const a = getnum(L, c, MAXALIGN);
      if ((a & (a - 1)) !== 0) raiseError(L, `alignment ${a} is not a power of 2`);
      h.align = a;
      return;
    }
    default:
      lauxlib.luaL_argerror(L, 1, `invalid format option '${opt}'`);
  }
}

const MASK64 = (1n << 64n) - 1n;

// (Uinttype)(long long)n for negatives, (Uinttype)n otherwise; out-of-range casts saturate
// to what x86-64 produces (0x8000000000000000).
function toUint64(n: number): bigint {
  if (n !== n || n >= 18446744073709551616 || n < -9223372036854775808) return 1n << 63n;
  if (n < 0) return BigInt(Math.trunc(n)) & MASK64;
  if (n >= 9223372036854775808) return BigInt(Math.trunc(n));
  return BigInt(Math.trunc(n));
}

function putinteger(out: number[], n: number, little: boolean, size: number): void {
  let v = toUint64(n);
  const bytes = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    bytes[little ? i : size - 1 - i] = Number(v & 0xffn);
    v >>= 8n;
  }
  for (const b of bytes) out.push(b);
}

function getinteger(data: string, pos: number, little: boolean, signed: boolean, size: number) {
  let l = 0n;
  for (let k = 0; k < size; k++) {
    const i = little ? size - 1 - k : k;
    l = ((l << 8n) | BigInt(data.charCodeAt(pos + i))) & MASK64;
  }
  if (!signed) return Number(l);
  const bits = size * 8 - 1;
  const mask = bits >= 64 ? 0n : (MASK64 << BigInt(bits)) & MASK64;
  if (l & mask) l |= mask;
  return Number(BigInt.asIntN(64, l));
}

const f32 = new DataView(new ArrayBuffer(8));

function pack(L: LuaState): number {
  const fmt = fromLua(lauxlib.luaL_checklstring(L, 1));
  const h: Header = { little: true, align: 1 };
  const c: Cursor = { fmt, i: 0 };
  const out: number[] = [];
  let arg = 2;
  let total = 0;
  while (c.i < fmt.length && fmt[c.i] !== "\0") {
    const opt = fmt[c.i++];
    let size = optsize(L, opt, c);
    let toalign = gettoalign(total, h, opt, size);
    total += toalign;
    while (toalign-- > 0) out.push(0);
    switch (opt) {
      case "b":
      case "B":
      case "h":
      case "H":
      case "l":
      case "L":
      case "T":
      case "i":
      case "I":
        putinteger(out, lauxlib.luaL_checknumber(L, arg++), h.little, size);
        break;
      case "x":
        out.push(0);
        break;
      case "f":
      case "d": {
        const n = lauxlib.luaL_checknumber(L, arg++);
        if (opt === "f") f32.setFloat32(0, n, h.little);
        else f32.setFloat64(0, n, h.little);
        for (let k = 0; k < size; k++) out.push(f32.getUint8(k));
        break;
      }
      case "c":
      case "s": {
        const s = lauxlib.luaL_checklstring(L, arg++);
        if (size === 0) size = s.length;
        if (s.length < size) lauxlib.luaL_argerror(L, arg, "string too short");
        for (let k = 0; k < size; k++) out.push(s[k]);
        if (opt === "s") {
          out.push(0);
          size++;
        }
        break;
      }
      default:
        controloptions(L, opt, c, h);
    }
    total += size;
  }
  lua.lua_pushstring(L, Uint8Array.from(out));
  return 1;
}

function unpack(L: LuaState): number {
  const fmt = fromLua(lauxlib.luaL_checklstring(L, 1));
  const data = fromLua(lauxlib.luaL_checklstring(L, 2));
  const ld = data.length;
  let pos = lauxlib.luaL_optinteger(L, 3, 1) - 1;
  if (!(pos >= 0 && pos <= ld)) lauxlib.luaL_argerror(L, 3, "offset must be 1 or greater");
  const h: Header = { little: true, align: 1 };
  const c: Cursor = { fmt, i: 0 };
  let n = 0;
  while (c.i < fmt.length && fmt[c.i] !== "\0") {
    const opt = fmt[c.i++];
    let size = optsize(L, opt, c);
    pos += gettoalign(pos, h, opt, size);
    if (!(size <= ld && pos <= ld - size)) lauxlib.luaL_argerror(L, 2, "data string too short");
    lua.lua_checkstack(L, 2);
    switch (opt) {
      case "b":
      case "B":
      case "h":
      case "H":
      case "l":
      case "L":
      case "T":
      case "i":
      case "I":
        lua.lua_pushnumber(L, getinteger(data, pos, h.little, opt >= "a", size));
        n++;
        break;
      case "x":
        break;
      case "f":
      case "d": {
        for (let k = 0; k < size; k++) f32.setUint8(k, data.charCodeAt(pos + k));
        lua.lua_pushnumber(
          L,
          opt === "f" ? f32.getFloat32(0, h.little) : f32.getFloat64(0, h.little),
        );
        n++;
        break;
      }
      case "c": {
        if (size === 0) {
          if (n === 0 || !lua.lua_isnumber(L, -1)) {
            raiseError(L, "format 'c0' needs a previous size");
          }
          size = Math.trunc(lua.lua_tonumber(L, -1));
          lua.lua_pop(L, 1);
          n--;
          if (!(size <= ld && pos <= ld - size)) {
            lauxlib.luaL_argerror(L, 2, "data string too short");
          }
        }
        lua.lua_pushstring(L, toLua(data.slice(pos, pos + size)));
        n++;
        break;
      }
      case "s": {
        const e = data.indexOf("\0", pos);
        if (e < 0) raiseError(L, "unfinished string in data");
        size = e - pos + 1;
        lua.lua_pushstring(L, toLua(data.slice(pos, e)));
        n++;
        break;
      }
      default:
        controloptions(L, opt, c, h);
    }
    pos += size;
  }
  lua.lua_pushnumber(L, pos + 1);
  return n + 1;
}

function size(L: LuaState): number {
  const fmt = fromLua(lauxlib.luaL_checklstring(L, 1));
  const h: Header = { little: true, align: 1 };
  const c: Cursor = { fmt, i: 0 };
  let pos = 0;
  while (c.i < fmt.length && fmt[c.i] !== "\0") {
    const opt = fmt[c.i++];
    const sz = optsize(L, opt, c);
    pos += gettoalign(pos, h, opt, sz);
    if (opt === "s") lauxlib.luaL_argerror(L, 1, "option 's' has no fixed size");
    else if (opt === "c" && sz === 0) lauxlib.luaL_argerror(L, 1, "option 'c0' has no fixed size");
    if (!/[A-Za-z0-9]/.test(opt)) controloptions(L, opt, c, h);
    pos += sz;
  }
  lua.lua_pushnumber(L, pos);
  return 1;
}

const FUNCS: [string, LuaFunction][] = [["pack", pack], ["unpack", unpack], ["size", size]];

/** luaopen_struct: pushes the `struct` table. */
export function openStruct(L: LuaState): number {
  lua.lua_createtable(L, 0, FUNCS.length);
  for (const [name, f] of FUNCS) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, name);
  }
  return 1;
}
