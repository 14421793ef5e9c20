package dev.docsync.projection.apply;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The partition count of the topic the projection was built from, recorded the first time it is seen. */
@Repository
public class LogTopology {

    private static final String RECORD = """
            insert into log_topology (topic, partitions) values (:topic, :partitions)
            on conflict (topic) do nothing""";

    private static final String READ = "select partitions from log_topology where topic = :topic";

    private static final String CHANGE = "update log_topology set partitions = :partitions where topic = :topic";

    private final JdbcClient jdbc;

    public LogTopology(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records {@code partitions} for a topic seen for the first time; returns what is recorded. */
    public int recordOrRead(String topic, int partitions) {
        jdbc.sql(RECORD).param("topic", topic).param("partitions", partitions).update();
        return read(topic).orElseThrow();
    }

    public Optional<Integer> read(String topic) {
        return jdbc.sql(READ).param("topic", topic).query(Integer.class).optional();
    }

    public void change(String topic, int partitions) {
        jdbc.sql(CHANGE).param("topic", topic).param("partitions", partitions).update();
    }
}
