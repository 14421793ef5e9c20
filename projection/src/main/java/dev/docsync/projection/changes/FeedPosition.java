package dev.docsync.projection.changes;

/**
 * A place in a workspace's apply order: the log partition and offset at which a batch became complete,
 * then the change's index in the batch's apply order. Increases with every change a workspace applies.
 */
public record FeedPosition(int partition, long offset, int applyIndex) {
    public static final FeedPosition START = new FeedPosition(-1, -1, -1);
}
