package dev.docsync.local;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.OperationEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reads the whole operations log and the projection and judges a run the way Jepsen judges Kafka: what the
 * clients were told (acknowledged batches, in order per workspace) against what the log holds and what was
 * applied. Independent of the worker's code: it only reads topics and tables.
 * <ul>
 * <li><b>lost</b>: acknowledged, but not in the log, without a result, or with fewer history rows than the
 * result says applied;
 * <li><b>duplicated</b>: a batch with more history rows than its result applied, or two batches of one
 * actor's Idempotency-Key that both applied;
 * <li><b>reordered</b>: a workspace's batches applied in another order than they were acknowledged, or a
 * document whose versions do not follow log order one by one;
 * <li><b>mismatched</b>: a document row that is not its last history row, or a history row whose batch and
 * document the log does not contain.
 * </ul>
 */
final class HistoryChecker {

    record Figures(int acknowledged, int applied, int lost, int duplicated, int reordered, int mismatched,
            int failedOperations, List<String> examples) {

        boolean clean() {
            return acknowledged == applied && lost == 0 && duplicated == 0 && reordered == 0 && mismatched == 0
                    && failedOperations == 0;
        }

        @Override
        public String toString() {
            return "acknowledged=%d applied=%d lost=%d duplicated=%d reordered=%d mismatched=%d failed-ops=%d%s"
                    .formatted(acknowledged, applied, lost, duplicated, reordered, mismatched, failedOperations,
                            examples.isEmpty() ? "" : " e.g. " + examples);
        }
    }

    private record LogEvent(OperationEvent event, int partition, long offset) {
    }

    private record Result(UUID batchId, UUID duplicateOf, int total, int successful, int partition, long offset) {
    }

    private record Version(String workspace, String document, long version, UUID batchId, String title,
            boolean deleted, int partition, long offset, int applyIndex) {
    }

    /** Apply order: log position at which the batch completed, then place in the batch's apply order. */
    private static final Comparator<Version> LOG_ORDER = Comparator.comparingInt(Version::partition)
            .thenComparingLong(Version::offset).thenComparingInt(Version::applyIndex);

    private final LogInspector log;
    private final JdbcTemplate jdbc;
    private final List<String> examples = new ArrayList<>();

    HistoryChecker(LogInspector log, JdbcTemplate jdbc) {
        this.log = log;
        this.jdbc = jdbc;
    }

    Figures check(Map<String, List<WriteLoad.Ack>> acknowledged) {
        Set<String> workspaces = acknowledged.keySet();
        Map<UUID, List<LogEvent>> events = readLog(workspaces);
        Map<UUID, Result> results = new HashMap<>();
        List<Version> versions = new ArrayList<>();
        Map<List<String>, Version> documents = new HashMap<>();
        for (String workspace : workspaces) {
            readProjection(workspace, results, versions, documents);
        }
        Map<UUID, Integer> rowsPerBatch = versions.stream()
                .collect(Collectors.toMap(Version::batchId, v -> 1, Integer::sum));

        int acked = 0;
        int applied = 0;
        int lost = 0;
        int failed = 0;
        int reordered = 0;
        for (List<WriteLoad.Ack> acks : acknowledged.values()) {
            Result previous = null;
            for (WriteLoad.Ack ack : acks) {
                acked++;
                Result own = results.get(ack.batchId());
                Result effective = own == null ? null
                        : own.duplicateOf() == null ? own : results.get(own.duplicateOf());
                if (!events.containsKey(ack.batchId()) || effective == null
                        || rowsPerBatch.getOrDefault(effective.batchId(), 0) < effective.successful()) {
                    lost++;
                    example("lost " + ack + " result " + own);
                    continue;
                }
                applied++;
                failed += effective.total() - effective.successful();
                if (previous != null && compare(previous, effective) >= 0) {
                    reordered++;
                    example("reordered " + ack + " applied at " + effective + " after " + previous);
                }
                previous = effective;
            }
        }
        int duplicated = 0;
        for (Map.Entry<UUID, Integer> rows : rowsPerBatch.entrySet()) {
            Result result = results.get(rows.getKey());
            if (result == null || rows.getValue() > result.successful()) {
                duplicated++;
                example("batch " + rows.getKey() + " has " + rows.getValue() + " history rows, result " + result);
            }
        }
        duplicated += keysAppliedTwice(events, rowsPerBatch);
        reordered += versionChainBreaks(versions);
        int mismatched = mismatches(events, versions, documents);
        return new Figures(acked, applied, lost, duplicated, reordered, mismatched, failed, List.copyOf(examples));
    }

    private static int compare(Result a, Result b) {
        int byPartition = Integer.compare(a.partition(), b.partition());
        return byPartition != 0 ? byPartition : Long.compare(a.offset(), b.offset());
    }

    /** Two batches of one actor and Idempotency-Key that both wrote history: a retry applied twice. */
    private int keysAppliedTwice(Map<UUID, List<LogEvent>> log, Map<UUID, Integer> rowsPerBatch) {
        Map<List<String>, Set<UUID>> appliedByKey = new HashMap<>();
        for (List<LogEvent> events : log.values()) {
            OperationEvent head = events.getFirst().event();
            if (head.idempotency() != null && rowsPerBatch.containsKey(head.batchId())) {
                appliedByKey.computeIfAbsent(List.of(head.actor(), head.idempotency().key()), k -> new HashSet<>())
                        .add(head.batchId());
            }
        }
        int twice = 0;
        for (Map.Entry<List<String>, Set<UUID>> entry : appliedByKey.entrySet()) {
            if (entry.getValue().size() > 1) {
                twice += entry.getValue().size() - 1;
                example("Idempotency-Key " + entry.getKey() + " applied by " + entry.getValue());
            }
        }
        return twice;
    }

    /** Each document's versions must be 1, 2, 3, … and follow the log position strictly. */
    private int versionChainBreaks(List<Version> versions) {
        Map<List<String>, List<Version>> byDocument = versions.stream()
                .collect(Collectors.groupingBy(v -> List.of(v.workspace(), v.document())));
        int breaks = 0;
        for (List<Version> chain : byDocument.values()) {
            chain.sort(Comparator.comparingLong(Version::version));
            for (int i = 0; i < chain.size(); i++) {
                Version v = chain.get(i);
                boolean gap = v.version() != i + 1;
                boolean backwards = i > 0 && LOG_ORDER.compare(chain.get(i - 1), v) >= 0;
                if (gap || backwards) {
                    breaks++;
                    example("version chain of " + v.document() + " breaks at " + v);
                }
            }
        }
        return breaks;
    }

    private int mismatches(Map<UUID, List<LogEvent>> log, List<Version> versions, Map<List<String>, Version> documents) {
        int mismatched = 0;
        Map<List<String>, Version> last = new HashMap<>();
        for (Version v : versions) {
            last.merge(List.of(v.workspace(), v.document()), v, (a, b) -> a.version() >= b.version() ? a : b);
            boolean inLog = log.getOrDefault(v.batchId(), List.of()).stream()
                    .anyMatch(e -> e.event().documentId().equals(v.document()));
            if (!inLog) {
                mismatched++;
                example("history row without its event in the log: " + v);
            }
        }
        Set<List<String>> keys = new HashSet<>(last.keySet());
        keys.addAll(documents.keySet());
        for (List<String> key : keys) {
            Version history = last.get(key);
            Version current = documents.get(key);
            if (history == null || current == null || history.version() != current.version()
                    || !Objects.equals(history.title(), current.title()) || history.deleted() != current.deleted()) {
                mismatched++;
                example("document " + key + " is " + current + " but its last history row is " + history);
            }
        }
        return mismatched;
    }

    private void readProjection(String workspace, Map<UUID, Result> results, List<Version> versions,
            Map<List<String>, Version> documents) {
        jdbc.query("""
                select batch_id, duplicate_of, total, successful, log_partition, log_offset
                from batch_results where workspace_id = ?""", rs -> {
            results.put(rs.getObject(1, UUID.class), new Result(rs.getObject(1, UUID.class),
                    rs.getObject(2, UUID.class), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getLong(6)));
        }, workspace);
        jdbc.query("""
                select document_id, version, batch_id, title, deleted, log_partition, log_offset, apply_index
                from document_versions where workspace_id = ?""", rs -> {
            versions.add(new Version(workspace, rs.getString(1), rs.getLong(2), rs.getObject(3, UUID.class),
                    rs.getString(4), rs.getBoolean(5), rs.getInt(6), rs.getLong(7), rs.getInt(8)));
        }, workspace);
        jdbc.query("select document_id, version, title, deleted from documents where workspace_id = ?", rs -> {
            documents.put(List.of(workspace, rs.getString(1)), new Version(workspace, rs.getString(1),
                    rs.getLong(2), null, rs.getString(3), rs.getBoolean(4), 0, 0, 0));
        }, workspace);
    }

    /** Every committed event of these workspaces, from offset 0 to the end, grouped by batch. */
    private Map<UUID, List<LogEvent>> readLog(Collection<String> workspaces) {
        Map<UUID, List<LogEvent>> batches = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : log.committedRecords(workspaces::contains)) {
            try {
                OperationEvent event = DocsyncJson.mapper().readValue(record.value(), OperationEvent.class);
                batches.computeIfAbsent(event.batchId(), id -> new ArrayList<>())
                        .add(new LogEvent(event, record.partition(), record.offset()));
            } catch (RuntimeException e) {
                example("unreadable record " + record.partition() + "@" + record.offset());
            }
        }
        return batches;
    }

    private void example(String what) {
        if (examples.size() < 5) {
            examples.add(what);
        }
    }
}
