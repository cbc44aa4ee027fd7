import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./fixtures";

const PAGES = [
  "/signin",
  "/",
  "/phases",
  "/models",
  "/submissions",
  "/miners",
  "/inventory",
  "/allocations",
  "/search-playground",
  "/search-miners",
  "/settings",
  "/docs",
];

test("every page has no serious or critical accessibility violation (axe-core), light and dark, desktop and phone", async ({
  page,
}) => {
  test.setTimeout(480_000);
  await page.goto("/signin");
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("e2e-admin-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/miners");
  const miner = await page.getByTestId("miners-table").getByRole("link").first().getAttribute("href");
  const pages = [...PAGES, miner!];
  const found: string[] = [];
  for (const [theme, width] of [
    ["light", 1280],
    ["dark", 1280],
    ["light", 390],
    ["dark", 390],
  ] as const) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await page.evaluate((t) => localStorage.setItem("theme", t), theme);
    for (const url of pages) {
      await page.goto(url);
      await expect(page.locator("html")).toHaveClass(theme === "dark" ? /dark/ : /^(?!.*dark)/);
      // Live pages poll every block, so the network is rarely idle for long: wait a bounded time.
      await page.waitForLoadState("networkidle", { timeout: 5_000 }).catch(() => undefined);
      const { violations } = await new AxeBuilder({ page }).analyze();
      for (const v of violations.filter((v) => v.impact === "serious" || v.impact === "critical"))
        found.push(
          `${theme} ${width}px ${url}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
        );
    }
  }
  expect(found).toEqual([]);
});
