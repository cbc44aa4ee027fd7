import path from "node:path";
import { test as base, expect, type Page } from "@playwright/test";

/** Where the browser tests leave their screenshots. */
export const SHOTS = path.join("test-results", "screenshots");

/**
 * Every test fails if a page throws or React reports a hydration mismatch: a mismatch makes React re-render
 * the whole document on the client, which drops the theme and flashes the page.
 */
const HYDRATION = /hydrat|Minified React error #(418|419|421|422|423|425)/i;

export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error" && HYDRATION.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
      });
      await use(errors);
      expect(errors, "page errors and hydration mismatches").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Signs in with the e2e server's admin password and waits for Overview. */
export async function signInAsAdmin(page: Page) {
  await page.goto("/signin");
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("e2e-admin-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
}
