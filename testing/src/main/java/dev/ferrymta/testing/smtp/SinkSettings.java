package dev.ferrymta.testing.smtp;

import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * What every session of one sink shares.
 *
 * @param maxMessageSizeBytes advertised as {@code SIZE} and enforced on {@code DATA}
 * @param tls                 the server context for STARTTLS, or empty when STARTTLS is off
 * @param addedExtensions     EHLO keywords offered besides the usual ones, such as {@code SMTPUTF8}
 * @param withheldExtensions  usual EHLO keywords not offered, such as {@code 8BITMIME}
 * @param login               the one user name and password {@code AUTH PLAIN} and {@code AUTH LOGIN}
 *                            take (RFC 4954), offered as {@code AUTH PLAIN LOGIN}; empty: no AUTH
 */
record SinkSettings(long maxMessageSizeBytes, Optional<SSLContext> tls, Set<String> addedExtensions, Set<String> withheldExtensions,
        Optional<Login> login) {

    /** A user name and password the sink accepts. */
    record Login(String username, String password, java.util.List<String> mechanisms) {
    }

    SinkSettings(long maxMessageSizeBytes, Optional<SSLContext> tls, Set<String> addedExtensions, Set<String> withheldExtensions) {
        this(maxMessageSizeBytes, tls, addedExtensions, withheldExtensions, Optional.empty());
    }

    // A message is held in one byte array, and arrays stop a little short of Integer.MAX_VALUE.
    private static final long LARGEST_MESSAGE_BYTES = Integer.MAX_VALUE - 16;

    SinkSettings {
        addedExtensions = Set.copyOf(addedExtensions);
        withheldExtensions = Set.copyOf(withheldExtensions);
        if (maxMessageSizeBytes < 1 || maxMessageSizeBytes > LARGEST_MESSAGE_BYTES) {
            throw new IllegalArgumentException("maxMessageSizeBytes must be 1 to " + LARGEST_MESSAGE_BYTES
                    + ", was " + maxMessageSizeBytes);
        }
    }
}
