package dev.ferrymta.relay.smtp;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A socket output stream whose writes time out. {@code SO_TIMEOUT} bounds reads only: a server
 * that stops reading (a tarpit, a full disk) would otherwise block a write, and the virtual
 * thread and connection with it, for ever once the TCP window fills. Each write to the socket
 * arms an alarm that closes the connection when the write has not returned in time, and the
 * write then fails with a {@link SocketTimeoutException} (RFC 5321 section 4.5.3.2.5).
 */
final class WriteTimeoutOutputStream extends FilterOutputStream {

    private static final Logger log = LoggerFactory.getLogger(WriteTimeoutOutputStream.class);

    // One timer thread for every connection: arming costs a queue insert, not a thread.
    private static final ScheduledThreadPoolExecutor ALARMS = alarms();

    private final Socket connection;
    private final Duration timeout;
    private volatile boolean expired;

    /**
     * @param connection the TCP socket to close when a write stalls; the plain one under TLS, as
     *                   closing that does not itself need to write
     */
    WriteTimeoutOutputStream(OutputStream out, Socket connection, Duration timeout) {
        super(out);
        this.connection = connection;
        this.timeout = timeout;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return;
        }
        ScheduledFuture<?> alarm = ALARMS.schedule(this::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            if (expired) {
                throw new SocketTimeoutException("a write made no progress for " + timeout);
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    private void expire() {
        expired = true;
        try {
            connection.close();
        } catch (IOException e) {
            log.debug("Closing stalled SMTP connection to {} failed: {}", connection.getInetAddress(), e.toString());
        }
    }

    private static ScheduledThreadPoolExecutor alarms() {
        var executor = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("smtp-write-timeout").factory());
        // Almost every alarm is cancelled; without this they would pile up until their time.
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
