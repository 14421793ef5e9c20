package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A page of a list (documents, history, changes): {@code next_cursor} is opaque, and always present. */
public record Page<T>(List<T> items, @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {
    public Page {
        items = List.copyOf(items);
    }
}
