package dev.ferrymta.relay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.message.MessageParser;
import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.message.ParsedMessage;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The failure notice (RFC 3464) a message asks for with MailerQ's "dsn" property. */
class DeliveryStatusNotificationTest {

    private static final Instant NOW = Instant.parse("2026-12-01T06:00:00Z");
    private static final String MIME = "From: News <news@example.com>\r\nTo: gone@example.org\r\nSubject: the offer\r\n\r\nthe body text\r\n";

    private static OutboxMessage message(String extra) {
        var json = "{\"envelope\": \"bounces@example.com\", \"recipient\": \"gone@example.org\", \"mime\": "
                + MessageParser.mapper().valueToTree(MIME) + extra + "}";
        return ((ParsedMessage.Valid) MessageParser.parse(json.getBytes(StandardCharsets.UTF_8))).message();
    }

    private static Attempt refusedAtRcpt() throws Exception {
        return new Attempt(AttemptState.RCPTTO, AttemptResult.ERROR, NOW.minusSeconds(5), Optional.of(InetAddress.getByName("192.0.2.1")),
                Optional.of(InetAddress.getByName("198.51.100.7")), Optional.of("mx.example.org"), OptionalInt.of(550),
                Optional.of("5.1.1"), "no such user", List.of(), Optional.empty());
    }

    /** Each part's MIME type and text, in order. */
    private static List<String> parts(String mime) throws Exception {
        var parts = new ArrayList<String>();
        var stream = new MimeTokenStream(new MimeConfig.Builder().setMaxLineLen(-1).build());
        // The attached message is one part, as a reader sees it, not parsed into its own.
        stream.setRecursionMode(org.apache.james.mime4j.stream.RecursionMode.M_NO_RECURSE);
        stream.parse(new ByteArrayInputStream(mime.getBytes(StandardCharsets.UTF_8)));
        for (var state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
            if (state == EntityState.T_START_MULTIPART) {
                parts.add(stream.getBodyDescriptor().getMimeType());
            } else if (state == EntityState.T_BODY) {
                parts.add(stream.getBodyDescriptor().getMimeType() + ": "
                        + new String(stream.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return parts;
    }

    @ParameterizedTest(name = "[{index}] no dsn, or one without FAILURE: {0}")
    @ValueSource(strings = {
            "",
            ", \"dsn\": {\"notify\": \"NEVER\"}",
            ", \"dsn\": {\"notify\": \"SUCCESS,DELAY\"}",
            ", \"dsn\": {\"ret\": \"HDRS\"}",
    })
    void noNoticeUnlessFailureIsAskedFor(String dsn) throws Exception {
        assertThat(DeliveryStatusNotification.onFailure(message(dsn), List.of(refusedAtRcpt()), "mta1.example.net", NOW)).isEmpty();
    }

    @Test
    void noNoticeForAMessageWithoutAnEnvelopeSender() throws Exception {
        var json = "{\"envelope\": \"\", \"recipient\": \"gone@example.org\", \"mime\": \"Subject: x\\r\\n\\r\\nx\\r\\n\", "
                + "\"dsn\": {\"notify\": \"FAILURE\"}}";
        var message = ((ParsedMessage.Valid) MessageParser.parse(json.getBytes(StandardCharsets.UTF_8))).message();

        assertThat(DeliveryStatusNotification.onFailure(message, List.of(refusedAtRcpt()), "mta1.example.net", NOW)).isEmpty();
    }

    @Test
    void aRefusedRecipientIsReportedWithTheServersWordsAndTheWholeMessage() throws Exception {
        var message = message(", \"dsn\": {\"notify\": \"FAILURE,DELAY\", \"envid\": \"campaign-7\", \"orcpt\": \"old@example.org\"}");

        var notice = DeliveryStatusNotification.onFailure(message, List.of(refusedAtRcpt()), "mta1.example.net", NOW).orElseThrow();

        assertThat(notice.get("envelope").asText()).as("the null reverse-path").isEmpty();
        assertThat(notice.get("recipient").asText()).isEqualTo("bounces@example.com");
        assertThat(notice.has("dsn")).as("a notice asks for no notice").isFalse();
        var mime = notice.get("mime").asText();
        assertThat(mime).contains("From: Mail Delivery System <MAILER-DAEMON@mta1.example.net>\r\n", "To: <bounces@example.com>\r\n",
                "Auto-Submitted: auto-replied\r\n", "Content-Type: multipart/report; report-type=delivery-status;");
        var parts = parts(mime);
        assertThat(parts).hasSize(4);
        assertThat(parts.get(0)).isEqualTo("multipart/report");
        assertThat(parts.get(1)).startsWith("text/plain: ").contains("<gone@example.org>", "no such user");
        assertThat(parts.get(2)).startsWith("message/delivery-status: ").contains("Reporting-MTA: dns; mta1.example.net\r\n",
                "Original-Envelope-Id: campaign-7\r\n", "\r\n\r\nOriginal-Recipient: rfc822; old@example.org\r\n",
                "Final-Recipient: rfc822; gone@example.org\r\n", "Action: failed\r\n", "Status: 5.1.1\r\n",
                "Remote-MTA: dns; mx.example.org\r\n", "Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n",
                "Last-Attempt-Date: Tue, 1 Dec 2026 05:59:55 GMT\r\n");
        assertThat(parts.get(3)).isEqualTo("message/rfc822: " + MIME);
    }

    @Test
    void retHdrsSendsTheOriginalHeaderOnly() throws Exception {
        var message = message(", \"dsn\": {\"notify\": \"FAILURE\", \"ret\": \"HDRS\"}");

        var mime = DeliveryStatusNotification.onFailure(message, List.of(refusedAtRcpt()), "mta1.example.net", NOW).orElseThrow()
                .get("mime").asText();

        assertThat(parts(mime).getLast()).isEqualTo("text/rfc822-headers: From: News <news@example.com>\r\nTo: gone@example.org\r\n"
                + "Subject: the offer\r\n");
        assertThat(mime).doesNotContain("the body text");
    }

    @Test
    void aLargeOriginalGoesBackAsItsHeaderOnlyWhateverRetAsks() throws Exception {
        var large = "From: news@example.com\r\nSubject: large\r\n\r\n" + "x".repeat(DeliveryStatusNotification.MAX_RETURNED_OCTETS) + "\r\n";
        var json = "{\"envelope\": \"bounces@example.com\", \"recipient\": \"gone@example.org\", \"mime\": "
                + MessageParser.mapper().valueToTree(large) + ", \"dsn\": {\"notify\": \"FAILURE\", \"ret\": \"FULL\"}}";
        var message = ((ParsedMessage.Valid) MessageParser.parse(json.getBytes(StandardCharsets.UTF_8))).message();

        var mime = DeliveryStatusNotification.onFailure(message, List.of(refusedAtRcpt()), "mta1.example.net", NOW).orElseThrow()
                .get("mime").asText();

        assertThat(parts(mime).getLast()).isEqualTo("text/rfc822-headers: From: news@example.com\r\nSubject: large\r\n");
        assertThat(mime.length()).isLessThan(5_000);
    }

    @Test
    void aMessageGivenUpAfterTemporaryFailuresReportsTheLastRepliesStatusOrDeliveryTimeExpired() throws Exception {
        var message = message(", \"dsn\": {\"notify\": \"FAILURE\"}");
        var deferred = new Attempt(AttemptState.RCPTTO, AttemptResult.ERROR, NOW.minusSeconds(60), Optional.empty(), Optional.empty(),
                Optional.of("mx.example.org"), OptionalInt.of(451), Optional.empty(), "greylisted", List.of(), Optional.empty());
        var closing = Attempt.local(AttemptState.PROCESS, AttemptResult.TIMEOUT, NOW, "gave up after 20 attempts");

        var withReply = DeliveryStatusNotification.onFailure(message, List.of(deferred, closing), "mta1", NOW).orElseThrow();
        var withoutReply = DeliveryStatusNotification.onFailure(message, List.of(closing), "mta1", NOW).orElseThrow();

        assertThat(withReply.get("mime").asText()).contains("Status: 4.0.0\r\n", "Diagnostic-Code: smtp; 451 greylisted\r\n",
                "gave up after 20 attempts", "From: Mail Delivery System <MAILER-DAEMON@example.com>");
        assertThat(withoutReply.get("mime").asText()).contains("Status: 4.4.7\r\n").doesNotContain("Diagnostic-Code");
    }
}
