package dev.docsync.local;

import dev.docsync.worker.WorkerApplication;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code java -jar docsync-local.jar [run]} starts the whole stack on {@code DOCSYNC_DATA_DIR} (default
 * {@code ./data}) and prints the URL, a dev token and a curl example; {@code ... token --user U --workspace
 * W=ROLE ...} mints a token for the same secret.
 */
public final class LocalMode {

    static final String DEV_USER = "dev";
    static final String RUNTIME_FILE = "local-mode.properties";
    static final String DEV_WORKSPACE = "ws_demo";

    private LocalMode() {
    }

    public static void main(String[] args) throws IOException {
        Path dataDirectory = Path.of(env("DOCSYNC_DATA_DIR").orElse("./data")).toAbsolutePath().normalize();
        if (args.length > 0 && args[0].equals("token")) {
            System.out.println(mintFromArguments(args, secret(dataDirectory, false)));
            return;
        }
        if (args.length > 0 && args[0].equals("replay")) {
            System.exit(replay(dataDirectory, Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && !args[0].equals("run")) {
            System.err.println("usage: docsync-local.jar [run] | token --user <id> --workspace <ws>=<role> ..."
                    + " | replay [--swap]");
            System.exit(2);
        }
        try {
            run(dataDirectory);
        } catch (IOException | RuntimeException | LinkageError e) {
            // A half-started broker leaves non-daemon threads behind: without an exit the JVM would hang here.
            System.err.println("docsync failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(Path dataDirectory) throws IOException {
        long started = System.nanoTime();
        String secret = secret(dataDirectory, true);
        int port = Integer.parseInt(env("SERVER_PORT").orElse("8080"));
        Optional<Path> demo = demoDirectory();
        LocalStack stack = LocalStack.start(new LocalStack.Settings(dataDirectory, port, secret,
                demo.map(d -> Map.of(DemoSite.PROPERTY, d.toString())).orElse(Map.of())));
        Path runtime = dataDirectory.resolve(RUNTIME_FILE);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            try {
                Files.deleteIfExists(runtime);
            } catch (IOException e) {
                System.err.println("could not delete " + runtime + ": " + e);
            }
        }, "docsync-shutdown"));
        Properties endpoints = new Properties();
        endpoints.setProperty("spring.datasource.url", stack.jdbcUrl());
        endpoints.setProperty("spring.datasource.username", stack.databaseUser());
        endpoints.setProperty("spring.kafka.bootstrap-servers", stack.kafkaBootstrap());
        try (Writer writer = Files.newBufferedWriter(runtime)) {
            endpoints.store(writer, "endpoints of the running local mode, for ./run-local replay");
        }

        String url = "http://localhost:" + stack.httpPort();
        String token = new DevTokens(secret).mint(DEV_USER, Map.of(DEV_WORKSPACE, "admin"), Duration.ofDays(30));
        System.out.printf("""

                docsync ready at %s
                  started in %d ms; data in %s
                  dev token (user %s, admin of %s, valid 30 days):
                    export TOKEN=%s
                  try it:
                    curl -s -X POST %s/api/v1/documents/batch -H "Authorization: Bearer $TOKEN" \\
                      -H 'Content-Type: application/json' \\
                      -d '{"workspace_id":"%s","operations":[{"client_id":"op_1","operation":"create","data":{"title":"Hello","content":"# Hello"}}]}'
                  another token: ./run-local token --user alice --workspace ws_acme=editor
                  rebuild the projection from the log and compare: ./run-local replay
                  stop: Ctrl-C (or SIGTERM)

                """, url, (System.nanoTime() - started) / 1_000_000, dataDirectory, DEV_USER, DEV_WORKSPACE, token,
                url, DEV_WORKSPACE);
        System.out.println(demo.map(d -> "  demo web app: " + url + "/demo/ (from " + d + ")")
                .orElse("  demo web app: not built (cd clients && npm ci && npm run build), or set DOCSYNC_DEMO_DIR"));
    }

    /** The built demo: {@code DOCSYNC_DEMO_DIR}, else {@code clients/demo/dist} below the working directory. */
    private static Optional<Path> demoDirectory() {
        Path directory = env("DOCSYNC_DEMO_DIR").map(Path::of).orElse(Path.of("clients", "demo", "dist"));
        return Files.isRegularFile(directory.resolve("index.html"))
                ? Optional.of(directory.toAbsolutePath().normalize()) : Optional.empty();
    }

    /**
     * Replays the log of the running local mode (it keeps serving) into a fresh schema and compares; the
     * endpoints come from the file the running instance wrote into the data directory.
     */
    private static int replay(Path dataDirectory, String[] args) throws IOException {
        Path runtime = dataDirectory.resolve(RUNTIME_FILE);
        if (!Files.exists(runtime)) {
            System.err.println("local mode is not running on " + dataDirectory + " (no " + RUNTIME_FILE
                    + "): start it with ./run-local, then run ./run-local replay in another terminal");
            return 2;
        }
        Properties endpoints = new Properties();
        try (Reader reader = Files.newBufferedReader(runtime)) {
            endpoints.load(reader);
        }
        List<String> replayArgs = new ArrayList<>(Arrays.asList(args));
        endpoints.forEach((key, value) -> replayArgs.add("--" + key + "=" + value));
        replayArgs.add("--spring.datasource.password=");
        replayArgs.add("--logging.include-application-name=false");
        return WorkerApplication.replay(replayArgs.toArray(String[]::new));
    }

    static String mintFromArguments(String[] args, String secret) {
        String user = DEV_USER;
        Map<String, String> workspaces = new LinkedHashMap<>();
        Duration validFor = Duration.ofDays(30);
        for (int i = 1; i < args.length - 1; i += 2) {
            switch (args[i]) {
                case "--user" -> user = args[i + 1];
                case "--workspace" -> {
                    String[] pair = args[i + 1].split("=", 2);
                    workspaces.put(pair[0], pair.length == 2 ? pair[1] : "editor");
                }
                case "--valid-for" -> validFor = Duration.parse(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new DevTokens(secret).mint(user, workspaces, validFor);
    }

    /**
     * {@code DOCSYNC_JWT_SECRET} when set; otherwise a random secret generated once and kept in the data
     * directory, so tokens stay valid across restarts.
     */
    static String secret(Path dataDirectory, boolean createIfMissing) throws IOException {
        Optional<String> configured = env("DOCSYNC_JWT_SECRET");
        if (configured.isPresent()) {
            return configured.get();
        }
        Path file = dataDirectory.resolve("jwt-secret");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        if (!createIfMissing) {
            throw new IllegalStateException("no DOCSYNC_JWT_SECRET and no " + file + "; start local mode once first");
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createDirectories(dataDirectory);
        Files.writeString(file, secret, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        System.out.println("Generated a JWT secret (DOCSYNC_JWT_SECRET) and kept it in " + file + ": " + secret);
        return secret;
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }
}
