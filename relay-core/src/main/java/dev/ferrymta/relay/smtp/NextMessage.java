package dev.ferrymta.relay.smtp;

import java.util.Optional;

/**
 * Where a session asks for the message to send after the current one, so that its transaction
 * can start in the same write as the current message's end of data: the content, its final dot,
 * then the next MAIL, RCPT and DATA, one TCP segment and one round trip fewer per message on a
 * kept connection. RFC 2920 section 3.1 allows exactly this ("the actual transfer of message
 * content is explicitly allowed to be the first command in a group").
 *
 * <p>Asked at most once per message, after its content is written and only when the server
 * offers PIPELINING. A message it hands over must be the next one the caller sends on the same
 * session ({@link SmtpSession#send(SmtpMessage, NextMessage)}); should the session become
 * unusable first, the caller sends it on another connection as if nothing had been pipelined.
 */
@FunctionalInterface
public interface NextMessage {

    /** Never pipelines: every message waits for the reply to the previous one's end of data. */
    NextMessage NONE = Optional::empty;

    /** The next message to send on this session, taken now; empty when none is ready at once. */
    Optional<SmtpMessage> take();
}
