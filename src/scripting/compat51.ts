// Lua 5.1 library functions whose fengari (5.3) versions behave visibly differently, written
// against the C API as Lua 5.1's lstrlib/lmathlib/lbaselib do: string.format (numbers are cast
// to integers for %d/%x, %s wants a string, C's printf rounding), math.max/min (5.1's
// messages), collectgarbage/gcinfo (fengari has no lua_gc), tostring (cjson.null prints as
// "userdata: (nil)"). The Lua-level renames (unpack, table.getn ...) live in engine.ts.

import {
  fromLua,
  lauxlib,
  lua,
  type LuaFunction,
  type LuaState,
  pushBytes,
  raiseError,
} from "./lua.ts";
import { formatG, sigDigits } from "./numfmt.ts";

const FLAGS = "-+ #0";

interface Spec {
  flags: string;
  width: number;
  precision: number; // -1: none
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  if (s.length >= spec.width) return s;
  if (spec.flags.includes("-")) return s + " ".repeat(spec.width - s.length);
  if (numeric && spec.flags.includes("0") && !/^[-+ ]?(inf|nan)/i.test(s)) {
    const sign = /^[-+ ]/.test(s) ? s[0] : "";
    const prefix = /^[-+ ]?0[xX]/.test(s) ? s.slice(sign.length, sign.length + 2) : "";
    const body = s.slice(sign.length + prefix.length);
    return sign + prefix + "0".repeat(spec.width - s.length) + body;
  }
  return " ".repeat(spec.width - s.length) + s;
}

function signed(s: string, neg: boolean, spec: Spec): string {
  if (neg) return "-" + s;
  if (spec.flags.includes("+")) return "+" + s;
  if (spec.flags.includes(" ")) return " " + s;
  return s;
}

// Exact decimal digits of |x| rounded half-to-even at `decimals` places (glibc's %f).
function fixed(x: number, decimals: number): string {
  const full = x.toFixed(Math.min(100, decimals + 30));
  const dot = full.indexOf(".");
  const intPart = full.slice(0, dot);
  const frac = full.slice(dot + 1);
  let digits = intPart + frac.slice(0, decimals);
  const rest = frac.slice(decimals);
  const first = rest.charCodeAt(0) - 48;
  const up = first > 5 ||
    (first === 5 &&
      (/[1-9]/.test(rest.slice(1)) || (digits.charCodeAt(digits.length - 1) - 48) % 2 === 1));
  if (up) {
    const arr = digits.split("").map(Number);
    let i = arr.length - 1;
    while (i >= 0 && arr[i] === 9) arr[i--] = 0;
    if (i < 0) arr.unshift(1);
    else arr[i]++;
    digits = arr.join("");
  }
  const ilen = digits.length - decimals;
  return decimals === 0 ? digits : `${digits.slice(0, ilen)}.${digits.slice(ilen)}`;
}

// %e with half-to-even rounding: d.ddde+XX.
function exponent(x: number, decimals: number, upper: boolean): string {
  let digits = "0".repeat(decimals + 1);
  let exp = 0;
  if (x !== 0) ({ digits, exp } = sigDigits(x, decimals + 1));
  const body = decimals > 0 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const ax = Math.abs(exp);
  return `${body}${upper ? "E" : "e"}${exp < 0 ? "-" : "+"}${ax < 10 ? "0" : ""}${ax}`;
}

function formatFloat(conv: string, x: number, spec: Spec): string {
  const upper = conv === "E" || conv === "G";
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  let body: string;
  if (!Number.isFinite(x)) {
    body = x !== x ? "nan" : "inf";
    if (x !== x) return pad(signed(upper ? "NAN" : body, true, spec), spec, true);
    if (upper) body = body.toUpperCase();
  } else if (conv === "f" || conv === "F") {
    body = fixed(ax, spec.precision < 0 ? 6 : spec.precision);
    if (spec.flags.includes("#") && !body.includes(".")) body += ".";
  } else if (conv === "e" || conv === "E") {
    body = exponent(ax, spec.precision < 0 ? 6 : spec.precision, upper);
  } else {
    const p = spec.precision < 0 ? 6 : spec.precision === 0 ? 1 : spec.precision;
    body = formatG(ax, p);
    if (upper) body = body.toUpperCase();
  }
  return pad(signed(body, neg && x === x, spec), spec, true);
}

// (long) / (unsigned long) casts of a double on x86-64.
function toLong(n: number): bigint {
  if (n !== n || n >= 9223372036854775808 || n < -9223372036854775808) return -(1n << 63n);
  return BigInt(Math.trunc(n));
}

function formatInt(conv: string, n: number, spec: Spec): string {
  let v = toLong(n);
  let body: string;
  let neg = false;
  if (conv === "d" || conv === "i") {
    neg = v < 0n;
    body = (neg ? -v : v).toString();
  } else {
    v = BigInt.asUintN(64, v);
    body = v.toString(conv === "o" ? 8 : conv === "u" ? 10 : 16);
    if (conv === "X") body = body.toUpperCase();
    if (spec.flags.includes("#") && v !== 0n) {
      if (conv === "o") body = "0" + body;
      if (conv === "x") body = "0x" + body;
      if (conv === "X") body = "0X" + body;
    }
  }
  if (spec.precision >= 0) {
    if (spec.precision === 0 && v === 0n) body = "";
    else if (body.length < spec.precision) body = "0".repeat(spec.precision - body.length) + body;
    spec = { ...spec, flags: spec.flags.replace("0", "") };
  }
  return pad(conv === "d" || conv === "i" ? signed(body, neg, spec) : body, spec, true);
}

// %q: the string quoted so Lua can read it back (5.1 addquoted).
function quoted(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "\\" || c === "\n") out += "\\" + c;
    else if (c === "\r") out += "\\r";
    else if (c === "\0") out += "\\000";
    else out += c;
  }
  return out + '"';
}

// string.format (Lua 5.1 lstrlib.c str_format).
function format(L: LuaState): number {
  const top = lua.lua_gettop(L);
  let arg = 1;
  const fmt = fromLua(lauxlib.luaL_checklstring(L, arg));
  let out = "";
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i++];
    if (c !== "%") {
      out += c;
      continue;
    }
    if (fmt[i] === "%") {
      out += "%";
      i++;
      continue;
    }
    if (++arg > top) lauxlib.luaL_argerror(L, arg, "no value");
    let flags = "";
    while (i < fmt.length && FLAGS.includes(fmt[i])) flags += fmt[i++];
    if (flags.length > FLAGS.length) raiseError(L, "invalid format (repeated flags)");
    let width = "";
    while (/[0-9]/.test(fmt[i] ?? "") && width.length < 3) width += fmt[i++];
    let precision = -1;
    let ptext = "";
    if (fmt[i] === ".") {
      i++;
      while (/[0-9]/.test(fmt[i] ?? "") && ptext.length < 3) ptext += fmt[i++];
      precision = ptext === "" ? 0 : Number(ptext);
    }
    if (width.length > 2 || ptext.length > 2) {
      raiseError(L, "invalid format (width or precision too long)");
    }
    const spec: Spec = { flags, width: width === "" ? 0 : Number(width), precision };
    const conv = fmt[i++] ?? "";
    switch (conv) {
      case "c":
        out += pad(
          String.fromCharCode(Number(toLong(lauxlib.luaL_checknumber(L, arg)) & 0xffn)),
          spec,
          false,
        );
        break;
      case "d":
      case "i":
      case "o":
      case "u":
      case "x":
      case "X":
        out += formatInt(conv, lauxlib.luaL_checknumber(L, arg), spec);
        break;
      case "e":
      case "E":
      case "f":
      case "g":
      case "G":
        out += formatFloat(conv, lauxlib.luaL_checknumber(L, arg), spec);
        break;
      case "q":
        out += quoted(fromLua(lauxlib.luaL_checklstring(L, arg)));
        break;
      case "s": {
        let s = fromLua(lauxlib.luaL_checklstring(L, arg));
        if (precision >= 0) s = s.slice(0, precision);
        out += pad(s, spec, false);
        break;
      }
      default:
        raiseError(L, `invalid option '%${conv}' to 'format'`);
    }
  }
  pushBytes(L, out);
  return 1;
}

function minmax(isMax: boolean): LuaFunction {
  return (L) => {
    const n = lua.lua_gettop(L);
    let best = lauxlib.luaL_checknumber(L, 1);
    for (let i = 2; i <= n; i++) {
      const d = lauxlib.luaL_checknumber(L, i);
      if (isMax ? d > best : d < best) best = d;
    }
    lua.lua_pushnumber(L, best);
    return 1;
  };
}

const GC_OPTIONS = ["stop", "restart", "collect", "count", "step", "setpause", "setstepmul"];

// Memory is V8's: "count" reports the JS heap in use; the rest are accepted and do nothing.
function collectgarbage(L: LuaState): number {
  const opt = lua.lua_type(L, 1) <= lua.LUA_TNIL
    ? "collect"
    : fromLua(lauxlib.luaL_checklstring(L, 1));
  if (!GC_OPTIONS.includes(opt)) lauxlib.luaL_argerror(L, 1, `invalid option '${opt}'`);
  switch (opt) {
    case "count":
      lua.lua_pushnumber(L, Deno.memoryUsage().heapUsed / 1024);
      return 1;
    case "step":
      lua.lua_pushboolean(L, false);
      return 1;
    case "setpause":
    case "setstepmul":
      lua.lua_pushnumber(L, 200);
      return 1;
    default:
      lua.lua_pushnumber(L, 0);
      return 1;
  }
}

function gcinfo(L: LuaState): number {
  lua.lua_pushnumber(L, Math.floor(Deno.memoryUsage().heapUsed / 1024));
  return 1;
}

/**
 * Installs the 5.1 versions into the globals of `L` (before they are made read-only).
 * @param L the Lua state
 */
export function installCompat51(L: LuaState): void {
  lua.lua_getglobal(L, "string");
  lua.lua_pushcfunction(L, format);
  lua.lua_setfield(L, -2, "format");
  lua.lua_pop(L, 1);
  lua.lua_getglobal(L, "math");
  lua.lua_pushcfunction(L, minmax(true));
  lua.lua_setfield(L, -2, "max");
  lua.lua_pushcfunction(L, minmax(false));
  lua.lua_setfield(L, -2, "min");
  lua.lua_pop(L, 1);
  lua.lua_pushcfunction(L, collectgarbage);
  lua.lua_setglobal(L, "collectgarbage");
  lua.lua_pushcfunction(L, gcinfo);
  lua.lua_setglobal(L, "gcinfo");
  // tostring: a NULL light userdata (cjson.null) prints as glibc's %p does.
  lua.lua_getglobal(L, "tostring");
  const original = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  lua.lua_pushcfunction(L, (L) => {
    lauxlib.luaL_checkany(L, 1);
    if (lua.lua_type(L, 1) === lua.LUA_TLIGHTUSERDATA && lua.lua_touserdata(L, 1) === null) {
      lua.lua_pushstring(L, "userdata: (nil)");
      return 1;
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, original);
    lua.lua_pushvalue(L, 1);
    lua.lua_call(L, 1, 1);
    return 1;
  });
  lua.lua_setglobal(L, "tostring");
}
