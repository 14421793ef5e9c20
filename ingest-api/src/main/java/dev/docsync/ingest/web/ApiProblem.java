package dev.docsync.ingest.web;

import dev.docsync.contracts.FieldError;
import dev.docsync.ingest.batch.BatchRequestParser;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/** An error answer of the API: thrown anywhere, rendered once as RFC 9457 problem+json by {@link ProblemHandler}. */
public class ApiProblem extends RuntimeException {

    private final ProblemDetail detail;
    private final Duration retryAfter;

    private static final String TYPES = "https://docsync.dev/problems/";

    private ApiProblem(HttpStatus status, String type, String detail, Duration retryAfter) {
        super(detail);
        this.detail = ProblemDetail.forStatusAndDetail(status, detail);
        this.detail.setType(URI.create(TYPES + type));
        this.retryAfter = retryAfter;
    }

    public static ApiProblem invalid(List<FieldError> errors) {
        return invalid(errors, errors.size());
    }

    /** {@code errors} are the first of {@code count} problems; {@code error_count} says how many there were. */
    public static ApiProblem invalid(List<FieldError> errors, int count) {
        ApiProblem problem = new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-request",
                count == 1 ? errors.getFirst().pointer() + ": " + errors.getFirst().message()
                        : count + " problems in the request; see errors", null);
        problem.detail.setProperty("errors", errors);
        if (count > errors.size()) {
            problem.detail.setProperty("error_count", count);
        }
        return problem;
    }

    public static ApiProblem invalid(BatchRequestParser.Invalid invalid) {
        return invalid(invalid.errors(), invalid.count());
    }

    /** A path or query parameter that breaks the rules ids and cursors obey; {@code pointer} names it. */
    public static ApiProblem invalidParameter(String pointer, String message) {
        return invalid(List.of(new FieldError(pointer, message)));
    }

    public static ApiProblem tooLarge(String detail) {
        return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "too-large", detail, null);
    }

    public static ApiProblem forbidden(String detail) {
        return new ApiProblem(HttpStatus.FORBIDDEN, "forbidden", detail, null);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(HttpStatus.NOT_FOUND, "not-found", detail, null);
    }

    public static ApiProblem of(HttpStatus status, String type, String detail) {
        return new ApiProblem(status, type, detail, null);
    }

    /** Adds a member to the problem body, e.g. {@code current}: the document's state. */
    public ApiProblem with(String property, Object value) {
        detail.setProperty(property, value);
        return this;
    }

    public static ApiProblem tooManyRequests(Duration retryAfter) {
        return new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "rate-limited",
                "too many requests from this caller; retry after " + Math.max(1, retryAfter.toSeconds()) + " s",
                retryAfter);
    }

    /** 429 for a caller that holds its whole share of something this instance bounds (bodies, answers). */
    public static ApiProblem tooManyRequests(String detail, Duration retryAfter) {
        return new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", detail, retryAfter);
    }

    public static ApiProblem unavailable(String detail, Duration retryAfter) {
        return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", detail, retryAfter);
    }

    /**
     * Completes a problem made elsewhere (Spring MVC, the container): a {@code type} named after its status when
     * it has none (or {@code about:blank}), a {@code title} and a {@code detail} (DESIGN §6.6).
     */
    public static ProblemDetail complete(ProblemDetail problem) {
        HttpStatus status = HttpStatus.resolve(problem.getStatus());
        String reason = status == null ? "Error" : status.getReasonPhrase();
        if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
            problem.setType(typeFor(problem.getStatus()));
        }
        if (problem.getTitle() == null || problem.getTitle().isBlank()) {
            problem.setTitle(reason);
        }
        if (problem.getDetail() == null || problem.getDetail().isBlank()) {
            problem.setDetail(reason);
        }
        return problem;
    }

    /** {@code https://docsync.dev/problems/not-found} for 404, and so on: the type of a problem named by its status. */
    public static URI typeFor(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        String slug = known == null ? "http-" + status
                : known.getReasonPhrase().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        return URI.create(TYPES + slug);
    }

    public ProblemDetail detail() {
        return detail;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
