package dev.ferrymta.relay.attempt;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One attempt to deliver a message, as it goes into the {@code "results"} array.
 *
 * @param state       the step it ended at
 * @param result      how that step went
 * @param time        when it ended
 * @param from        the local IP it was sent from, once one was chosen
 * @param to          the remote IP, once connected
 * @param mta         the remote server's greeting name
 * @param code        the SMTP reply code, when there was a reply
 * @param status      the enhanced status code, when the server gave one
 * @param description a human explanation
 * @param dkim        the DKIM signatures the message went out with, e.g. {@code d=example.com s=s1 a=rsa-sha256}
 * @param session     what the attempt learned of its SMTP session (messages carried, DSN offered,
 *                    TLS cipher and certificate); empty when it ended before a message was sent
 * @param category    the bounce category a response rule set, as results name it ({@code rate-limit});
 *                    empty: the shipped bounce rules decide when the result is written
 */
public record Attempt(AttemptState state, AttemptResult result, Instant time, Optional<InetAddress> from,
        Optional<InetAddress> to, Optional<String> mta, OptionalInt code, Optional<String> status, String description,
        List<String> dkim, Optional<SessionFacts> session, Optional<String> category) {

    public Attempt {
        dkim = List.copyOf(dkim);
    }

    /** An attempt whose category the bounce rules decide. */
    public Attempt(AttemptState state, AttemptResult result, Instant time, Optional<InetAddress> from, Optional<InetAddress> to,
            Optional<String> mta, OptionalInt code, Optional<String> status, String description, List<String> dkim,
            Optional<SessionFacts> session) {
        this(state, result, time, from, to, mta, code, status, description, dkim, session, Optional.empty());
    }

    /** An attempt without DKIM signatures. */
    public Attempt(AttemptState state, AttemptResult result, Instant time, Optional<InetAddress> from, Optional<InetAddress> to,
            Optional<String> mta, OptionalInt code, Optional<String> status, String description) {
        this(state, result, time, from, to, mta, code, status, description, List.of(), Optional.empty());
    }

    /** An attempt with DKIM signatures and no DSN word. */
    public Attempt(AttemptState state, AttemptResult result, Instant time, Optional<InetAddress> from, Optional<InetAddress> to,
            Optional<String> mta, OptionalInt code, Optional<String> status, String description, List<String> dkim) {
        this(state, result, time, from, to, mta, code, status, description, dkim, Optional.empty());
    }

    /** The same attempt, with what it learned of its session. */
    public Attempt withSession(SessionFacts facts) {
        return new Attempt(state, result, time, from, to, mta, code, status, description, dkim, Optional.of(facts), category);
    }

    /** The same attempt, saying which DKIM signatures the message carried. */
    public Attempt signedWith(List<String> signatures) {
        return new Attempt(state, result, time, from, to, mta, code, status, description, signatures, session, category);
    }

    /** The same attempt, with the category a response rule gave it ({@code rate-limit}). */
    public Attempt withCategory(String name) {
        return new Attempt(state, result, time, from, to, mta, code, status, description, dkim, session, Optional.of(name));
    }

    /** An attempt that ended before any connection: {@code process} or {@code dns}. */
    public static Attempt local(AttemptState state, AttemptResult result, Instant time, String description) {
        return new Attempt(state, result, time, Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty(),
                Optional.empty(), description);
    }
}
