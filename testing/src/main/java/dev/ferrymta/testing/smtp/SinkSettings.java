package dev.ferrymta.testing.smtp;

import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * What every session of one sink shares.
 *
 * @param maxMessageSizeBytes advertised as {@code SIZE} and enforced on {@code DATA}
 * @param tls                 the server context for STARTTLS, or empty when STARTTLS is off
 */
record SinkSettings(long maxMessageSizeBytes, Optional<SSLContext> tls) {

    // A message is held in one byte array, and arrays stop a little short of Integer.MAX_VALUE.
    private static final long LARGEST_MESSAGE_BYTES = Integer.MAX_VALUE - 16;

    SinkSettings {
        if (maxMessageSizeBytes < 1 || maxMessageSizeBytes > LARGEST_MESSAGE_BYTES) {
            throw new IllegalArgumentException("maxMessageSizeBytes must be 1 to " + LARGEST_MESSAGE_BYTES
                    + ", was " + maxMessageSizeBytes);
        }
    }
}
