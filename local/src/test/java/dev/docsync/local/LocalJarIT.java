package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The executable jar as a user runs it (DESIGN §7): environment variables, the ready line, data kept across
 * restarts, a clean stop on SIGTERM (PostgreSQL stopped too) and recovery after {@code kill -9}. Its three starts of
 * the jar mostly wait, so it runs beside {@link RunLocalHeapJarIT} (each with its own data directory and ports).
 */
@Execution(ExecutionMode.CONCURRENT)
class LocalJarIT {

    static final String SECRET = "local-jar-test-secret-with-enough-bytes!";
    /** The heap {@code ./run-local} gives the stack (and the bench measures it with). */
    static final int RUN_LOCAL_HEAP_MIB = 384;
    static final String RUN_LOCAL_HEAP = "-Xmx" + RUN_LOCAL_HEAP_MIB + "m";
    /**
     * This test's starts are about data kept across stops and crashes, not speed: the client compiler alone takes
     * ~20 s of CPU for a start instead of ~28 s, which the suites running beside it need.
     */
    private static final String QUICK_START = "-XX:TieredStopAtLevel=1";
    /** {@code -Ddocsync.local.jar=...} runs the tests against another build of the jar (e.g. an older one). */
    private static final Path JAR = Path.of(System.getProperty("docsync.local.jar", "target/docsync-local.jar"));

    record Running(Process process, String url, AtomicReference<StringBuilder> output) {

        /** What the jar printed so far (its reader thread appends to it). */
        String outputSoFar() {
            synchronized (output.get()) {
                return output.get().toString();
            }
        }
    }

    @Test
    void theJarServesKeepsItsDataStopsCleanlyAndRecoversFromKillNine() throws Exception {
        Path data = Files.createTempDirectory("docsync-jar-");
        Path pidFile = data.resolve("postgres").resolve("postmaster.pid");
        String ws = "ws_jar";
        String token = new DevTokens(SECRET).mint("jar-user", Map.of(ws, "editor"), Duration.ofHours(1));

        Running first = start(data, QUICK_START);
        Api api = new Api(first.url());
        Api.Response created = api.postBatch(token, Batches.batch(ws, List.of(Batches.create("a", "kept", "Kept"))));
        assertThat(created.status()).isEqualTo(200);

        first.process().destroy(); // SIGTERM
        assertThat(first.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(pidFile).doesNotExist();

        Running second = start(data, QUICK_START);
        assertThat(new Api(second.url()).document(token, ws, "kept").json().get("title").asString()).isEqualTo("Kept");
        long postgresPid = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());

        second.process().destroyForcibly(); // SIGKILL: PostgreSQL survives as an orphan
        assertThat(second.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(postgresPid).map(ProcessHandle::isAlive)).contains(true);

        Running third = start(data, QUICK_START);
        Api afterCrash = new Api(third.url());
        assertThat(afterCrash.document(token, ws, "kept").status()).isEqualTo(200);
        assertThat(afterCrash.postBatch(token, Batches.batch(ws, List.of(Batches.update("u", "kept", 1L, "Again"))))
                .json().get("results").get(0).get("version").asLong()).isEqualTo(2);
        assertThat(ProcessHandle.of(postgresPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

        third.process().destroy();
        assertThat(third.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(pidFile).doesNotExist();
        TestStack.deleteQuietly(data);
    }

    static Running start(Path data, String... jvmArguments) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        int port = FreePorts.pick();
        List<String> command = new java.util.ArrayList<>(List.of(java));
        command.addAll(List.of(jvmArguments));
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        builder.environment().put("DOCSYNC_DATA_DIR", data.toString());
        builder.environment().put("DOCSYNC_JWT_SECRET", SECRET);
        Process process = builder.start();
        AtomicReference<StringBuilder> output = new AtomicReference<>(new StringBuilder());
        AtomicReference<String> url = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (output.get()) {
                        output.get().append(line).append('\n');
                    }
                    if (line.startsWith("docsync ready at ")) {
                        url.set(line.substring("docsync ready at ".length()).trim());
                    }
                }
            } catch (IOException e) {
                output.get().append("output closed: ").append(e).append('\n');
            }
        });
        try {
            // As WorkerProcess: a loaded 2-core machine has taken over 120 s to start the jar.
            await().atMost(Duration.ofSeconds(180))
                    .failFast("docsync-local exited:\n" + output.get(), () -> !process.isAlive())
                    .until(() -> Optional.ofNullable(url.get()).isPresent());
            assertThat(url.get()).isEqualTo("http://localhost:" + port);
        } catch (RuntimeException | AssertionError notStarted) {
            process.destroyForcibly(); // never leave a half-started jar running after the test
            throw notStarted;
        }
        return new Running(process, url.get(), output);
    }
}
