package dev.docsync.projection.apply;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Consumer positions kept in PostgreSQL, next to the data they produced ("storing offsets outside Kafka").
 * The apply transaction locks the partition's row and checks it still holds the position this worker
 * started from, which fences a worker that lost the partition in a rebalance. The worker's lag reads them too.
 */
@Repository
public class PartitionOffsets {

    private static final String CLAIM = """
            insert into consumer_offsets (consumer_group, topic, partition, next_offset)
            values (:group, :topic, :partition, 0)
            on conflict do nothing""";

    private static final String READ = """
            select next_offset from consumer_offsets
             where consumer_group = :group and topic = :topic and partition = :partition""";

    private static final String LOCK = READ + " for update";

    private static final String STORED = """
            select partition, next_offset from consumer_offsets where consumer_group = :group and topic = :topic""";

    private static final String ADVANCE = """
            update consumer_offsets set next_offset = :next
             where consumer_group = :group and topic = :topic and partition = :partition""";

    private final JdbcClient jdbc;

    public PartitionOffsets(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The offset to resume the partition from; 0 for a partition never consumed. */
    public long resumeOffset(String group, String topic, int partition) {
        jdbc.sql(CLAIM).param("group", group).param("topic", topic).param("partition", partition).update();
        return jdbc.sql(READ).param("group", group).param("topic", topic).param("partition", partition)
                .query(Long.class).single();
    }

    /** Inside the apply transaction: lock the row and fail unless it still says {@code expected}. */
    public void lock(String group, String topic, int partition, long expected) {
        OptionalLong stored = jdbc.sql(LOCK).param("group", group).param("topic", topic)
                .param("partition", partition).query(PartitionOffsets::storedPosition);
        fence(topic, partition, stored, expected);
    }

    /** The position in a result of {@code next_offset} (the partition's row, or none): empty when none is stored. */
    static OptionalLong storedPosition(ResultSet rs) throws SQLException {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
    }

    /** Fails unless the partition's stored position (as locked) is {@code expected}: the fence of every apply. */
    public static void fence(String topic, int partition, OptionalLong stored, long expected) {
        if (stored.isEmpty()) {
            throw new FencedOutException("no stored position for " + topic + "-" + partition);
        }
        if (stored.getAsLong() != expected) {
            throw new FencedOutException("position of " + topic + "-" + partition + " is " + stored.getAsLong()
                    + ", this worker expected " + expected + ": the partition has moved to another worker");
        }
    }

    /** The stored position of each partition of {@code topic} the group ever consumed (for the lag). */
    public Map<Integer, Long> storedPositions(String group, String topic) {
        Map<Integer, Long> stored = new TreeMap<>();
        jdbc.sql(STORED).param("group", group).param("topic", topic)
                .query(rs -> {
                    stored.put(rs.getInt(1), rs.getLong(2));
                });
        return stored;
    }

    public void advance(String group, String topic, int partition, long next) {
        jdbc.sql(ADVANCE).param("group", group).param("topic", topic).param("partition", partition)
                .param("next", next).update();
    }
}
