package dev.ferrymta.relay.broker;

import java.util.Objects;

/**
 * The broker did not take responsibility for a published message. The message may or may not be
 * stored (a lost confirm says nothing either way), so the caller keeps what the message replaces
 * and publishes again later; receivers tolerate duplicates.
 */
public final class PublishFailedException extends Exception {

    /** Why a publish failed; the message starts with its {@link #label()}. */
    public enum Reason {
        /** The broker answered basic.nack: it could not store the message. */
        NACKED("nacked"),
        /** A mandatory message no queue took (basic.return). */
        UNROUTABLE("unroutable"),
        /** Larger than the broker's {@code max_message_size}: it can never be stored as it is. */
        TOO_LARGE("too large"),
        /** No confirm arrived within the confirm timeout. */
        TIMED_OUT("timed out"),
        /** The channel or the connection went away before the confirm, or could not be opened. */
        CHANNEL_CLOSED("channel closed"),
        /** The publisher was closed before the confirm arrived. */
        CLOSED("closed"),
        /** The publishing thread was interrupted while waiting for room in flight; nothing was sent. */
        INTERRUPTED("interrupted");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Reason reason;

    public PublishFailedException(Reason reason, String detail) {
        this(reason, detail, null);
    }

    public PublishFailedException(Reason reason, String detail, Throwable cause) {
        // No stack trace: it would show the broker's reader thread or the sweeper, never the caller.
        super(Objects.requireNonNull(reason, "reason").label() + ": " + detail, cause, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /**
     * Whether publishing the same message again may succeed: not for an unroutable, too large or
     * closed publish, yes for a nack, a timeout, a lost channel or an interrupt. An unroutable
     * publish can succeed once its queue is declared again; that is the caller's to do.
     */
    public boolean isTransient() {
        return switch (reason) {
            case NACKED, TIMED_OUT, CHANNEL_CLOSED, INTERRUPTED -> true;
            case UNROUTABLE, TOO_LARGE, CLOSED -> false;
        };
    }
}
