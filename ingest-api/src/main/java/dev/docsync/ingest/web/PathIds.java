package dev.docsync.ingest.web;

import dev.docsync.contracts.Ids;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Ids in paths obey the rules ids in bodies obey, on every endpoint, before any controller runs: a path
 * such as {@code /workspaces/ws%20a/documents} is a 400 with pointer {@code /path/workspace_id}, never a
 * write the projection would refuse.
 */
@Component
class PathIds implements HandlerInterceptor {

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables) {
            check(variables.get("workspaceId"), "/path/workspace_id", Ids.MAX_WORKSPACE_ID_LENGTH);
            check(variables.get("documentId"), "/path/document_id", Ids.MAX_DOCUMENT_ID_LENGTH);
        }
        return true;
    }

    private static void check(Object value, String pointer, int maxLength) {
        if (value instanceof String id && !Ids.isId(id, maxLength)) {
            throw ApiProblem.invalidParameter(pointer, Ids.rule(maxLength));
        }
    }
}
