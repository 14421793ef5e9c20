package dev.docsync.projection.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessResourceException;

class RefusedWriteTest {

    @Test
    void dataExceptionsIntegrityViolationsAndProgramLimitsAreRefusedWrites() {
        for (String state : new String[] {"22021", "22008", "23505", "23502", "54000"}) {
            assertThat(RefusedWrite.of(new DataIntegrityViolationException("x", new SQLException("refused", state))))
                    .as(state).isPresent();
        }
    }

    @Test
    void connectionLossSerializationFailuresDeadlocksAndShutdownsStayTransient() {
        for (String state : new String[] {"08006", "40001", "40P01", "57P01", "53300", "XX000", "42P01"}) {
            assertThat(RefusedWrite.of(new TransientDataAccessResourceException("x", new SQLException("t", state))))
                    .as(state).isEmpty();
        }
        assertThat(RefusedWrite.of(new IllegalStateException("no SQL here"))).isEmpty();
    }

    @Test
    void theReasonIsTheServersFirstLineWithoutPhysicalDetails() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 insert into documents ...", "54000", null);
        batch.setNextException(new SQLException("ERROR: index row size 8032 exceeds btree version 4 maximum 2704\n"
                + "  Detail: Index row references tuple (3,3) in relation \"documents\".", "54000"));

        RefusedWrite refused = RefusedWrite.of(new DataIntegrityViolationException("x", batch)).orElseThrow();

        assertThat(refused.sqlState()).isEqualTo("54000");
        assertThat(refused.reason()).isEqualTo("ERROR: index row size 8032 exceeds btree version 4 maximum 2704");
    }
}
