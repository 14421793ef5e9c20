package dev.docsync.bench;

import dev.docsync.contracts.DocsyncJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * The apply-worker's own lag gauge ({@code docsync.worker.lag.total}: log end, read-committed, minus the positions
 * stored in PostgreSQL, in offsets), read from its management endpoint. The bench runs the stack with
 * {@code DOCSYNC_WORKER_LAG_INTERVAL=500ms}, so the gauge is at most that old.
 */
final class LagProbe {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI uri;

    LagProbe(String managementUrl) {
        this.uri = URI.create(managementUrl + "/metrics/docsync.worker.lag.total");
    }

    /** The events not yet applied, or -1 when the gauge cannot be read. */
    long events() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return -1;
            }
            JsonNode body = DocsyncJson.mapper().readTree(response.body());
            return Math.round(body.get("measurements").get(0).get("value").asDouble());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
