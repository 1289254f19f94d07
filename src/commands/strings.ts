// placeholder: minimal GET/SET until the strings family lands
import { OK, type Reply } from "../resp/types.ts";
import type { CommandSpec, Ctx } from "./spec.ts";

function get(ctx: Ctx, argv: string[]): Reply {
  return ctx.db.getString(argv[1]) ?? null;
}

function set(ctx: Ctx, argv: string[]): Reply {
  ctx.db.set(argv[1], argv[2]);
  return OK;
}

export const STRING_COMMANDS: CommandSpec[] = [
  {
    name: "get",
    arity: 2,
    flags: ["readonly", "fast"],
    categories: ["read", "string", "fast"],
    keys: { first: 1, last: 1, step: 1 },
    handler: get,
  },
  {
    name: "set",
    arity: -3,
    flags: ["write", "denyoom"],
    categories: ["write", "string", "slow"],
    keys: { first: 1, last: 1, step: 1 },
    handler: set,
  },
];
