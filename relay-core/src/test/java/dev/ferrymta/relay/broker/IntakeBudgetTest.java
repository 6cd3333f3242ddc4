package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IntakeBudgetTest {

    @Test
    void takesWhatFitsAndRefusesWhatDoesNot() {
        var budget = new IntakeBudget(100);

        assertThat(budget.tryAcquire(60)).isTrue();
        assertThat(budget.tryAcquire(40)).isTrue();
        assertThat(budget.tryAcquire(1)).isFalse();
        assertThat(budget.inHand()).isEqualTo(100);
    }

    @Test
    void oneMessageLargerThanTheWholeBudgetGoesThroughAlone() {
        var budget = new IntakeBudget(100);

        assertThat(budget.tryAcquire(500)).isTrue();
        assertThat(budget.tryAcquire(1)).isFalse();
        budget.release(500);
        assertThat(budget.tryAcquire(1)).isTrue();
    }

    @Test
    void releasingMakesRoomAgain() {
        var budget = new IntakeBudget(100);
        budget.tryAcquire(80);

        assertThat(budget.tryAcquire(30)).isFalse();
        budget.release(80);
        assertThat(budget.tryAcquire(30)).isTrue();
        assertThat(budget.inHand()).isEqualTo(30);
    }

    @Test
    void aBlockedAcquireGoesOnWhenBytesAreReleased() throws Exception {
        var budget = new IntakeBudget(100);
        budget.tryAcquire(90);
        var waiter = Thread.ofVirtual().start(() -> {
            try {
                budget.acquire(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        budget.release(90);
        waiter.join();
        assertThat(budget.inHand()).isEqualTo(50);
    }

    @Test
    void theHeapBudgetIsAnEighthOfTheMaximumHeap() {
        assertThat(IntakeBudget.fromHeap().limit()).isEqualTo(Runtime.getRuntime().maxMemory() / 8);
    }

    @Test
    void refusesAnEmptyBudget() {
        assertThatThrownBy(() -> new IntakeBudget(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
