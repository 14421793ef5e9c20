package dev.docsync.worker.consume;

import dev.docsync.contracts.DocumentView;
import dev.docsync.projection.apply.AppliedBatch;
import dev.docsync.projection.apply.DocumentChange;
import dev.docsync.projection.apply.DocumentKey;
import dev.docsync.projection.apply.ProjectionWriter;
import dev.docsync.worker.apply.DocumentVersions;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The versions a three-way merge reads, within one apply transaction: those written by earlier batches of the
 * chunk (not yet in PostgreSQL, since a chunk is written at its end) from memory, all others from the projection.
 * So a merge reads the same states however the log is cut into chunks, live or in replay. Counts the bytes of
 * content and Yjs state it loaded, which the transaction holds in memory for the merges.
 */
final class ChunkVersions implements DocumentVersions {

    private record VersionKey(DocumentKey document, long version) {
    }

    private final ProjectionWriter writer;
    private final Map<VersionKey, DocumentView> written = new HashMap<>();
    private long loadedBytes;

    ChunkVersions(ProjectionWriter writer) {
        this.writer = writer;
    }

    @Override
    public Optional<DocumentView> at(DocumentKey key, long version) {
        DocumentView known = written.get(new VersionKey(key, version));
        if (known != null) {
            return Optional.of(known);
        }
        Optional<DocumentView> loaded = writer.loadVersion(key, version);
        loaded.ifPresent(v -> loadedBytes += chars(v.content()) + chars(v.yjsStateB64()));
        return loaded;
    }

    /** Remembers the versions {@code batch} wrote, for the merges of later batches of the chunk; returns it. */
    AppliedBatch remember(AppliedBatch batch) {
        for (DocumentChange change : batch.changes()) {
            DocumentView state = change.state();
            written.put(new VersionKey(new DocumentKey(state.workspaceId(), state.documentId()), state.version()), state);
        }
        return batch;
    }

    /** Characters of bodies loaded from the projection so far (an upper bound of their UTF-8 bytes / 1, ≥ 1/3). */
    long loadedChars() {
        return loadedBytes;
    }

    private static long chars(String body) {
        return body == null ? 0 : body.length();
    }
}
