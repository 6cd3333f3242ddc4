package dev.ferrymta.relay.smtp;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A socket output stream whose writes time out. {@code SO_TIMEOUT} bounds reads only: a server
 * that stops reading (a tarpit, a full disk) would otherwise block a write, and the virtual
 * thread and connection with it, for ever once the TCP window fills. Each write to the socket
 * sets a deadline in the connection's {@link StallWatch.Guard}, whose watcher closes the
 * connection when the write has not returned in time, and the write then fails with a
 * {@link SocketTimeoutException} (RFC 5321 section 4.5.3.2.5).
 */
final class WriteTimeoutOutputStream extends FilterOutputStream {

    private final StallWatch.Guard guard;
    private final Duration timeout;
    private final long timeoutNanos;

    /** @param guard the connection's guard, which closes it when a write stalls */
    WriteTimeoutOutputStream(OutputStream out, StallWatch.Guard guard, Duration timeout) {
        super(out);
        this.guard = guard;
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
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
        guard.arm(System.nanoTime() + timeoutNanos);
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            if (guard.expired()) {
                throw new SocketTimeoutException("a write made no progress for " + timeout);
            }
            throw e;
        } finally {
            guard.disarm();
        }
    }
}
