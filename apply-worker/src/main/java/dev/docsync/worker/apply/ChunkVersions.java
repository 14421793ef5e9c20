package dev.docsync.worker.apply;

import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.Body;
import dev.docsync.projection.apply.DocumentChange;
import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.worker.apply.decide.DocumentVersions;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The versions and bodies a three-way merge reads, within one apply transaction: those written by earlier batches
 * of the chunk (not yet in PostgreSQL, since a chunk is written at its end) from their {@link DocumentChange}s,
 * which carry the bodies they brought; all others from the projection. So a merge reads the same states however
 * the log is cut into chunks, live or in replay.
 */
final class ChunkVersions implements DocumentVersions {

    private record VersionKey(DocumentKey document, long version) {
    }

    private final DocumentVersions stored;
    private final Map<VersionKey, DocumentHead> written = new HashMap<>();
    private final Map<List<String>, String> bodies = new HashMap<>();

    ChunkVersions(DocumentVersions stored) {
        this.stored = stored;
    }

    @Override
    public Optional<DocumentHead> at(DocumentKey key, long version) {
        DocumentHead known = written.get(new VersionKey(key, version));
        return known != null ? Optional.of(known) : stored.at(key, version);
    }

    @Override
    public Map<String, Long> sizes(String workspaceId, Collection<String> digests) {
        return fromChunkElseStored(workspaceId, digests, DocumentVersions::utf8Bytes, stored::sizes);
    }

    @Override
    public Map<String, String> bodies(String workspaceId, Collection<String> digests) {
        return fromChunkElseStored(workspaceId, digests, Function.identity(), stored::bodies);
    }

    /** Per digest: from a body this chunk wrote when there is one; the others in one read of the projection. */
    private <T> Map<String, T> fromChunkElseStored(String workspaceId, Collection<String> digests,
            Function<String, T> ofText, BiFunction<String, Collection<String>, Map<String, T>> storedRead) {
        Map<String, T> found = new HashMap<>();
        Set<String> missing = new HashSet<>();
        for (String digest : digests) {
            String known = bodies.get(List.of(workspaceId, digest));
            if (known != null) {
                found.put(digest, ofText.apply(known));
            } else {
                missing.add(digest);
            }
        }
        found.putAll(storedRead.apply(workspaceId, missing));
        return found;
    }

    /** Remembers the versions {@code batch} wrote and their bodies, for the merges of later batches; returns it. */
    AppliedBatch remember(AppliedBatch batch) {
        for (DocumentChange change : batch.changes()) {
            DocumentHead state = change.state();
            written.put(new VersionKey(new DocumentKey(state.workspaceId(), state.documentId()), state.version()),
                    state);
            for (Body body : change.bodies()) {
                bodies.put(List.of(state.workspaceId(), body.digest()), body.text());
            }
        }
        return batch;
    }
}
