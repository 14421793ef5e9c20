package dev.docsync.local;

import static org.awaitility.Awaitility.await;

import dev.docsync.worker.WorkerApplication;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An apply-worker in a JVM of its own (the test JVM's classpath, {@link WorkerApplication#main}), so a fault
 * test can kill it the way an operator's machine would: {@link #kill()} is SIGKILL, no shutdown hooks run.
 * Its output goes to a file under {@code target/fault-logs}, which is also how it is known to be up.
 */
final class WorkerProcess implements AutoCloseable {

    private static final Path LOGS = Path.of("target", "fault-logs");

    private final String name;
    private final Path logFile;
    private final Process process;

    private WorkerProcess(String name, Path logFile, Process process) {
        this.name = name;
        this.logFile = logFile;
        this.process = process;
    }

    /**
     * Starts a worker on the stack's Kafka and PostgreSQL and waits until its consumers have partitions.
     *
     * @param instanceId static group membership id (a restarted worker with the same id takes its place at
     *        once), or null for a dynamic member whose departure rebalances the group
     */
    static WorkerProcess start(LocalStack stack, String name, String instanceId, Map<String, String> extra) {
        Map<String, String> properties = new LinkedHashMap<>(stack.connectionProperties());
        properties.put("docsync.worker.instance-id", instanceId == null ? "" : instanceId);
        // Ports, in case the worker serves management endpoints: never collide with a sibling.
        properties.put("server.port", "0");
        properties.put("management.server.port", "0");
        // The local module's logback.xml is not on the worker's classpath (below): the same quiet Kafka clients.
        properties.put("logging.level.org.apache.kafka", "WARN");
        properties.putAll(extra);
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                // The class data a worker loaded is archived when it exits cleanly (SIGTERM), and later starts map
                // it instead of loading and verifying every class again.
                "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + LOGS.resolve("worker.jsa").toAbsolutePath(),
                "-cp", workerClassPath(),
                WorkerApplication.class.getName()));
        properties.forEach((key, value) -> command.add("--" + key + "=" + value));
        try {
            Files.createDirectories(LOGS);
            Path logFile = LOGS.resolve(name + "-" + System.currentTimeMillis() + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(logFile.toFile()).start();
            WorkerProcess worker = new WorkerProcess(name, logFile, process);
            try {
                worker.awaitAssignment();
            } catch (RuntimeException notConsuming) {
                process.destroyForcibly(); // or it outlives the suite, retrying a database that is gone
                throw notConsuming;
            }
            return worker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The test JVM's classpath without this module's own class directories, which the worker does not use: the JVM
     * refuses to archive class data while a non-empty directory is on the classpath ("Cannot have non-empty
     * directory in paths"), which is what every worker start of a CI run met before. In a reactor build the other
     * modules are jars; where they are directories too (an IDE, {@code -am test}) the archive is skipped as before.
     */
    private static String workerClassPath() {
        Set<Path> own = Set.of(Path.of("target", "classes").toAbsolutePath(),
                Path.of("target", "test-classes").toAbsolutePath());
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !own.contains(Path.of(entry).toAbsolutePath()))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private void awaitAssignment() {
        await("worker " + name + " consuming (log " + logFile + ")").atMost(Duration.ofSeconds(180)) // a JVM start took 88 s on a loaded 2-core machine
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("worker " + name + " exited with " + process.exitValue()
                                + "; see " + logFile.toAbsolutePath());
                    }
                    return Files.readString(logFile).contains("Assigned ");
                });
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: the JVM stops wherever it is, mid-transaction or not. */
    void kill() {
        process.destroyForcibly();
        await("worker " + name + " gone").atMost(Duration.ofSeconds(30)).until(() -> !process.isAlive());
    }

    /** SIGTERM: Spring closes the context, the consumers leave the group. */
    void stop() {
        process.destroy();
        await("worker " + name + " stopped").atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive());
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
