// The libraries Redis bundles for scripts (bit, struct, cjson, cmsgpack), run in a bare VM.
// Expected values come from Redis 7.0 (tests/differential/scripting.redis checks more).

import assert from "node:assert/strict";
import { fromLua, lauxlib, lua, lualib, type LuaState, luaText } from "../../src/scripting/lua.ts";
import { openBit } from "../../src/scripting/libs/bit.ts";
import { openCjson, strtod } from "../../src/scripting/libs/cjson.ts";
import { openStruct } from "../../src/scripting/libs/struct.ts";
import { openCmsgpack } from "../../src/scripting/libs/cmsgpack.ts";

function newState(): LuaState {
  const L = lauxlib.luaL_newstate();
  for (
    const [n, f] of [
      ["_G", lualib.luaopen_base],
      ["table", lualib.luaopen_table],
      ["string", lualib.luaopen_string],
      ["math", lualib.luaopen_math],
      ["bit", openBit],
      ["cjson", openCjson],
      ["struct", openStruct],
      ["cmsgpack", openCmsgpack],
    ] as const
  ) {
    lauxlib.luaL_requiref(L, n, f, 1);
    lua.lua_pop(L, 1);
  }
  return L;
}

const L = newState();

/** Runs `code` and returns its first result as a byte string via tostring. */
function run(code: string): string {
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

Deno.test("bit operates on 32-bit signed values", () => {
  assert.equal(run("return bit.band(0xff, 0x0f)"), "15");
  assert.equal(run("return bit.bor(1, 2, 4)"), "7");
  assert.equal(run("return bit.bnot(0)"), "-1");
  assert.equal(run("return bit.tobit(0xffffffff)"), "-1");
  assert.equal(run("return bit.tobit(2^32 + 5)"), "5");
  assert.equal(run("return bit.tobit(2.5)"), "2");
  assert.equal(run("return bit.lshift(1, 31)"), "-2147483648");
  assert.equal(run("return bit.rshift(-1, 28)"), "15");
  assert.equal(run("return bit.arshift(-256, 4)"), "-16");
  assert.equal(run("return bit.rol(0x12345678, 8)"), String(0x34567812));
  assert.equal(run("return bit.ror(0x12345678, 8)"), String(0x78123456));
  assert.equal(run("return bit.bswap(0x12345678)"), String(0x78563412));
  assert.equal(run("return bit.tohex(255)"), "000000ff");
  assert.equal(run("return bit.tohex(255, -4)"), "00FF");
  assert.throws(() => run("return bit.band('x')"), /bad argument #1 to 'band'/);
});

Deno.test("struct packs and unpacks the common formats", () => {
  assert.equal(run("return struct.pack('>i', 1)"), "\x00\x00\x00\x01");
  assert.equal(run("return struct.pack('<h', -2)"), "\xfe\xff");
  assert.equal(run("return struct.pack('>l', 1700000000000)"), "\x00\x00\x01\x8b\xcf\xe5\x68\x00");
  assert.equal(run("return struct.pack('s', 'ab')"), "ab\x00");
  assert.equal(run("return struct.pack('c3', 'abcdef')"), "abc");
  assert.equal(run("return struct.pack('!4 b i', 1, 2)"), "\x01\x00\x00\x00\x02\x00\x00\x00");
  assert.equal(run("return struct.pack('>d', 1.5)"), "\x3f\xf8\x00\x00\x00\x00\x00\x00");
  assert.equal(run("return (struct.unpack('>i', struct.pack('>i', -5)))"), "-5");
  assert.equal(
    run("local a, b, n = struct.unpack('<HI2', '\\255\\255\\1\\2') return a + b + n"),
    String(65535 + 513 + 5),
  );
  assert.equal(run("return (struct.unpack('Bc0', '\\3abcdef'))"), "abc");
  assert.equal(run("return struct.size('>iBhd')"), "15");
  assert.equal(run("return struct.size('!8 b d')"), "16");
  assert.throws(() => run("return struct.unpack('>i', 'ab')"), /data string too short/);
  assert.throws(() => run("return struct.pack('y', 1)"), /invalid format option 'y'/);
  assert.throws(() => run("return struct.size('s')"), /option 's' has no fixed size/);
});

Deno.test("cjson encodes as lua-cjson 2.1.0", () => {
  assert.equal(run("return cjson.encode({1, 2, {a = false}})"), '[1,2,{"a":false}]');
  assert.equal(run("return cjson.encode({})"), "{}");
  assert.equal(run("return cjson.encode({[1] = 1, [3] = 3})"), "[1,null,3]");
  assert.equal(
    run("return cjson.encode('a/b\"\\n\\1\\127\\200')"),
    '"a\\/b\\"\\n\\u0001\\u007f\xc8"',
  );
  assert.equal(run("return cjson.encode(1/3)"), "0.33333333333333");
  assert.equal(run("return cjson.encode(cjson.null)"), "null");
  assert.equal(run("return cjson.encode({[5] = 1})"), "[null,null,null,null,1]");
  assert.throws(() => run("return cjson.encode({[1] = 1, [30] = 3})"), /excessively sparse array/);
  assert.throws(
    () => run("return cjson.encode(0/0)"),
    /Cannot serialise number: must not be NaN or Inf/,
  );
  assert.throws(
    () => run("return cjson.encode({[true] = 1})"),
    /Cannot serialise boolean: table key/,
  );
  assert.throws(
    () => run("return cjson.encode()"),
    /bad argument #1 to 'encode' \(expected 1 argument\)/,
  );
});

Deno.test("cjson decodes as lua-cjson 2.1.0", () => {
  assert.equal(run("return cjson.decode('[1,2,{\"a\":[3]}]')[3].a[1]"), "3");
  assert.equal(run("return cjson.decode('\"\\\\u00e9\"')"), "\xc3\xa9");
  assert.equal(run("return cjson.decode('\"\\\\ud83d\\\\ude00\"')"), "\xf0\x9f\x98\x80");
  assert.equal(run("return cjson.decode('null') == cjson.null"), "true");
  assert.equal(run("return cjson.decode('0x10') + cjson.decode('+1') + cjson.decode('01')"), "18");
  assert.throws(
    () => run("return cjson.decode('')"),
    /Expected value but found T_END at character 1/,
  );
  assert.throws(
    () => run("return cjson.decode('[1,]')"),
    /Expected value but found T_ARR_END at character 4/,
  );
  assert.throws(
    () => run("return cjson.decode('1 2')"),
    /Expected the end but found T_NUMBER at character 3/,
  );
  assert.throws(
    () => run("return cjson.decode('\"abc')"),
    /found unexpected end of string at character 5/,
  );
  assert.throws(
    () => run("return cjson.decode('{1:2}')"),
    /Expected object key string but found T_NUMBER/,
  );
});

Deno.test("strtod reads what C's strtod reads", () => {
  assert.deepEqual(strtod("12.5e1x", 0), { value: 125, len: 6 });
  assert.deepEqual(strtod("1e", 0), { value: 1, len: 1 });
  assert.deepEqual(strtod("0x1A", 0), { value: 26, len: 4 });
  assert.deepEqual(strtod("-Infinity", 0), { value: -Infinity, len: 9 });
  assert.equal(strtod("abc", 0).len, 0);
});

Deno.test("cmsgpack packs and unpacks MessagePack", () => {
  assert.equal(
    run("return cmsgpack.pack(1, -1, 128, -33, 300)"),
    "\x01\xff\xcc\x80\xd0\xdf\xcd\x01\x2c",
  );
  assert.equal(run("return cmsgpack.pack(1.5)"), "\xca\x3f\xc0\x00\x00");
  assert.equal(run("return cmsgpack.pack({1, 2}, {}, {a = 1})"), "\x92\x01\x02\x90\x81\xa1a\x01");
  assert.equal(run("return #cmsgpack.pack(string.rep('x', 40))"), "42");
  assert.equal(
    run("local a, b, c = cmsgpack.unpack(cmsgpack.pack(1, 'two', {3})) return a .. b .. c[1]"),
    "1two3",
  );
  assert.equal(
    run("local off, v = cmsgpack.unpack_one(cmsgpack.pack(7, 8)) return off .. ':' .. v"),
    "1:7",
  );
  assert.equal(
    run("local off, v = cmsgpack.unpack_one(cmsgpack.pack(7, 8), 1) return off .. ':' .. v"),
    "-1:8",
  );
  assert.throws(() => run("return cmsgpack.unpack('\\205')"), /Missing bytes in input\./);
  assert.throws(() => run("return cmsgpack.unpack('\\193')"), /Bad data format in input\./);
});
