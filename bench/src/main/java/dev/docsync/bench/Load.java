package dev.docsync.bench;

import dev.docsync.contracts.DocsyncJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * Requests as an offline-first client makes them. A batch's answer is read per operation: each result's status
 * is counted and its version goes back to the client; 429s and 202s are counted, never fatal.
 */
final class Load {

    private static final int FAILURES_TO_PRINT = 5;

    private final HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final AtomicInteger printed = new AtomicInteger();

    Load(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /**
     * The stored {@code processing_time_ms} of an applied batch: from ingest's stamp to the apply-worker's
     * {@code applied_at}, i.e. the log's part of a synchronous answer (the rest is ingest and the apply's commit).
     */
    long stampToApplyMillis(Client client, String batchId) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/batches/" + batchId))
                .header("Authorization", "Bearer " + client.token).timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("poll of " + batchId + " answered " + response.statusCode());
        }
        return DocsyncJson.mapper().readTree(response.body()).get("processing_time_ms").asLong();
    }

    /** Sends {@code batch}, waiting at most {@code waitSeconds} for it to apply; returns the HTTP status. */
    int send(Client.Batch batch, int waitSeconds, OpCounts counts) {
        return sendForAnswer(batch, waitSeconds, counts).status();
    }

    /** What a batch was answered: the HTTP status and, when it applied (200), its id. */
    record Answer(int status, String batchId) {
    }

    Answer sendForAnswer(Client.Batch batch, int waitSeconds, OpCounts counts) {
        try {
            HttpResponse<String> response = http.send(request(batch, waitSeconds), HttpResponse.BodyHandlers.ofString());
            return answer(batch, response, counts);
        } catch (IOException e) {
            return new Answer(failed(batch, e, counts), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@link #send} without blocking the caller (the open-loop sender); completes with the HTTP status. */
    CompletableFuture<Integer> sendAsync(Client.Batch batch, int waitSeconds, OpCounts counts) {
        return http.sendAsync(request(batch, waitSeconds), HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> error != null ? failed(batch, error, counts)
                        : answer(batch, response, counts).status());
    }

    /** One document through the single-document endpoint (201). */
    void createSingle(Client client, String workspace, String documentId) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/workspaces/" + workspace
                        + "/documents"))
                .header("Authorization", "Bearer " + client.token)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"document_id\":\"" + documentId + "\",\"title\":\""
                        + documentId + "\",\"content\":\"" + Client.content(documentId) + "\"}")).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("single create answered " + response.statusCode() + ": "
                        + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("single create failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest request(Client.Batch batch, int waitSeconds) {
        return HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/documents/batch"))
                .header("Authorization", "Bearer " + batch.client().token)
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=" + waitSeconds)
                .timeout(Duration.ofSeconds(waitSeconds + 30L))
                .POST(HttpRequest.BodyPublishers.ofString(batch.json())).build();
    }

    /** Counts the answer's operations by their status (reading a 200's body once) and settles the client's view. */
    private Answer answer(Client.Batch batch, HttpResponse<String> response, OpCounts counts) {
        counts.request();
        int status = response.statusCode();
        String batchId = null;
        switch (status) {
            case 200 -> {
                JsonNode answer = DocsyncJson.mapper().readTree(response.body());
                batchId = answer.get("batch_id").asString();
                for (JsonNode result : answer.get("results")) {
                    int index = Integer.parseInt(result.get("client_id").asString().substring(3));
                    String opStatus = result.get("status").asString();
                    JsonNode version = result.get("version");
                    counts.operation(opStatus, opStatus.equals(batch.ops().get(index).kind().expected()));
                    batch.client().settle(batch, index, opStatus, version == null || version.isNull() ? 0
                            : version.asLong());
                }
            }
            case 202 -> counts.pending();
            case 429 -> counts.rateLimited();
            default -> {
                counts.failed();
                print("answered " + status + ": " + response.body().substring(0, Math.min(300, response.body().length())));
            }
        }
        return new Answer(status, batchId);
    }

    private int failed(Client.Batch batch, Throwable error, OpCounts counts) {
        counts.request();
        counts.failed();
        print("failed: " + error);
        return -1;
    }

    private void print(String what) {
        if (printed.incrementAndGet() <= FAILURES_TO_PRINT) {
            System.out.println("[bench] a batch request " + what);
        }
    }
}
