import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built to dist/, which local mode serves at /demo/ on the API's origin (DOCSYNC_DEMO_DIR).
export default defineConfig({
  base: "/demo/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
});
