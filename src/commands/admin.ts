// placeholder
import type { CommandSpec } from "./spec.ts";

export const ADMIN_COMMANDS: CommandSpec[] = [];
