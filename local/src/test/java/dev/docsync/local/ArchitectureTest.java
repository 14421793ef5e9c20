package dev.docsync.local;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.CallableStatementCallback;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ParameterizedPreparedStatementSetter;
import org.springframework.jdbc.core.PreparedStatementCallback;
import org.springframework.jdbc.core.PreparedStatementSetter;
import org.springframework.jdbc.core.StatementCallback;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

/** The module boundaries of DESIGN §1, checked on the compiled classes of the whole reactor. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.docsync");

    @Test
    void contractsDependOnNothingButTheJdkAndJackson() {
        noClasses().that().resideInAPackage("dev.docsync.contracts..")
                .should().dependOnClassesThat().resideOutsideOfPackages(
                        "dev.docsync.contracts..", "java..", "tools.jackson..", "com.fasterxml.jackson.annotation..")
                .check(CLASSES);
    }

    @Test
    void ingestNeverWritesTheProjectionNorTouchesConsumerPositions() {
        noClasses().that().resideInAPackage("dev.docsync.ingest..")
                .should().dependOnClassesThat().resideInAPackage("dev.docsync.projection.apply..")
                .check(CLASSES);
    }

    @Test
    void ingestAndWorkerDoNotKnowEachOther() {
        noClasses().that().resideInAPackage("dev.docsync.ingest..")
                .should().dependOnClassesThat().resideInAPackage("dev.docsync.worker..")
                .check(CLASSES);
        noClasses().that().resideInAPackage("dev.docsync.worker..")
                .should().dependOnClassesThat().resideInAPackage("dev.docsync.ingest..")
                .check(CLASSES);
    }

    /** The Kafka adapter hands records to the ChunkApplier: it reads and writes no projection itself (ProjectionWriter, PartitionOffsets are repositories). */
    @Test
    void theWorkersKafkaAdapterUsesNoJdbcAndNoProjectionRepository() {
        noClasses().that().resideInAPackage("dev.docsync.worker.consume..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..",
                        "org.springframework.jdbc..", "org.springframework.transaction..", "com.zaxxer.hikari..")
                .orShould().dependOnClassesThat().areAnnotatedWith(Repository.class)
                .check(CLASSES);
    }

    @Test
    void theProjectionKnowsNoApp() {
        noClasses().that().resideInAPackage("dev.docsync.projection..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.docsync.ingest..", "dev.docsync.worker..",
                        "dev.docsync.local..")
                .check(CLASSES);
    }

    /** Classes outside {@code projection} that may reach PostgreSQL directly: local mode's launcher starts it. */
    private static final List<String> JDBC_OUTSIDE_THE_PROJECTION = List.of(
            "dev.docsync.local.LocalPostgres");

    @Test
    void onlyTheProjectionTalksToPostgresql() {
        DescribedPredicate<JavaClass> allowed = DescribedPredicate.describe("named in JDBC_OUTSIDE_THE_PROJECTION",
                c -> JDBC_OUTSIDE_THE_PROJECTION.stream()
                        .anyMatch(name -> c.getName().equals(name) || c.getName().startsWith(name + "$")));
        noClasses().that().resideOutsideOfPackage("dev.docsync.projection..").and(DescribedPredicate.not(allowed))
                .should().dependOnClassesThat().resideInAnyPackage(
                        "java.sql..", "javax.sql..", "org.springframework.jdbc..", "org.postgresql..",
                        "com.zaxxer.hikari..")
                .because("SQL, NOTIFY and LISTEN live in projection, on JdbcClient (DESIGN §1, issue 22)")
                .check(CLASSES);
    }

    /**
     * JdbcTemplate, NamedParameterJdbcTemplate, their interfaces, and the callbacks only they take. Named one by one:
     * archunit.properties does not resolve library classes, so their hierarchies are unknown to the rules.
     */
    private static final List<Class<?>> JDBC_TEMPLATE = List.of(JdbcTemplate.class, JdbcOperations.class,
            NamedParameterJdbcTemplate.class, NamedParameterJdbcOperations.class, ConnectionCallback.class, StatementCallback.class,
            PreparedStatementCallback.class, CallableStatementCallback.class, PreparedStatementSetter.class,
            BatchPreparedStatementSetter.class, ParameterizedPreparedStatementSetter.class);

    /**
     * The projection runs its SQL on {@code JdbcClient}; what JdbcClient cannot send (one statement's several
     * result sets, COPY, a JDBC batch) goes on the transaction's own connection ({@code TransactionConnection}).
     */
    @Test
    void theProjectionRunsItsSqlOnJdbcClientNotJdbcTemplate() {
        DescribedPredicate<JavaClass> template = DescribedPredicate.describe("are JdbcTemplate or its callbacks",
                c -> JDBC_TEMPLATE.stream().anyMatch(t -> c.getName().equals(t.getName())));
        noClasses().that().resideInAPackage("dev.docsync.projection..")
                .should().dependOnClassesThat(template)
                .because("all SQL in projection is on JdbcClient (issue 22)")
                .check(CLASSES);
    }
}
