import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { expect, SHOTS, signInAsAdmin, test } from "./fixtures";

test("the search playground streams a devnet miner's answer: results, link scores, the summary typing in", async ({
  page,
}) => {
  await signInAsAdmin(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Search", exact: true }).click();
  await page.getByLabel("Prompt").fill("fast glob matcher");
  await page.getByLabel("Count (10-200)").fill("5");
  await expect(page.getByRole("button", { name: "Search", exact: true })).toBeDisabled();
  await page.getByLabel("Count (10-200)").fill("10");
  // The devnet's first search miner answers honestly (others are slow, invent, drop the summary or are down):
  // asked by name, the answer is known.
  const good = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//devnet-search-0").address;
  await expect(page.getByLabel("Miner").locator(`option[value="${good}"]`)).toHaveCount(1, { timeout: 30_000 });
  await page.getByLabel("Miner").selectOption(good);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  // Live: results and the raw event log show while the summary is still typing.
  await expect(page.getByTestId("playground-results").locator("li").first()).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("playground-outcome")).toHaveText("Streaming…");
  await expect(page.getByTestId("playground-log")).toContainText('data: {"type": "search", "content": [');
  await expect(page.getByTestId("playground-results").getByText("HIGH").first()).toBeVisible();
  await expect(page.getByTestId("playground-summary")).toBeVisible({ timeout: 20_000 });
  const partial = (await page.getByTestId("playground-summary").textContent())!.length;
  await expect(page.getByTestId("playground-outcome")).toContainText(
    /^Answered by .+ first byte \d+ ms, done in \d+ ms/,
    {
      timeout: 30_000,
    },
  );
  expect((await page.getByTestId("playground-summary").textContent())!.length).toBeGreaterThanOrEqual(partial);
  await expect(page.getByTestId("playground-log")).toContainText('data: {"type": "completion"');
  await page.screenshot({ path: path.join(SHOTS, "search-playground.png"), fullPage: true });

  // Cancel stops a search in flight; Retry asks again.
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByTestId("playground-outcome")).toHaveText("Streaming…");
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("playground-outcome")).toHaveText("Failed (499): Cancelled");
  await page.getByRole("button", { name: "Retry" }).click();
  await expect(page.getByTestId("playground-outcome")).toContainText(/^Answered by /, { timeout: 30_000 });
});

test("search miners: scores per type separate the devnet's behaviours, and the query log filters", async ({ page }) => {
  await signInAsAdmin(page);
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Search miners", exact: true })
    .click();
  const table = page.getByTestId("search-miners-table");
  // Epochs run every 20 s on the devnet: the dropper fails ai_search, the inventor fails everything.
  await expect(table.getByText("fail", { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  await expect(table.getByText("pass", { exact: true }).first()).toBeVisible();
  const queries = page.getByTestId("search-queries-table");
  await expect(queries).toContainText("synthetic");
  // Synthetic queries are never cancelled by a client.
  await page.getByLabel("Outcome").selectOption("cancelled");
  await page.getByLabel("Kind").selectOption("synthetic");
  await expect(page.getByText("No query matches.")).toBeVisible();
  await page.getByLabel("Kind").selectOption("synthetic");
  await page.getByLabel("Outcome").selectOption("ok");
  // Streams that went through say what scoring found: the inventor's answers are not "ok".
  await expect(queries.locator("tbody tr").first()).toContainText(/(ok|invented|incomplete|timeout|failed)/);
  await expect(queries.getByText(/^(invented|incomplete|failed)$/).first()).toBeVisible({ timeout: 60_000 });
  // The log is paged on the server: 25 rows a page.
  expect(await queries.locator("tbody tr").count()).toBeLessThanOrEqual(25);
  await page.screenshot({ path: path.join(SHOTS, "search-miners.png"), fullPage: true });
});
