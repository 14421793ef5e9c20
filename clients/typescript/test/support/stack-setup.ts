import type { TestProject } from "vitest/node";
import { startStack } from "./stack.js";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    jwtSecret: string;
  }
}

let stop: (() => Promise<void>) | undefined;

/**
 * One local stack for a test run: the one clients/run-tests started (DOCSYNC_TEST_BASE_URL + DOCSYNC_TEST_JWT_SECRET),
 * or a fresh one from local/target/docsync-local.jar.
 */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.DOCSYNC_TEST_BASE_URL && process.env.DOCSYNC_TEST_JWT_SECRET) {
    project.provide("baseUrl", process.env.DOCSYNC_TEST_BASE_URL);
    project.provide("jwtSecret", process.env.DOCSYNC_TEST_JWT_SECRET);
    return;
  }
  const stack = await startStack();
  stop = stack.stop;
  project.provide("baseUrl", stack.baseUrl);
  project.provide("jwtSecret", stack.jwtSecret);
}

export async function teardown(): Promise<void> {
  await stop?.();
}
