package dev.docsync.ingest.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InFlightBudgetTest {

    @Test
    void anActorHoldsAtMostItsShareButAlwaysItsFirstReservation() {
        InFlightBudget budget = new InFlightBudget(100, 30);

        assertThat(budget.reserve("greedy", 50)).as("first, over the share").isEqualTo(InFlightBudget.Grant.GRANTED);
        assertThat(budget.reserve("greedy", 1)).isEqualTo(InFlightBudget.Grant.ACTOR_SHARE_FULL);
        assertThat(budget.reserve("other", 30)).isEqualTo(InFlightBudget.Grant.GRANTED);
        assertThat(budget.reserve("third", 21)).isEqualTo(InFlightBudget.Grant.INSTANCE_FULL);
        assertThat(budget.reserve("third", 20)).isEqualTo(InFlightBudget.Grant.GRANTED);
        assertThat(budget.heldKib()).isEqualTo(100);

        budget.release("greedy", 50);
        assertThat(budget.heldKib("greedy")).isZero();
        assertThat(budget.reserve("greedy", 30)).isEqualTo(InFlightBudget.Grant.GRANTED);
        assertThat(budget.reserve("greedy", 1)).isEqualTo(InFlightBudget.Grant.ACTOR_SHARE_FULL);
        assertThat(budget.heldKib()).isEqualTo(80);
    }

    @Test
    void sizesAreCountedInWholeKibibytesRoundedUp() {
        assertThat(InFlightBudget.kib(0)).isEqualTo(1);
        assertThat(InFlightBudget.kib(1023)).isEqualTo(1);
        assertThat(InFlightBudget.kib(1024)).isEqualTo(2);
    }
}
