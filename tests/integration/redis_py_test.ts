// redis-py (Debian's python3-redis) as a client: one script exercises strings, hashes, lists,
// sets, sorted sets, streams, pipelines, transactions with WATCH, Lua scripts, pub/sub and RESP
// errors, printing every result. It runs against our server and against a real redis-server,
// and the two transcripts must be identical.

import assert from "node:assert/strict";
import { skip, startRedis, startServer } from "../helpers/server.ts";

const PYTHON = "/usr/bin/python3";

const SCRIPT = `
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
out = []
def show(label, f):
    try:
        v = f()
    except redis.exceptions.ResponseError as e:
        v = "error: %s" % e
    if isinstance(v, (set, frozenset)):
        v = sorted(v)
    out.append("%s = %r" % (label, v))

r.flushall()
show("set", lambda: r.set("s", "v", ex=100))
show("get", lambda: r.get("s"))
show("ttl", lambda: r.ttl("s"))
show("incrbyfloat", lambda: r.incrbyfloat("f", 1.5))
show("mset", lambda: r.mset({"a": 1, "b": 2}))
show("mget", lambda: r.mget("a", "b", "missing"))
show("getrange", lambda: r.getrange("s", 0, 0))
show("hset", lambda: r.hset("h", mapping={"x": 1, "y": 2}))
show("hgetall", lambda: r.hgetall("h"))
show("hincrby", lambda: r.hincrby("h", "x", 5))
show("rpush", lambda: r.rpush("l", 1, 2, 3, 4))
show("lrange", lambda: r.lrange("l", 0, -1))
show("lpos", lambda: r.lpos("l", 3))
show("sadd", lambda: r.sadd("st", "a", "b", "c"))
show("smembers", lambda: r.smembers("st"))
show("sinter", lambda: r.sinter("st", "st"))
show("zadd", lambda: r.zadd("z", {"a": 1, "b": 2.5, "c": 3}))
show("zrange", lambda: r.zrange("z", 0, -1, withscores=True))
show("zrangebyscore", lambda: r.zrangebyscore("z", 2, "+inf"))
show("zincrby", lambda: r.zincrby("z", 0.5, "a"))
show("xadd", lambda: r.xadd("x", {"f": "v"}, id="1-1"))
show("xrange", lambda: r.xrange("x"))
show("xgroup", lambda: r.xgroup_create("x", "g", id="0"))
show("xreadgroup", lambda: r.xreadgroup("g", "c", {"x": ">"}))
show("xpending", lambda: r.xpending("x", "g"))
p = r.pipeline(transaction=False)
p.incr("n"); p.incr("n"); p.get("n")
show("pipeline", lambda: p.execute())
def tx(pipe):
    v = int(pipe.get("n"))
    pipe.multi()
    pipe.set("n", v * 10)
show("transaction", lambda: r.transaction(tx, "n"))
show("n", lambda: r.get("n"))
inc = r.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
show("script", lambda: inc(keys=["k"], args=[7]))
show("script again", lambda: inc(keys=["k"], args=[7]))
show("eval table", lambda: r.eval("return {1, 'two', {3}}", 0))
show("wrongtype", lambda: r.lpush("s", "x"))
show("syntax", lambda: r.execute_command("SET", "a", "b", "NX", "XX"))
show("unknown", lambda: r.execute_command("NOSUCH", "x"))
ps = r.pubsub()
ps.subscribe("ch")
ps.get_message(timeout=2)
show("publish", lambda: r.publish("ch", "hello"))
m = ps.get_message(timeout=2)
show("message", lambda: (m["type"], m["channel"], m["data"]))
ps.close()
show("scan", lambda: sorted(r.scan_iter(match="[ab]")))
show("type", lambda: [r.type(k) for k in ("s", "h", "l", "st", "z", "x")])
show("dbsize", lambda: r.dbsize())
print("\\n".join(out))
`;

async function run(port: number): Promise<string> {
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", SCRIPT, String(port)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`redis-py failed: ${new TextDecoder().decode(out.stderr)}`);
  return text;
}

function hasPythonRedis(): boolean {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import redis"], stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test("redis-py gets the same results from our server as from Redis", async () => {
  if (!hasPythonRedis()) {
    skip("redis-py", `${PYTHON} has no redis module (Debian package python3-redis)`);
    return;
  }
  const redis = await startRedis();
  if (redis === null) {
    skip("redis-py", "redis-server is not installed");
    return;
  }
  const ours = await startServer();
  try {
    const [mine, theirs] = [await run(ours.port), await run(redis.port)];
    assert.ok(mine.split("\n").length > 35, mine);
    assert.equal(mine, theirs);
  } finally {
    await ours.close();
    await redis.close();
  }
});
