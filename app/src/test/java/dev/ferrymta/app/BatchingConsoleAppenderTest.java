package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchingConsoleAppenderTest {

    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final BatchingConsoleAppender appender = new BatchingConsoleAppender();

    private void start(int queueSize, long flushMillis) {
        context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
        var encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%-5level %logger{0} - %msg [%X{lane}]%n");
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
        appender.setFlushMillis(flushMillis);
        appender.setTarget(out);
        appender.start();
    }

    @AfterEach
    void stop() {
        appender.stop();
        assertThat(context.getStatusManager().getCopyOfStatusList()).isEmpty();
    }

    private void log(Level level, String format, Object... arguments) {
        var logger = context.getLogger("dev.ferrymta.relay.outbox.OutboxHandler");
        appender.doAppend(new LoggingEvent("test", logger, level, format, null, arguments));
    }

    private String written() {
        synchronized (appender) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void writesEveryLineInOrderAndDropsNoneWhenTheQueueIsFull() {
        start(4, 1_000);
        IntStream.range(0, 1_000).forEach(i -> log(Level.INFO, "delivered to user{}@bench.test", i));
        appender.stop();

        var lines = written().lines().toList();
        assertThat(lines).hasSize(1_000);
        assertThat(lines.getFirst()).isEqualTo("INFO  OutboxHandler - delivered to user0@bench.test []");
        assertThat(lines).containsExactlyElementsOf(IntStream.range(0, 1_000)
                .mapToObj(i -> "INFO  OutboxHandler - delivered to user" + i + "@bench.test []").toList());
    }

    @Test
    void writesTheLinesWithoutWaitingForTheStop() throws Exception {
        start(8192, 20);
        log(Level.INFO, "delivered to {}", "a@b.test");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (written().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(written()).isEqualTo("INFO  OutboxHandler - delivered to a@b.test []\n");
    }

    @Test
    void takesTheMessageAndTheMdcWhenTheEventIsLoggedNotWhenItIsWritten() {
        start(8192, 60_000);
        var recipient = new StringBuilder("a@b.test");
        org.slf4j.MDC.put("lane", "127.0.0.2/bench.test");
        try {
            log(Level.INFO, "delivered to {}", recipient);
        } finally {
            org.slf4j.MDC.remove("lane");
        }
        recipient.setLength(0);
        appender.stop();
        assertThat(written()).isEqualTo("INFO  OutboxHandler - delivered to a@b.test [127.0.0.2/bench.test]\n");
    }
}
