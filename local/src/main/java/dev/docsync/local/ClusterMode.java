package dev.docsync.local;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./run-cluster}: the production topology as processes on this machine (see {@link Cluster}), on
 * {@code DOCSYNC_CLUSTER_DIR} (default {@code ./data-cluster}); prints the ingest URLs and a dev token, and
 * stops everything on Ctrl-C / SIGTERM. {@code ... token --user U --workspace W=ROLE} mints a token for the
 * same secret. Run from the repository root (the apps' jars are found in their modules' {@code target} folders).
 */
public final class ClusterMode {

    private ClusterMode() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(env("DOCSYNC_CLUSTER_DIR").orElse("./data-cluster")).toAbsolutePath().normalize();
        if (args.length > 0 && args[0].equals("token")) {
            System.out.println(LocalMode.mintFromArguments(args, LocalMode.secret(directory, false)));
            return;
        }
        if (args.length > 0) {
            System.err.println("usage: run-cluster | run-cluster token --user <id> --workspace <ws>=<role> ...");
            System.exit(2);
        }
        long started = System.nanoTime();
        String secret = LocalMode.secret(directory, true);
        List<Integer> ports = Arrays.stream(env("DOCSYNC_INGEST_PORTS").orElse("8080,8081").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        Cluster.Settings settings = new Cluster.Settings(directory,
                jar("DOCSYNC_INGEST_JAR", Path.of("ingest-api", "target"), "ingest-api-"),
                jar("DOCSYNC_WORKER_JAR", Path.of("apply-worker", "target"), "apply-worker-"),
                secret, ports, ClusterTopology.WORKER_INSTANCES, Map.of());
        CountDownLatch stopped = new CountDownLatch(1);
        Cluster[] running = new Cluster[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Cluster cluster;
            synchronized (running) {
                cluster = running[0];
            }
            if (cluster != null) {
                System.out.println("docsync cluster stopping...");
                cluster.close();
                System.out.println("docsync cluster stopped");
            }
            stopped.countDown();
        }, "docsync-cluster-shutdown"));
        Cluster cluster;
        try {
            cluster = Cluster.start(settings);
        } catch (IOException | RuntimeException e) {
            System.err.println("docsync cluster failed to start: " + e);
            System.exit(1);
            return;
        }
        synchronized (running) {
            running[0] = cluster;
        }
        String token = new DevTokens(secret).mint(LocalMode.DEV_USER, Map.of(LocalMode.DEV_WORKSPACE, "admin"),
                Duration.ofDays(30));
        List<String> urls = cluster.ingestUrls();
        System.out.printf("""

                docsync cluster ready: ingest %s
                  started in %d ms; data and logs in %s
                  Kafka (3 nodes, RF 3, min.insync.replicas 2): %s
                  PostgreSQL: %s
                  dev token (user %s, admin of %s, valid 30 days):
                    export TOKEN=%s
                  try it:
                    curl -s -X POST %s/api/v1/documents/batch -H "Authorization: Bearer $TOKEN" \\
                      -H 'Content-Type: application/json' \\
                      -d '{"workspace_id":"%s","operations":[{"client_id":"op_1","operation":"create","data":{"title":"Hello","content":"# Hello"}}]}'
                  processes: ps -o pid,args -C java | grep docsync.node=
                  stop: Ctrl-C (or SIGTERM)

                """, String.join(" ", urls), (System.nanoTime() - started) / 1_000_000, directory,
                cluster.bootstrapServers(), "jdbc:postgresql://localhost:" + cluster.postgres().port() + "/docsync",
                LocalMode.DEV_USER, LocalMode.DEV_WORKSPACE, token, urls.getFirst(), LocalMode.DEV_WORKSPACE);
        stopped.await();
    }

    /** {@code variable} when set, else the one executable jar matching {@code <prefix>*-exec.jar} in the folder. */
    private static Path jar(String variable, Path folder, String prefix) throws IOException {
        Optional<String> configured = env(variable);
        if (configured.isPresent()) {
            return Path.of(configured.get()).toAbsolutePath();
        }
        if (Files.isDirectory(folder)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(folder, prefix + "*-exec.jar")) {
                for (Path jar : jars) {
                    return jar.toAbsolutePath();
                }
            }
        }
        throw new IOException("no " + folder.resolve(prefix + "*-exec.jar") + " (build with ./mvnw -DskipTests package,"
                + " run from the repository root, or set " + variable + ")");
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }
}
