package dev.docsync.local;

import dev.docsync.contracts.OperationsTopic;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The production topology's settings, in one place: what every Kafka node of the cluster runs with and what
 * every ingest-api and apply-worker gets in its environment. {@code ./run-cluster} uses these values and
 * {@code ClusterTopologyComposeTest} checks that {@code docker-compose.yml} says the same.
 */
public final class ClusterTopology {

    public static final int KAFKA_NODES = 3;
    public static final int INGEST_INSTANCES = 2;
    public static final int WORKER_INSTANCES = 2;
    public static final String KAFKA_VERSION = "4.1.2";
    public static final String CLUSTER_NAME = "docsync-cluster";

    private ClusterTopology() {
    }

    /**
     * Settings every Kafka node shares. Replication 3 with two in sync and no unclean election: a write is
     * acknowledged only once two nodes have it, and a node that missed writes never becomes leader. The
     * heartbeat, session and quorum timeouts are tightened so a killed leader is replaced in seconds, not the
     * 10–13 s the defaults take (BUILD-NOTES).
     */
    public static Map<String, String> brokerSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("process.roles", "broker,controller");
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("inter.broker.listener.name", "PLAINTEXT");
        settings.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        settings.put("default.replication.factor", "3");
        settings.put("min.insync.replicas", "2");
        settings.put("unclean.leader.election.enable", "false");
        settings.put("offsets.topic.replication.factor", "3");
        settings.put("transaction.state.log.replication.factor", "3");
        settings.put("transaction.state.log.min.isr", "2");
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.put("auto.create.topics.enable", "false");
        settings.put("message.max.bytes", String.valueOf(OperationsTopic.MAX_EVENT_BYTES));
        settings.put("replica.fetch.max.bytes", String.valueOf(OperationsTopic.MAX_EVENT_BYTES));
        settings.put("log.retention.ms", "-1");
        settings.put("broker.heartbeat.interval.ms", "500");
        settings.put("broker.session.timeout.ms", "3000");
        settings.put("controller.quorum.fetch.timeout.ms", "1000");
        settings.put("controller.quorum.election.timeout.ms", "500");
        // A transaction left open by a dead ingest instance blocks read_committed readers of its partitions until
        // the coordinator aborts it: check every second, not every 10 s, so that is the 15 s transaction timeout.
        settings.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        return settings;
    }

    /**
     * The environment both apps share, apart from where Kafka and PostgreSQL are (the topology decides that)
     * and the log format (JSON in containers, plain text in {@code ./run-cluster}'s log files).
     */
    public static Map<String, String> appEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DOCSYNC_DB_USER", "docsync");
        env.put("DOCSYNC_TOPIC", OperationsTopic.DEFAULT_NAME);
        env.put("DOCSYNC_TOPIC_PARTITIONS", "12");
        env.put("DOCSYNC_TOPIC_REPLICATION_FACTOR", "3");
        return env;
    }

    /**
     * What apply-workers get on top: a worker that dies has its partitions handed to the others after the
     * session timeout (6 s, the broker's minimum), not Kafka's default 45 s, because workers are static
     * members.
     */
    public static Map<String, String> workerEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DOCSYNC_WORKER_CONCURRENCY", "3");
        env.put("SPRING_KAFKA_CONSUMER_PROPERTIES_SESSION_TIMEOUT_MS", "6000");
        return env;
    }
}
