import { test as base, expect, type Cookie, type Page } from "@playwright/test";
import { ACCOUNTS, ORGANIZATIONS, PASSWORD, type Account, type AccountKey } from "./accounts";

export { ACCOUNTS, ORGANIZATIONS, PASSWORD, expect };
export type { Account, AccountKey };

/** Signs in through the form, as a person would. Leaves the page wherever the form sends it. */
export async function login(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * The session cookies signInAs got for each account, in this worker process. A session is a JWT
 * good for 12 hours, so one sign-in per account and worker serves every later test: each sign-in
 * costs the server a bcrypt comparison at cost 12 (about 0.3 s of CPU, more on a busy machine).
 */
const sessions = new Map<AccountKey, Cookie[]>();

/**
 * Signs in without the form (next-auth's credentials endpoint, sharing the page's cookies): for
 * specs about something else, so each does not pay for a form round trip. The form itself is
 * auth.spec.ts's subject. The account's session from an earlier test of this worker is reused.
 */
export async function signInAs(page: Page, who: AccountKey): Promise<Account> {
  const account = ACCOUNTS[who];
  const known = sessions.get(who);
  if (known) {
    await page.context().addCookies(known);
    return account;
  }
  const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await page.request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email: account.email, password: PASSWORD, callbackUrl: "/rules", json: "true" },
  });
  const body = (await res.json().catch(() => ({}))) as { url?: string };
  if (!res.ok() || !body.url || body.url.includes("error=")) throw new Error(`sign-in as ${account.email} failed: ${res.status()} ${body.url ?? ""}`);
  // The session token (split into .0, .1… when large); it replaces any other account's in a context.
  const session = (await page.context().cookies()).filter((c) => c.name.startsWith("next-auth.session-token"));
  if (!session.length) throw new Error(`sign-in as ${account.email} set no session cookie`);
  sessions.set(who, session);
  return account;
}

interface Fixtures {
  /** Set with `test.use({ account: "acmeViewer" })`: every test of the file starts signed in as that account. */
  account: AccountKey | null;
  /** The signed-in account of this test (null when `account` is not set). */
  user: Account | null;
}

export const test = base.extend<Fixtures>({
  account: [null, { option: true }],
  user: async ({ account }, use) => {
    await use(account ? ACCOUNTS[account] : null);
  },
  page: async ({ page, account }, use) => {
    if (account) await signInAs(page, account);
    await use(page);
  },
});
