package dev.ferrymta.relay.message;

import java.util.Locale;
import java.util.Optional;

/** What a message asks of TLS toward the receiving server ({@code "security"} in the JSON). */
public enum Security {
    /** Never STARTTLS. */
    NONE,
    /** STARTTLS when offered, plain otherwise; any certificate. The default. */
    OPPORTUNISTIC,
    /** STARTTLS or no delivery; any certificate. */
    REQUIRED,
    /** STARTTLS with a certificate valid for the MX host name, or no delivery. */
    VERIFIED;

    /** Parses MailerQ's names ({@code optional} is an alias of opportunistic). */
    static Optional<Security> parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "none", "plain" -> Optional.of(NONE);
            case "opportunistic", "optional" -> Optional.of(OPPORTUNISTIC);
            case "required" -> Optional.of(REQUIRED);
            case "verified", "verify" -> Optional.of(VERIFIED);
            default -> Optional.empty();
        };
    }
}
