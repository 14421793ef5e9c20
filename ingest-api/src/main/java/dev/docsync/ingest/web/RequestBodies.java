package dev.docsync.ingest.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/** Reads a request body without ever buffering more than the limit allows. */
public final class RequestBodies {

    private RequestBodies() {
    }

    public static byte[] read(HttpServletRequest request, DataSize limit) {
        long max = limit.toBytes();
        long declared = request.getContentLengthLong();
        if (declared > max) {
            throw tooLarge(max);
        }
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

    private static ApiProblem tooLarge(long max) {
        return ApiProblem.tooLarge("the request body is larger than " + max + " bytes");
    }
}
