package dev.docsync.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated client: its own actor (token) and workspaces, and what it knows of its documents, from which
 * it builds mixed batches — creates, updates of documents it knows, some stale updates (which must come back
 * as conflicts) and a few deletes. A document is in at most one batch in flight, so only the stale updates
 * conflict.
 */
final class Client {

    /** The kinds of operation a batch mixes; {@code STALE} is an update with an old base version. */
    enum Kind {
        CREATE, UPDATE, STALE, DELETE;

        String wire() {
            return this == STALE ? "update" : name().toLowerCase(java.util.Locale.ROOT);
        }

        String expected() {
            return this == STALE ? "conflict" : "success";
        }
    }

    record Planned(Kind kind, String documentId, long baseVersion) {
    }

    /**
     * A batch ready to send. Its documents left the client's pool; {@link #settle} gives back those whose
     * version the answer told, so a batch without per-operation answers (pending, refused) just forgets them.
     */
    record Batch(Client client, String workspace, List<Planned> ops) {

        String json() {
            StringBuilder body = new StringBuilder(ops.size() * 300).append("{\"workspace_id\":\"").append(workspace)
                    .append("\",\"operations\":[");
            for (int i = 0; i < ops.size(); i++) {
                Planned op = ops.get(i);
                if (i > 0) {
                    body.append(',');
                }
                body.append("{\"client_id\":\"op_").append(i).append("\",\"operation\":\"").append(op.kind().wire())
                        .append("\",\"document_id\":\"").append(op.documentId()).append('"');
                if (op.kind() != Kind.CREATE) {
                    body.append(",\"base_version\":").append(op.baseVersion());
                }
                if (op.kind() != Kind.DELETE) {
                    body.append(",\"data\":{\"title\":\"").append(op.documentId()).append(" v")
                            .append(op.baseVersion() + 1).append("\",\"content\":\"").append(content(op.documentId()))
                            .append("\"}");
                }
                body.append('}');
            }
            return body.append("]}").toString();
        }
    }

    /** About 200 bytes of content, as the cross-check with {@code hey} used. */
    static String content(String documentId) {
        return "# Notes " + documentId + " — written offline and synced later. Lorem ipsum dolor sit amet, "
                + "consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.";
    }

    private static final int KNOWN_PER_WORKSPACE = 2_000;

    final String actor;
    final String token;
    final List<String> workspaces;
    private final Map<String, Pool> pools = new HashMap<>();
    private final AtomicLong created = new AtomicLong();
    private final AtomicInteger turn = new AtomicInteger();

    Client(String actor, String token, List<String> workspaces) {
        this.actor = actor;
        this.token = token;
        this.workspaces = List.copyOf(workspaces);
        workspaces.forEach(w -> pools.put(w, new Pool()));
    }

    /**
     * The next batch of {@code size}, to the next of this client's workspaces: per 20 operations one delete,
     * one stale update and 8 updates of known documents, the rest creates (also where too few are known).
     */
    Batch next(int size) {
        String workspace = workspaces.get(Math.floorMod(turn.getAndIncrement(), workspaces.size()));
        Pool pool = pools.get(workspace);
        List<Planned> ops = new ArrayList<>(size);
        int deletes = size / 20;
        int stale = size / 20;
        int updates = size * 2 / 5;
        for (Pool.Doc doc : pool.take(deletes + stale + updates)) {
            if (deletes > 0) {
                ops.add(new Planned(Kind.DELETE, doc.id, doc.version));
                deletes--;
            } else if (stale > 0) {
                ops.add(new Planned(Kind.STALE, doc.id, doc.version == 1 ? 2 : doc.version - 1));
                stale--;
            } else {
                ops.add(new Planned(Kind.UPDATE, doc.id, doc.version));
            }
        }
        while (ops.size() < size) {
            ops.add(new Planned(Kind.CREATE, actor + "-" + created.incrementAndGet(), 0));
        }
        return new Batch(this, workspace, ops);
    }

    /** A batch of {@code size} creates only (the seed comparison's "10 documents"). */
    Batch creates(String workspace, int size) {
        List<Planned> ops = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            ops.add(new Planned(Kind.CREATE, actor + "-" + created.incrementAndGet(), 0));
        }
        return new Batch(this, workspace, ops);
    }

    /** The batch's per-operation answers: known versions move on, deleted and failed documents are forgotten. */
    void settle(Batch batch, int index, String status, long version) {
        Planned op = batch.ops().get(index);
        boolean alive = switch (op.kind()) {
            case CREATE, UPDATE -> status.equals("success");
            case STALE -> status.equals("conflict");
            case DELETE -> false;
        };
        if (alive && version > 0) {
            pools.get(batch.workspace()).give(op.documentId(), version);
        }
    }

    /** The documents this client knows in one workspace and which are not in a batch in flight. */
    private static final class Pool {

        private static final class Doc {
            final String id;
            final long version;

            Doc(String id, long version) {
                this.id = id;
                this.version = version;
            }
        }

        private final ArrayList<Doc> docs = new ArrayList<>();

        synchronized List<Doc> take(int n) {
            List<Doc> taken = new ArrayList<>(Math.min(n, docs.size()));
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (taken.size() < n && !docs.isEmpty()) {
                int i = random.nextInt(docs.size());
                Doc last = docs.removeLast();
                taken.add(i < docs.size() ? docs.set(i, last) : last);
            }
            return taken;
        }

        synchronized void give(String id, long version) {
            if (docs.size() < KNOWN_PER_WORKSPACE) {
                docs.add(new Doc(id, version));
            }
        }
    }
}
