package dev.docsync.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JVM of the cluster, named on its command line ({@code -Ddocsync.node=kafka-1}) so an operator or a test
 * can find it with {@code ps}; its output is appended to {@code <name>.log}. It can be started again after it
 * stopped or was killed, with the same command.
 */
public final class NodeProcess {

    private static final Logger log = LoggerFactory.getLogger(NodeProcess.class);

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path logFile;
    private Process process;

    /**
     * @param jvmArguments heap and the like; {@code -Ddocsync.node=NAME} is added first
     * @param mainArguments {@code -jar x.jar} or {@code -cp ... Main args}
     */
    NodeProcess(String name, List<String> jvmArguments, List<String> mainArguments, Map<String, String> environment,
            Path logDirectory) {
        this.name = name;
        List<String> full = new ArrayList<>();
        // Its own session: a Ctrl-C in the launcher's terminal reaches only the launcher, which stops the nodes
        // in order (all Kafka nodes at once may hang in controlled shutdown).
        full.add("setsid");
        full.add(ProcessHandle.current().info().command().orElse("java"));
        full.add("-Ddocsync.node=" + name);
        full.addAll(jvmArguments);
        full.addAll(mainArguments);
        this.command = List.copyOf(full);
        this.environment = Map.copyOf(environment);
        this.logFile = logDirectory.resolve(name + ".log");
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized void start() {
        if (alive()) {
            throw new IllegalStateException(name + " is running");
        }
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(logFile, "---- docsync: starting " + name + " ----" + System.lineSeparator(),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            log.info("started {} (pid {}), log {}", name, process.pid(), logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return process.pid();
    }

    /** SIGKILL: the JVM stops wherever it is, no shutdown hook runs. Returns once it is gone. */
    public void kill() {
        Process running;
        synchronized (this) {
            running = process;
        }
        if (running == null) {
            return;
        }
        running.destroyForcibly();
        waitFor(running, Duration.ofSeconds(30));
    }

    /**
     * SIGTERM, then SIGKILL if the process has not exited within {@code grace} (a Kafka node that cannot reach
     * a controller hangs in controlled shutdown for minutes).
     */
    public void stop(Duration grace) {
        Process running;
        synchronized (this) {
            running = process;
        }
        if (running == null || !running.isAlive()) {
            return;
        }
        running.destroy();
        if (!waitFor(running, grace)) {
            log.warn("{} did not stop within {}; killing it", name, grace);
            running.destroyForcibly();
            waitFor(running, Duration.ofSeconds(30));
        }
    }

    private boolean waitFor(Process running, Duration atMost) {
        try {
            return running.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.destroyForcibly();
            return false;
        }
    }

    /** The process has exited: an error naming its log, for start-up waits to fail fast. */
    void checkAlive() {
        if (!alive()) {
            throw new IllegalStateException(name + " exited; see " + logFile.toAbsolutePath());
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
