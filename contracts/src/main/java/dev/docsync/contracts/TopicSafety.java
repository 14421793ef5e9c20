package dev.docsync.contracts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks an operations topic's configuration: the log is the source of truth, so a topic that deletes or
 * compacts history would silently lose documents' pasts and make replay impossible.
 */
public final class TopicSafety {

    private TopicSafety() {
    }

    /** What is unsafe about {@code config} (topic configuration as Kafka describes it); empty when safe. */
    public static List<String> problems(Map<String, String> config) {
        List<String> problems = new ArrayList<>();
        String retentionMs = config.get("retention.ms");
        if (retentionMs == null || !retentionMs.trim().equals("-1")) {
            problems.add("retention.ms is " + retentionMs + " (must be -1: events must never expire)");
        }
        String retentionBytes = config.get("retention.bytes");
        if (retentionBytes != null && !retentionBytes.trim().equals("-1")) {
            problems.add("retention.bytes is " + retentionBytes + " (must be -1: no size-based deletion)");
        }
        String cleanup = config.getOrDefault("cleanup.policy", "delete");
        Set<String> policies = Set.of(cleanup.replace(" ", "").split(","));
        if (policies.contains("compact")) {
            problems.add("cleanup.policy is " + cleanup
                    + " (must not compact: compaction keeps only the last event per workspace)");
        }
        return problems;
    }
}
