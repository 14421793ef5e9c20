package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Several instances start at once against an empty database (a fresh deployment scaled to two from the
 * start): every instance runs Flyway, each migration is applied once, and both come up. Flyway's
 * PostgreSQL advisory lock is what makes an exact overlap safe; the test checks the outcome of starting
 * together, it cannot force the two to reach Flyway at the same instant.
 */
class ConcurrentMigrationIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void twoInstancesStartingTogetherOnAnEmptyDatabaseMigrateItOnce() {
        String database = "fresh_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        stack.jdbc.execute("create database " + database);
        String url = stack.stack.jdbcUrl().replace("/" + LocalPostgres.DATABASE + "?", "/" + database + "?");
        Map<String, String> properties = Map.of("spring.datasource.url", url);
        CompletableFuture<ConfigurableApplicationContext> first =
                CompletableFuture.supplyAsync(() -> stack.stack.startAnotherIngest(properties));
        CompletableFuture<ConfigurableApplicationContext> second =
                CompletableFuture.supplyAsync(() -> stack.stack.startAnotherIngest(properties));
        try {
            CompletableFuture.allOf(first, second).join();
            JdbcTemplate jdbc = TestStack.jdbc(url, stack.stack.databaseUser());

            List<String> applied = jdbc.queryForList(
                    "select version from flyway_schema_history where version is not null order by installed_rank",
                    String.class);

            assertThat(applied).isNotEmpty().doesNotHaveDuplicates();
            assertThat(jdbc.queryForObject("select count(*) from flyway_schema_history where not success",
                    Integer.class)).isZero();
            assertThat(jdbc.queryForObject("select count(*) from batch_results", Integer.class)).isZero();
        } finally {
            first.thenAccept(ConfigurableApplicationContext::close).exceptionally(e -> null).join();
            second.thenAccept(ConfigurableApplicationContext::close).exceptionally(e -> null).join();
            stack.jdbc.execute("drop database if exists " + database + " with (force)");
        }
    }
}
