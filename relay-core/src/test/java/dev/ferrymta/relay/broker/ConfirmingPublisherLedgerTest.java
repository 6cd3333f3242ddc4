package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.broker.PublishFailedException.Reason;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-channel bookkeeping of {@link ConfirmingPublisher}: {@link ConfirmLedger}. */
class ConfirmingPublisherLedgerTest {

    private final InFlight inFlight = new InFlight(100, Runnable::run);
    private final ConfirmLedger ledger = new ConfirmLedger();
    private final AtomicLong seqNo = new AtomicLong(1);

    /** Files a new message the way a channel does: under the next sequence number, which then moves on. */
    private Unconfirmed published() throws InterruptedException {
        var message = inFlight.begin(0);
        assertThat(ledger.register(message, seqNo::getAndIncrement)).isTrue();
        return message;
    }

    private static Reason failure(Unconfirmed message) {
        assertThat(message.outcome()).isCompletedExceptionally();
        try {
            message.outcome().join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return ((PublishFailedException) e.getCause()).reason();
        }
    }

    @Test
    void anAckConfirmsOnlyItsOwnMessage() throws Exception {
        var first = published();
        var second = published();

        assertThat(ledger.acked(2, false)).isEqualTo(1);

        assertThat(second.outcome()).isCompleted();
        assertThat(first.outcome()).isNotDone();
        assertThat(ledger.outstanding()).isEqualTo(1);
    }

    @Test
    void aMultipleAckConfirmsEveryMessageUpToItsTag() throws Exception {
        var first = published();
        var second = published();
        var third = published();

        assertThat(ledger.acked(2, true)).isEqualTo(2);

        assertThat(first.outcome()).isCompleted();
        assertThat(second.outcome()).isCompleted();
        assertThat(third.outcome()).isNotDone();
    }

    @Test
    void aNackFailsTheMessageAsNacked() throws Exception {
        var first = published();
        var second = published();

        assertThat(ledger.nacked(2, true)).isEqualTo(2);

        assertThat(failure(first)).isEqualTo(Reason.NACKED);
        assertThat(failure(second)).isEqualTo(Reason.NACKED);
    }

    @Test
    void aReturnedMessageStaysFailedWhenItsAckFollows() throws Exception {
        var returned = published();
        returned.fail(new PublishFailedException(Reason.UNROUTABLE, "no queue bound for routing key k on exchange x"));

        assertThat(ledger.acked(1, false)).isZero();

        assertThat(failure(returned)).isEqualTo(Reason.UNROUTABLE);
    }

    @Test
    void invalidatingFailsEveryOutstandingMessageAsChannelClosed() throws Exception {
        var first = published();
        var second = published();

        assertThat(ledger.invalidate("connection lost")).isEqualTo(2);

        assertThat(failure(first)).isEqualTo(Reason.CHANNEL_CLOSED);
        assertThat(failure(second)).isEqualTo(Reason.CHANNEL_CLOSED);
        assertThat(ledger.outstanding()).isZero();
    }

    @Test
    void anAckFromTheRecoveredChannelNeverConfirmsAMessageSentOnTheLostOne() throws Exception {
        var lost = published();
        var alsoLost = published();
        ledger.invalidate("connection lost");
        seqNo.set(1); // the recovered channel counts from 1 again
        var afterRecovery = published();

        ledger.acked(2, true);

        assertThat(afterRecovery.outcome()).isCompleted();
        assertThat(failure(lost)).isEqualTo(Reason.CHANNEL_CLOSED);
        assertThat(failure(alsoLost)).isEqualTo(Reason.CHANNEL_CLOSED);
    }

    @Test
    void refusesAChannelThatIsNotInConfirmMode() throws Exception {
        var message = inFlight.begin(0);

        assertThat(ledger.register(message, () -> 0)).isFalse();

        assertThat(ledger.outstanding()).isZero();
        assertThat(message.isSettled()).isFalse();
    }

    @Test
    void refusesARegistrationThatRacedAnInvalidation() throws Exception {
        var message = inFlight.begin(0);

        boolean registered = ledger.register(message, () -> {
            ledger.invalidate("connection lost"); // lands between reading the generation and filing
            return 7;
        });

        assertThat(registered).isFalse();
        ledger.acked(7, false);
        assertThat(message.isSettled()).isFalse();
    }

    @Test
    void aMessageSettledElsewhereLeavesTheLedger() throws Exception {
        var timedOut = published();

        timedOut.fail(new PublishFailedException(Reason.TIMED_OUT, "not confirmed within PT5S"));

        assertThat(ledger.outstanding()).isZero();
    }
}
