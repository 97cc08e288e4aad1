import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, publishedPackages, ROOT, run, tempDir } from "./helpers";

// The release path against a real registry: verdaccio on a loopback port, every package
// published to it by `changeset publish` (what `npm run release` and the release workflow run),
// then @tau/gateway-cli installed from it into a clean directory and used.

let registry: ChildProcess | undefined;
let url: string;
let base: string;
let userconfig: string;
const cleanups: (() => Promise<void>)[] = [];

/** A port that was free a moment ago (verdaccio does not report the port it got for 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

async function waitForRegistry(deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      const response = await fetch(`${url}-/ping`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`verdaccio did not answer on ${url} within ${deadlineMs} ms`);
    if (registry?.exitCode !== null) throw new Error(`verdaccio exited with ${registry?.exitCode}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  const work = await tempDir("tau-registry-");
  cleanups.push(work.remove);
  base = work.dir;
  const port = await freePort();
  url = `http://127.0.0.1:${port}/`;
  // No uplink: @tau/* can only come from what we publish here, never from the public registry.
  await writeFile(
    join(base, "config.yaml"),
    [
      `storage: ${join(base, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(base, "htpasswd")}`,
      "packages:",
      "  '@tau/*':",
      "    access: $all",
      "    publish: $authenticated",
      "web:",
      "  enable: false",
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  registry = spawn(process.execPath, [join(ROOT, "node_modules", "verdaccio", "bin", "verdaccio"), "--config", join(base, "config.yaml"), "--listen", `127.0.0.1:${port}`], {
    cwd: base,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  registry.stdout?.on("data", (chunk) => void (log += chunk));
  registry.stderr?.on("data", (chunk) => void (log += chunk));
  try {
    await waitForRegistry(120_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${log}`);
  }

  // A publisher account; its token goes into a userconfig of this test only.
  const response = await fetch(`${url}-/user/org.couchdb.user:publisher`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "publisher", password: "publisher-password", type: "user", roles: [], date: new Date().toISOString() }),
  });
  const { token } = (await response.json()) as { token?: string };
  if (!token) throw new Error(`verdaccio gave no token (${response.status})`);
  userconfig = join(base, "publisher.npmrc");
  await writeFile(userconfig, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
}, 180_000);

afterAll(async () => {
  if (registry && registry.exitCode === null) {
    registry.kill("SIGTERM");
    await once(registry, "exit");
  }
  for (const cleanup of cleanups) await cleanup();
});

describe("publishing to a registry", { timeout: 600_000 }, () => {
  it("publishes every package with changeset publish, installs @tau/gateway-cli from the registry and runs it", async () => {
    const env = cleanEnv({ npm_config_registry: url, npm_config_userconfig: userconfig });
    // --no-git-tag: a test must not tag the repository it runs in.
    await run(process.execPath, [join(ROOT, "node_modules", "@changesets", "cli", "bin.js"), "publish", "--no-git-tag"], { cwd: ROOT, env, timeout: 300_000 });
    for (const pkg of await publishedPackages()) {
      const { stdout } = await run("npm", ["view", pkg.name, "version", "--registry", url], { cwd: base, env });
      expect(stdout.trim(), pkg.name).toBe(pkg.version);
    }

    // A clean directory whose only link to us is the registry: @tau/* from verdaccio, the rest
    // (zod, undici, picocolors) from the default registry.
    const user = join(base, "user");
    await mkdir(user);
    await writeFile(join(user, "package.json"), `${JSON.stringify({ name: "user", version: "1.0.0", private: true }, null, 2)}\n`);
    await writeFile(join(user, ".npmrc"), `@tau:registry=${url}\n`);
    const userEnv = cleanEnv();
    await run("npm", ["install", "@tau/gateway-cli", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: user, env: userEnv, timeout: 300_000 });
    // What was installed is what the registry holds (npm records no `resolved` for a scoped registry).
    const lock = JSON.parse(await readFile(join(user, "package-lock.json"), "utf8")) as { packages: Record<string, { integrity?: string }> };
    for (const name of ["@tau/gateway-cli", "@tau/gateway", "@tau/gateway-runtime", "@tau/gateway-contract", "@tau/gateway-reference"]) {
      const { stdout } = await run("npm", ["view", name, "dist.integrity", "--registry", url], { cwd: base, env });
      expect(lock.packages[`node_modules/${name}`]?.integrity, name).toBe(stdout.trim());
    }

    const bin = join(user, "node_modules", ".bin", "tau-gateway");
    await run(bin, ["init"], { cwd: user, env: userEnv });
    const cycle = await run(bin, ["run"], { cwd: user, env: userEnv });
    expect(cycle.stdout).toContain("gateway runner summary: discovered=3");
    expect(cycle.stdout).toContain("rollout_gate=hold");
  });
});
