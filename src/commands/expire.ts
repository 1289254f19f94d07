// placeholder
import type { CommandSpec } from "./spec.ts";

export const EXPIRE_COMMANDS: CommandSpec[] = [];
