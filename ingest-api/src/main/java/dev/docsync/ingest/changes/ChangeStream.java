package dev.docsync.ingest.changes;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.projection.changes.ChangeFeedReader;
import dev.docsync.projection.changes.FeedPosition;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.ObjectWriter;

/**
 * One open event stream. Idle, it holds no thread and no page: a signal of its workspace pokes its pump, which
 * reads the feed after the stream's cursor a page at a time (bounded in items and bytes, whatever how far
 * behind the stream is) and sends each change as an event, until the feed is exhausted.
 */
final class ChangeStream {

    private static final Logger log = LoggerFactory.getLogger(ChangeStream.class);
    private static final ObjectWriter CHANGE = DocsyncJson.mapper().writer();
    private static final int PAGE_ITEMS = 100;

    private final String workspaceId;
    private final SseEmitter emitter;
    private final ChangeFeedReader feed;
    private final LiveRequests live;
    private final ChangeFeedReader.StateBudget budget;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile FeedPosition cursor;
    private LiveSlots.Slot slot;
    private WorkspaceSignals.Subscription subscription;
    private ScheduledFuture<?> heartbeat;
    private ScheduledFuture<?> expiry;

    ChangeStream(String workspaceId, FeedPosition from, SseEmitter emitter, ChangeFeedReader feed, LiveRequests live) {
        this.workspaceId = workspaceId;
        this.cursor = from;
        this.emitter = emitter;
        this.feed = feed;
        this.live = live;
        this.budget = new ChangeFeedReader.StateBudget(live.properties.streamPageBytes().toBytes(),
                live.properties.streamDocumentBytes().toBytes());
    }

    /** Takes a slot (or throws 429/503), subscribes, and sends what follows the cursor already. */
    void open(String actor, Duration untilExpiry) {
        slot = live.slots.acquire(actor, this::end);
        live.streams.incrementAndGet();
        emitter.onCompletion(this::release);
        emitter.onTimeout(this::end);
        emitter.onError(e -> end());
        Pump pump = new Pump(live.reader(), this::drain);
        subscription = live.signals.subscribe(workspaceId, pump::poke);
        heartbeat = live.every(live.properties.heartbeat(), () -> send(SseEmitter.event().comment("heartbeat")));
        expiry = live.after(untilExpiry, this::end);
        send(SseEmitter.event().comment("open"));
        pump.poke();
    }

    private void drain() {
        try {
            ChangeFeedReader.StatePage page;
            do {
                if (ended.get()) {
                    return;
                }
                page = feed.afterWithStates(workspaceId, cursor, PAGE_ITEMS, budget);
                List<ChangeFeedReader.Entry> entries = page.entries();
                for (ChangeFeedReader.Entry entry : entries) {
                    if (!send(SseEmitter.event().id(entry.position().cursor()).name("change")
                            .data(CHANGE.writeValueAsString(entry.change())))) {
                        return;
                    }
                    cursor = entry.position();
                }
            } while (page.full());
        } catch (RuntimeException e) {
            // The projection is unreachable: end the stream; the client reconnects with Last-Event-ID.
            log.warn("Change stream of {} ends: {}", workspaceId, e.getMessage());
            end();
        }
    }

    /** False when the client is gone (the stream is then ended). */
    private boolean send(SseEmitter.SseEventBuilder event) {
        if (ended.get()) {
            return false;
        }
        try {
            emitter.send(event);
            return true;
        } catch (IOException | IllegalStateException e) {
            end();
            return false;
        }
    }

    /**
     * Ends the stream and gives its slot back. Completing may be refused: when the connection failed, the container
     * has already ended the request ("attempted to use the AsyncContext after an error"), and there is nothing left
     * to complete.
     */
    private void end() {
        try {
            if (!ended.get()) {
                emitter.complete();
            }
        } catch (IllegalStateException e) {
            log.debug("Change stream of {}: the container had already ended it ({})", workspaceId, e.getMessage());
        } finally {
            release();
        }
    }

    private void release() {
        if (ended.compareAndSet(false, true)) {
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
            if (expiry != null) {
                expiry.cancel(false);
            }
            if (subscription != null) {
                subscription.close();
            }
            live.streams.decrementAndGet();
            slot.close();
        }
    }
}
