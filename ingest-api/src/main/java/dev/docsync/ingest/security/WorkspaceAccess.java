package dev.docsync.ingest.security;

import dev.docsync.ingest.web.ApiProblem;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

/** The tenancy rule in one place: writes need editor/admin (else 403); reads need any role (else 404). */
@Component
public class WorkspaceAccess {

    private static final Logger audit = LoggerFactory.getLogger("docsync.audit");

    public void requireWrite(Caller caller, String workspaceId) {
        if (!caller.canWrite(workspaceId)) {
            audit.warn("denied write: actor={} workspace={} reason={}", caller.actor(), workspaceId,
                    caller.role(workspaceId).map(r -> "role " + r).orElse("no role"));
            throw ApiProblem.forbidden("you may not write to workspace " + workspaceId);
        }
    }

    /** A caller that cannot write anywhere is refused before its request body is even read (bounded work). */
    public void requireWriteSomewhere(Caller caller) {
        if (caller.workspaces().values().stream().noneMatch(Role::canWrite)) {
            audit.warn("denied write: actor={} reason=no writable workspace", caller.actor());
            throw ApiProblem.forbidden("you may not write to any workspace");
        }
    }

    /** Reads of a workspace without a role answer 404 with {@code notFound}, exactly like an unknown resource. */
    public void requireRead(Jwt jwt, String workspaceId, Supplier<ApiProblem> notFound) {
        if (!canRead(Caller.from(jwt), workspaceId)) {
            throw notFound.get();
        }
    }

    /** For reads a foreign workspace does not exist, so its resources answer 404 like unknown ones. */
    public boolean canRead(Caller caller, String workspaceId) {
        if (!caller.canRead(workspaceId)) {
            audit.info("denied read: actor={} workspace={} reason=no role", caller.actor(), workspaceId);
            return false;
        }
        return true;
    }
}
