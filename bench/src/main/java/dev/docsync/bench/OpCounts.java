package dev.docsync.bench;

import java.util.concurrent.atomic.LongAdder;

/**
 * Operations counted by their per-operation status in the answers (not by the request's 200), and the
 * requests that got no per-operation answer at all.
 */
final class OpCounts {

    /** A snapshot; {@code unexpected} counts operations whose status was not what the mix planned. */
    record Counted(long success, long conflict, long error, long skipped, long unexpected, long requests,
            long pending, long rateLimited, long failed) {

        long answered() {
            return success + conflict + error + skipped;
        }
    }

    private final LongAdder success = new LongAdder();
    private final LongAdder conflict = new LongAdder();
    private final LongAdder error = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder pending = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder failed = new LongAdder();

    void operation(String status, boolean expected) {
        switch (status) {
            case "success" -> success.increment();
            case "conflict" -> conflict.increment();
            case "skipped" -> skipped.increment();
            default -> error.increment();
        }
        if (!expected) {
            unexpected.increment();
        }
    }

    void request() {
        requests.increment();
    }

    void pending() {
        pending.increment();
    }

    void rateLimited() {
        rateLimited.increment();
    }

    void failed() {
        failed.increment();
    }

    Counted snapshot() {
        return new Counted(success.sum(), conflict.sum(), error.sum(), skipped.sum(), unexpected.sum(), requests.sum(),
                pending.sum(), rateLimited.sum(), failed.sum());
    }
}
