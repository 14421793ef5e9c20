import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The real local stack (`local/target/docsync-local.jar`) as a child process, for integration and browser tests. */
export interface RunningStack {
  baseUrl: string;
  jwtSecret: string;
  stop: () => Promise<void>;
}

export const CORS_TEST_ORIGIN = "http://cors-allowed.example";
const clientsDir = fileURLToPath(new URL("../../../", import.meta.url));
const repoDir = resolve(clientsDir, "..");

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

function javaBinary(): string {
  if (process.env.JAVA) return process.env.JAVA;
  for (const candidate of ["/usr/lib/jvm/temurin-25-jdk-amd64/bin/java", "/usr/lib/jvm/temurin-21-jdk-amd64/bin/java"]) {
    if (existsSync(candidate)) return candidate;
  }
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

export async function startStack(): Promise<RunningStack> {
  const jar = process.env.DOCSYNC_LOCAL_JAR ?? join(repoDir, "local", "target", "docsync-local.jar");
  if (!existsSync(jar)) throw new Error(`${jar} is missing: build it with ./mvnw -B -ntp -DskipTests package -pl local -am`);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "docsync-client-tests-"));
  const jwtSecret = "client-tests-secret-0123456789abcdef-0123456789";
  const demoDir = join(clientsDir, "demo", "dist");
  const child = spawn(javaBinary(), ["-Xmx384m", "-jar", jar], {
    env: {
      ...process.env,
      SERVER_PORT: String(port),
      DOCSYNC_DATA_DIR: dataDir,
      DOCSYNC_JWT_SECRET: jwtSecret,
      DOCSYNC_DEMO_DIR: demoDir,
      DOCSYNC_CORS_ORIGINS: CORS_TEST_ORIGIN,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ready = new Promise<void>((done, fail) => {
    const deadline = setTimeout(() => fail(new Error(`local stack not ready after 180 s:\n${output.slice(-4000)}`)), 180_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("docsync ready at")) {
        clearTimeout(deadline);
        done();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(deadline);
      fail(new Error(`local stack exited (${code}):\n${output.slice(-4000)}`));
    });
  });
  const stop = async () => {
    child.kill("SIGTERM");
    if (!(await exited(child, 45_000))) {
      child.kill("SIGKILL");
      await exited(child, 10_000);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  // Keep reading so a full pipe never blocks the JVM.
  child.stdout!.resume();
  child.stderr!.resume();
  return { baseUrl: `http://127.0.0.1:${port}`, jwtSecret, stop };
}
