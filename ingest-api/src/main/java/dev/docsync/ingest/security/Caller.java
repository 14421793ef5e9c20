package dev.docsync.ingest.security;

import dev.docsync.contracts.Ids;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Who is calling: the actor ({@code sub}) and its role per workspace ({@code workspaces} claim, e.g.
 * {@code {"ws_acme": "editor"}}). A workspace absent from the claim, or with an unknown role, does not exist
 * for this caller; so does a key of the claim that is not a valid workspace id.
 */
public record Caller(String actor, Map<String, Role> workspaces) {

    public static final String WORKSPACES_CLAIM = "workspaces";

    public Caller {
        workspaces = Map.copyOf(workspaces);
    }

    public static Caller from(Jwt jwt) {
        Map<String, Role> roles = new HashMap<>();
        if (jwt.getClaims().get(WORKSPACES_CLAIM) instanceof Map<?, ?> claim) {
            // A key that is not a valid workspace id names no workspace anyone can write to: it grants nothing.
            claim.forEach((workspace, role) -> Role.fromClaim(role)
                    .filter(r -> workspace instanceof String id && Ids.isWorkspaceId(id))
                    .ifPresent(r -> roles.put((String) workspace, r)));
        }
        return new Caller(jwt.getSubject(), roles);
    }

    public Optional<Role> role(String workspaceId) {
        return Optional.ofNullable(workspaces.get(workspaceId));
    }

    public boolean canRead(String workspaceId) {
        return workspaces.containsKey(workspaceId);
    }

    public boolean canWrite(String workspaceId) {
        return role(workspaceId).map(Role::canWrite).orElse(false);
    }
}
