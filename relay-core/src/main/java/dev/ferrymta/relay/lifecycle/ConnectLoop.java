package dev.ferrymta.relay.lifecycle;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects to a service, retrying with {@link Backoff} until it answers or the instance stops.
 * Says which service and where at every failed attempt, because at start that is what an operator
 * needs to see; the attempts themselves grow apart, so this does not flood the log.
 */
public final class ConnectLoop {

    private static final Logger log = LoggerFactory.getLogger(ConnectLoop.class);

    /** One attempt to connect; throws when the service cannot be reached. */
    @FunctionalInterface
    public interface Attempt<T> {
        T connect() throws Exception;
    }

    private final CountDownLatch stopped = new CountDownLatch(1);

    /**
     * Tries until connected.
     *
     * @return the connection, or {@code null} when {@link #stop()} was called first
     * @throws InterruptedException when the calling thread is interrupted
     */
    public <T> T untilConnected(String service, String address, Backoff backoff, Attempt<T> attempt)
            throws InterruptedException {
        int failures = 0;
        while (stopped.getCount() > 0) {
            try {
                var connection = attempt.connect();
                if (failures > 0) {
                    log.info("{} at {} is reachable now, after {} failed attempts", service, address, failures);
                }
                return connection;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                failures++;
                Duration delay = backoff.nextDelay();
                log.warn("{} at {} is not reachable: {}; retrying in {} ms", service, address, reason(e), delay.toMillis());
                if (stopped.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
        }
        return null;
    }

    /** Ends any wait in progress; {@link #untilConnected} returns {@code null}. */
    public void stop() {
        stopped.countDown();
    }

    /** The innermost useful message: "Connection refused" rather than a chain of wrappers. */
    public static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        var message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
