import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A publishable workspace: its folder and package.json. */
export interface PublishedPackage {
  dir: string;
  name: string;
  version: string;
  manifest: Record<string, unknown>;
}

/** Every workspace that is not private, i.e. everything `changeset publish` publishes. */
export async function publishedPackages(): Promise<PublishedPackage[]> {
  const out: PublishedPackage[] = [];
  for (const parent of ["packages", "apps"]) {
    for (const entry of await readdir(join(ROOT, parent))) {
      const dir = join(parent, entry);
      const manifest = JSON.parse(await readFile(join(ROOT, dir, "package.json"), "utf8")) as Record<string, unknown>;
      if (manifest.private === true) continue;
      out.push({ dir, name: manifest.name as string, version: manifest.version as string, manifest });
    }
  }
  return out;
}

/** Runs a program to the end; throws with its output when it fails. */
export async function run(
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(file, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      timeout: options.timeout ?? 120_000,
      maxBuffer: 32 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { message: string; stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(" ")} failed in ${options.cwd}: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/**
 * The environment without npm's per-run variables (npm_config_*, set when the test runs under
 * `npm test`): they would point installs in the temp dir back at this repository's settings.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.toLowerCase().startsWith("npm_") || key.startsWith("TAU_") || key === "INIT_CWD") continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

/** A temp dir outside the repository, removed by the returned function. */
export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `npm pack`s every published package into `dest`; returns name → tarball path. */
export async function packAll(dest: string): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>();
  for (const pkg of await publishedPackages()) {
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dest], { cwd: join(ROOT, pkg.dir) });
    const [result] = JSON.parse(stdout) as { filename: string }[];
    tarballs.set(pkg.name, join(dest, result?.filename as string));
  }
  return tarballs;
}

/** Writes a consumer package.json whose dependencies are the tarballs (also for each other's ranges). */
export async function writeConsumer(dir: string, tarballs: Map<string, string>, extra: Record<string, unknown> = {}): Promise<void> {
  const specs = Object.fromEntries([...tarballs].map(([name, path]) => [name, `file:${path}`]));
  await writeFile(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "tau-consumer", version: "1.0.0", private: true, dependencies: specs, overrides: specs, ...extra }, null, 2)}\n`,
  );
}
