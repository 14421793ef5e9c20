package dev.docsync.ingest.web;

import dev.docsync.ingest.IngestProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Renders every error as application/problem+json: our own {@link ApiProblem}s, Spring MVC's exceptions
 * (unknown path, wrong method, wrong content type, ...) through the base class, and the rest.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private final IngestProperties properties;

    ProblemHandler(IngestProperties properties) {
        this.properties = properties;
    }

    @ExceptionHandler(ApiProblem.class)
    ResponseEntity<ProblemDetail> onApiProblem(ApiProblem problem) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(problem.detail().getStatus());
        if (problem.retryAfter() != null) {
            response.header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, problem.retryAfter().toSeconds())));
        }
        return response.body(problem.detail());
    }

    /** A query parameter of the wrong type ({@code limit=abc}) is a 400 that points at it, like every other. */
    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        if (ex instanceof MethodArgumentTypeMismatchException mismatch) {
            ApiProblem problem = ApiProblem.invalidParameter("/query/" + mismatch.getName(), "has the wrong type");
            return ResponseEntity.status(problem.detail().getStatus()).body(problem.detail());
        }
        return super.handleTypeMismatch(ex, headers, status, request);
    }

    /** The projection is unreachable: reads cannot be answered now, and the caller should retry. */
    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class,
            RecoverableDataAccessException.class})
    ResponseEntity<ProblemDetail> onDatabaseUnavailable(DataAccessException e) {
        log.warn("Read failed, answering 503: {}", e.getMessage());
        return onApiProblem(ApiProblem.unavailable("the projection database is unavailable", properties.retryAfter()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> onUnexpected(Exception e) {
        log.error("Unexpected error", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                .body(ApiProblem.complete(ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                        "internal error")));
    }

    /** Spring MVC's own problems (unknown path, wrong method, wrong media type, ...) get a type too. */
    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
            WebRequest request) {
        return super.createResponseEntity(body instanceof ProblemDetail problem ? ApiProblem.complete(problem) : body,
                headers, statusCode, request);
    }
}
