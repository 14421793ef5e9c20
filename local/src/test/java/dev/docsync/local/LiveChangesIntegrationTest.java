package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static dev.docsync.local.Batches.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Live changes (issue 21): the long-poll and the event stream are woken by the apply's signal, resume where the
 * client left off, see only the caller's workspace, are bounded per actor, and end when the token expires.
 */
class LiveChangesIntegrationTest {

    /** docsync.live.max-streams-per-actor's default. */
    private static final int STREAMS_PER_ACTOR = 16;

    private static final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

    private final TestStack stack = TestStack.get();

    @AfterAll
    static void stopBackground() {
        background.shutdownNow();
    }

    @Test
    void aLongPollIsAnsweredAsSoonAsAWriteIsApplied() {
        String ws = Batches.workspace("ws_poll");
        String token = stack.editor("poller", ws);
        String since = stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes").json().get("next_cursor")
                .asString();
        double waitingBefore = Scrape.of(stack.api).sum("docsync_live_waiting");
        CompletableFuture<Api.Response> poll = CompletableFuture.supplyAsync(() -> stack.api.get(token,
                "/api/v1/workspaces/" + ws + "/changes?include=state&wait=30&since=" + since), background);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Scrape.of(stack.api).sum("docsync_live_waiting") > waitingBefore);
        assertThat(poll).isNotDone();

        Api.Response write = stack.api.postBatch(token, batch(ws, List.of(create("c", "doc", "Hello"))));
        long written = System.nanoTime();
        assertThat(write.status()).isEqualTo(200);
        Api.Response answer = poll.join();
        long wokenMillis = (System.nanoTime() - written) / 1_000_000;
        System.out.println("long-poll answered " + wokenMillis + " ms after the writer's 200");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("items")).hasSize(1);
        assertThat(answer.json().get("items").get(0).get("document").get("title").asString()).isEqualTo("Hello");
        assertThat(answer.json().get("next_cursor").asString()).isEqualTo(write.json().get("change_cursor").asString());
        assertThat(wokenMillis).isLessThan(2_000);
    }

    @Test
    void aLongPollWithNothingNewAnswersAnEmptyPageWithTheSameCursorWhenTheWaitRunsOut() {
        String ws = Batches.workspace("ws_idle");
        String token = stack.token("viewer", Map.of(ws, "viewer"));
        String since = stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes").json().get("next_cursor")
                .asString();
        Instant start = Instant.now();
        Api.Response answer = stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes?wait=1&since=" + since);
        Duration took = Duration.between(start, Instant.now());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("items")).isEmpty();
        assertThat(answer.json().get("next_cursor").asString()).isEqualTo(since);
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    }

    @Test
    void aStreamSendsEachChangeWithItsCursorAndResumesFromLastEventId() {
        String ws = Batches.workspace("ws_stream");
        String token = stack.editor("streamer", ws);
        stack.api.postBatch(token, batch(ws, List.of(create("c0", "before", "Before"))));
        String since = stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes").json().get("next_cursor")
                .asString();

        String firstId;
        try (EventStream stream = EventStream.open(stack.api, token,
                "/api/v1/workspaces/" + ws + "/changes/stream?since=" + since, Map.of())) {
            assertThat(stream.status).isEqualTo(200);
            assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
            Api.Response write = stack.api.postBatch(token, batch(ws, List.of(create("c1", "doc", "One"))));
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.events.size() == 1);
            EventStream.Event event = stream.events.getFirst();
            assertThat(event.event()).isEqualTo("change");
            assertThat(event.id()).isEqualTo(write.json().get("change_cursor").asString());
            JsonNode change = event.json();
            assertThat(change.get("document_id").asString()).isEqualTo("doc");
            assertThat(change.get("operation").asString()).isEqualTo("create");
            assertThat(change.get("document").get("content").asString()).isEqualTo("# One");
            firstId = event.id();
        }

        stack.api.postBatch(token, batch(ws, List.of(update("u1", "doc", 1L, "Two"))));
        try (EventStream resumed = EventStream.open(stack.api, token,
                "/api/v1/workspaces/" + ws + "/changes/stream", Map.of("Last-Event-ID", firstId))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !resumed.events.isEmpty());
            assertThat(resumed.events).hasSize(1);
            assertThat(resumed.events.getFirst().json().get("version").asLong()).isEqualTo(2);
            assertThat(resumed.events.getFirst().json().get("document").get("title").asString()).isEqualTo("Two");
            await().atMost(Duration.ofSeconds(10)).until(() -> resumed.comments.get() >= 2);
            assertThat(resumed.events).hasSize(1);
        }
    }

    @Test
    void aStreamCarriesOnlyItsWorkspaceAndAViewerReadsButCannotWrite() {
        String mine = Batches.workspace("ws_mine");
        String theirs = Batches.workspace("ws_theirs");
        String viewer = stack.token("watcher", Map.of(mine, "viewer"));
        String writer = stack.token("writer", Map.of(mine, "editor", theirs, "editor"));

        try (EventStream stream = EventStream.open(stack.api, viewer,
                "/api/v1/workspaces/" + mine + "/changes/stream", Map.of())) {
            assertThat(stream.status).isEqualTo(200);
            stack.api.postBatch(writer, batch(theirs, List.of(create("t", "secret", "Secret"))));
            stack.api.postBatch(writer, batch(mine, List.of(create("m", "shared", "Shared"))));
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.events.isEmpty());
            stack.api.postBatch(writer, batch(theirs, List.of(create("t2", "secret2", "Secret"))));
            stack.api.postBatch(writer, batch(mine, List.of(create("m2", "shared2", "Shared"))));
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.events.size() == 2);
            assertThat(stream.events).extracting(e -> e.json().get("document_id").asString())
                    .containsExactly("shared", "shared2");
            assertThat(stream.events).allSatisfy(e -> assertThat(e.data()).doesNotContain("Secret"));

            assertThat(stack.api.postBatch(viewer, batch(mine, List.of(create("v", "nope", "No")))).status())
                    .isEqualTo(403);
        }
        try (EventStream foreign = EventStream.open(stack.api, viewer,
                "/api/v1/workspaces/" + theirs + "/changes/stream", Map.of())) {
            assertThat(foreign.status).isEqualTo(404);
            assertThat(foreign.header("Content-Type")).startsWith("application/problem+json");
            assertThat(foreign.errorBody()).doesNotContain("Secret");
        }
        assertThat(stack.api.get(viewer, "/api/v1/workspaces/" + theirs + "/changes?wait=1").status()).isEqualTo(404);
    }

    @Test
    void streamsPerActorAreBoundedAndTheOneTooManyIsToldWhenToRetry() {
        String ws = Batches.workspace("ws_bound");
        String token = stack.token("greedy", Map.of(ws, "viewer"));
        List<EventStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < STREAMS_PER_ACTOR; i++) {
                EventStream stream = EventStream.open(stack.api, token, "/api/v1/workspaces/" + ws + "/changes/stream",
                        Map.of());
                assertThat(stream.status).as("stream %d", i).isEqualTo(200);
                open.add(stream);
            }
            EventStream refused = EventStream.open(stack.api, token, "/api/v1/workspaces/" + ws + "/changes/stream",
                    Map.of());
            assertThat(refused.status).isEqualTo(429);
            assertThat(refused.header("Retry-After")).isNotBlank();
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            assertThat(refused.problem().get("status").asInt()).isEqualTo(429);
            Api.Response poll = stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes?wait=5");
            assertThat(poll.status()).isEqualTo(429);

            // Another actor is not affected, and a closed stream frees its place.
            try (EventStream other = EventStream.open(stack.api, stack.token("modest", Map.of(ws, "viewer")),
                    "/api/v1/workspaces/" + ws + "/changes/stream", Map.of())) {
                assertThat(other.status).isEqualTo(200);
            }
            open.removeFirst().close();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                EventStream again = EventStream.open(stack.api, token, "/api/v1/workspaces/" + ws + "/changes/stream",
                        Map.of());
                if (again.status == 200) {
                    open.add(again);
                    return true;
                }
                return false;
            });
        } finally {
            open.forEach(EventStream::close);
        }
    }

    @Test
    void aStreamEndsWhenItsTokenExpires() {
        String ws = Batches.workspace("ws_exp");
        Instant expires = Instant.now().plusSeconds(3);
        String shortLived = stack.tokens.mint("brief", Map.of(ws, "viewer"), Instant.now(), expires);
        try (EventStream stream = EventStream.open(stack.api, shortLived,
                "/api/v1/workspaces/" + ws + "/changes/stream", Map.of())) {
            assertThat(stream.status).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).until(stream::ended);
            assertThat(stream.endedAt()).isAfterOrEqualTo(expires.minusMillis(1000));
        }
    }

    @Test
    void hostileLiveParametersAreRefusedWithAPointer() {
        String ws = Batches.workspace("ws_hostile_live");
        String token = stack.editor("hostile", ws);
        Map<String, String> cases = new LinkedHashMap<>();
        for (String wait : List.of("-1", "61", "abc", "%00", "1.5", "99999999999999999999", "")) {
            cases.put("changes?wait=" + wait, "/query/wait");
        }
        cases.put("changes/stream?since=garbage", "/query/since");
        cases.put("changes/stream?since=%00", "/query/since");
        cases.put("changes/stream?include=everything", "/query/include");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Api.Response response = stack.api.get(token, "/api/v1/workspaces/" + ws + "/" + c.getKey());
            assertThat(response.status()).as(c.getKey() + ": " + response.text()).isEqualTo(400);
            assertThat(response.header("Content-Type")).as(c.getKey()).startsWith("application/problem+json");
            assertThat(response.json().get("errors").get(0).get("pointer").asString()).as(c.getKey())
                    .isEqualTo(c.getValue());
        }
        for (String lastEventId : List.of("garbage", "YzE6MS4y", "bm9wZQ")) {
            try (EventStream stream = EventStream.open(stack.api, token,
                    "/api/v1/workspaces/" + ws + "/changes/stream", Map.of("Last-Event-ID", lastEventId))) {
                assertThat(stream.status).as(lastEventId).isEqualTo(400);
                assertThat(stream.problem().get("errors").get(0).get("pointer").asString())
                        .isEqualTo("/header/Last-Event-ID");
            }
        }
        try (EventStream stream = EventStream.open(stack.api, null, "/api/v1/workspaces/" + ws + "/changes/stream",
                Map.of())) {
            assertThat(stream.status).isEqualTo(401);
        }
    }
}
