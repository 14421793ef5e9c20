package dev.docsync.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.StringJoiner;
import java.util.concurrent.Executors;

/** Requests as an offline-first client makes them, with the status each must answer. */
final class Load {

    private final HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String token;

    Load(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** One batch of {@code operations} creates; returns when the answer (200) is in. */
    void createBatch(String workspace, String prefix, int operations) {
        StringJoiner ops = new StringJoiner(",");
        for (int i = 0; i < operations; i++) {
            ops.add("{\"client_id\":\"op_" + i + "\",\"operation\":\"create\",\"data\":{\"title\":\"" + prefix + "-" + i
                    + "\",\"content\":\"# A note written offline, " + prefix + "\"}}");
        }
        post("/api/v1/documents/batch",
                "{\"workspace_id\":\"" + workspace + "\",\"operations\":[" + ops + "]}", 200);
    }

    /** One document through the single-document endpoint (201). */
    void createSingle(String workspace, String title) {
        post("/api/v1/workspaces/" + workspace + "/documents",
                "{\"title\":\"" + title + "\",\"content\":\"# A note written offline, " + title + "\"}", 201);
    }

    private void post(String path, String body, int expected) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException(path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
