package dev.docsync.worker.apply;

import dev.docsync.contracts.DocumentView;
import dev.docsync.projection.apply.DocumentKey;
import java.util.Optional;

/**
 * A document's state at a version, as the log made it: what a three-way merge reads for its base and for the
 * current state ("theirs"). {@link BatchApplier} asks only for the documents it merges, so the apply loads no
 * other document's content for it.
 */
@FunctionalInterface
public interface DocumentVersions {

    Optional<DocumentView> at(DocumentKey key, long version);

    /** For applying batches that never merge (and tests of them). */
    static DocumentVersions none() {
        return (key, version) -> Optional.empty();
    }
}
