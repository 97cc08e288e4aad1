import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtml, type ReportCase, type ReportInput } from "../src/index";
import { sampleCases, sampleHistory, sampleInput } from "./sample-input";

// A real browser, no mock DOM: the system Chromium (Debian package), driven by playwright-core.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url));

const work = mkdtempSync(join(tmpdir(), "tau-html-"));
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A live-mode cycle with a bit of everything, for the screenshots. */
function demoInput(): ReportInput {
  const actors = ["ops", "billing", "catalog", "search"];
  const endpoints = ["/v1/orders", "/v1/payments", "/v1/stock", "/v1/search", "/v1/users"];
  const cases: ReportCase[] = [...sampleCases()];
  for (let i = 0; i < 230; i++) {
    const flaky = i % 17 === 0;
    cases.push({
      case_id: `case-${String(i).padStart(4, "0")}`,
      method: ["GET", "POST", "PUT", "DELETE"][i % 4] as string,
      endpoint: endpoints[i % endpoints.length] as string,
      actor_id: actors[i % actors.length] as string,
      result: "applied",
      attempts: flaky ? 2 : 1,
      outcome: "success",
      status_code: 200,
      error_code: "",
      duration_ms: Math.round((8 + ((i * 37) % 23) + (i % 5 === 0 ? 30 : 0)) * 100) / 100,
      ...(flaky ? { failed_attempts: [{ attempt: 1, outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable" }] } : {}),
    });
  }
  return sampleInput({ driver: "http", cases, history: sampleHistory(24) });
}

/** Opens the report from file:// and records console errors, page errors and every request. */
async function open(input: ReportInput, name: string, colorScheme: "light" | "dark" = "light") {
  const file = join(work, `${name}.html`);
  writeFileSync(file, renderHtml(input));
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 1250 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 10_000 });
  return { page, errors, requests, url, close: () => context.close() };
}

const visibleRows = (page: Page) => page.locator("#case-rows tr.case-row").count();

// A browser on a shared CI machine: generous timeouts (nothing here asserts on time).
describe("the HTML report in Chromium", { timeout: 60_000 }, () => {
  it("loads from file:// with no console error and no request but the file itself", async () => {
    const { page, errors, requests, url, close } = await open(sampleInput(), "sample");
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.locator("#gate").textContent()).toBe("HOLD");
    expect(await page.locator("#rules tr.fired").textContent()).toContain("contract_drift_detected");
    await close();
  });

  it("draws one point per cycle in each history chart", async () => {
    const { page, close } = await open(sampleInput({ history: sampleHistory(13) }), "history");
    const failures = page.locator("#chart-failures svg");
    expect(await failures.getAttribute("data-points")).toBe("13");
    for (const series of ["failed", "retryable", "drift"]) {
      expect(await page.locator(`#chart-failures g[data-series=${series}] circle.pt`).count()).toBe(13);
    }
    expect(await page.locator("#chart-health svg").getAttribute("data-points")).toBe("13");
    expect(await page.locator("#chart-health g[data-series=health] rect.pt").count()).toBe(13);
    expect(await page.locator("#chart-health g[data-series=gate] rect.pt").count()).toBe(13);
    // The simulated driver has no meaningful latency: no histogram.
    expect(await page.locator("#chart-latency").isHidden()).toBe(true);
    await close();
  });

  it("shows a latency histogram of the last cycle in live mode", async () => {
    const input = demoInput();
    const { page, close } = await open(input, "live");
    const withDuration = input.cases.filter((c) => c.duration_ms !== undefined).length;
    expect(await page.locator("#chart-latency").isVisible()).toBe(true);
    expect(await page.locator("#chart-latency svg").getAttribute("data-points")).toBe(String(withDuration));
    const bins = Number(await page.locator("#chart-latency svg").getAttribute("data-bins"));
    expect(await page.locator("#chart-latency rect.bar").count()).toBe(bins);
    await close();
  });

  it("filters by result, outcome, actor and flaky, searches, and pages", async () => {
    const input = demoInput();
    const { page, close } = await open(input, "filters");
    expect(await visibleRows(page)).toBe(100);
    expect(await page.locator("#row-count").textContent()).toContain(`of ${input.cases.length} cases`);
    await page.locator("#next").click();
    expect(await page.locator("#case-rows tr.case-row").first().getAttribute("data-index")).toBe("100");

    await page.selectOption("#f-result", { label: "drift" });
    expect(await visibleRows(page)).toBe(1);
    await page.selectOption("#f-result", { label: "all results" });

    await page.selectOption("#f-outcome", { label: "gateway_unsupported_method" });
    expect(await visibleRows(page)).toBe(1);
    await page.selectOption("#f-outcome", { label: "all outcomes" });

    await page.selectOption("#f-actor", { label: "billing" });
    const billing = input.cases.filter((c) => c.actor_id === "billing").length;
    expect(await visibleRows(page)).toBe(billing);
    await page.selectOption("#f-actor", { label: "all actors" });

    await page.check("#f-flaky");
    const flaky = input.cases.filter((c) => c.result === "applied" && (c.failed_attempts?.length ?? 0) > 0).length;
    expect(await visibleRows(page)).toBe(flaky);
    await page.uncheck("#f-flaky");

    await page.fill("#f-search", "payments");
    const payments = input.cases.filter((c) => c.endpoint.includes("payments")).length;
    expect(await visibleRows(page)).toBe(payments);
    await page.fill("#f-search", "case-0042");
    expect(await visibleRows(page)).toBe(1);
    await page.fill("#f-search", "");
    expect(await visibleRows(page)).toBe(100);
    await close();
  });

  it("shows drift diffs side by side per field, also on a click in the table", async () => {
    const { page, close } = await open(sampleInput(), "diffs");
    const rows = page.locator("#drifts table.diff tr");
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(1).locator("td").allTextContents()).toEqual(["status_code", "201", "500"]);
    expect(await rows.nth(2).locator("td").allTextContents()).toEqual(["response_body /amount", "5", "7"]);
    await page.locator('#case-rows tr.case-row[data-index="3"]').click();
    expect(await page.locator("#case-rows tr.detail table.diff tr").count()).toBe(3);
    await close();
  });

  it("keeps hostile strings as text: no script from the data runs", async () => {
    const evil = '</script><script>window.pwned=1</script><!-- <img src=x onerror="window.pwned=2">';
    const cases = sampleCases().map((c) => ({ ...c, case_id: `${c.case_id}${evil}`, endpoint: `/x${evil}` }));
    const { page, errors, requests, url, close } = await open(sampleInput({ cases, fixture: { name: evil, paths: [evil], sha256: null } }), "hostile");
    expect(await page.evaluate("window.pwned")).toBeUndefined();
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.locator("#case-rows tr.case-row code").first().textContent()).toBe(`applied-ok${evil}`);
    await close();
  });

  it("renders in light and dark schemes (screenshots in test-artifacts/)", async () => {
    for (const scheme of ["light", "dark"] as const) {
      const { page, errors, close } = await open(demoInput(), `screenshot-${scheme}`, scheme);
      const background = await page.evaluate("getComputedStyle(document.body).backgroundColor");
      expect(background).toBe(scheme === "light" ? "rgb(255, 255, 255)" : "rgb(13, 17, 23)");
      await page.screenshot({ path: join(ARTIFACTS, `report-${scheme}.png`), fullPage: false });
      await page.screenshot({ path: join(ARTIFACTS, `report-${scheme}-full.png`), fullPage: true });
      expect(errors).toEqual([]);
      await close();
    }
  });
});
