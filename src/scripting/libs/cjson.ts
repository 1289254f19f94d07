// The `cjson` library scripts get (lua-cjson 2.1.0 as bundled with Redis): encode and decode
// with lua-cjson's rules and error texts (escapes including "\/", "%.14g" numbers, sparse
// array detection, "Expected value but found T_END at character 1" ...), cjson.null, and the
// configuration functions. Object members are emitted in the VM's table iteration order,
// which is insertion order here and hash order in Redis: objects with several keys may list
// them in a different order.

import {
  fromLua,
  lauxlib,
  lua,
  type LuaFunction,
  type LuaState,
  raiseError,
  toLua,
} from "../lua.ts";
import { formatG } from "../numfmt.ts";

interface Config {
  sparseConvert: boolean;
  sparseRatio: number;
  sparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  precision: number;
  keepBuffer: boolean;
  /** 0: error, 1: NaN/Infinity, 2: null */
  encodeInvalid: number;
  decodeInvalid: boolean;
}

function defaults(): Config {
  return {
    sparseConvert: false,
    sparseRatio: 2,
    sparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    precision: 14,
    keepBuffer: true,
    encodeInvalid: 0,
    decodeInvalid: true,
  };
}

const ESCAPES: string[] = [];
for (let i = 0; i < 256; i++) {
  ESCAPES.push(
    i < 32 || i === 127 ? "\\u" + i.toString(16).padStart(4, "0") : String.fromCharCode(i),
  );
}
ESCAPES[8] = "\\b";
ESCAPES[9] = "\\t";
ESCAPES[10] = "\\n";
ESCAPES[12] = "\\f";
ESCAPES[13] = "\\r";
ESCAPES[34] = '\\"';
ESCAPES[47] = "\\/";
ESCAPES[92] = "\\\\";

function encodeString(s: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) out += ESCAPES[s[i]];
  return out + '"';
}

function typeName(L: LuaState, idx: number): string {
  return fromLua(lua.lua_typename(L, lua.lua_type(L, idx)));
}

function exception(L: LuaState, idx: number, reason: string): never {
  return raiseError(L, `Cannot serialise ${typeName(L, idx)}: ${reason}`);
}

function encodeNumber(L: LuaState, cfg: Config, idx: number): string {
  const n = lua.lua_tonumber(L, idx);
  if (!Number.isFinite(n)) {
    if (cfg.encodeInvalid === 0) exception(L, idx, "must not be NaN or Inf");
    if (cfg.encodeInvalid === 1) return n !== n ? "NaN" : n < 0 ? "-Infinity" : "Infinity";
    return "null";
  }
  return formatG(n, cfg.precision);
}

// lua_array_length: the array length, or -1 when the table must be an object.
function arrayLength(L: LuaState, cfg: Config): number {
  let max = 0;
  let items = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2);
      if (k !== 0 && Math.floor(k) === k && k >= 1) {
        if (k > max) max = k;
        items++;
        lua.lua_pop(L, 1);
        continue;
      }
    }
    lua.lua_pop(L, 2);
    return -1;
  }
  if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
    if (!cfg.sparseConvert) exception(L, -1, "excessively sparse array");
    return -1;
  }
  return max;
}

function encodeValue(L: LuaState, cfg: Config, depth: number, out: string[]): void {
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      out.push(encodeString(lua.lua_tolstring(L, -1)!));
      return;
    case lua.LUA_TNUMBER:
      out.push(encodeNumber(L, cfg, -1));
      return;
    case lua.LUA_TBOOLEAN:
      out.push(lua.lua_toboolean(L, -1) ? "true" : "false");
      return;
    case lua.LUA_TTABLE: {
      depth++;
      if (depth > cfg.encodeMaxDepth || !lua.lua_checkstack(L, 3)) {
        raiseError(L, `Cannot serialise, excessive nesting (${depth})`);
      }
      const len = arrayLength(L, cfg);
      if (len > 0) {
        out.push("[");
        for (let i = 1; i <= len; i++) {
          if (i > 1) out.push(",");
          lua.lua_rawgeti(L, -1, i);
          encodeValue(L, cfg, depth, out);
          lua.lua_pop(L, 1);
        }
        out.push("]");
        return;
      }
      out.push("{");
      let first = true;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, -2)) {
        if (!first) out.push(",");
        first = false;
        const kt = lua.lua_type(L, -2);
        if (kt === lua.LUA_TSTRING) out.push(encodeString(lua.lua_tolstring(L, -2)!));
        else if (kt === lua.LUA_TNUMBER) out.push(`"${encodeNumber(L, cfg, -2)}"`);
        else exception(L, -2, "table key must be a number or string");
        out.push(":");
        encodeValue(L, cfg, depth, out);
        lua.lua_pop(L, 1);
      }
      out.push("}");
      return;
    }
    case lua.LUA_TNIL:
      out.push("null");
      return;
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, -1) === null) {
        out.push("null");
        return;
      }
      exception(L, -1, "type not supported");
      return;
    default:
      exception(L, -1, "type not supported");
  }
}

// --- decoding

const T_OBJ_BEGIN = 0;
const T_OBJ_END = 1;
const T_ARR_BEGIN = 2;
const T_ARR_END = 3;
const T_STRING = 4;
const T_NUMBER = 5;
const T_BOOLEAN = 6;
const T_NULL = 7;
const T_COLON = 8;
const T_COMMA = 9;
const T_END = 10;
const T_ERROR = 12;
const TOKEN_NAMES = [
  "T_OBJ_BEGIN",
  "T_OBJ_END",
  "T_ARR_BEGIN",
  "T_ARR_END",
  "T_STRING",
  "T_NUMBER",
  "T_BOOLEAN",
  "T_NULL",
  "T_COLON",
  "T_COMMA",
  "T_END",
  "T_WHITESPACE",
  "T_ERROR",
];

interface Token {
  type: number;
  index: number;
  str: string;
  num: number;
  bool: boolean;
}

interface Parser {
  L: LuaState;
  cfg: Config;
  data: string;
  ptr: number;
  depth: number;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  "b": "\b",
  "f": "\f",
  "n": "\n",
  "r": "\r",
  "t": "\t",
};

/**
 * C strtod over a byte string: decimal and hex numbers, inf/infinity, nan.
 * @returns the value and the characters consumed (0 when nothing parsed)
 */
export function strtod(s: string, start: number): { value: number; len: number } {
  const m =
    /^[+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])/
      .exec(s.slice(start, start + 400));
  if (m === null) return { value: 0, len: 0 };
  const text = m[0];
  // An exponent marker with no digits is not part of the number ("1e" is 1, length 1).
  const neg = text[0] === "-";
  const body = text[0] === "+" || text[0] === "-" ? text.slice(1) : text;
  let value: number;
  if (/^0[xX]/.test(body)) {
    const hm = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(body)!;
    const intPart = hm[1] || "0";
    const frac = hm[2] ?? "";
    value = parseInt(intPart, 16) || 0;
    for (let i = 0; i < frac.length; i++) value += parseInt(frac[i], 16) / 16 ** (i + 1);
    if (hm[3] !== undefined) value *= 2 ** Number(hm[3]);
  } else if (/^[iI]/.test(body)) {
    value = Infinity;
  } else if (/^[nN]/.test(body)) {
    value = NaN;
  } else {
    value = Number(body);
  }
  return { value: neg ? -value : value, len: text.length };
}

// The token type, read through a call: nextToken changes it behind TypeScript's narrowing.
function ty(t: Token): number {
  return t.type;
}

function setError(p: Parser, t: Token, msg: string): void {
  t.type = T_ERROR;
  t.index = p.ptr;
  t.str = msg;
}

// Appends code point `cp` as UTF-8 (byte string).
function utf8(cp: number): string {
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp < 0x800) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  if (cp < 0x10000) {
    return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return String.fromCharCode(
    0xf0 | (cp >> 18),
    0x80 | ((cp >> 12) & 0x3f),
    0x80 | ((cp >> 6) & 0x3f),
    0x80 | (cp & 0x3f),
  );
}

function hex4(s: string, at: number): number {
  const h = s.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : -1;
}

function nextString(p: Parser, t: Token): void {
  const d = p.data;
  p.ptr++;
  let out = "";
  for (;;) {
    const ch = d[p.ptr];
    if (ch === '"') break;
    if (ch === undefined || ch === "\0") return setError(p, t, "unexpected end of string");
    if (ch === "\\") {
      const e = d[p.ptr + 1];
      if (e === "u") {
        let cp = hex4(d, p.ptr + 2);
        let used = 6;
        if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff)) {
          return setError(p, t, "invalid unicode escape code");
        }
        if (cp >= 0xd800 && cp <= 0xdbff) {
          const lo = d[p.ptr + 6] === "\\" && d[p.ptr + 7] === "u" ? hex4(d, p.ptr + 8) : -1;
          if (lo < 0xdc00 || lo > 0xdfff) return setError(p, t, "invalid unicode escape code");
          cp = (((cp & 0x3ff) << 10) | (lo & 0x3ff)) + 0x10000;
          used = 12;
        }
        out += utf8(cp);
        p.ptr += used;
        continue;
      }
      const c = e === undefined ? undefined : SIMPLE_ESCAPES[e];
      if (c === undefined) return setError(p, t, "invalid escape code");
      out += c;
      p.ptr += 2;
      continue;
    }
    out += ch;
    p.ptr++;
  }
  p.ptr++;
  t.type = T_STRING;
  t.str = out;
}

// json_is_invalid_number: numbers that are not JSON but strtod reads (hex, +, inf, nan, 01).
function isInvalidNumber(d: string, at: number): boolean {
  const c = d[at];
  if (c === "+") return true;
  if (c === "0") {
    const c2 = d.charCodeAt(at + 1);
    return (c2 | 0x20) === 0x78 || (c2 >= 48 && c2 <= 57);
  }
  if (c !== undefined && c <= "9") return false;
  const three = d.slice(at, at + 3).toLowerCase();
  return three === "inf" || three === "nan";
}

function nextNumber(p: Parser, t: Token): void {
  const r = strtod(p.data, p.ptr);
  if (r.len === 0) return setError(p, t, "invalid number");
  t.type = T_NUMBER;
  t.num = r.value;
  p.ptr += r.len;
}

function nextToken(p: Parser, t: Token): void {
  const d = p.data;
  for (;;) {
    const c = d[p.ptr];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") p.ptr++;
    else break;
  }
  t.index = p.ptr;
  const ch = d[p.ptr];
  if (ch === undefined || ch === "\0") {
    t.type = T_END;
    return;
  }
  const simple = "{}[]:,".indexOf(ch);
  if (simple >= 0) {
    t.type = [T_OBJ_BEGIN, T_OBJ_END, T_ARR_BEGIN, T_ARR_END, T_COLON, T_COMMA][simple];
    p.ptr++;
    return;
  }
  if (ch === '"') return nextString(p, t);
  if (ch === "-" || (ch >= "0" && ch <= "9")) {
    if (!p.cfg.decodeInvalid && isInvalidNumber(d, p.ptr)) {
      return setError(p, t, "invalid number");
    }
    return nextNumber(p, t);
  }
  if (d.startsWith("true", p.ptr)) {
    t.type = T_BOOLEAN;
    t.bool = true;
    p.ptr += 4;
    return;
  }
  if (d.startsWith("false", p.ptr)) {
    t.type = T_BOOLEAN;
    t.bool = false;
    p.ptr += 5;
    return;
  }
  if (d.startsWith("null", p.ptr)) {
    t.type = T_NULL;
    p.ptr += 4;
    return;
  }
  if (p.cfg.decodeInvalid && isInvalidNumber(d, p.ptr)) return nextNumber(p, t);
  setError(p, t, "invalid token");
}

function parseError(p: Parser, expected: string, t: Token): never {
  const found = t.type === T_ERROR ? t.str : TOKEN_NAMES[t.type];
  return raiseError(
    p.L,
    `Expected ${expected} but found ${found} at character ${t.index + 1}`,
  );
}

function descend(p: Parser): void {
  p.depth++;
  if (p.depth > p.cfg.decodeMaxDepth || !lua.lua_checkstack(p.L, 3)) {
    raiseError(
      p.L,
      `Found too many nested data structures (${p.depth}) at character ${p.ptr}`,
    );
  }
}

function parseObject(p: Parser, t: Token): void {
  const L = p.L;
  descend(p);
  lua.lua_newtable(L);
  nextToken(p, t);
  if (ty(t) === T_OBJ_END) {
    p.depth--;
    return;
  }
  for (;;) {
    if (ty(t) !== T_STRING) parseError(p, "object key string", t);
    lua.lua_pushstring(L, toLua(t.str));
    nextToken(p, t);
    if (ty(t) !== T_COLON) parseError(p, "colon", t);
    nextToken(p, t);
    processValue(p, t);
    lua.lua_rawset(L, -3);
    nextToken(p, t);
    if (ty(t) === T_OBJ_END) break;
    if (ty(t) !== T_COMMA) parseError(p, "comma or object end", t);
    nextToken(p, t);
  }
  p.depth--;
}

function parseArray(p: Parser, t: Token): void {
  const L = p.L;
  descend(p);
  lua.lua_newtable(L);
  nextToken(p, t);
  if (ty(t) === T_ARR_END) {
    p.depth--;
    return;
  }
  for (let i = 1;; i++) {
    processValue(p, t);
    lua.lua_rawseti(L, -2, i);
    nextToken(p, t);
    if (ty(t) === T_ARR_END) break;
    if (ty(t) !== T_COMMA) parseError(p, "comma or array end", t);
    nextToken(p, t);
  }
  p.depth--;
}

function processValue(p: Parser, t: Token): void {
  const L = p.L;
  switch (t.type) {
    case T_STRING:
      lua.lua_pushstring(L, toLua(t.str));
      return;
    case T_NUMBER:
      lua.lua_pushnumber(L, t.num);
      return;
    case T_BOOLEAN:
      lua.lua_pushboolean(L, t.bool);
      return;
    case T_OBJ_BEGIN:
      return parseObject(p, t);
    case T_ARR_BEGIN:
      return parseArray(p, t);
    case T_NULL:
      lua.lua_pushlightuserdata(L, null);
      return;
    default:
      parseError(p, "value", t);
  }
}

function checkOneArg(L: LuaState): void {
  if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, "expected 1 argument");
}

function newModule(L: LuaState, cfg: Config): void {
  const intArg = (L: LuaState, arg: number, min: number, max: number): number | null => {
    if (lua.lua_type(L, arg) <= lua.LUA_TNIL) return null;
    const n = Math.trunc(lauxlib.luaL_checknumber(L, arg));
    if (n < min || n > max) {
      lauxlib.luaL_argerror(L, arg, `expected integer between ${min} and ${max}`);
    }
    return n;
  };
  const boolArg = (L: LuaState, arg: number): boolean | null => {
    if (lua.lua_type(L, arg) <= lua.LUA_TNIL) return null;
    if (lua.lua_type(L, arg) !== lua.LUA_TBOOLEAN) {
      lauxlib.luaL_argerror(L, arg, "invalid option (expected boolean)");
    }
    return lua.lua_toboolean(L, arg);
  };
  const funcs: [string, LuaFunction][] = [
    ["encode", (L) => {
      checkOneArg(L);
      const out: string[] = [];
      encodeValue(L, cfg, 0, out);
      lua.lua_pushstring(L, toLua(out.join("")));
      return 1;
    }],
    ["decode", (L) => {
      checkOneArg(L);
      const data = fromLua(lauxlib.luaL_checklstring(L, 1));
      if (data.length >= 2 && (data[0] === "\0" || data[1] === "\0")) {
        raiseError(L, "JSON parser does not support UTF-16 or UTF-32");
      }
      const p: Parser = { L, cfg, data, ptr: 0, depth: 0 };
      const t: Token = { type: T_END, index: 0, str: "", num: 0, bool: false };
      nextToken(p, t);
      processValue(p, t);
      nextToken(p, t);
      if (ty(t) !== T_END) parseError(p, "the end", t);
      return 1;
    }],
    ["encode_sparse_array", (L) => {
      const conv = boolArg(L, 1);
      const ratio = intArg(L, 2, 0, 2147483647);
      const safe = intArg(L, 3, 0, 2147483647);
      if (conv !== null) cfg.sparseConvert = conv;
      if (ratio !== null) cfg.sparseRatio = ratio;
      if (safe !== null) cfg.sparseSafe = safe;
      lua.lua_pushboolean(L, cfg.sparseConvert);
      lua.lua_pushnumber(L, cfg.sparseRatio);
      lua.lua_pushnumber(L, cfg.sparseSafe);
      return 3;
    }],
    ["encode_max_depth", (L) => {
      const n = intArg(L, 1, 1, 2147483647);
      if (n !== null) cfg.encodeMaxDepth = n;
      lua.lua_pushnumber(L, cfg.encodeMaxDepth);
      return 1;
    }],
    ["decode_max_depth", (L) => {
      const n = intArg(L, 1, 1, 2147483647);
      if (n !== null) cfg.decodeMaxDepth = n;
      lua.lua_pushnumber(L, cfg.decodeMaxDepth);
      return 1;
    }],
    ["encode_number_precision", (L) => {
      const n = intArg(L, 1, 1, 14);
      if (n !== null) cfg.precision = n;
      lua.lua_pushnumber(L, cfg.precision);
      return 1;
    }],
    ["encode_keep_buffer", (L) => {
      const b = boolArg(L, 1);
      if (b !== null) cfg.keepBuffer = b;
      lua.lua_pushboolean(L, cfg.keepBuffer);
      return 1;
    }],
    ["encode_invalid_numbers", (L) => {
      if (lua.lua_type(L, 1) === lua.LUA_TSTRING && fromLua(lua.lua_tolstring(L, 1)!) === "null") {
        cfg.encodeInvalid = 2;
      } else {
        const b = boolArg(L, 1);
        if (b !== null) cfg.encodeInvalid = b ? 1 : 0;
      }
      if (cfg.encodeInvalid === 2) lua.lua_pushstring(L, "null");
      else lua.lua_pushboolean(L, cfg.encodeInvalid === 1);
      return 1;
    }],
    ["decode_invalid_numbers", (L) => {
      const b = boolArg(L, 1);
      if (b !== null) cfg.decodeInvalid = b;
      lua.lua_pushboolean(L, cfg.decodeInvalid);
      return 1;
    }],
    ["new", (L) => {
      newModule(L, defaults());
      return 1;
    }],
  ];
  lua.lua_createtable(L, 0, funcs.length + 3);
  for (const [name, f] of funcs) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, name);
  }
  lua.lua_pushlightuserdata(L, null);
  lua.lua_setfield(L, -2, "null");
  lua.lua_pushstring(L, "cjson");
  lua.lua_setfield(L, -2, "_NAME");
  lua.lua_pushstring(L, "2.1.0");
  lua.lua_setfield(L, -2, "_VERSION");
}

/** luaopen_cjson: pushes the `cjson` table. */
export function openCjson(L: LuaState): number {
  newModule(L, defaults());
  return 1;
}
