package dev.docsync.projection.apply;

/** Where in the operations log a batch became complete: the partition and the offset of its last event. */
public record LogPosition(int partition, long offset) {
}
