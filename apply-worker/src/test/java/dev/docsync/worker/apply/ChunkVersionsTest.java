package dev.docsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.BatchResult;
import dev.docsync.contracts.OperationType;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.Body;
import dev.docsync.projection.apply.DocumentChange;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.LogPosition;
import dev.docsync.worker.apply.decide.DocumentVersions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Versions and bodies an earlier batch of the chunk wrote are not in PostgreSQL yet (a chunk is written at its
 * end): a merge of a later batch must read them from the chunk's changes, and only the others from the projection.
 */
class ChunkVersionsTest {

    private static final Instant T = Instant.parse("2026-12-02T00:00:00Z");

    /** A projection that holds nothing and records what it was asked (a pure unit test: no database). */
    private static final class Recording implements DocumentVersions {
        final List<String> asked = new ArrayList<>();

        @Override
        public Optional<DocumentHead> at(DocumentKey key, long version) {
            asked.add("head " + key.documentId() + "@" + version);
            return Optional.empty();
        }

        @Override
        public Map<String, Long> sizes(String workspaceId, Collection<String> digests) {
            digests.forEach(d -> asked.add("size " + d));
            return Map.of();
        }

        @Override
        public Map<String, String> bodies(String workspaceId, Collection<String> digests) {
            digests.forEach(d -> asked.add("body " + d));
            return Map.of();
        }
    }

    @Test
    void versionsAndBodiesWrittenEarlierInTheChunkAreReadFromItsChanges() {
        Recording projection = new Recording();
        ChunkVersions versions = new ChunkVersions(projection);
        Body content = Body.of("héllo\n");
        DocumentHead v2 = new DocumentHead("d", "ws", 2, "T", content.digest(), null, false, T, T, "a");
        versions.remember(new AppliedBatch(BatchResult.completed(UUID.randomUUID(), "ws", false, List.of()), "a", T,
                new LogPosition(0, 1), List.of(new DocumentChange(v2, List.of(content), OperationType.UPDATE, "a",
                        UUID.randomUUID(), "c", T, new LogPosition(0, 1), 0))));

        assertThat(versions.at(new DocumentKey("ws", "d"), 2)).hasValue(v2);
        assertThat(versions.sizes("ws", List.of(content.digest()))).containsExactly(Map.entry(content.digest(), 7L));
        assertThat(versions.bodies("ws", List.of(content.digest())))
                .containsExactly(Map.entry(content.digest(), "héllo\n"));
        assertThat(projection.asked).isEmpty();

        versions.at(new DocumentKey("ws", "d"), 1);
        versions.bodies("ws", List.of("stored"));
        versions.bodies("other-ws", List.of(content.digest()));
        assertThat(projection.asked).containsExactly("head d@1", "body stored", "body " + content.digest());
    }
}
