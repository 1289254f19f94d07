// Unit tests of the ACL building blocks: SHA-256 password hashes, the rule language of users
// and selectors, selector-argument merging, describing users back as rules, and the
// permission checks of commands, keys and channels (src/acl/).

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  ACL_OK,
  checkCommand,
  DENIED_CHANNEL,
  DENIED_CMD,
  DENIED_KEY,
} from "../../src/acl/check.ts";
import { ACL_CATEGORIES, categoryFlag, CommandIndex } from "../../src/acl/command_index.ts";
import { sha256Hex } from "../../src/acl/sha256.ts";
import {
  describeCommandRules,
  describeUser,
  mergeSelectorArgs,
  type RuleEnv,
  ruleErrorText,
  User,
} from "../../src/acl/user.ts";
import { CommandTable } from "../../src/commands/table.ts";

const TABLE = new CommandTable();
const INDEX = new CommandIndex(TABLE);
const ENV: RuleEnv = { index: INDEX, allChannelsByDefault: false };

/** A user built from rules; every rule must be accepted. */
function user(...rules: string[]): User {
  const u = new User("u", ENV);
  for (const r of rules) assert.equal(u.apply(r, ENV), null, `rule ${r}`);
  return u;
}

/** Checks argv for `u` (the command is resolved like the dispatcher does). */
function check(u: User, ...argv: string[]): { result: number; pos: number } {
  const top = TABLE.get(argv[0])!;
  const cmd = top.subcommands !== undefined && argv.length > 1
    ? top.subcommands.get(argv[1].toLowerCase())!
    : top;
  return checkCommand(u, INDEX.of(cmd)!, argv);
}

Deno.test("sha256Hex matches known digests and node:crypto on binary input", () => {
  assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  // The hash Redis 7.0 shows for `>p1`.
  assert.equal(sha256Hex("p1"), "f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a");
  for (const s of ["a".repeat(55), "b".repeat(56), "c".repeat(64), "\x00\xff\x80".repeat(100)]) {
    const ref = createHash("sha256").update(new Uint8Array([...s].map((c) => c.charCodeAt(0))))
      .digest("hex");
    assert.equal(sha256Hex(s), ref, `length ${s.length}`);
  }
});

Deno.test("a new user is off, has no passwords and may run nothing", () => {
  const u = new User("u", ENV);
  assert.deepEqual(u.flags(), ["off"]);
  assert.equal(describeUser(u, ENV), "off resetchannels -@all");
  assert.equal(check(u, "get", "k").result, DENIED_CMD);
  // Commands flagged no_auth are always allowed.
  assert.equal(check(u, "auth", "x").result, ACL_OK);
});

Deno.test("passwords are stored as SHA-256 hex, deduplicated, removed by clear text or hash", () => {
  const u = user(">p1", ">p1", ">p2");
  assert.deepEqual(u.passwords, [sha256Hex("p1"), sha256Hex("p2")]);
  assert.equal(u.apply("<p1", ENV), null);
  assert.deepEqual(u.passwords, [sha256Hex("p2")]);
  assert.equal(u.apply("<p1", ENV), "ENODEV");
  assert.equal(u.apply(`!${sha256Hex("p2")}`, ENV), null);
  assert.deepEqual(u.passwords, []);
  assert.equal(u.apply(`#${sha256Hex("p3")}`, ENV), null);
  assert.deepEqual(u.passwords, [sha256Hex("p3")]);
  assert.equal(u.apply("#abc", ENV), "EBADMSG");
  assert.equal(u.apply(`#${sha256Hex("x").toUpperCase()}`, ENV), "EBADMSG");
  assert.equal(u.apply("!zz", ENV), "EBADMSG");
});

Deno.test("nopass clears passwords, a new password clears nopass, resetpass clears both", () => {
  const u = user(">a", "nopass");
  assert.deepEqual([u.nopass, u.passwords], [true, []]);
  u.apply(">b", ENV);
  assert.deepEqual([u.nopass, u.passwords.length], [false, 1]);
  u.apply("nopass", ENV);
  u.apply("resetpass", ENV);
  assert.deepEqual([u.nopass, u.passwords], [false, []]);
});

Deno.test("flag rules are case-insensitive and sanitize-payload flags replace each other", () => {
  const u = user("ON", "skip-sanitize-payload");
  assert.deepEqual(u.flags(), ["on", "skip-sanitize-payload"]);
  u.apply("SANITIZE-PAYLOAD", ENV);
  assert.deepEqual(u.flags(), ["on", "sanitize-payload"]);
  u.apply("off", ENV);
  assert.deepEqual(u.flags(), ["off", "sanitize-payload"]);
});

Deno.test("reset returns a user to its initial state plus sanitize-payload", () => {
  const u = user("on", ">x", "~*", "&*", "+@all", "(~a +get)");
  u.apply("reset", ENV);
  assert.equal(describeUser(u, ENV), "off sanitize-payload resetchannels -@all");
  assert.equal(u.selectors.length, 1);
  // With acl-pubsub-default allchannels, reset grants every channel again.
  const env = { ...ENV, allChannelsByDefault: true };
  u.apply("reset", env);
  assert.equal(describeUser(u, env), "off sanitize-payload &* -@all");
});

Deno.test("unknown or malformed rules are refused with Redis's reasons", () => {
  const u = new User("u", ENV);
  const cases: [string, string][] = [
    ["+nosuch", "ENOENT"],
    ["-nosuch", "ENOENT"],
    ["+@nosuch", "ENOENT"],
    ["-select|0", "ENOENT"],
    ["+config|nosuch", "ENOENT"],
    ["+config|get|x", "ECHILD"],
    ["+get|", "EINVAL"],
    ["bogus", "EINVAL"],
    ["~a b", "EINVAL"],
    ["&a\x00b", "EINVAL"],
    ["%X~k", "EINVAL"],
    ["%RR~k", "EINVAL"],
    ["(~a +nosuch)", "ENOENT"],
    ["(on)", "EINVAL"],
  ];
  for (const [rule, err] of cases) assert.equal(u.apply(rule, ENV), err, rule);
  assert.equal(ruleErrorText("ENOENT"), "Unknown command or category name in ACL");
  assert.equal(ruleErrorText("ECHILD"), "Allowing first-arg of a subcommand is not supported");
  // The empty rule is a no-op.
  assert.equal(u.apply("", ENV), null);
});

Deno.test("key patterns merge permissions; nothing may follow allkeys", () => {
  const u = user("%R~a*", "%W~a*", "%W~w*", "~b*");
  assert.deepEqual(u.root.patterns, [
    { pattern: "a*", flags: 3 },
    { pattern: "w*", flags: 2 },
    { pattern: "b*", flags: 3 },
  ]);
  assert.equal(describeUser(u, ENV), "off ~a* %W~w* ~b* resetchannels -@all");
  u.apply("allkeys", ENV);
  assert.equal(u.apply("~c", ENV), "EEXIST");
  assert.equal(u.apply("%R~c", ENV), "EEXIST");
  u.apply("resetkeys", ENV);
  // %RW~* is a pattern, printed as ~*, but not the allkeys flag.
  u.apply("%RW~*", ENV);
  assert.equal(u.root.allKeys, false);
  assert.equal(u.apply("~c", ENV), null);
});

Deno.test("channel patterns deduplicate; nothing may follow allchannels", () => {
  const u = user("&a", "&a", "&b*");
  assert.deepEqual(u.root.channels, ["a", "b*"]);
  u.apply("&*", ENV);
  assert.equal(u.apply("&c", ENV), "EISDIR");
  u.apply("resetchannels", ENV);
  assert.deepEqual([u.root.allChannels, u.root.channels], [false, []]);
});

Deno.test("mergeSelectorArgs joins a selector split over several arguments", () => {
  assert.deepEqual(mergeSelectorArgs(["on", "(~a", "+get)", "off"]), ["on", "(~a +get)", "off"]);
  assert.deepEqual(mergeSelectorArgs(["(~a +get)"]), ["(~a +get)"]);
  assert.deepEqual(mergeSelectorArgs(["(", ")"]), ["( )"]);
  assert.deepEqual(mergeSelectorArgs(["on", "(~a", "+get"]), { unclosed: 1 });
});

Deno.test("describe starts from +@all or -@all and adds the best-fitting categories", () => {
  assert.equal(describeCommandRules(user("+@all").root, ENV), "+@all");
  assert.equal(describeCommandRules(user("+@all", "-@all").root, ENV), "-@all");
  assert.equal(describeCommandRules(user("+@all", "-@dangerous").root, ENV), "+@all -@dangerous");
  assert.equal(describeCommandRules(user("+@read").root, ENV), "-@all +@read");
  assert.equal(describeCommandRules(user("+@hash").root, ENV), "-@all +@hash");
  assert.equal(describeCommandRules(user("+get").root, ENV), "-@all +get");
  assert.equal(describeCommandRules(user("+@all", "-get").root, ENV), "+@all -get");
  assert.equal(describeCommandRules(user("+config|get").root, ENV), "-@all +config|get");
  assert.equal(describeCommandRules(user("+config").root, ENV), "-@all +config");
  assert.equal(
    describeCommandRules(user("+@all", "-config|set").root, ENV),
    "+@all -config|set",
  );
  // +@all sets the future-commands bit; adding every command one by one does not.
  const every = new User("e", ENV);
  INDEX.forEach((c) => every.root.changePerm(c, true));
  assert.ok(describeCommandRules(every.root, ENV).startsWith("-@all +@"));
});

Deno.test("first-arg rules allow one first argument of an otherwise denied command", () => {
  const warnings: string[] = [];
  const env = { ...ENV, warn: (m: string) => warnings.push(m) };
  const u = new User("u", env);
  assert.equal(u.apply("+select|0", env), null);
  assert.equal(u.apply("+SELECT|0", env), null);
  assert.equal(warnings.length, 2);
  assert.deepEqual(u.root.firstArgs?.get(INDEX.lookup("select")!.id), ["0"]);
  assert.equal(describeCommandRules(u.root, env), "-@all +select|0");
  assert.equal(check(u, "select", "0").result, ACL_OK);
  assert.equal(check(u, "SELECT", "1").result, DENIED_CMD);
  // Allowing the whole command drops its first-args.
  u.apply("+select", env);
  assert.equal(u.root.firstArgs?.get(INDEX.lookup("select")!.id), undefined);
});

Deno.test("container rules cover every subcommand; subcommand rules only themselves", () => {
  const u = user("+config");
  assert.equal(check(u, "config", "get", "x").result, ACL_OK);
  assert.equal(check(u, "config", "set", "x", "y").result, ACL_OK);
  u.apply("-config|set", ENV);
  assert.equal(check(u, "config", "set", "x", "y").result, DENIED_CMD);
  assert.equal(check(u, "config", "get", "x").result, ACL_OK);
});

Deno.test("categories come from the command table, flag-implied ones included", () => {
  assert.equal(ACL_CATEGORIES.length, 21);
  assert.equal(categoryFlag("READ"), categoryFlag("read"));
  assert.equal(categoryFlag("nosuch"), 0);
  const get = INDEX.lookup("get")!;
  for (const c of ["read", "string", "fast"]) assert.ok(get.cats & categoryFlag(c), c);
  assert.equal(get.cats & categoryFlag("write"), 0);
  const flushall = INDEX.lookup("flushall")!;
  for (const c of ["keyspace", "write", "slow", "dangerous"]) {
    assert.ok(flushall.cats & categoryFlag(c), c);
  }
  assert.ok(INDEX.lookup("acl|setuser")!.cats & categoryFlag("admin"));
  assert.equal(INDEX.lookup("CONFIG|GET")?.name, "config|get");
  assert.equal(INDEX.lookup("get|x"), undefined);
  assert.equal(INDEX.lookup("config|get|x"), undefined);
});

Deno.test("key checks need read access for reads and write access for writes", () => {
  const u = user("+@all", "%R~r*", "%W~w*", "~rw*");
  assert.equal(check(u, "get", "r1").result, ACL_OK);
  assert.equal(check(u, "get", "w1").result, DENIED_KEY);
  assert.equal(check(u, "set", "w1", "v").result, ACL_OK);
  assert.equal(check(u, "set", "r1", "v").result, DENIED_KEY);
  assert.equal(check(u, "get", "rw1").result, ACL_OK);
  assert.equal(check(u, "set", "rw1", "v").result, ACL_OK);
  // SET needs read access only with GET, BITFIELD write access only to change bits.
  assert.equal(check(u, "set", "w1", "v", "get").result, DENIED_KEY);
  assert.equal(check(u, "set", "rw1", "v", "GET").result, ACL_OK);
  assert.equal(check(u, "bitfield", "r1", "get", "u8", "0").result, ACL_OK);
  assert.equal(check(u, "bitfield", "r1", "incrby", "u8", "0", "1").result, DENIED_KEY);
  assert.equal(check(u, "bitfield", "w1", "set", "u8", "0", "1").result, DENIED_KEY);
  assert.equal(check(u, "bitfield", "rw1", "set", "u8", "0", "1").result, ACL_OK);
  // The first denied key is reported, with its position.
  assert.deepEqual(check(u, "mset", "w1", "a", "x", "b"), { result: DENIED_KEY, pos: 3 });
  // Commands without keys need no key pattern at all.
  assert.equal(check(user("+@all"), "ping").result, ACL_OK);
  assert.equal(check(user("+@all"), "get", "k").result, DENIED_KEY);
});

Deno.test("channel checks: glob for channels, literal match for PSUBSCRIBE patterns", () => {
  const u = user("+@all", "&news.*", "&chat");
  assert.equal(check(u, "publish", "news.1", "x").result, ACL_OK);
  assert.deepEqual(check(u, "publish", "other", "x"), { result: DENIED_CHANNEL, pos: 1 });
  assert.equal(check(u, "subscribe", "chat", "news.x").result, ACL_OK);
  assert.deepEqual(check(u, "subscribe", "chat", "nope"), { result: DENIED_CHANNEL, pos: 2 });
  assert.equal(check(u, "psubscribe", "news.*").result, ACL_OK);
  assert.equal(check(u, "psubscribe", "news.a*").result, DENIED_CHANNEL);
  // Unsubscribing is never checked.
  assert.equal(check(u, "unsubscribe", "nope").result, ACL_OK);
  assert.equal(check(user("+@all", "&*"), "publish", "any", "x").result, ACL_OK);
});

Deno.test("a command is allowed when any selector allows it; denials rank channel > key > command", () => {
  const u = user("~a*", "+get", "(~b* +set)");
  assert.equal(check(u, "get", "a1").result, ACL_OK);
  assert.equal(check(u, "set", "b1", "v").result, ACL_OK);
  // get b1: the root selector denies the key, the other the command: the key wins.
  assert.deepEqual(check(u, "get", "b1"), { result: DENIED_KEY, pos: 1 });
  assert.equal(check(u, "del", "a1").result, DENIED_CMD);
  assert.equal(
    describeUser(u, ENV),
    "off ~a* resetchannels -@all +get (~b* resetchannels -@all +set)",
  );
  u.apply("clearselectors", ENV);
  assert.equal(check(u, "set", "b1", "v").result, DENIED_CMD);
});

Deno.test("copyFrom deep-copies rules so later changes do not leak back", () => {
  const a = user("on", ">x", "~k", "&c", "+get", "(~z +set)");
  const b = new User("b", ENV);
  b.copyFrom(a);
  b.apply("resetkeys", ENV);
  b.apply("-get", ENV);
  b.apply("<x", ENV);
  assert.equal(describeUser(a, ENV).includes("~k"), true);
  assert.equal(check(a, "get", "k").result, ACL_OK);
  assert.equal(a.passwords.length, 1);
  assert.equal(b.name, "b");
});
