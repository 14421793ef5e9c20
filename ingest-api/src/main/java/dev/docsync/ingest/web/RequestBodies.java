package dev.docsync.ingest.web;

import dev.docsync.ingest.IngestProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Reads request bodies without ever buffering more than the limit allows, and bounds the bytes of bodies
 * this instance holds at once (DESIGN §6.8): before a body is read, its declared length (10 MiB when it is
 * chunked) is reserved from the instance's budget ({@code maxBodiesInFlight}: beyond it 503 + Retry-After) and
 * from its actor's share of it ({@code bodiesPerActor}: beyond it 429 + Retry-After), until the request
 * completes. A body must keep coming: it may pause at most {@code bodyGrace} between two pieces (Tomcat's upload
 * timeout, see {@link SlowClients}) and must average {@code bodyMinRate} after its first {@code bodyGrace};
 * otherwise 408, and its reservation is released.
 */
@Component
public class RequestBodies implements HandlerInterceptor {

    private static final String HELD = RequestBodies.class.getName() + ".held";

    /** One reservation of a request: released in {@link #afterCompletion}. */
    private record Held(String actor, long kib) {
    }

    private final IngestProperties properties;
    private final InFlightProperties inFlight;
    private final InFlightBudget budget;

    RequestBodies(IngestProperties properties, InFlightProperties inFlight) {
        this.properties = properties;
        this.inFlight = inFlight;
        this.budget = new InFlightBudget(properties.maxBodiesInFlight().toKilobytes(),
                inFlight.bodiesPerActor().toKilobytes());
    }

    public byte[] read(HttpServletRequest request) {
        long max = properties.maxRequestSize().toBytes();
        long declared = request.getContentLengthLong();
        if (declared > max) {
            throw tooLarge(max);
        }
        reserve(request, InFlightBudget.kib(declared >= 0 ? declared : max + 1));
        try (InputStream in = request.getInputStream()) {
            return readPaced(in, declared, max);
        } catch (IOException e) {
            if (causedByTimeout(e)) {
                throw tooSlow();
            }
            // A body that breaks off (truncated chunked encoding, a dropped client) is the request's fault.
            throw ApiProblem.of(HttpStatus.BAD_REQUEST, "unreadable-body",
                    "the request body could not be read completely: " + e.getMessage());
        }
    }

    /** Reads up to {@code max + 1} bytes, checking after each piece that the body keeps the minimum rate. */
    private byte[] readPaced(InputStream in, long declared, long max) throws IOException {
        long started = System.nanoTime();
        long graceNanos = inFlight.bodyGrace().toNanos();
        double minBytesPerNano = inFlight.bodyMinRate().toBytes() / 1e9;
        int limit = (int) Math.min(Integer.MAX_VALUE - 8, max + 1);
        byte[] body = new byte[(int) Math.min(limit, declared >= 0 ? declared : 64 * 1024)];
        int length = 0;
        while (true) {
            int read;
            if (length == body.length) {
                if (length >= limit) {
                    break;
                }
                int next = in.read();
                if (next < 0) {
                    break;
                }
                body = Arrays.copyOf(body, (int) Math.min(limit, Math.max(64 * 1024, 2L * length)));
                body[length] = (byte) next;
                read = 1;
            } else {
                read = in.read(body, length, body.length - length);
                if (read < 0) {
                    break;
                }
            }
            length += read;
            long elapsed = System.nanoTime() - started;
            if (elapsed > graceNanos && length < (elapsed - graceNanos) * minBytesPerNano) {
                throw tooSlow();
            }
        }
        if (length > max) {
            throw tooLarge(max);
        }
        return length == body.length ? body : Arrays.copyOf(body, length);
    }

    private void reserve(HttpServletRequest request, long kib) {
        String actor = actor();
        switch (budget.reserve(actor, kib)) {
            case GRANTED -> {
                if (request.getAttribute(HELD) instanceof Held earlier) {
                    budget.release(earlier.actor(), earlier.kib());
                }
                request.setAttribute(HELD, new Held(actor, kib));
            }
            case ACTOR_SHARE_FULL -> throw ApiProblem.tooManyRequests(
                    "this caller's request bodies in flight take their whole share of this instance; retry later",
                    properties.retryAfter());
            case INSTANCE_FULL -> throw ApiProblem.unavailable(
                    "this instance holds too many request bodies right now; retry later", properties.retryAfter());
        }
    }

    /** Request body KiB this instance holds now (tests, metrics). */
    public long heldKib() {
        return budget.heldKib();
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception failure) {
        if (request.getAttribute(HELD) instanceof Held held) {
            request.removeAttribute(HELD);
            budget.release(held.actor(), held.kib());
        }
    }

    static String actor() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication == null || !authentication.isAuthenticated() ? "" : authentication.getName();
    }

    private static boolean causedByTimeout(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private ApiProblem tooSlow() {
        Duration grace = inFlight.bodyGrace();
        return ApiProblem.of(HttpStatus.REQUEST_TIMEOUT, "body-too-slow",
                "the request body arrived too slowly: it may pause at most " + grace.toSeconds()
                        + " s and must average " + inFlight.bodyMinRate().toKilobytes() + " KiB/s after its first "
                        + grace.toSeconds() + " s");
    }

    private static ApiProblem tooLarge(long max) {
        return ApiProblem.tooLarge("the request body is larger than " + max + " bytes");
    }
}
