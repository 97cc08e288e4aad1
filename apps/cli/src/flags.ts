import { parseArgs } from "node:util";
import { didYouMean } from "./did-you-mean";
import { UsageError } from "./errors";
import { envName, OPTIONS, type OptionSpec } from "./options";

const BY_NAME = new Map(OPTIONS.map((o) => [o.name, o]));
const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off", ""]);

/** Parsed flags of one invocation: a flag beats its `TAU_…` variable, which beats the default. */
export class Flags {
  constructor(
    private readonly given: Record<string, unknown>,
    private readonly env: NodeJS.ProcessEnv,
    readonly positionals: string[],
  ) {}

  /** True when the flag was written on the command line (not from env or default). */
  has(name: string): boolean {
    return this.given[name] !== undefined;
  }

  private raw(name: string): { value: unknown; from: string } | undefined {
    const spec = spec_(name);
    if (this.given[name] !== undefined) return { value: this.given[name], from: `--${name}` };
    const variable = envName(name);
    if (spec.env && this.env[variable] !== undefined) return { value: this.env[variable], from: `--${name} (from ${variable})` };
    if (spec.default !== undefined) return { value: spec.default, from: `--${name}` };
    return undefined;
  }

  string(name: string): string | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    const value = String(raw.value);
    if (value.trim().length === 0) throw new UsageError(`${raw.from} must not be empty`);
    const choices = spec_(name).choices;
    if (choices && !choices.includes(value)) {
      throw new UsageError(`${raw.from} must be one of ${choices.join(", ")} (found ${JSON.stringify(value)})`);
    }
    return value;
  }

  boolean(name: string): boolean {
    const raw = this.raw(name);
    if (raw === undefined) return false;
    if (typeof raw.value === "boolean") return raw.value;
    const word = String(raw.value).trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw new UsageError(`${raw.from} must be true or false (found ${JSON.stringify(raw.value)})`);
  }

  /** True when the flag or its variable was given (not only the default). */
  isSet(name: string): boolean {
    return this.has(name) || (spec_(name).env === true && this.env[envName(name)] !== undefined);
  }

  list(name: string): string[] {
    const value = this.given[name];
    if (Array.isArray(value)) return value.map(String);
    const fromEnv = spec_(name).env ? this.env[envName(name)] : undefined;
    return fromEnv ? fromEnv.split("\n").filter((line) => line.trim().length > 0) : [];
  }

  integer(name: string): number {
    const spec = spec_(name);
    const raw = this.raw(name);
    if (raw === undefined) throw new UsageError(`--${name} is required`);
    const text = String(raw.value).trim();
    const shown = spec.secret ? "***" : JSON.stringify(String(raw.value));
    if (!/^[+-]?\d+$/.test(text)) throw new UsageError(`${raw.from} must be an integer (found ${shown})`);
    const value = Number(text);
    if (!Number.isSafeInteger(value)) {
      throw new UsageError(spec.max !== undefined ? `${raw.from} must be at most ${spec.max} (found ${shown})` : `${raw.from} is too large (found ${shown})`);
    }
    const min = spec.min ?? 0;
    if (value < min) {
      throw new UsageError(min === 1 ? `${raw.from} must be greater than 0 (found ${value})` : `${raw.from} must be ${min} or greater (found ${value})`);
    }
    if (spec.max !== undefined && value > spec.max) {
      throw new UsageError(`${raw.from} must be at most ${spec.max} (found ${value})`);
    }
    return value;
  }
}

function spec_(name: string): OptionSpec {
  const spec = BY_NAME.get(name);
  if (!spec) throw new Error(`internal: unknown option ${name}`);
  return spec;
}

function suggest(flag: string): string {
  const best = didYouMean(flag.replace(/^-+/, "").split("=")[0] ?? "", OPTIONS.map((o) => o.name));
  return best ? ` (did you mean --${best}?)` : "";
}

/**
 * Rewrites what parseArgs would reject but the original runner accepted:
 * `--flag -1` → `--flag=-1`, so a negative number reaches range checking instead of looking like
 * a flag; and `--switch=true|false` (parseArgs takes no value for a boolean), returned aside.
 */
function normaliseArgv(argv: readonly string[]): { args: string[]; switches: Record<string, string> } {
  const args: string[] = [];
  const switches: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      args.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const eq = arg.indexOf("=");
    const switchSpec = arg.startsWith("--") && eq > 2 ? BY_NAME.get(arg.slice(2, eq)) : undefined;
    if (switchSpec?.kind === "boolean") {
      // The value is checked when the switch is read, with the same words as its variable.
      switches[switchSpec.name] = arg.slice(eq + 1);
      continue;
    }
    const spec = arg.startsWith("--") ? BY_NAME.get(arg.slice(2)) : undefined;
    if (spec && spec.kind !== "boolean" && next !== undefined && /^-\d/.test(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else {
      args.push(arg);
    }
  }
  return { args, switches };
}

/** Parses argv against the option table; unknown or malformed flags are usage errors. */
export function parseFlags(argv: readonly string[], env: NodeJS.ProcessEnv): Flags {
  const options = Object.fromEntries(
    OPTIONS.map((o) => [
      o.name,
      {
        ...(o.kind === "boolean" ? { type: "boolean" as const } : { type: "string" as const, multiple: o.kind === "list" }),
        ...(o.short ? { short: o.short } : {}),
      },
    ]),
  );
  try {
    const { args, switches } = normaliseArgv(argv);
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    return new Flags({ ...values, ...switches }, env, positionals);
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown?.[1]) throw new UsageError(`unknown flag ${unknown[1]}${suggest(unknown[1])}; see tau-gateway --help`);
    const missing = /Option '(--[\w-]+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(message);
    if (missing?.[1]) throw new UsageError(`${missing[1]} needs a value; see tau-gateway --help`);
    const extra = /Option '(--[\w-]+)' does not take an argument/.exec(message);
    if (extra?.[1]) throw new UsageError(`${extra[1]} is a switch and takes no value; see tau-gateway --help`);
    throw new UsageError(`${message.split(".")[0]}; see tau-gateway --help`);
  }
}
