package dev.docsync.ingest.web;

import dev.docsync.ingest.IngestProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Bounds the bytes of answers this instance holds while callers read them (DESIGN §6.8): a controller reserves
 * an answer's size before it loads or writes it ({@link #reserve}); beyond the instance's budget
 * ({@code docsync.in-flight.answers}) the request is answered 503 + Retry-After, beyond its actor's share
 * ({@code answers-per-actor}) 429 + Retry-After. The reservation is released when the request completes: the
 * answer written, or the connection failed (a caller that never reads holds it until Tomcat's write times out).
 * An actor that holds nothing may always take one answer, however large, while the instance has room.
 * Only controllers that call {@link #reserve} are bounded: long-lived streams (SSE) bound themselves.
 */
@Component
public class AnswerBudget implements HandlerInterceptor {

    private static final String HELD = AnswerBudget.class.getName() + ".held";

    private record Held(String actor, long kib) {
    }

    private final IngestProperties properties;
    private final InFlightBudget budget;

    AnswerBudget(IngestProperties properties, InFlightProperties inFlight) {
        this.properties = properties;
        this.budget = new InFlightBudget(inFlight.answers().toKilobytes(), inFlight.answersPerActor().toKilobytes());
    }

    /** Reserves {@code bytes} more for this request's answer, or throws the 429/503 that answers it instead. */
    public void reserve(HttpServletRequest request, long bytes) {
        String actor = RequestBodies.actor();
        long kib = InFlightBudget.kib(bytes);
        Held earlier = request.getAttribute(HELD) instanceof Held held ? held : new Held(actor, 0);
        switch (budget.reserve(actor, kib)) {
            case GRANTED -> request.setAttribute(HELD, new Held(actor, earlier.kib() + kib));
            case ACTOR_SHARE_FULL -> throw ApiProblem.tooManyRequests("this caller's answers in flight take their "
                    + "whole share of this instance; read them first, or retry later", properties.retryAfter());
            case INSTANCE_FULL -> throw ApiProblem.unavailable(
                    "this instance holds too many answers in flight right now; retry later", properties.retryAfter());
        }
    }

    /**
     * Reserves {@code bytes} when they fit; false when they do not. For answers to writes that have already
     * applied: those must not be refused (the caller would think the write failed), they answer 202 + Location
     * instead, and the poll is bounded like any read.
     */
    public boolean tryReserve(HttpServletRequest request, long bytes) {
        try {
            reserve(request, bytes);
            return true;
        } catch (ApiProblem refused) {
            return false;
        }
    }

    /** Answer KiB this instance holds now (tests, metrics). */
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
}
