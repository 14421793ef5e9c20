package dev.docsync.ingest.changes;

import dev.docsync.contracts.ChangeItem;
import dev.docsync.contracts.Page;
import dev.docsync.ingest.security.Caller;
import dev.docsync.ingest.security.WorkspaceAccess;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.projection.changes.ChangeFeedReader;
import dev.docsync.projection.changes.FeedPosition;
import io.swagger.v3.oas.annotations.Parameter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * {@code GET /api/v1/workspaces/{ws}/changes?since=&limit=&include=state&wait=N}: every applied change after
 * {@code since}, in apply order. {@code next_cursor} is always the position to resume from, also on an empty
 * page. With {@code include=state} each change carries the document as it left it (a page holds at most 8 MiB
 * of states). With {@code wait=N} and nothing after {@code since}, the request is held — no thread, no
 * polling — until the apply signals a change of this workspace or N seconds pass.
 */
@RestController
class ChangeFeedController {

    private static final int MAX_LIMIT = 1000;

    private final ChangeFeedReader feed;
    private final WorkspaceAccess access;
    private final LiveRequests live;

    ChangeFeedController(ChangeFeedReader feed, WorkspaceAccess access, LiveRequests live) {
        this.feed = feed;
        this.access = access;
        this.live = live;
    }

    @GetMapping("/api/v1/workspaces/{workspaceId}/changes")
    DeferredResult<Page<ChangeItem>> changes(@PathVariable String workspaceId,
            @RequestParam(required = false) String since, @RequestParam(defaultValue = "100") int limit,
            @Parameter(description = "state: each change with the document as it left it")
            @RequestParam(required = false) String include,
            @Parameter(description = "long-poll: hold the request up to N seconds (0 to 60) until a change follows "
                    + "since; then answer, possibly an empty page with the same cursor")
            @RequestParam(required = false) String wait,
            @AuthenticationPrincipal Jwt jwt) {
        access.requireRead(jwt, workspaceId, () -> ApiProblem.notFound("no workspace " + workspaceId));
        FeedPosition from = FeedParameters.since(since);
        int pageSize = FeedParameters.limit(limit, MAX_LIMIT);
        boolean states = FeedParameters.includeState(include, false);
        Duration waitFor = FeedParameters.waitFor(wait, live.properties.maxWait());
        Supplier<Page<ChangeItem>> read = () -> page(workspaceId, from, pageSize, states);
        if (waitFor.isZero()) {
            DeferredResult<Page<ChangeItem>> now = new DeferredResult<>();
            now.setResult(read.get());
            return now;
        }
        return longPoll(Caller.from(jwt).actor(), workspaceId, from, read, waitFor);
    }

    /**
     * Subscribes first, then reads: a change applied between the two wakes the pump, which reads again, so none
     * is missed. Each wake-up costs one read of this workspace's feed after {@code from}.
     */
    private DeferredResult<Page<ChangeItem>> longPoll(String actor, String workspaceId, FeedPosition from,
            Supplier<Page<ChangeItem>> read, Duration wait) {
        Page<ChangeItem> empty = new Page<>(List.of(), from.cursor());
        DeferredResult<Page<ChangeItem>> result = new DeferredResult<>(wait.plusSeconds(10).toMillis(), () -> empty);
        LiveSlots.Slot slot = live.slots.acquire(actor, () -> result.setResult(empty));
        Pump pump = new Pump(live.reader(), () -> {
            if (result.isSetOrExpired()) {
                return;
            }
            try {
                Page<ChangeItem> page = read.get();
                if (!page.items().isEmpty()) {
                    result.setResult(page);
                }
            } catch (RuntimeException e) {
                result.setErrorResult(e);
            }
        });
        WorkspaceSignals.Subscription subscription = live.signals.subscribe(workspaceId, pump::poke);
        live.longPolls.incrementAndGet();
        ScheduledFuture<?> deadline = live.after(wait, () -> result.setResult(empty));
        result.onCompletion(() -> {
            deadline.cancel(false);
            subscription.close();
            slot.close();
            live.longPolls.decrementAndGet();
        });
        pump.poke();
        return result;
    }

    private Page<ChangeItem> page(String workspaceId, FeedPosition from, int limit, boolean states) {
        List<ChangeFeedReader.Entry> entries = states
                ? feed.afterWithStates(workspaceId, from, limit, new ChangeFeedReader.StateBudget(
                        live.properties.pageStateBytes().toBytes(), Long.MAX_VALUE)).entries()
                : feed.after(workspaceId, from, limit);
        FeedPosition resume = entries.isEmpty() ? from : entries.getLast().position();
        return new Page<>(entries.stream().map(ChangeFeedReader.Entry::change).toList(), resume.cursor());
    }
}
