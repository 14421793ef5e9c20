package dev.docsync.ingest.web;

import dev.docsync.ingest.IngestProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Semaphore;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Reads request bodies without ever buffering more than the limit allows, and bounds the bytes of bodies
 * this instance holds at once: a request that would exceed {@code maxBodiesInFlight} is refused with 503 +
 * Retry-After before its body is read. Its share is released when the request completes.
 */
@Component
public class RequestBodies implements HandlerInterceptor {

    private static final String HELD_KIB = RequestBodies.class.getName() + ".heldKib";

    private final IngestProperties properties;
    private final Semaphore inFlightKib;

    RequestBodies(IngestProperties properties) {
        this.properties = properties;
        this.inFlightKib = new Semaphore((int) Math.min(Integer.MAX_VALUE, properties.maxBodiesInFlight().toKilobytes()));
    }

    public byte[] read(HttpServletRequest request) {
        long max = properties.maxRequestSize().toBytes();
        long declared = request.getContentLengthLong();
        if (declared > max) {
            throw tooLarge(max);
        }
        int kib = (int) ((declared >= 0 ? declared : max + 1) / 1024 + 1);
        if (!inFlightKib.tryAcquire(kib)) {
            throw ApiProblem.unavailable("this instance holds too many request bodies right now; retry later",
                    properties.retryAfter());
        }
        request.setAttribute(HELD_KIB, kib + (request.getAttribute(HELD_KIB) instanceof Integer held ? held : 0));
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (body.length > max) {
                throw tooLarge(max);
            }
            return body;
        } catch (IOException e) {
            // A body that breaks off (truncated chunked encoding, a dropped client) is the request's fault.
            throw ApiProblem.of(HttpStatus.BAD_REQUEST, "unreadable-body",
                    "the request body could not be read completely: " + e.getMessage());
        }
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception failure) {
        if (request.getAttribute(HELD_KIB) instanceof Integer held) {
            request.removeAttribute(HELD_KIB);
            inFlightKib.release(held);
        }
    }

    private static ApiProblem tooLarge(long max) {
        return ApiProblem.tooLarge("the request body is larger than " + max + " bytes");
    }
}
