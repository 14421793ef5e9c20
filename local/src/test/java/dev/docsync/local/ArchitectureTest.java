package dev.docsync.local;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.stereotype.Repository;

/** The module boundaries of DESIGN §1, checked on the compiled classes of the whole reactor. */
class ArchitectureTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.docsync");

    @Test
    void contractsDependOnNothingButTheJdkAndJackson() {
        noClasses().that().resideInAPackage("dev.docsync.contracts..")
                .should().dependOnClassesThat().resideOutsideOfPackages(
                        "dev.docsync.contracts..", "java..", "tools.jackson..", "com.fasterxml.jackson.annotation..")
                .check(classes);
    }

    @Test
    void ingestNeverWritesTheProjectionNorTouchesConsumerPositions() {
        noClasses().that().resideInAPackage("dev.docsync.ingest..")
                .should().dependOnClassesThat().resideInAPackage("dev.docsync.projection.apply..")
                .check(classes);
    }

    @Test
    void ingestAndWorkerDoNotKnowEachOther() {
        noClasses().that().resideInAPackage("dev.docsync.ingest..")
                .should().dependOnClassesThat().resideInAPackage("dev.docsync.worker..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.docsync.worker..")
                .should().dependOnClassesThat().resideInAPackage("dev.docsync.ingest..")
                .check(classes);
    }

    /** The Kafka adapter hands records to the ChunkApplier: it reads and writes no projection itself (ProjectionWriter, PartitionOffsets are repositories). */
    @Test
    void theWorkersKafkaAdapterUsesNoJdbcAndNoProjectionRepository() {
        noClasses().that().resideInAPackage("dev.docsync.worker.consume..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..",
                        "org.springframework.jdbc..", "org.springframework.transaction..", "com.zaxxer.hikari..")
                .orShould().dependOnClassesThat().areAnnotatedWith(Repository.class)
                .check(classes);
    }

    @Test
    void theProjectionKnowsNoApp() {
        noClasses().that().resideInAPackage("dev.docsync.projection..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.docsync.ingest..", "dev.docsync.worker..",
                        "dev.docsync.local..")
                .check(classes);
    }
}
