// Regenerates src/generated/api.ts from a running server's OpenAPI description:
//   node scripts/generate-api.mjs [baseUrl]   (default http://localhost:8080)
// The drift test (test/integration/openapi-drift.test.ts) renders the same text and compares.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { renderApiTypes } from "./render-api.mjs";

const baseUrl = process.argv[2] ?? "http://localhost:8080";
const target = fileURLToPath(new URL("../src/generated/api.ts", import.meta.url));
await writeFile(target, await renderApiTypes(baseUrl));
console.log(`wrote ${target} from ${baseUrl}/v3/api-docs`);
