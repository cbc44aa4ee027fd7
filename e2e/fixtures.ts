import { test as base, expect } from "@playwright/test";

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
