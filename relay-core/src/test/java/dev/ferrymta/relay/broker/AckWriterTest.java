package dev.ferrymta.relay.broker;

import static dev.ferrymta.relay.broker.HeldBatch.Settle.ack;
import static dev.ferrymta.relay.broker.HeldBatch.Settle.requeue;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link AckWriter}: which frames a batch of settles becomes. Each case holds the first write
 * (the ack of {@code first}) until the other settles have queued behind it, one after another,
 * then lets it go: they are written as the next batch.
 */
class AckWriterTest {

    static Stream<Arguments> batches() {
        return Stream.of(
                Arguments.of("the lowest deliveries, all acked: one multiple ack", 6, 1,
                        List.of(ack(2), ack(3), ack(4)),
                        List.of("ack 1", "ack 4 multiple")),
                Arguments.of("asked for in any order", 6, 1,
                        List.of(ack(4), ack(2), ack(3)),
                        List.of("ack 1", "ack 4 multiple")),
                Arguments.of("every delivery acked: the multiple ack names the last", 4, 1,
                        List.of(ack(3), ack(2), ack(4)),
                        List.of("ack 1", "ack 4 multiple")),
                Arguments.of("a delivery in hand ends the run; above it one by one", 6, 1,
                        List.of(ack(2), ack(3), ack(5), ack(6)),
                        List.of("ack 1", "ack 3 multiple", "ack 5", "ack 6")),
                Arguments.of("a run of one is a single ack", 6, 1,
                        List.of(ack(2), ack(4), ack(5)),
                        List.of("ack 1", "ack 2", "ack 4", "ack 5")),
                Arguments.of("the lowest delivery still in hand: nothing combined", 6, 2,
                        List.of(ack(3), ack(4)),
                        List.of("ack 2", "ack 3", "ack 4")),
                Arguments.of("a requeue goes first, alone, and ends the run", 6, 1,
                        List.of(ack(2), ack(3), requeue(4), ack(5)),
                        List.of("ack 1", "requeue 4", "ack 3 multiple", "ack 5")),
                Arguments.of("a requeue below every ack: nothing combined", 6, 1,
                        List.of(requeue(2), ack(3), ack(4)),
                        List.of("ack 1", "requeue 2", "ack 3", "ack 4")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batches")
    void writesABatchAsTheFewestFramesThatSettleExactlyIt(String name, int delivered, long first, List<HeldBatch.Settle> queued,
            List<String> frames) throws Exception {
        var recording = new HeldBatch.RecordingFrames();
        var writer = writer(recording, delivered);

        var callers = HeldBatch.run(writer, recording, ack(first), queued);

        for (var caller : callers) {
            assertThat(caller.failure()).as(caller.settle().toString()).isNull();
        }
        assertThat(recording.written).containsExactlyElementsOf(frames);
    }

    @Test
    void aFailedMultipleAckFailsEveryAckItCoveredAndNoOther() throws Exception {
        var recording = new HeldBatch.RecordingFrames();
        recording.failing.add("ack 3 multiple");
        var writer = writer(recording, 6);

        var callers = HeldBatch.run(writer, recording, ack(1), List.of(ack(2), ack(3), ack(5)));

        assertThat(callers).filteredOn(caller -> caller.failure() != null).extracting(HeldBatch.Caller::settle)
                .containsExactlyInAnyOrder(ack(2), ack(3));
        assertThat(callers).filteredOn(caller -> caller.failure() != null)
                .allSatisfy(caller -> assertThat(caller.failure()).isInstanceOf(IOException.class)
                        .hasMessageContaining("ack 3 multiple"));
        assertThat(recording.written).containsExactly("ack 1", "ack 5");
    }

    @Test
    void settlesAskedForOneAtATimeAreWrittenOneAtATime() throws Exception {
        var recording = new HeldBatch.RecordingFrames();
        recording.holdFirst = false;
        var settles = new LongAdder();
        var frames = new LongAdder();
        var writer = new AckWriter(recording, settles, frames);
        LongStream.rangeClosed(1, 4).forEach(writer::delivered);

        writer.ack(1);
        writer.ack(2);
        writer.requeue(3);
        writer.ack(4);

        assertThat(recording.written).containsExactly("ack 1", "ack 2", "requeue 3", "ack 4");
        assertThat(settles.sum()).isEqualTo(4);
        assertThat(frames.sum()).isEqualTo(4);
    }

    @Test
    void countsTheSettlesAndTheFramesThatCarriedThem() throws Exception {
        var recording = new HeldBatch.RecordingFrames();
        var settles = new LongAdder();
        var frames = new LongAdder();
        var writer = new AckWriter(recording, settles, frames);
        LongStream.rangeClosed(1, 10).forEach(writer::delivered);

        HeldBatch.run(writer, recording, ack(1), List.of(ack(2), ack(3), ack(4), ack(7)));

        assertThat(recording.written).containsExactly("ack 1", "ack 4 multiple", "ack 7");
        assertThat(settles.sum()).isEqualTo(5);
        assertThat(frames.sum()).isEqualTo(3);
    }

    private static AckWriter writer(HeldBatch.RecordingFrames recording, int delivered) {
        var writer = new AckWriter(recording, new LongAdder(), new LongAdder());
        LongStream.rangeClosed(1, delivered).forEach(writer::delivered);
        return writer;
    }
}
