// First step of loading fengari (a Lua 5.3 VM in JS) as the Lua 5.1 that Redis embeds: before
// any module that copies them at load time, number formatting in luaconf is replaced by C's
// "%.14g" without 5.3's ".0" float mark, integer conversion accepts every exact double, and
// string copies use a fast path.
// lua.ts imports this module first; see it for the rest of the patching and why.

import "fengari/src/fengaricore.js";
import defs from "fengari/src/defs.js";
import luaconf from "fengari/src/luaconf.js";
import { formatG } from "./numfmt.ts";

const conf = luaconf as Record<string, unknown>;
// Every string pushed into the VM is copied with this; Uint8Array.from walks an iterator,
// slice() copies the bytes at once (a third of a short script's run time).
(defs as Record<string, unknown>).luastring_from = (a: ArrayLike<number>) =>
  a instanceof Uint8Array ? a.slice() : Uint8Array.from(a);
// Lua 5.1 prints integral numbers without ".0" (LUA_NUMBER_FMT "%.14g").
conf.LUA_COMPAT_FLOATSTRING = true;
conf.lua_number2str = (n: number) => formatG(n, 14);
// fengari's integers are 32-bit; with every number a double (lua.ts), conversions to an integer
// (string.format("%d"), string.rep ...) must accept any integral double, as 5.1's lua_Integer
// (ptrdiff_t) conversions do on 64-bit builds.
conf.lua_numbertointeger = (n: number) =>
  n >= -9007199254740992 && n <= 9007199254740992 ? n : false;
