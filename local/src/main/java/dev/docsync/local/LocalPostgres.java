package dev.docsync.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (zonky's embedded binaries) on a data directory that survives restarts. pg_ctl
 * detaches the server from the JVM, so a JVM killed with SIGKILL leaves it running; the next start finds
 * that orphan through {@code postmaster.pid} and stops it before starting its own.
 */
public final class LocalPostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);
    static final String DATABASE = "docsync";

    private final Path dataDirectory;
    private final int port;
    private EmbeddedPostgres postgres;

    private LocalPostgres(Path dataDirectory, int port) {
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    public static LocalPostgres start(Path dataDirectory) throws IOException {
        Files.createDirectories(dataDirectory);
        stopOrphan(dataDirectory);
        LocalPostgres local = new LocalPostgres(dataDirectory, FreePorts.pick());
        local.resume();
        local.createDatabase();
        return local;
    }

    /** Starts the server (again) on the same port and data directory, after {@link #halt()}. */
    public synchronized void resume() throws IOException {
        if (postgres != null) {
            throw new IllegalStateException("PostgreSQL is running");
        }
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "128MB")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
    }

    /** Stops the server (fast shutdown), keeping its data; fault tests take the database away with this. */
    public synchronized void halt() throws IOException {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    /**
     * Stops the server the way {@code pg_ctl stop -m immediate} does (SIGQUIT to the postmaster): no
     * checkpoint, sessions cut off, crash recovery at the next start. {@link #resume()} brings it back.
     */
    public synchronized void haltImmediately() throws IOException {
        if (postgres == null) {
            return;
        }
        List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
        ProcessHandle server = ProcessHandle.of(Long.parseLong(lines.getFirst().trim()))
                .orElseThrow(() -> new IOException("PostgreSQL is not running"));
        try {
            new ProcessBuilder("kill", "-QUIT", String.valueOf(server.pid())).inheritIO().start().waitFor();
            server.onExit().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("PostgreSQL (pid " + server.pid() + ") did not stop", e);
        }
        // Closing zonky's handle releases its lock on the data directory (its stop of a server that is gone only
        // logs); without this the next resume() in this JVM cannot take the directory.
        postgres.close();
        postgres = null;
    }

    /** A login role owning the database, for apps that connect with their own user and password. */
    public void createRole(String role, String password) throws IOException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select 1 from pg_roles where rolname = '" + role + "'")) {
                if (!rs.next()) {
                    s.execute("create role " + role + " login password '" + password.replace("'", "''") + "'");
                }
            }
            s.execute("alter database " + DATABASE + " owner to " + role);
        } catch (SQLException e) {
            throw new IOException("cannot create role " + role, e);
        }
    }

    public String jdbcUrl() {
        // zonky's format, kept while the server is halted: clients reconnect to the same address.
        return "jdbc:postgresql://localhost:%d/%s?user=%s".formatted(port, DATABASE, user());
    }

    public String user() {
        return "postgres";
    }

    public int port() {
        return port;
    }

    private void createDatabase() throws IOException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("create database " + DATABASE);
        } catch (SQLException e) {
            throw new IOException("cannot create database " + DATABASE, e);
        }
    }

    /** A server left running by a killed JVM on this data directory: stop it (fast shutdown), then wait. */
    static void stopOrphan(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        Optional<ProcessHandle> orphan = lines.isEmpty() ? Optional.empty()
                : ProcessHandle.of(Long.parseLong(lines.getFirst().trim()))
                        .filter(ProcessHandle::isAlive)
                        .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        if (orphan.isEmpty()) {
            log.info("Removing stale {} (no server running)", pidFile);
            Files.deleteIfExists(pidFile);
            return;
        }
        ProcessHandle server = orphan.get();
        log.warn("Found PostgreSQL (pid {}) left running on {} by an earlier run; stopping it", server.pid(),
                dataDirectory);
        try {
            // SIGINT is PostgreSQL's "fast" shutdown: abort sessions, checkpoint, exit.
            new ProcessBuilder("kill", "-INT", String.valueOf(server.pid())).inheritIO().start().waitFor();
            server.onExit().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping orphaned PostgreSQL", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("orphaned PostgreSQL (pid " + server.pid() + ") did not stop", e);
        }
    }

    @Override
    public void close() throws IOException {
        halt();
    }
}
