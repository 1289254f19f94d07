// placeholder
import type { CommandSpec } from "./spec.ts";

export const KEYSPACE_COMMANDS: CommandSpec[] = [];
