import fs from "node:fs";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { hexToU8a, u8aToHex } from "@polkadot/util";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

const SHOTS = path.join("test-results", "screenshots");
fs.mkdirSync(SHOTS, { recursive: true });

async function signInAsAdmin(page: Page) {
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("e2e-admin-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
}

test("a wrong password is refused with a message", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong" })).toHaveText("Wrong username or password.");
  await expect(page).toHaveURL(/\/signin/);
});

test("admin signs in and sees the chain and phase on the overview", async ({ page }) => {
  await signInAsAdmin(page);
  await expect(page.getByText("connected", { exact: true })).toBeVisible();
  // The phase the oracle answers now (blocks advance every second here: whatever it is when this test runs).
  await expect(async () => {
    const { phase_name } = (await (await page.request.get("/get_phase")).json()) as { phase_name: string };
    await expect(page.getByTestId("overview-phase")).toHaveText(phase_name, { timeout: 1500 });
  }).toPass({ timeout: 15_000 });
  await expect(page.getByTestId("user-role")).toHaveText("admin");
  await expect(page.getByText("Phase oracle")).toBeVisible();
});

test("the phase timeline advances with the chain, without a reload", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Phases", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Phases" })).toBeVisible();
  await expect(page.locator("[data-phase]")).toHaveCount(9);
  const block = page.getByTestId("current-block");
  const first = Number((await block.innerText()).replace(/,/g, ""));
  await expect
    .poll(async () => Number((await block.innerText()).replace(/,/g, "")), { timeout: 10_000 })
    .toBeGreaterThan(first + 1);
  // The current segment and the phase name agree: both read from one snapshot of the page (a short phase can
  // end between two separate reads).
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const name = document.querySelector('[data-testid="current-phase"]')?.textContent?.trim();
          const current = [...document.querySelectorAll('[data-phase][data-current="true"]')];
          return current.length === 1 && current[0].getAttribute("data-phase") === name;
        }),
      { timeout: 20_000 },
    )
    .toBe(true);
  await expect(page.getByTestId("cycle-chart")).toBeVisible({ timeout: 20_000 });
});

test("an admin edits the bootstrap peers, and /get_init_peer_id follows", async ({ page, request }) => {
  await signInAsAdmin(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings", exact: true }).click();
  const list = page.getByTestId("peer-list");
  await expect(list).toContainText("/ip4/203.0.113.1/tcp/4001/p2p/QmPeerID1");

  await page.getByLabel("Multiaddress").fill("not a multiaddr");
  await page.getByRole("button", { name: "Add peer" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "multiaddress" })).toContainText("must be a multiaddress");

  const peer = "/ip4/198.51.100.7/tcp/4001/p2p/12D3KooWE2E";
  await page.getByLabel("Multiaddress").fill(peer);
  await page.getByRole("button", { name: "Add peer" }).click();
  await expect(list).toContainText(peer);
  expect(await (await request.get("/get_init_peer_id")).json()).toEqual([
    "/ip4/203.0.113.1/tcp/4001/p2p/QmPeerID1",
    peer,
  ]);

  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: `Remove ${peer}` }).click();
  await expect(list).not.toContainText(peer);
  expect(await (await request.get("/get_init_peer_id")).json()).toEqual(["/ip4/203.0.113.1/tcp/4001/p2p/QmPeerID1"]);
});

test("a Polkadot wallet signs in with its hotkey", async ({ page }) => {
  await cryptoWaitReady();
  const pair = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//E2EAdmin");
  // The extension's signer runs in the test process; the page talks to it as to polkadot-js.
  await page.exposeFunction("__e2eSign", (hex: string) => u8aToHex(pair.sign(hexToU8a(hex))));
  await page.addInitScript((address) => {
    const w = window as unknown as { injectedWeb3: unknown; __e2eSign(hex: string): Promise<string> };
    w.injectedWeb3 = {
      "polkadot-js": {
        enable: async () => ({
          accounts: { get: async () => [{ address, name: "e2e" }] },
          signer: { signRaw: async ({ data }: { data: string }) => ({ signature: await w.__e2eSign(data) }) },
        }),
      },
    };
  }, pair.address);
  await page.goto("/signin");
  await page.getByRole("button", { name: "Connect wallet" }).click();
  await page.getByRole("button", { name: /e2e/ }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("user-role")).toHaveText("admin");
});

/** Every page of the menu (the miner's page is the first miner's), each its own test at both widths. */
const PAGES = [
  ["overview", "/"],
  ["phases", "/phases"],
  ["models", "/models"],
  ["submissions", "/submissions"],
  ["miners", "/miners"],
  ["miner", null],
  ["inventory", "/inventory"],
  ["allocations", "/allocations"],
  ["search", "/search-playground"],
  ["search miners", "/search-miners"],
  ["settings", "/settings"],
] as const;

for (const [name, path_] of PAGES) {
  test(`the ${name} page renders at desktop and phone widths without spilling sideways`, async ({ page }) => {
    // Sign-in and two full renders with screenshots: about 10 s on an idle machine, kept well clear of that.
    test.setTimeout(90_000);
    await signInAsAdmin(page);
    let url: string = path_ ?? "";
    if (!path_) {
      await page.goto("/miners");
      const link = page.getByTestId("miners-table").getByRole("link").first();
      await expect(link).toBeVisible({ timeout: 30_000 });
      url = (await link.getAttribute("href"))!;
    }
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(url);
      await expect(page.locator("main h1")).toBeVisible();
      // Nothing spills sideways on a phone.
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${name} at ${width}px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
  });
}

test("dark mode is kept across reloads; the sign-in page renders", async ({ page }) => {
  await signInAsAdmin(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/phases");
  await expect(page.getByRole("button", { name: "Toggle dark mode" })).toBeEnabled(); // hydrated
  await page.getByRole("button", { name: "Toggle dark mode" }).click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.screenshot({ path: path.join(SHOTS, "phases-dark.png"), fullPage: true });
  await page.goto("/signin");
  await page.screenshot({ path: path.join(SHOTS, "signin.png") });
});

test("an admin sees the miner token masked, shows, rotates it, and the old token stops working", async ({
  page,
  request,
}) => {
  await signInAsAdmin(page);
  await page.goto("/settings");
  const token = page.getByTestId("bz-token");
  await expect(token).toHaveText(/^•{12}.{4}$/);
  await page.getByRole("button", { name: "Show" }).click();
  const old = (await token.textContent())!;
  expect(old.length).toBeGreaterThan(16);
  expect(
    (await request.get("/get-checkpoint?expert_group_id=0", { headers: { authorization: `Bearer ${old}` } })).status(),
  ).toBe(200);
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Rotate", exact: true }).click();
  await expect(page.getByText(/Rotated: the old token no longer works/)).toBeVisible();
  await expect(token).not.toHaveText(old);
  const fresh = (await token.textContent())!;
  expect(
    (await request.get("/get-checkpoint?expert_group_id=0", { headers: { authorization: `Bearer ${old}` } })).status(),
  ).toBe(401);
  expect(
    (
      await request.get("/get-checkpoint?expert_group_id=0", { headers: { authorization: `Bearer ${fresh}` } })
    ).status(),
  ).toBe(200);
});

test("an admin turns the compute API on from Settings: the key is shown once and works, revoked it is off again", async ({
  page,
  request,
}) => {
  await signInAsAdmin(page);
  await page.goto("/");
  await expect(page.getByTestId("rest-off-compute")).toContainText("create one on Settings");
  const gpus = (key: string) =>
    request.post("/list/count_all_gpus", { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status());
  expect(await gpus("nothing-yet")).toBe(403);
  await page.goto("/settings");
  await expect(page.getByTestId("api-key-compute")).toContainText("no key");
  await page.getByTestId("api-keys").getByRole("button", { name: "Create key" }).first().click();
  const created = page.getByTestId("api-key-created");
  await expect(created).toContainText("it is not shown again");
  const key = (await created.locator("p.font-mono").textContent())!;
  expect(key).toMatch(/^sc_compute_/);
  await expect(created.locator("pre")).toContainText(`Bearer ${key}`);
  expect(await gpus(key)).toBe(200);
  await expect(page.getByTestId("api-key-compute")).toContainText(`key …${key.slice(-4)}`);
  await page.screenshot({ path: path.join(SHOTS, "settings-api-keys-1280.png"), fullPage: true });
  page.once("dialog", (d) => void d.accept());
  await page.getByTestId("api-keys").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText(/Compute marketplace API is off/)).toBeVisible();
  expect(await gpus(key)).toBe(403);
});

test("Overview stops saying 'connected' when the console's API does not answer", async ({ page }) => {
  await signInAsAdmin(page);
  await expect(page.getByText("connected", { exact: true })).toBeVisible();
  await page.route("**/api/trpc/**", (route) => route.abort());
  await expect(page.getByText("console unreachable")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText("connected", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("alert").filter({ hasText: "not answering" })).toBeVisible();
});

test("sign-in returns to the page asked for; a skip link and the current tab are reachable on a phone", async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto("/settings?tab=x");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fsettings%3Ftab%3Dx/);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("e2e-admin-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  await expect(page).toHaveURL(/\/settings\?tab=x$/);
  // The current tab is scrolled into the visible part of the menu.
  const tab = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" });
  const box = (await tab.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  // Keyboard users skip the menu: from the top of the page, the first Tab reaches the skip link. The page is
  // loaded afresh and hydrated, and the keyboard starts from the document's start (where a browser starts on a
  // new page; on a busy machine the headless browser kept its starting point elsewhere).
  await page.goto("/settings?tab=x");
  await expect(page.getByRole("button", { name: "Toggle dark mode" })).toBeEnabled();
  await page.evaluate(() => {
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute("tabindex");
  });
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
});
