package dev.docsync.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The system under test: the local-mode jar started as its own process (so the load generator never shares
 * its JVM), on a fresh data directory that it deletes when closed. Also runs the jar's {@code token} and {@code replay} commands.
 */
final class StackProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("docsync ready at (http://\\S+)");
    private static final Pattern WORKER_MANAGEMENT = Pattern.compile("apply-worker management .* at (http://\\S+/actuator)");
    private static final Pattern REPLAY = Pattern.compile("applied ([\\d,]+) events .* in ([\\d,]+) ms: ([\\d,]+) events/s");

    static final String STACK_HEAP = "-Xmx384m";
    /** The glibc malloc arenas ./run-local gives the stack ({@code MALLOC_ARENA_MAX}). */
    static final String RUN_LOCAL_MALLOC_ARENAS = "2";

    private final String java;
    private final Path jar;
    private final Path data;
    private final List<String> jvmOptions;
    private final String secret = "bench-secret-" + Long.toHexString(System.nanoTime()) + "-0123456789abcdef";
    private Process process;
    private String url;
    private volatile String workerManagement;

    StackProcess(String java, Path jar, Path data) {
        this(java, jar, data, List.of());
    }

    /** A stack whose JVM also gets {@code jvmOptions} (after the heap bound), e.g. another collector to compare. */
    StackProcess(String java, Path jar, Path data, List<String> jvmOptions) {
        this.java = java;
        this.jar = jar;
        this.data = data;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** Starts the stack and returns the milliseconds until it printed its ready line. */
    long start() throws IOException {
        long started = System.nanoTime();
        ProcessBuilder builder = command().redirectErrorStream(true);
        // e.g. DOCSYNC_BENCH_STACK_OPTS=-XX:StartFlightRecording=filename=stack.jfr profiles the stack (only)
        String extra = System.getenv("DOCSYNC_BENCH_STACK_OPTS");
        if (extra != null && !extra.isBlank()) {
            builder.command().addAll(1, List.of(extra.trim().split("\\s+")));
        }
        builder.environment().put("SERVER_PORT", String.valueOf(freePort()));
        process = builder.start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("stack-output").start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                ArrayDeque<String> last = new ArrayDeque<>();
                while ((line = reader.readLine()) != null) {
                    if (!ready.isDone()) {
                        last.addLast(line);
                        if (last.size() > 30) {
                            last.removeFirst();
                        }
                    }
                    Matcher worker = WORKER_MANAGEMENT.matcher(line);
                    if (worker.find()) {
                        workerManagement = worker.group(1);
                    }
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        ready.complete(m.group(1));
                    }
                }
                ready.completeExceptionally(new IOException("the stack exited before it was ready; it said:\n"
                        + String.join("\n", last)));
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        });
        url = ready.orTimeout(180, TimeUnit.SECONDS).join();
        return (System.nanoTime() - started) / 1_000_000;
    }

    String url() {
        return url;
    }

    long pid() {
        return process.pid();
    }

    /** Runs {@code jcmd <stack pid> args...} of the JDK that runs the stack; fails unless it exits 0. */
    String jcmd(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(java).resolveSibling("jcmd").toString(),
                String.valueOf(process.pid())));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (child.waitFor() != 0) {
            throw new IOException("jcmd " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** Mints tokens for the stack's secret. */
    Tokens tokens() {
        return new Tokens(secret);
    }

    /** The apply-worker's actuator base URL, as the stack logged it. */
    String workerManagement() {
        if (workerManagement == null) {
            throw new IllegalStateException("the stack did not log its apply-worker management port");
        }
        return workerManagement;
    }

    Path postgresData() {
        return data.resolve("postgres");
    }

    /** Replays the running stack's log; returns events and events/s. */
    long[] replay() throws IOException, InterruptedException {
        String out = run(List.of("replay"));
        Matcher m = REPLAY.matcher(out);
        if (!m.find() || !out.contains("result: EQUAL")) {
            throw new IOException("replay did not report EQUAL:\n" + out);
        }
        return new long[] {number(m.group(1)), number(m.group(2)), number(m.group(3))};
    }

    /** The JDBC settings the running stack wrote for its own tools. */
    Properties endpoints() throws IOException {
        Properties endpoints = new Properties();
        try (var reader = Files.newBufferedReader(data.resolve("local-mode.properties"))) {
            endpoints.load(reader);
        }
        return endpoints;
    }

    private static long number(String text) {
        return Long.parseLong(text.replace(",", ""));
    }

    private String run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(command().command());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(command().environment());
        Process child = builder.start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        child.waitFor(300, TimeUnit.SECONDS);
        return out;
    }

    private ProcessBuilder command() {
        // The same heap bound and malloc arenas ./run-local uses, so the stack is measured as users run it.
        List<String> command = new ArrayList<>(List.of(java, STACK_HEAP));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DOCSYNC_DATA_DIR", data.toString());
        builder.environment().put("MALLOC_ARENA_MAX", RUN_LOCAL_MALLOC_ARENAS);
        builder.environment().put("DOCSYNC_JWT_SECRET", secret);
        // The lag gauge is the bench's measure of apply lag at the end of each open-loop step.
        builder.environment().put("DOCSYNC_WORKER_LAG_INTERVAL", "500ms");
        return builder;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the stack with SIGTERM (it stops its PostgreSQL too). */
    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        stopOrphanedPostgres();
        deleteData();
    }

    /** A stack killed forcibly leaves its PostgreSQL running (pg_ctl detaches it): stop it before its files go. */
    private void stopOrphanedPostgres() throws InterruptedException {
        Path pid = postgresData().resolve("postmaster.pid");
        if (!Files.exists(pid)) {
            return;
        }
        try {
            // A stale file's pid may belong to another process by now: only a postgres is stopped.
            Optional<ProcessHandle> postmaster = ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).getFirst().trim()))
                    .filter(p -> p.info().command().filter(command -> command.endsWith("/postgres")).isPresent());
            if (postmaster.isPresent()) {
                new ProcessBuilder("kill", "-INT", String.valueOf(postmaster.get().pid())).start().waitFor();
                postmaster.get().onExit().get(60, TimeUnit.SECONDS);
            }
        } catch (IOException | RuntimeException | ExecutionException | TimeoutException e) {
            System.err.println("[bench] could not stop the stack's PostgreSQL: " + e);
        }
    }

    /** The data directory is this stack's alone: a full run leaves 5–8 GB in it (the log and the projection). */
    private void deleteData() {
        try (Stream<Path> paths = Files.walk(data)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("[bench] could not delete " + data + ": " + e);
        }
    }
}
