// The patched fengari VM (src/scripting/lua.ts): Lua 5.1 number semantics and formatting,
// read-only tables, C's %g formatting, and the Lua <-> reply conversions.

import assert from "node:assert/strict";
import {
  fromLua,
  lauxlib,
  lua,
  lualib,
  type LuaState,
  luaText,
  setReadonly,
} from "../../src/scripting/lua.ts";
import { formatG } from "../../src/scripting/numfmt.ts";
import { popReply, pushReply, toLongLong } from "../../src/scripting/convert.ts";
import { ReplyError } from "../../src/errors.ts";
import {
  BigNumber,
  NULL_ARRAY,
  RespBool,
  RespDouble,
  RespMap,
  RespSet,
  SimpleString,
  Verbatim,
} from "../../src/resp/types.ts";
import {
  parseShebang,
  SCRIPT_FLAG_EVAL_COMPAT_MODE,
  SCRIPT_FLAG_NO_WRITES,
} from "../../src/scripting/engine.ts";

function newState(): LuaState {
  const L = lauxlib.luaL_newstate();
  for (
    const [n, f] of [
      ["_G", lualib.luaopen_base],
      ["table", lualib.luaopen_table],
      ["string", lualib.luaopen_string],
      ["math", lualib.luaopen_math],
    ] as const
  ) {
    lauxlib.luaL_requiref(L, n, f, 1);
    lua.lua_pop(L, 1);
  }
  return L;
}

/** Runs `code`, returns its first result as text (tostring) or throws the error text. */
function run(L: LuaState, code: string): string {
  const b = luaText(code);
  if (lauxlib.luaL_loadbuffer(L, b, b.length, "@t") !== 0 || lua.lua_pcall(L, 0, 1, 0) !== 0) {
    const msg = fromLua(lua.lua_tolstring(L, -1)!);
    lua.lua_settop(L, 0);
    throw new Error(msg);
  }
  lua.lua_getglobal(L, "tostring");
  lua.lua_insert(L, -2);
  lua.lua_call(L, 1, 1);
  const s = fromLua(lua.lua_tolstring(L, -1)!);
  lua.lua_settop(L, 0);
  return s;
}

Deno.test("every Lua number is a double, as in Lua 5.1", () => {
  const L = newState();
  assert.equal(run(L, "return 100000 * 100000"), "10000000000");
  assert.equal(run(L, "return 2147483647 + 1"), "2147483648");
  assert.equal(run(L, "return 10 / 2"), "5");
  assert.equal(run(L, "return 7 % 3"), "1");
  assert.equal(run(L, "return -7 % 3"), "2");
  assert.equal(run(L, "return math.floor(3.7)"), "3");
  assert.equal(run(L, "return #'abc' * 1000000000"), "3000000000");
  assert.equal(run(L, "return tonumber('1700000000000') * 1000"), "1.7e+15");
  assert.equal(run(L, "local n = 0 for i = 1, 3 do n = n + i end return n"), "6");
  assert.equal(run(L, "return string.format('%d', 1700000000000)"), "1700000000000");
  assert.equal(run(L, "local t = {} t[1.0] = 'a' return t[1]"), "a");
});

Deno.test("hexadecimal numerals keep their full value, as strtod reads them in Lua 5.1", () => {
  const L = newState();
  assert.equal(run(L, "return 0x100000000"), "4294967296");
  assert.equal(run(L, "return 0xffffffff"), "4294967295");
  assert.equal(run(L, "return 2 * 0x100000000 + 5 % 0x100000000"), "8589934597");
  assert.equal(run(L, "return -0x10"), "-16");
  assert.equal(run(L, "return tonumber('0x1FFFFFFFFF')"), "137438953471");
  assert.equal(run(L, "return tonumber(' 0x10 ')"), "16");
  assert.equal(run(L, "return tonumber('0x')"), "nil");
  assert.equal(run(L, "return tonumber('0x1g')"), "nil");
  assert.equal(run(L, "return 0x1p4"), "16");
});

Deno.test("numbers print with %.14g like Lua 5.1", () => {
  const L = newState();
  assert.equal(run(L, "return 0.1"), "0.1");
  assert.equal(run(L, "return 1/3"), "0.33333333333333");
  assert.equal(run(L, "return 1e15"), "1e+15");
  assert.equal(run(L, "return 2^53"), "9.007199254741e+15");
  assert.equal(run(L, "return 1e-5"), "1e-05");
  assert.equal(run(L, "return 1/0"), "inf");
  assert.equal(run(L, "return -1/0"), "-inf");
  assert.equal(run(L, "return 123456789012345"), "1.2345678901234e+14");
  assert.equal(run(L, "return 'n' .. 5"), "n5");
});

Deno.test("formatG matches C's %g including round-half-even", () => {
  assert.equal(formatG(0.1, 17), "0.10000000000000001");
  assert.equal(formatG(123456789012345, 14), "1.2345678901234e+14");
  assert.equal(formatG(2.5, 1), "2");
  assert.equal(formatG(1.5, 1), "2");
  assert.equal(formatG(0.5, 1), "0.5");
  assert.equal(formatG(99999999999999.5, 14), "1e+14");
  assert.equal(formatG(-0.000123, 14), "-0.000123");
  assert.equal(formatG(-0, 14), "-0");
  assert.equal(formatG(100, 14), "100");
  assert.equal(formatG(1e100, 14), "1e+100");
  assert.equal(formatG(5e-324, 17), "4.9406564584124654e-324");
});

Deno.test("read-only tables refuse writes, including rawset", () => {
  const L = newState();
  lua.lua_getglobal(L, "string");
  setReadonly(L, -1, true);
  lua.lua_pop(L, 1);
  assert.throws(() => run(L, "string.x = 1"), /t:1: Attempt to modify a readonly table/);
  assert.throws(() => run(L, "rawset(string, 'x', 1)"), /Attempt to modify a readonly table/);
  assert.equal(run(L, "local t = {} t.x = 1 return t.x"), "1");
});

function roundTrip(code: string, resp: 2 | 3 = 2) {
  const L = newState();
  const b = luaText(code);
  lauxlib.luaL_loadbuffer(L, b, b.length, "@t");
  assert.equal(lua.lua_pcall(L, 0, 1, 0), 0);
  return popReply(L, resp);
}

Deno.test("Lua values convert to replies as luaReplyToRedisReply does", () => {
  assert.equal(roundTrip("return 'x'"), "x");
  assert.equal(roundTrip("return 2.9"), 2);
  assert.equal(roundTrip("return -2.9"), -2);
  assert.equal(roundTrip("return 2^63"), -9223372036854775808n);
  assert.equal(roundTrip("return 2^62"), 4611686018427387904n);
  assert.equal(roundTrip("return true"), 1);
  assert.equal(roundTrip("return false"), null);
  assert.deepEqual(roundTrip("return true", 3), new RespBool(true));
  assert.equal(roundTrip("return nil"), null);
  assert.deepEqual(roundTrip("return {1, 'a', {2}, nil, 3}"), [1, "a", [2]]);
  assert.deepEqual(roundTrip("return {ok='a\\nb'}"), new SimpleString("a b"));
  const e = roundTrip("return {err='CODE x\\r\\ny'}");
  assert.ok(e instanceof ReplyError);
  assert.equal((e as ReplyError).message, "CODE x  y");
  assert.deepEqual(roundTrip("return {double=2.5}"), new RespDouble(2.5));
  assert.deepEqual(roundTrip("return {big_number='1\\r2'}"), new BigNumber("1 2"));
  assert.deepEqual(
    roundTrip("return {verbatim_string={format='markdown', string='s'}}"),
    new Verbatim("mar", "s"),
  );
  assert.deepEqual(roundTrip("return {map={k='v'}}"), new RespMap(["k", "v"]));
  assert.deepEqual(roundTrip("return {set={m=true}}"), new RespSet(["m"]));
});

Deno.test("replies convert to Lua as redisProtocolToLuaType does", () => {
  const L = newState();
  const show = (r: Parameters<typeof pushReply>[1], resp: 2 | 3 = 2) => {
    pushReply(L, r, resp);
    lua.lua_setglobal(L, "v");
    return run(
      L,
      "local function s(x) if type(x) ~= 'table' then return type(x) .. ':' .. tostring(x) end " +
        "local keys = {} for k in pairs(x) do keys[#keys + 1] = tostring(k) end table.sort(keys) " +
        "local out = {} for _, k in ipairs(keys) do local val = x[k] if val == nil then val = x[tonumber(k)] end " +
        "out[#out + 1] = k .. '=' .. s(val) end return '{' .. table.concat(out, ',') .. '}' end return s(v)",
    );
  };
  assert.equal(show("abc"), "string:abc");
  assert.equal(show(42), "number:42");
  assert.equal(show(42n), "number:42");
  assert.equal(show(null), "boolean:false");
  assert.equal(show(NULL_ARRAY), "boolean:false");
  assert.equal(show(null, 3), "nil:nil");
  assert.equal(show(new SimpleString("OK")), "{ok=string:OK}");
  assert.equal(
    show(new ReplyError("WRONGTYPE bad")),
    "{err=string:WRONGTYPE bad,ignore_error_stats_update=boolean:true}",
  );
  assert.equal(show(["a", 1]), "{1=string:a,2=number:1}");
  assert.equal(show(new RespMap(["k", "v"])), "{1=string:k,2=string:v}");
  assert.equal(show(new RespMap(["k", "v"]), 3), "{map={k=string:v}}");
  assert.equal(show(new RespSet(["m"]), 3), "{set={m=boolean:true}}");
  assert.equal(show(new RespDouble(1.5)), "string:1.5");
  assert.equal(show(new RespDouble(1.5), 3), "{double=number:1.5}");
  assert.equal(show(new RespBool(true)), "number:1");
  assert.equal(show(new RespBool(true), 3), "boolean:true");
  assert.equal(show(new BigNumber("123"), 3), "{big_number=string:123}");
  assert.equal(
    show(new Verbatim("txt", "hi"), 3),
    "{verbatim_string={format=string:txt,string=string:hi}}",
  );
});

Deno.test("toLongLong truncates like a C cast on x86-64", () => {
  assert.equal(toLongLong(1.9), 1);
  assert.equal(toLongLong(-1.9), -1);
  assert.equal(toLongLong(-0.5), 0);
  assert.equal(toLongLong(NaN), -9223372036854775808n);
  assert.equal(toLongLong(Infinity), -9223372036854775808n);
  assert.equal(toLongLong(2 ** 60), 1152921504606846976n);
});

Deno.test("shebang lines are parsed as evalExtractShebangFlags does", () => {
  assert.deepEqual(parseShebang("return 1"), { flags: SCRIPT_FLAG_EVAL_COMPAT_MODE, length: 0 });
  assert.deepEqual(parseShebang("#!lua\nreturn 1"), { flags: 0, length: 5 });
  assert.deepEqual(parseShebang("#!lua flags=no-writes\nx"), {
    flags: SCRIPT_FLAG_NO_WRITES,
    length: 21,
  });
  assert.equal(parseShebang("#!lua"), "Invalid script shebang");
  assert.equal(parseShebang("#!py\n"), "Unexpected engine in script shebang: #!py");
  assert.equal(parseShebang("#!lua x=1\n"), "Unknown lua shebang option: x=1");
  assert.equal(parseShebang("#!lua flags=a\n"), "Unexpected flag in script shebang: a");
});
