package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.projection.replay.ProjectionChecksums.TableComparison;
import dev.docsync.worker.replay.ReplayCommand;
import dev.docsync.worker.replay.ReplayReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A seeded random workload (creates, updates, deletes, stale versions, atomic failures, retried batches)
 * across several workspaces, then a replay of the whole log into a fresh schema: documents, history and
 * batch results must have the same checksums as the live projection.
 */
@Order(Integer.MAX_VALUE) // last: see junit-platform.properties
class ReplayIntegrationTest {

    private static final long SEED = 20261125L;

    private final TestStack stack = TestStack.get();

    /**
     * One replay of the shared stack's whole log (every other class wrote to it first: the class runs last, and a
     * replay takes ~60 s on these machines, so the workloads share it): the seeded random workload, the merge
     * workload, then the replay is swapped in while the stack runs. Documents, history (with how each version
     * merged) and batch results must have the same checksums as the live projection, and the stack keeps applying on
     * the swapped-in projection.
     */
    @Test
    void replayingTheLogRebuildsTheSameProjectionAndASwappedInReplayKeepsApplying() {
        int completed = randomWorkload();
        MergeWorkload merges = mergeWorkload();
        List<String> keyed = keyedWorkload();
        String ws = Batches.workspace("ws_swap");
        String token = stack.editor("swapper", ws);
        stack.api.postBatch(token, batch(ws, List.of(Batches.create("c", "before", "Before swap"))));
        String schemaBefore = stack.jdbc.queryForObject("select current_schema()", String.class);

        ReplayCommand.Report report = stack.stack.worker().getBean(ReplayCommand.class)
                .run(new ReplayCommand.Options(true, false));

        System.out.println(ReplayReport.format(report));
        assertThat(report.tables()).extracting(TableComparison::table)
                .containsExactly("document_versions", "batch_results", "documents");
        assertThat(report.tables()).allSatisfy(table -> {
            assertThat(table.firstDifference()).isNull();
            assertThat(table.equal()).isTrue();
            assertThat(table.replayRows()).isPositive();
        });
        assertThat(report.batches()).isGreaterThanOrEqualTo(completed);
        assertThat(report.tables().get(1).liveRows()).isEqualTo(report.tables().get(1).replayRows());
        assertThat(report.equal()).isTrue();
        assertThat(report.swapped()).isTrue();
        Long mergedVersions = stack.jdbc.queryForObject("""
                select count(*) from document_versions where merged_from is not null and workspace_id in (?, ?)""",
                Long.class, merges.workspaces().get(0), merges.workspaces().get(1));
        assertThat(mergedVersions).isEqualTo(merges.outcomes().get("merged").longValue());

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() -> {
            Api.Response after = stack.api.postBatch(token, batch(ws, List.of(
                    Batches.update("u", "before", null, "After swap"))), Map.of("Prefer", "wait=5"));
            assertThat(after.status()).isEqualTo(200);
        });
        assertThat(stack.api.document(token, ws, "before").json().get("title").asString()).isEqualTo("After swap");
        assertThat(stack.jdbc.queryForObject("select count(*) from " + schemaBefore + ".documents", Long.class))
                .isPositive();
        List<String> retired = stack.jdbc.queryForList("select nspname from pg_namespace where nspname like ?",
                String.class, schemaBefore + "_before_%");
        assertThat(retired).hasSize(1);
        // The bulk load rebuilds what the checksums do not compare as well: the Idempotency-Keys and bodies, and
        // exactly live's indexes (secondary ones are dropped for the load and built after it).
        String keys = "select actor, workspace_id, key, request_hash, batch_id, stamped_at from %s.idempotency_keys"
                + " where workspace_id = any(?) order by 1, 2, 3";
        String bodies = "select workspace_id, digest, md5(body) from %s.document_bodies where workspace_id = any(?)"
                + " order by 1, 2";
        String[] workspaces = keyed.toArray(String[]::new);
        List<Map<String, Object>> liveKeys = stack.jdbc.queryForList(keys.formatted(retired.getFirst()),
                (Object) workspaces);
        assertThat(liveKeys).hasSizeGreaterThan(10);
        assertThat(stack.jdbc.queryForList(keys.formatted(schemaBefore), (Object) workspaces)).isEqualTo(liveKeys);
        List<Map<String, Object>> liveBodies = stack.jdbc.queryForList(bodies.formatted(retired.getFirst()),
                (Object) workspaces);
        assertThat(liveBodies).isNotEmpty();
        assertThat(stack.jdbc.queryForList(bodies.formatted(schemaBefore), (Object) workspaces)).isEqualTo(liveBodies);
        String indexes = """
                select c.relname || ': ' || replace(pg_get_indexdef(c.oid), n.nspname || '.', '') from pg_index x
                  join pg_class c on c.oid = x.indexrelid join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = ? order by c.relname""";
        List<String> liveIndexes = stack.jdbc.queryForList(indexes, String.class, retired.getFirst());
        assertThat(liveIndexes).anyMatch(i -> i.startsWith("document_versions_by_content_digest: CREATE INDEX"));
        assertThat(stack.jdbc.queryForList(indexes, String.class, schemaBefore)).isEqualTo(liveIndexes);
    }

    /**
     * Batches with Idempotency-Keys in several workspaces (so on several partitions), each retried at once with the
     * same key while the first is still in flight (both reach the log; the worker answers the retry as a duplicate),
     * some with another body under the same key (the worker refuses it), with titles and contents full of what a
     * bulk load must escape (tabs, backslashes, line breaks, quotes, characters outside the BMP). Returns the
     * workspaces.
     */
    private List<String> keyedWorkload() {
        Random random = new Random(SEED + 22);
        List<String> workspaces = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            workspaces.add(Batches.workspace("ws_keyed"));
        }
        Map<String, String> tokens = new LinkedHashMap<>();
        workspaces.forEach(ws -> tokens.put(ws, stack.editor("keyed-" + ws, ws)));
        String[] awkward = {"tab\there", "back\\slash \\N", "line\nbreak\r\n", "quote\" and '", "emoji \uD83D\uDE00",
                "comma, semicolon; pipe |"};
        for (int b = 0; b < 60; b++) {
            String ws = workspaces.get(b % workspaces.size());
            List<Map<String, Object>> ops = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(4); i++) {
                String title = awkward[random.nextInt(awkward.length)] + " " + b + "." + i;
                ops.add(random.nextBoolean() ? Batches.create("k" + i, "doc-" + random.nextInt(10), title)
                        : Batches.op("k" + i, "update", "doc-" + random.nextInt(10), null,
                                Map.of("title", title, "content", title + "\n\\" + b)));
            }
            String body = batch(ws, random.nextInt(4) == 0, ops);
            Map<String, String> headers = Map.of("Idempotency-Key", "key-" + b, "Prefer", "respond-async");
            assertThat(stack.api.postBatch(tokens.get(ws), body, headers).status()).isEqualTo(202);
            String retry = random.nextInt(5) == 0 ? batch(ws, List.of(Batches.create("other", "doc-x" + b, "x")))
                    : body;
            int status = stack.api.postBatch(tokens.get(ws), retry, headers).status();
            assertThat(status).isIn(200, 202, 422);
        }
        return workspaces;
    }

    /** Creates, updates, deletes, stale versions, atomic failures and retried batches across three workspaces. */
    private int randomWorkload() {
        Random random = new Random(SEED);
        List<String> workspaces = List.of(Batches.workspace("ws_replay"), Batches.workspace("ws_replay"),
                Batches.workspace("ws_replay"));
        Map<String, String> tokens = new LinkedHashMap<>();
        workspaces.forEach(ws -> tokens.put(ws, stack.editor("replayer-" + ws.length(), ws)));
        int completed = 0;
        for (int b = 0; b < 120; b++) {
            String ws = workspaces.get(random.nextInt(workspaces.size()));
            List<Map<String, Object>> ops = new ArrayList<>();
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                String doc = "doc-" + random.nextInt(12);
                Long base = random.nextInt(3) == 0 ? null : (long) (1 + random.nextInt(4));
                ops.add(switch (random.nextInt(5)) {
                    case 0, 1 -> Batches.create("op" + i, doc, "t" + b + "." + i);
                    case 2, 3 -> Batches.update("op" + i, doc, base, "t" + b + "." + i);
                    default -> Batches.delete("op" + i, doc, base);
                });
            }
            String body = batch(ws, random.nextInt(4) == 0, ops);
            int repeats = random.nextInt(8) == 0 ? 2 : 1; // a client retrying the same push
            for (int r = 0; r < repeats; r++) {
                Api.Response response = stack.api.postBatch(tokens.get(ws), body);
                assertThat(response.status()).isEqualTo(200);
                completed++;
            }
        }

        return completed;
    }

    /**
     * Issue 23: merges are a pure function of the log. Two writers per workspace keep editing paragraphs, titles
     * and Yjs states of a few documents from stale versions in {@code on_conflict: merge} batches (some atomic,
     * some deletes); replay must rebuild byte for byte the same documents, history (with how each version merged)
     * and results (with their merge info and hunks).
     */
    private MergeWorkload mergeWorkload() {
        Random random = new Random(SEED + 23);
        List<String> workspaces = List.of(Batches.workspace("ws_merges"), Batches.workspace("ws_merges"));
        Map<String, String> tokens = new LinkedHashMap<>();
        workspaces.forEach(ws -> tokens.put(ws, stack.editor("merger-" + ws, ws)));
        // What each writer knows: per workspace and document, its content at each version it saw.
        Map<String, Map<Long, String>> seen = new LinkedHashMap<>();
        for (String ws : workspaces) {
            List<Map<String, Object>> creates = new ArrayList<>();
            for (int d = 0; d < 4; d++) {
                String content = paragraphs(d, 0);
                creates.add(Batches.op("c" + d, "create", "doc-" + d, null, Map.of("title", "Doc " + d,
                        "content", content)));
                seen.computeIfAbsent(ws + "/doc-" + d, k -> new LinkedHashMap<>()).put(1L, content);
            }
            assertThat(stack.api.postBatch(tokens.get(ws), batch(ws, creates)).status()).isEqualTo(200);
        }
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (int b = 0; b < 90; b++) {
            String ws = workspaces.get(random.nextInt(workspaces.size()));
            List<Map<String, Object>> ops = new ArrayList<>();
            List<String> targets = new ArrayList<>();
            int count = 1 + random.nextInt(3);
            for (int i = 0; i < count; i++) {
                String doc = "doc-" + random.nextInt(4);
                Map<Long, String> versions = seen.get(ws + "/" + doc);
                List<Long> known = new ArrayList<>(versions.keySet());
                long base = known.get(Math.max(0, known.size() - 1 - random.nextInt(3)));
                String content = versions.get(base);
                if (random.nextInt(25) == 0) {
                    ops.add(Batches.op("op" + i, "delete", doc, base, null));
                } else {
                    Map<String, Object> data = new LinkedHashMap<>();
                    int paragraph = random.nextInt(6);
                    data.put("content", content.replace("p" + paragraph + " ", "p" + paragraph + " edit" + b + "." + i
                            + " "));
                    if (random.nextInt(4) == 0) {
                        data.put("title", "Doc " + doc + " by " + b);
                    }
                    if (random.nextInt(6) == 0) {
                        data.put("yjs_state_b64", random.nextBoolean() ? "AQID" : "BAUG");
                    }
                    ops.add(Batches.op("op" + i, "update", doc, base, data));
                }
                targets.add(doc);
            }
            String body = mergeBatch(ws, random.nextInt(5) == 0, random.nextInt(6) != 0, ops);
            Api.Response response = stack.api.postBatch(tokens.get(ws), body);
            assertThat(response.status()).as(response.text()).isEqualTo(200);
            tools.jackson.databind.JsonNode results = response.json().get("results");
            for (int i = 0; i < results.size(); i++) {
                tools.jackson.databind.JsonNode result = results.get(i);
                String status = result.get("status").asString();
                String code = result.has("error") ? result.get("error").get("code").asString() : "";
                outcomes.merge(status + (code.isEmpty() ? "" : "/" + code), 1, Integer::sum);
                Map<Long, String> versions = seen.get(ws + "/" + targets.get(i));
                if (status.equals("success") && ops.get(i).get("data") instanceof Map<?, ?> data) {
                    versions.put(result.get("version").asLong(), (String) data.get("content"));
                } else if (status.equals("merged")) {
                    long version = result.get("version").asLong();
                    // A result gives each document's state once; a later one reads it (time travel).
                    tools.jackson.databind.JsonNode state = result.has("current") ? result.get("current")
                            : stack.api.get(tokens.get(ws), "/api/v1/workspaces/" + ws + "/documents/"
                                    + targets.get(i) + "?version=" + version).json();
                    versions.put(version, state.get("content").asString());
                }
            }
        }
        System.out.println("merge workload outcomes: " + outcomes);
        assertThat(outcomes.getOrDefault("merged", 0)).isGreaterThan(10);
        assertThat(outcomes.getOrDefault("conflict/merge_conflict", 0)).isPositive();

        return new MergeWorkload(workspaces, outcomes);
    }

    private record MergeWorkload(List<String> workspaces, Map<String, Integer> outcomes) {
    }

    /** Six paragraphs, each a line "p{i} ..." separated by blank lines, so edits of different ones merge. */
    private static String paragraphs(int doc, int version) {
        StringBuilder text = new StringBuilder();
        for (int p = 0; p < 6; p++) {
            text.append("p").append(p).append(" of doc ").append(doc).append(" v").append(version).append("\n\n");
        }
        return text.toString();
    }

    private static String mergeBatch(String workspace, boolean atomic, boolean merge, List<Map<String, Object>> ops) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workspace_id", workspace);
        body.put("atomic", atomic);
        if (merge) {
            body.put("on_conflict", "merge");
        }
        body.put("operations", ops);
        return dev.docsync.contracts.DocsyncJson.mapper().writeValueAsString(body);
    }
}
