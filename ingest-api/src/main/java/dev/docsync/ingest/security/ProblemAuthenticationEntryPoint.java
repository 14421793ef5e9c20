package dev.docsync.ingest.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** 401 as problem+json, keeping the {@code WWW-Authenticate} header Spring Security computes. */
@Component
class ProblemAuthenticationEntryPoint implements AuthenticationEntryPoint {

    private static final Logger audit = LoggerFactory.getLogger("docsync.audit");

    private final BearerTokenAuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
    private final JsonMapper json;

    ProblemAuthenticationEntryPoint(JsonMapper json) {
        this.json = json;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response,
            AuthenticationException failure) throws IOException {
        bearer.commence(request, response, failure);
        // The reason comes from the token check (expired, bad signature, ...); the token itself is never logged.
        audit.info("denied: unauthenticated method={} path={} reason={}", request.getMethod(), request.getRequestURI(),
                request.getHeader("Authorization") == null ? "no bearer token" : failure.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED,
                request.getHeader("Authorization") == null
                        ? "a bearer token is required (Authorization: Bearer <JWT>)"
                        : "the bearer token is invalid or expired");
        problem.setType(URI.create("https://docsync.dev/problems/unauthenticated"));
        problem.setTitle("Unauthorized");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
