package dev.ferrymta.relay.attempt;

import java.util.Locale;

/** How the step went, as MailerQ names it in results ({@code "result"}). */
public enum AttemptResult {
    /** The server accepted. */
    ACCEPTED,
    /** No answer in time. */
    TIMEOUT,
    /** The connection went away. */
    LOST,
    /** The message itself is not valid. */
    INVALID,
    /** The server refused, or something else went wrong. */
    ERROR;

    /** The name in results: lower case. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
