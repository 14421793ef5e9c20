package dev.docsync.local;

import dev.docsync.contracts.OperationsTopic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one), running inside this JVM with
 * its log under the data directory, so the operations log survives restarts. The storage is formatted once.
 */
public final class LocalKafka implements AutoCloseable {

    private final Properties config;
    private final String bootstrap;
    private KafkaRaftServer server;

    private LocalKafka(Properties config, String bootstrap) {
        this.config = config;
        this.bootstrap = bootstrap;
    }

    public static LocalKafka start(Path directory) throws IOException {
        Path logs = directory.resolve("logs");
        Files.createDirectories(logs);
        int port = FreePorts.pick();
        int controllerPort = FreePorts.pick();
        Properties config = new Properties();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        config.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("log.dirs", logs.toAbsolutePath().toString());
        config.put("num.partitions", "1");
        config.put("auto.create.topics.enable", "false");
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "4");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "4");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("message.max.bytes", String.valueOf(OperationsTopic.MAX_EVENT_BYTES));
        config.put("replica.fetch.max.bytes", String.valueOf(OperationsTopic.MAX_EVENT_BYTES));
        config.put("log.retention.ms", "-1");
        // The log cleaner's dedupe map is allocated on the heap when the broker starts: 128 MiB by default, a
        // quarter of the stack's heap, held for good. The only compacted topics here are Kafka's own (offsets,
        // transaction state), whose keys number in the hundreds; 16 MiB holds ~700,000 of them.
        config.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        if (!Files.exists(logs.resolve("meta.properties"))) {
            format(directory, config);
        }
        LocalKafka kafka = new LocalKafka(config, "localhost:" + port);
        kafka.resume();
        return kafka;
    }

    /**
     * Starts the broker (again) on the same ports and log directory, after {@link #halt()}: clients configured
     * with {@link #bootstrapServers()} reconnect on their own. Fault tests use this to take the log away.
     */
    public synchronized void resume() {
        if (server != null) {
            throw new IllegalStateException("the broker is running");
        }
        KafkaRaftServer started = new KafkaRaftServer(new KafkaConfig(config), Time.SYSTEM);
        started.startup();
        server = started;
    }

    /** Stops the broker in an orderly way, keeping its data; {@link #resume()} brings it back. */
    public synchronized void halt() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    public synchronized boolean running() {
        return server != null;
    }

    /** Formats the storage; only the first start does this, later ones find {@code meta.properties}. */
    private static void format(Path directory, Properties config) throws IOException {
        Path file = directory.resolve("server.properties");
        try (Writer writer = Files.newBufferedWriter(file)) {
            config.store(writer, "written by docsync local mode to format the storage");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = StorageTool.execute(new String[] {"format", "-t",
                Uuid.randomUuid().toString(), "-c", file.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));
        if (status != 0) {
            throw new IOException("formatting Kafka storage failed: " + out.toString(StandardCharsets.UTF_8));
        }
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    @Override
    public void close() {
        halt();
    }
}
