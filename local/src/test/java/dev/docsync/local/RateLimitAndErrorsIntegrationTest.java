package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

class RateLimitAndErrorsIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void anActorOverItsRateGets429WithRetryAfterAndOthersAreUnaffected() {
        try (ConfigurableApplicationContext limited = stack.stack.startAnotherIngest(Map.of(
                "docsync.rate-limit.requests-per-second", "1", "docsync.rate-limit.burst", "3"))) {
            Api api = new Api("http://localhost:" + LocalStack.httpPort(limited));
            String ws = Batches.workspace("ws_rate");
            String busy = stack.editor("busy", ws);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                statuses.add(api.document(busy, ws, "nothing").status());
            }
            Api.Response limitedResponse = api.document(busy, ws, "nothing");

            assertThat(statuses.subList(0, 3)).containsOnly(404);
            assertThat(statuses.subList(3, 5)).containsOnly(429);
            assertThat(limitedResponse.status()).isEqualTo(429);
            assertThat(limitedResponse.header("Retry-After")).isEqualTo("1");
            assertThat(limitedResponse.header("Content-Type")).startsWith("application/problem+json");
            assertThat(api.document(stack.editor("calm", ws), ws, "nothing").status()).isEqualTo(404);
        }
    }

    @Test
    void springsOwnErrorsAreProblemDetailsToo() {
        String token = stack.editor("lost", "ws_errors_spring");
        List<Api.Response> responses = List.of(
                stack.api.get(token, "/api/v1/nowhere"),
                stack.api.send(token, "DELETE", "/api/v1/documents/batch", null, HttpRequest.BodyPublishers.noBody(),
                        Map.of()),
                stack.api.send(token, "POST", "/api/v1/documents/batch", "text/plain",
                        HttpRequest.BodyPublishers.ofString("hello"), Map.of()),
                stack.api.get(token, "/api/v1/workspaces/ws_errors_spring/documents?limit=abc"),
                stack.api.get(token, "/api/v1/workspaces/ws_errors_spring/documents/x?version=first"),
                stack.api.get(null, "/error"));

        assertThat(responses).extracting(Api.Response::status).containsExactly(404, 405, 415, 400, 400, 404);
        for (Api.Response response : responses.subList(0, 5)) {
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
            assertThat(response.json().get("status").asInt()).isEqualTo(response.status());
            assertThat(response.text()).doesNotContain("Exception", "at dev.", "at org.");
        }
        assertThat(responses.getLast().header("Content-Type")).startsWith("application/problem+json");
    }

    /** DESIGN §6.6: every error body carries {@code type}, {@code title}, {@code status} and {@code detail}. */
    @Test
    void everyErrorIsAFullProblemDetail() {
        String token = stack.editor("lost", "ws_errors_full");
        Map<String, Api.Response> responses = new java.util.LinkedHashMap<>();
        responses.put("unknown path", stack.api.get(token, "/no/such/path"));
        responses.put("unknown path without a token", stack.api.get(null, "/no/such/path"));
        responses.put("unknown api path", stack.api.get(token, "/api/v1/nowhere"));
        responses.put("wrong method", stack.api.send(token, "DELETE", "/api/v1/documents/batch", null,
                HttpRequest.BodyPublishers.noBody(), Map.of()));
        responses.put("wrong method on a document", stack.api.send(token, "PATCH",
                "/api/v1/workspaces/ws_errors_full/documents/d", "application/json",
                HttpRequest.BodyPublishers.ofString("{}"), Map.of()));
        responses.put("wrong media type", stack.api.send(token, "POST", "/api/v1/documents/batch", "text/plain",
                HttpRequest.BodyPublishers.ofString("hello"), Map.of()));
        responses.put("unacceptable media type", stack.api.send(token, "GET",
                "/api/v1/workspaces/ws_errors_full/documents", null, HttpRequest.BodyPublishers.noBody(),
                Map.of("Accept", "text/html")));
        responses.put("bad parameter", stack.api.get(token, "/api/v1/workspaces/ws_errors_full/documents?limit=abc"));
        responses.put("error page", stack.api.get(null, "/error"));

        responses.forEach((what, response) -> {
            assertThat(response.status()).as(what).isBetween(400, 499);
            assertThat(response.header("Content-Type")).as(what).startsWith("application/problem+json");
            var problem = response.json();
            assertThat(problem.has("type") && problem.get("type").isString()).as(what + ": type in " + response.text())
                    .isTrue();
            assertThat(problem.get("type").asString()).as(what).startsWith("https://docsync.dev/problems/");
            assertThat(problem.get("title").asString()).as(what).isNotBlank();
            assertThat(problem.get("status").asInt()).as(what).isEqualTo(response.status());
            assertThat(problem.get("detail").asString()).as(what).isNotBlank();
        });
    }

    @Test
    void requestsTomcatRefusesBeforeSpringAreProblemDetailsToo() throws Exception {
        for (String path : List.of("/api/v1/%zz", "/api/v1/workspaces/ws/documents/a%2Fb")) {
            String response = raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

            assertThat(response).startsWith("HTTP/1.1 400").contains("Content-Type: application/problem+json")
                    .doesNotContain("<html");
        }
    }

    private String raw(String request) throws java.io.IOException {
        URI base = URI.create(stack.api.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
