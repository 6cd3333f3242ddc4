package dev.ferrymta.testing.smtp;

import java.time.Duration;

/** What a matching rule tells the session to do, after waiting {@code delay}. */
record ScriptedResponse(Duration delay, Action action) {

    sealed interface Action permits Proceed, Reply, Drop {}

    /** Answer as the sink normally would. */
    record Proceed() implements Action {}

    /** Answer with this reply instead. */
    record Reply(SmtpReply reply) implements Action {}

    /** Close the connection without answering. */
    record Drop() implements Action {}
}
