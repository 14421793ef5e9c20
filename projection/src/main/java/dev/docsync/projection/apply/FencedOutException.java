package dev.docsync.projection.apply;

/**
 * The partition's stored position is not the one this consumer expected: another worker owns the partition
 * now (a rebalance happened) and this one must not commit. The transaction rolls back.
 */
public class FencedOutException extends RuntimeException {
    public FencedOutException(String message) {
        super(message);
    }
}
