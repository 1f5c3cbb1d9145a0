import { startReceiver, type Received } from "../tests/helpers/receiver";
import { test } from "./fixtures";

// The specs' webhook endpoints: the integration tests' loopback receiver (tests/helpers/receiver.ts),
// started before a spec's (or a describe block's) tests and closed after them. The e2e server
// reaches it only with ALLOW_INSECURE_URLS=true and ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8
// (playwright.config.ts sets both).

export type Hit = Received;

/** Decides each answer from the request and its 1-based number; without it, every request gets 200 "ok". */
export type Respond = NonNullable<Parameters<typeof startReceiver>[0]>;

export interface SpecReceiver {
  /** `http://127.0.0.1:<port>`, once the spec's beforeAll has run. */
  readonly url: string;
  /** Every request received so far, in order: path (with query), method, headers, body. */
  readonly hits: Hit[];
}

/** Call at the top of a spec file (or inside a describe block): registers the start and the close. */
export function useReceiver(respond?: Respond): SpecReceiver {
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  test.beforeAll(async () => {
    receiver = await startReceiver(respond);
  });
  test.afterAll(async () => {
    await receiver?.close();
  });
  const started = () => {
    if (!receiver) throw new Error("the receiver starts in beforeAll: use it inside a test");
    return receiver;
  };
  return {
    get url() {
      return started().url;
    },
    get hits() {
      return started().received;
    },
  };
}
