package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.smtp.SmtpReply;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Judges a refusing reply: a pure function of the step and the reply. 4xx is temporary. 5xx to
 * the message (MAIL FROM, RCPT TO, DATA, the message itself) is permanent; 5xx before that
 * (greeting, EHLO, STARTTLS) says this server will not talk to us, not that the message is bad,
 * so it is temporary: the next MX, or a later attempt, may take it. 421 is always temporary.
 */
public final class ReplyClassifier {

    private ReplyClassifier() {
    }

    /**
     * The outcome of an attempt that got {@code reply} at {@code state}.
     *
     * @param from the local IP, {@code to} the remote IP, {@code mta} its greeting name
     */
    public static DeliveryOutcome classify(AttemptState state, SmtpReply reply, Instant time, InetAddress from,
            InetAddress to, Optional<String> mta) {
        boolean accepted = reply.isPositive() || (reply.isIntermediate() && state == AttemptState.DATA);
        var attempt = new Attempt(state, accepted ? AttemptResult.ACCEPTED : AttemptResult.ERROR, time, Optional.of(from),
                Optional.of(to), mta, OptionalInt.of(reply.code()), reply.enhancedStatus(), reply.text());
        if (accepted) {
            return new DeliveryOutcome.Delivered(attempt);
        }
        if (reply.isPermanentFailure() && concernsTheMessage(state) && reply.code() != 421) {
            return new DeliveryOutcome.PermanentFailure(attempt);
        }
        return new DeliveryOutcome.TemporaryFailure(attempt);
    }

    private static boolean concernsTheMessage(AttemptState state) {
        return switch (state) {
            case MAILFROM, RCPTTO, DATA, MESSAGE -> true;
            case PROCESS, DNS, BIND, CONNECT, INTRO, HANDSHAKE, EHLO, HELO, STARTTLS, AUTHPLAIN, AUTHLOGIN, AUTHUSERNAME,
                    AUTHPASSWORD -> false;
        };
    }
}
