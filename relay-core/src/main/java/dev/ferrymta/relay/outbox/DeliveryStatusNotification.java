package dev.ferrymta.relay.outbox;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.smtp.MessageFitting;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The failure notice a message asks for with MailerQ's {@code "dsn": {"notify": "FAILURE"}}: when
 * Ferry gives the message up, a delivery status notification (RFC 3464) goes back to its envelope
 * sender, as an outbox message of its own that Ferry then delivers like any other. MailerQ
 * documents the same ("Sending bounces with MailerQ": a DSN is added to the outbox queue); RFC 3461
 * makes it the duty of an MTA that accepted a message with {@code NOTIFY=FAILURE} and
 * cannot deliver it.
 *
 * <p>The notice is {@code multipart/report; report-type=delivery-status}: a human-readable part,
 * the {@code message/delivery-status} part (Reporting-MTA, Original-Envelope-Id, Original-Recipient,
 * Final-Recipient, {@code Action: failed}, Status, Remote-MTA, Diagnostic-Code, Last-Attempt-Date)
 * and the original message, whole ({@code RET=FULL}, and MailerQ's default) or its header only
 * ({@code RET=HDRS}, or an original over {@value #MAX_RETURNED_OCTETS} octets). It is sent from the null reverse-path (RFC 5321 section 4.5.5), so a notice
 * is never answered by another, and none is made for a message that had no envelope sender.
 */
public final class DeliveryStatusNotification {

    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /**
     * A larger original goes back as its header only, whatever {@code RET} asks: the notice of a
     * message the broker could not store must not be too large to store too (Postfix's
     * {@code bounce_size_limit} has the same default).
     */
    static final int MAX_RETURNED_OCTETS = 50_000;

    private DeliveryStatusNotification() {
    }

    /**
     * The outbox message that tells {@code message}'s sender it failed, when it asked so.
     *
     * @param attempts     the attempts of this last round, the one that decided it last
     * @param reportingMta the name of this instance, for Reporting-MTA and the notice's From
     * @return empty when the message did not ask for failure notices, or has no envelope sender
     */
    public static Optional<ObjectNode> onFailure(OutboxMessage message, List<Attempt> attempts, String reportingMta, Instant now) {
        if (message.envelope().isEmpty() || !asksForFailure(message) || attempts.isEmpty()) {
            return Optional.empty();
        }
        var sender = message.envelope().get();
        // The closing "process" entry says why Ferry gave up; the attempt before it what the server said.
        var last = attempts.getLast();
        var decisive = attempts.stream().filter(a -> a.code().isPresent()).reduce((a, b) -> b).orElse(last);
        var boundary = "ferry-dsn-" + UUID.randomUUID();
        var host = reportingMta.isBlank() ? sender.domain().toString() : reportingMta;
        var mime = new StringBuilder();
        mime.append("From: Mail Delivery System <MAILER-DAEMON@").append(host.contains(".") ? host : sender.domain().toString())
                .append(">\r\n");
        mime.append("To: <").append(sender).append(">\r\n");
        mime.append("Subject: Undelivered Mail Returned to Sender\r\n");
        mime.append("Date: ").append(DATE.format(now)).append("\r\n");
        mime.append("Message-ID: <").append(UUID.randomUUID()).append('@').append(host).append(">\r\n");
        mime.append("Auto-Submitted: auto-replied\r\n");
        mime.append("MIME-Version: 1.0\r\n");
        mime.append("Content-Type: multipart/report; report-type=delivery-status; boundary=\"").append(boundary).append("\"\r\n");
        mime.append("\r\n");
        mime.append("--").append(boundary).append("\r\n");
        mime.append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
        mime.append("This is the mail system at ").append(host).append(".\r\n\r\n");
        mime.append("Your message to <").append(message.recipient()).append("> could not be delivered:\r\n\r\n");
        mime.append("    ").append(oneLine(last.description())).append("\r\n");
        if (decisive != last) {
            mime.append("    ").append(oneLine(decisive.description())).append("\r\n");
        }
        mime.append("\r\n--").append(boundary).append("\r\n");
        mime.append("Content-Type: message/delivery-status\r\n\r\n");
        mime.append("Reporting-MTA: dns; ").append(host).append("\r\n");
        message.dsn().envid().ifPresent(envid -> mime.append("Original-Envelope-Id: ").append(oneLine(envid)).append("\r\n"));
        mime.append("\r\n");
        message.dsn().orcpt().ifPresent(orcpt -> mime.append("Original-Recipient: ").append(orcpt.replaceFirst(";", "; "))
                .append("\r\n"));
        mime.append("Final-Recipient: rfc822; ").append(message.recipient()).append("\r\n");
        mime.append("Action: failed\r\n");
        mime.append("Status: ").append(status(decisive, last)).append("\r\n");
        decisive.mta().ifPresent(mta -> mime.append("Remote-MTA: dns; ").append(oneLine(mta)).append("\r\n"));
        if (decisive.code().isPresent()) {
            mime.append("Diagnostic-Code: smtp; ").append(decisive.code().getAsInt())
                    .append(decisive.status().map(s -> " " + s).orElse("")).append(' ').append(oneLine(decisive.description()))
                    .append("\r\n");
        }
        mime.append("Last-Attempt-Date: ").append(DATE.format(decisive.time())).append("\r\n");
        mime.append("\r\n--").append(boundary).append("\r\n");
        // Line ends as DATA sends them, by the rule the SMTP client uses.
        var bytes = MessageFitting.crlf(message.mime().getBytes(StandardCharsets.UTF_8));
        var original = new String(bytes, StandardCharsets.UTF_8);
        boolean headersOnly = message.dsn().ret().map(r -> r.equals("HDRS")).orElse(false) || bytes.length > MAX_RETURNED_OCTETS;
        if (headersOnly) {
            mime.append("Content-Type: text/rfc822-headers\r\n\r\n").append(header(original));
        } else {
            mime.append("Content-Type: message/rfc822\r\n\r\n").append(original);
        }
        mime.append("\r\n--").append(boundary).append("--\r\n");

        var json = JsonNodeFactory.instance.objectNode();
        json.put("envelope", "");
        json.put("recipient", sender.toString());
        json.put("mime", mime.toString());
        json.put("x-ferry-dsn-for", message.recipient().toString());
        return Optional.of(json);
    }

    /** Whether {@code NOTIFY} names FAILURE (RFC 3461 section 4.1; NEVER names nothing else). */
    static boolean asksForFailure(OutboxMessage message) {
        return message.dsn().notifyOn().map(n -> List.of(n.split(",")).contains("FAILURE")).orElse(false);
    }

    /**
     * The status code (RFC 3463) of the failure: the server's enhanced code when it gave one, else
     * one for its reply's class; for a message given up after temporary failures, 4.4.7 (delivery
     * time expired) when no attempt says more.
     */
    static String status(Attempt decisive, Attempt last) {
        if (decisive.status().isPresent()) {
            return decisive.status().get();
        }
        if (decisive.code().isPresent()) {
            return decisive.code().getAsInt() >= 500 ? "5.0.0" : "4.0.0";
        }
        return last.result() == AttemptResult.TIMEOUT ? "4.4.7" : "5.0.0";
    }

    private static String oneLine(String text) {
        var line = text.replaceAll("[\\r\\n\\t]+", " ").strip();
        return line.length() > 900 ? line.substring(0, 900) : line;
    }

    /** The header section of {@code mime}, up to and without the empty line. */
    private static String header(String mime) {
        int end = mime.indexOf("\r\n\r\n");
        return end < 0 ? mime : mime.substring(0, end + 2);
    }

}
