import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import type { Page } from "@playwright/test";
import { expect, SHOTS, signInAsAdmin, test } from "./fixtures";

test("on the devnet, miners' submissions are evaluated and their scores show on the Miners page", async ({ page }) => {
  test.setTimeout(210_000);
  await signInAsAdmin(page);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Models", exact: true }).click();
  await expect(page.getByTestId("versions-table")).toContainText("step_0");
  await expect(page.getByTestId("groups-table").locator("tbody tr")).toHaveCount(4);

  // The simulated miners download in Distribute, train, and submit in the Submission phase.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Submissions", exact: true }).click();
  const table = page.getByTestId("submissions-table");
  await expect(table.getByText("scored").first()).toBeVisible({ timeout: 120_000 });
  await expect(table.getByText("rejected").first()).toBeVisible({ timeout: 30_000 }); // the broken miner
  await table.getByText("rejected").first().click();
  await expect(page.getByTestId("submission-detail")).toContainText("not a valid safetensors file");
  // The open submission is in the URL: a shared link opens the same detail.
  await expect(page).toHaveURL(/\/submissions\?id=[0-9a-f-]{36}$/);
  await page.goto(page.url());
  await expect(page.getByTestId("submission-detail")).toContainText("not a valid safetensors file");
  await page.screenshot({ path: path.join(SHOTS, "submissions-1280.png"), fullPage: true });
  // Rows are links: reachable and opened from the keyboard.
  const firstLink = page.getByTestId("submissions-table").getByRole("link").first();
  await firstLink.focus();
  const target = await firstLink.getAttribute("href");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`${target!.replace("?", "\\?")}$`));
  // On a phone the detail opens where the user can see it.
  await page.setViewportSize({ width: 390, height: 800 });
  await table.getByText("scored").first().click();
  await expect(page.getByTestId("submission-detail")).toBeInViewport();
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Miners", exact: true }).click();
  await expect(page.getByTestId("score-chart")).toBeVisible({ timeout: 30_000 });
  // The chart is named, and its numbers are a table away.
  const chart = page.getByRole("figure", { name: "Score per round and miner" });
  await chart.getByText("Show as a table").click();
  await expect(chart.locator("details table tbody tr").first()).toBeVisible();
  const weights = page.locator('[data-testid^="weight-"]');
  await expect
    .poll(async () => (await weights.allInnerTexts()).some((t) => parseFloat(t) > 0), { timeout: 30_000 })
    .toBe(true);
  // Each weights cycle's path: committed to a drand round on the devnet chain, then revealed by the chain.
  const cycles = page.getByTestId("weights-cycles");
  await expect
    .poll(
      async () => {
        await page.reload();
        return (await cycles.textContent({ timeout: 5000 }).catch(() => "")) ?? "";
      },
      { timeout: 60_000, intervals: [3000] },
    )
    .toMatch(/committed in block \d+ to drand round \d+ → revealed at block \d+/);
  await page.screenshot({ path: path.join(SHOTS, "miners-1280.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 900 });
  await page.screenshot({ path: path.join(SHOTS, "miners-390.png"), fullPage: true });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Models", exact: true }).click();
  // Merge publishes the round's best experts as a new version, with where each group came from.
  const versions = page.getByTestId("versions-table");
  await expect.poll(() => versions.locator("tbody tr").count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  const merged = versions.locator("tbody tr").first();
  await expect(merged).toContainText("served");
  await merged.getByText(/step_\d+, round \d+: \d+ groups?/).click();
  await expect(merged.getByRole("link").first()).toHaveAttribute("href", /\/submissions\?id=/);
  await expect(page.getByRole("figure", { name: "Best loss and baseline per round" })).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, "models-1280.png"), fullPage: true });
  // An admin rolls back to step_0: it is served from now on.
  const base = versions.locator("tbody tr").last();
  await expect(base).toContainText("step_0");
  page.once("dialog", (d) => void d.accept());
  await base.getByRole("button", { name: "Serve this version" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Serving step_0" })).toBeVisible();
  await expect(base).toContainText("served");
  expect((await page.request.get("/health")).status()).toBe(200);
});

test("an admin's model form refuses a bad directory with a clear message", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/models");
  await page.getByLabel("Model directory on the server (Hugging Face layout)").fill("/no/such/model");
  await page.getByLabel("Version name").fill("step_x");
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "does not exist" })).toBeVisible();
  await page.getByLabel("Version name").fill("bad name!");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "version name" })).toBeVisible();
});

test("an admin assigns a miner to a group from the lists; an unregistered hotkey needs a confirmation", async ({
  page,
}) => {
  await signInAsAdmin(page);
  await page.goto("/models");
  await page.getByRole("button", { name: "Assign" }).click();
  await expect(page.getByText("must be an SS58 address")).toBeVisible();
  await expect(page.getByText("pick a group")).toBeVisible();

  // A devnet miner, picked from the metagraph's hotkeys.
  const registered = await page.locator("#subnet-hotkeys option").first().getAttribute("value");
  await page.getByLabel("Hotkey").fill(registered!);
  await page.getByLabel("Group", { exact: true }).selectOption("2");
  await page.getByRole("button", { name: "Assign" }).click();
  await expect(page.getByRole("status").filter({ hasText: "to group 2" })).toBeVisible();
  await expect(page.getByLabel("Hotkey")).toHaveValue("");

  // A hotkey nobody registered: refused until the admin confirms.
  await cryptoWaitReady();
  const stranger = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//E2EStranger").address;
  await page.getByLabel("Hotkey").fill(stranger);
  await page.getByLabel("Group", { exact: true }).selectOption("1");
  let asked = "";
  page.once("dialog", (d) => ((asked = d.message()), void d.accept()));
  await page.getByRole("button", { name: "Assign" }).click();
  await expect(page.getByRole("status").filter({ hasText: "to group 1" })).toBeVisible();
  expect(asked).toMatch(/is not registered on subnet 1: confirm to assign it anyway/);
});

/** The miner token, as an admin reads it on Settings. */
async function minerToken(page: Page): Promise<string> {
  await page.goto("/settings");
  await page.getByRole("button", { name: "Show" }).click();
  return (await page.getByTestId("bz-token").textContent())!.trim();
}

test("refused miners show on Overview, Miners and the miner's own page, with the reason", async ({ page }) => {
  await signInAsAdmin(page);
  const token = await minerToken(page);
  await page.goto("/miners");
  const firstMiner = page.getByTestId("miners-table").getByRole("link").first();
  const hotkey = (await firstMiner.getAttribute("href"))!.replace("/miners/", "");
  // A registered miner asks for a group the served model does not have: refused (404), three times.
  for (let i = 0; i < 3; i++) {
    const r = await page.request.get("/model/partial", {
      headers: { authorization: `Bearer ${token}`, "x-hotkey": hotkey, "x-expert-group": "99" },
    });
    expect(r.status()).toBe(404);
  }

  await page.goto("/");
  const health = page.getByTestId("round-health");
  await expect(health.getByTestId("health-version")).toHaveText(/^step_\d+$/);
  // The devnet's validator puts weights on the devnet chain: blocks since the last, or "never" before the first.
  await expect(health.getByTestId("health-weights")).toHaveText(/^(\d+|never)$/);
  // The compute and search roles have their cards too, each figure a link to its page.
  await expect(page.getByTestId("health-machines")).toHaveText(/^\d+ \/ \d+$/);
  await expect(page.getByTestId("compute-health").getByRole("link", { name: /Rentals/ })).toHaveAttribute(
    "href",
    "/allocations",
  );
  await expect(page.getByTestId("health-search-passing")).toHaveText(/^\d+ \/ \d+$/);
  const refused = health.getByTestId("health-refused");
  await expect(refused).toContainText("×3 on /model/partial: Expert group 99 does not exist", { timeout: 15_000 });
  await expect(page.getByTestId("requests-table").locator("tr", { hasText: "/model/partial" })).toContainText("3");

  await page.goto("/miners");
  await expect(page.getByTestId("refused-miners")).toContainText("Expert group 99 does not exist");
  await expect(page.getByTestId("miners-table").locator("tr", { hasText: hotkey.slice(-4) })).toContainText(
    "refused ×3",
  );

  await page.goto("/");
  await refused.getByRole("link").first().click();
  await expect(page).toHaveURL(new RegExp(`/miners/${hotkey}$`));
  await expect(page.getByTestId("miner-refusals")).toContainText("404");
  await expect(page.getByTestId("miner-refusals")).toContainText("Expert group 99 does not exist");
  await expect(page.getByTestId("miner-last-seen")).not.toHaveText("–");
  // An unknown hotkey has no page.
  expect((await page.goto("/miners/5UnknownHotkeyThatIsNotOnTheSubnet"))!.status()).toBe(404);
});

test("Miners: columns sort both ways from the keyboard", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/miners");
  const table = page.getByTestId("miners-table");
  const uids = async () => (await table.locator("tbody tr td:first-child").allInnerTexts()).map(Number);
  const header = table.getByRole("columnheader", { name: /UID/ });
  await header.getByRole("button").focus();
  await page.keyboard.press("Enter");
  await expect(header).toHaveAttribute("aria-sort", "descending");
  expect(await uids()).toEqual([...(await uids())].sort((a, b) => b - a));
  await page.keyboard.press("Enter");
  await expect(header).toHaveAttribute("aria-sort", "ascending");
  expect(await uids()).toEqual([...(await uids())].sort((a, b) => a - b));
});

test("a panel whose data fails to load says so and retries", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/miners");
  await expect(page.getByTestId("miners-table")).toBeVisible();
  await page.route("**/api/trpc/validator.miners**", (route) => route.abort());
  const alert = page.getByRole("alert").filter({ hasText: "Could not load this panel" });
  await expect(alert).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("miners-table")).toBeVisible(); // the last data stays
  await page.unroute("**/api/trpc/validator.miners**");
  await alert.getByRole("button", { name: "Retry" }).click();
  await expect(alert).toHaveCount(0);
});

test("miners' axons are pinged over the bittensor wire: round-trip times, and the one that is down marked", async ({
  page,
}) => {
  await signInAsAdmin(page);
  await page.goto("/miners");
  const table = page.getByTestId("miners-table");
  await expect(table.getByText(/^\d+\.\d ms$/).first()).toBeVisible({ timeout: 20_000 });
  // The devnet's miner that is down on purpose never answered (a devnet search miner that goes offline after a
  // minute shares the subnet, but answered before).
  const down = table.locator("tr", { hasText: "unreachable" }).filter({ hasText: "never answered" });
  await expect(down).toHaveCount(1, { timeout: 20_000 });
  await down.getByRole("link").click();
  await expect(page.getByTestId("miner-axon")).toContainText("unreachable");
});

test("the GPU inventory lists the devnet's machines as reported over the wire, and filters them", async ({ page }) => {
  // Proof of GPU runs only when this test starts it (POG_INTERVAL_BLOCKS is out of reach in e2e/server.ts); its
  // round rents 8 machines, runs python3 on each and releases them: tens of seconds, more on a busy machine.
  test.setTimeout(300_000);
  await signInAsAdmin(page);
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "GPU inventory", exact: true })
    .click();
  await expect(page.getByTestId("inventory-gpus")).toHaveText("18", { timeout: 30_000 });
  const table = page.getByTestId("inventory-table");
  await expect(page.getByTestId("gpus-by-model").locator("tbody tr").first()).toContainText("nvidia h100 80gb hbm3");
  await page.getByLabel("GPU model").fill("4090");
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).toContainText("nvidia geforce rtx 4090");
  await page.getByLabel("GPU model").fill("b200");
  await expect(page.getByText("No machine matches these filters.")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.getByLabel("Minimum CPUs").fill("100");
  await expect(table.locator("tbody tr")).toHaveCount(2); // the H100 and A100 hosts
  await page.getByLabel("Minimum RAM GiB").fill("1500");
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).toContainText("nvidia h100 80gb hbm3");
  await page.getByLabel("Minimum CPUs").fill("");
  await page.getByLabel("Minimum RAM GiB").fill("");
  await expect(page.getByTestId("gpus-by-model")).toContainText("Reserved");
  await page.getByLabel("Status").selectOption("no specs");
  // The compute subnet holds compute machines only (the devnet gives each role a subnet of its own).
  await expect(page.getByText("No machine matches these filters.")).toBeVisible();
  await page.getByLabel("Status").selectOption("");

  // Proof of GPU, started by the admin: machines are rented, logged into over SSH and checked.
  await page.getByRole("button", { name: "Run Proof of GPU now" }).click();
  await expect(page.getByRole("status")).toContainText("starts within a few seconds");
  const row = (gpu: string) => table.locator("tbody tr", { hasText: gpu });
  await expect(row("nvidia geforce rtx 4090")).toContainText("verified", { timeout: 120_000 });
  await expect(row("nvidia geforce rtx 4090")).toContainText("verified (1.36)"); // 0.68 x 2 GPUs
  // The one that claims an H100 benchmarks like an RTX 4090; the L40S alters its proof.
  await expect(table.getByText("measures as NVIDIA RTX 4090", { exact: true })).toBeVisible({ timeout: 120_000 });
  await expect(row("nvidia l40s")).toContainText("failed", { timeout: 120_000 });
  await expect(row("nvidia l40s")).toContainText("Merkle path does not lead to the root");
  // The round releases what it rented before the next test allocates: wait for that state, however long the
  // round takes here.
  await expect(row("nvidia rtx 6000 ada generation")).toContainText("verified", { timeout: 120_000 });
  await expect(table.getByText("being verified", { exact: true })).toHaveCount(0, { timeout: 120_000 });
  // The machines that failed are not offered; a verified one is rented from its row.
  await expect(row("nvidia l40s")).toContainText("not offered");
  await row("nvidia geforce rtx 4090")
    .getByRole("link", { name: /^Rent / })
    .click();
  await expect(page).toHaveURL(/\/allocations\?hotkey=/);
  await expect(page.getByRole("radio", { name: "By miner" })).toBeChecked();
  await expect(page.locator('select[name="hotkey"]')).toHaveValue(new URL(page.url()).searchParams.get("hotkey")!);
});

test("an admin allocates a machine by spec, sees the credentials once, and deallocates it", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Allocations", exact: true }).click();
  await expect(page.getByTestId("allocations-live")).toHaveText("0");
  // The count of matching machines follows the form as the admin types.
  await page.getByLabel("GPU model contains").fill("4090");
  await expect(page.getByTestId("allocate-matches")).toHaveText("1 free machine matches", { timeout: 30_000 });
  await page.getByLabel("GPU memory over (GB)").fill("60");
  await expect(page.getByTestId("allocate-matches")).toHaveText("0 free machines match");
  // Nothing to rent: the button waits, and the form says why.
  await expect(page.getByRole("button", { name: "Allocate", exact: true })).toBeDisabled();
  await expect(page.getByTestId("allocate-why")).not.toBeEmpty();
  await page.getByLabel("CPUs at least").fill("0");
  await expect(page.getByTestId("allocate-matches")).toHaveText("CPUs at least must be 1 or more");
  await page.getByLabel("CPUs at least").fill("");
  await page.getByLabel("GPU memory over (GB)").fill("40");
  await expect(page.getByTestId("allocate-matches")).toHaveText("1 free machine matches");
  await page.getByLabel("Your SSH public key").fill("ssh-ed25519 not a key; rm -rf /");
  await expect(page.getByRole("button", { name: "Allocate", exact: true })).toBeDisabled();
  await page.getByLabel("Your SSH public key").fill("");
  await page.getByRole("button", { name: "Allocate", exact: true }).click();

  const credentials = page.getByTestId("allocation-credentials");
  await expect(credentials).toContainText("nvidia geforce rtx 4090", { timeout: 20_000 });
  await expect(credentials).toContainText(/ssh root@127\.0\.0\.1 -p \d+/);
  const password = (await credentials.locator("dd span").nth(1).textContent())!.trim();
  expect(password.length).toBeGreaterThanOrEqual(16);
  await expect(page.getByTestId("allocations-live")).toHaveText("1");
  const row = page.getByTestId("allocations-table").locator("tbody tr");
  await expect(row).toContainText("ONLINE");
  await expect(row).toContainText(/(89 d 23 h|90 d 0 h)/); // the time left of a 90-day rental
  // Shown once: gone when dismissed and after a reload, and nowhere else on the page.
  await page.getByRole("button", { name: "I saved them" }).click();
  await expect(credentials).toHaveCount(0);
  await page.reload();
  await expect(page.locator("body")).not.toContainText(password);

  // Pause, then deallocate after a confirmation: the miner's answers are shown.
  await row.getByRole("button", { name: /^Pause / }).click();
  await expect(row.getByRole("status")).toHaveText("Resource paused successfully.");
  await expect(row).toContainText("paused");
  page.once("dialog", (d) => void d.accept());
  await row.getByRole("button", { name: /^Deallocate / }).click();
  // The miner has 15 s to confirm; if it does not, the failure says what the page showed.
  await expect(async () => {
    const live = await page.getByTestId("allocations-live").textContent();
    if (live === "0") return;
    const table = await page
      .getByTestId("allocations-table")
      .innerText({ timeout: 1000 })
      .catch(() => "(the table is gone)");
    throw new Error(`still live: ${table}`);
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId("allocations-ended")).toContainText("deallocated by admin:admin");
});
