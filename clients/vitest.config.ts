import { defineConfig } from "vitest/config";

// One runner for the three kinds of client tests; `.ci/run` → clients/run-tests runs them in this order.
export default defineConfig({
  test: {
    reporters: ["default"],
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["typescript/test/unit/**/*.test.ts", "react/test/**/*.test.tsx"],
          setupFiles: ["fake-indexeddb/auto"],
          // Generous: CI shares two cores with Maven; fake-indexeddb copying 12 MiB takes seconds there.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          environment: "node",
          include: ["typescript/test/integration/**/*.test.ts"],
          setupFiles: ["fake-indexeddb/auto"],
          globalSetup: ["typescript/test/support/stack-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "browser",
          environment: "node",
          include: ["demo/test/**/*.test.ts"],
          globalSetup: ["typescript/test/support/stack-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
