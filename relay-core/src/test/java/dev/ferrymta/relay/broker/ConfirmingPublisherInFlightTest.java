package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.relay.broker.PublishFailedException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bound and the timeouts of {@link ConfirmingPublisher}: {@link InFlight} and {@link Unconfirmed}. */
class ConfirmingPublisherInFlightTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final InFlight inFlight = new InFlight(2, Runnable::run);

    private static PublishFailedException failure(Unconfirmed message) {
        try {
            message.outcome().join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return (PublishFailedException) e.getCause();
        }
    }

    @Test
    void blocksWhileTheBoundIsReached() throws Exception {
        var first = inFlight.begin(0);
        inFlight.begin(0);
        var third = CompletableFuture.supplyAsync(() -> {
            try {
                return inFlight.begin(0);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(third).failsWithin(Duration.ofMillis(100)).withThrowableThat().isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(inFlight.count()).isEqualTo(2);

        first.confirm();

        assertThat(third).succeedsWithin(Duration.ofSeconds(5));
        assertThat(inFlight.count()).isEqualTo(2);
    }

    @Test
    void releasesRoomOnceHoweverManyVerdictsArrive() throws Exception {
        var message = inFlight.begin(0);

        assertThat(message.fail(new PublishFailedException(Reason.UNROUTABLE, "x"))).isTrue();
        assertThat(message.confirm()).isFalse();
        assertThat(message.fail(new PublishFailedException(Reason.TIMED_OUT, "x"))).isFalse();

        assertThat(inFlight.count()).isZero();
        assertThat(failure(message).reason()).isEqualTo(Reason.UNROUTABLE);
    }

    @Test
    void expiresOnlyMessagesOlderThanTheTimeout() throws Exception {
        var old = inFlight.begin(0);
        var recent = inFlight.begin(3 * SECOND);

        assertThat(inFlight.expire(5 * SECOND, Duration.ofSeconds(5))).isEqualTo(1);

        assertThat(failure(old).reason()).isEqualTo(Reason.TIMED_OUT);
        assertThat(failure(old)).hasMessage("timed out: not confirmed within PT5S");
        assertThat(recent.isSettled()).isFalse();
        assertThat(inFlight.count()).isEqualTo(1);
    }

    @Test
    void failsEveryUnsettledMessageAtClose() throws Exception {
        var confirmed = inFlight.begin(0);
        var outstanding = inFlight.begin(0);
        confirmed.confirm();

        assertThat(inFlight.failAll(Reason.CLOSED, "the publisher closed")).isEqualTo(1);

        assertThat(failure(outstanding)).hasMessage("closed: the publisher closed");
        assertThat(confirmed.outcome()).isCompleted();
    }

    @Test
    void findsAMessageByItsPublishIdUntilItSettles() throws Exception {
        var message = inFlight.begin(0);

        assertThat(inFlight.find(message.id())).containsSame(message);
        message.confirm();
        assertThat(inFlight.find(message.id())).isEmpty();
    }

    @Test
    void awaitingEmptyEndsWhenTheLastMessageSettles() throws Exception {
        var message = inFlight.begin(0);
        var waited = CompletableFuture.supplyAsync(() -> {
            try {
                return inFlight.awaitEmpty(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        message.confirm();

        assertThat(waited).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
        assertThat(inFlight.awaitEmpty(Duration.ZERO)).isTrue();
    }

    @Test
    void awaitingEmptyGivesUpAfterTheWait() throws Exception {
        inFlight.begin(0);

        assertThat(inFlight.awaitEmpty(Duration.ofMillis(20))).isFalse();
    }

    @Test
    void theRoomIsFreeBeforeTheCallerHearsOfTheOutcome() throws Exception {
        List<Runnable> deferred = new ArrayList<>();
        var deferring = new InFlight(1, deferred::add);
        var message = deferring.begin(0);
        var seen = new AtomicInteger(-1);
        message.outcome().thenRun(() -> seen.set(deferring.count()));

        message.confirm();
        assertThat(message.outcome()).isNotDone(); // completed on the callback executor, not here
        deferred.forEach(Runnable::run);

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.get() == 0);
    }

    @Test
    void cancellingTheCallersFutureKeepsTheMessageInFlight() throws Exception {
        var message = inFlight.begin(0);

        message.outcome().cancel(false);

        assertThat(inFlight.count()).isEqualTo(1);
        assertThat(message.isSettled()).isFalse();
    }

    @Test
    void rejectsABoundBelowOne() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new InFlight(0, Runnable::run)).withMessageContaining("maxInFlight").withMessageContaining("0");
    }
}
