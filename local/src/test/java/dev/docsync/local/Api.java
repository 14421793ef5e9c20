package dev.docsync.local;

import dev.docsync.contracts.DocsyncJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** A small HTTP client for the docsync API, as an offline-first app would call it. */
final class Api {

    record Response(int status, java.net.http.HttpHeaders headers, String text) {
        JsonNode json() {
            return DocsyncJson.mapper().readTree(text);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Api(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    String baseUrl() {
        return baseUrl;
    }

    Response postBatch(String token, String body) {
        return postBatch(token, body, Map.of());
    }

    Response postBatch(String token, String body, Map<String, String> headers) {
        return send(token, "POST", "/api/v1/documents/batch", "application/json",
                HttpRequest.BodyPublishers.ofString(body), headers);
    }

    Response postBatchBytes(String token, byte[] body) {
        return send(token, "POST", "/api/v1/documents/batch", "application/json",
                HttpRequest.BodyPublishers.ofByteArray(body), Map.of());
    }

    Response get(String token, String path) {
        return send(token, "GET", path, null, HttpRequest.BodyPublishers.noBody(), Map.of());
    }

    Response document(String token, String workspace, String documentId) {
        return get(token, "/api/v1/workspaces/" + workspace + "/documents/" + documentId);
    }

    Response send(String token, String method, String path, String contentType,
            HttpRequest.BodyPublisher body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
