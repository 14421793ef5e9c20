// Starts the local stack once (typescript/test/support/stack.ts), runs the given command with
// DOCSYNC_TEST_BASE_URL / DOCSYNC_TEST_JWT_SECRET pointing at it, stops the stack, exits with the command's code.
import { spawn } from "node:child_process";
import { createServer } from "vite";

// stack.ts is TypeScript: load it through Vite's SSR loader, as vitest would.
const vite = await createServer({ server: { middlewareMode: true }, appType: "custom", logLevel: "error" });
const { startStack } = await vite.ssrLoadModule("/typescript/test/support/stack.ts");
const started = Date.now();
const stack = await startStack();
console.log(`local stack ready at ${stack.baseUrl} in ${Date.now() - started} ms`);
const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, {
  stdio: "inherit",
  env: { ...process.env, DOCSYNC_TEST_BASE_URL: stack.baseUrl, DOCSYNC_TEST_JWT_SECRET: stack.jwtSecret },
});
const code = await new Promise((done) => child.on("exit", (c, signal) => done(c ?? (signal ? 1 : 0))));
await stack.stop();
await vite.close();
process.exit(code);
