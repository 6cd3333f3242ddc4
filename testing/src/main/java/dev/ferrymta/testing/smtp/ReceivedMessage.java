package dev.ferrymta.testing.smtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A message the sink accepted with a 2xx reply to its final {@code .}, and how it arrived.
 *
 * @param connectionId         which connection carried it, unique within the JVM; messages sent
 *                             over one connection share it
 * @param sequenceInConnection 1 for the first message accepted on its connection, 2 for the next
 * @param clientAddress        the remote (source) address of the connection
 * @param serverEndpoint       the sink address and port the client connected to
 * @param heloVerb             {@link SmtpCommand#EHLO} or {@link SmtpCommand#HELO}
 * @param heloName             the argument of the last EHLO or HELO
 * @param tls                  whether STARTTLS had succeeded before the message was sent
 * @param sender               the MAIL FROM path without angle brackets; {@code ""} for {@code <>}
 * @param recipients           the RCPT TO paths the sink accepted, in order
 * @param data                 the message after undoing dot-stuffing, line endings as received,
 *                             without the terminating {@code .} line
 * @param mailParameters       the MAIL FROM parameters after the path, as sent ({@code "SIZE=120 RET=HDRS"}); {@code ""} for none
 * @param rcptParameters       each accepted RCPT TO's parameters after the path, as sent, in order
 * @param authenticatedAs      the user name of a successful AUTH on this connection; {@code ""} for none
 */
public record ReceivedMessage(
        long connectionId,
        int sequenceInConnection,
        InetAddress clientAddress,
        InetSocketAddress serverEndpoint,
        SmtpCommand heloVerb,
        String heloName,
        boolean tls,
        String sender,
        List<String> recipients,
        byte[] data,
        String mailParameters,
        List<String> rcptParameters,
        String authenticatedAs) {

    /** Copies {@code recipients} and {@code data}, so the record cannot change after the fact. */
    public ReceivedMessage {
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(serverEndpoint, "serverEndpoint");
        Objects.requireNonNull(heloVerb, "heloVerb");
        Objects.requireNonNull(heloName, "heloName");
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
        data = data.clone();
        Objects.requireNonNull(mailParameters, "mailParameters");
        rcptParameters = List.copyOf(rcptParameters);
        Objects.requireNonNull(authenticatedAs, "authenticatedAs");
    }

    /** A copy of the message bytes. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The message bytes decoded as UTF-8. */
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReceivedMessage that
                && connectionId == that.connectionId
                && sequenceInConnection == that.sequenceInConnection
                && clientAddress.equals(that.clientAddress)
                && serverEndpoint.equals(that.serverEndpoint)
                && heloVerb == that.heloVerb
                && heloName.equals(that.heloName)
                && tls == that.tls
                && sender.equals(that.sender)
                && recipients.equals(that.recipients)
                && Arrays.equals(data, that.data)
                && mailParameters.equals(that.mailParameters)
                && rcptParameters.equals(that.rcptParameters)
                && authenticatedAs.equals(that.authenticatedAs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(connectionId, sequenceInConnection, clientAddress, serverEndpoint, heloVerb,
                heloName, tls, sender, recipients, Arrays.hashCode(data), mailParameters, rcptParameters, authenticatedAs);
    }

    /** Everything but the message text, which can be large; see {@link #text()}. */
    @Override
    public String toString() {
        return "ReceivedMessage[connection " + connectionId + " #" + sequenceInConnection
                + " from " + clientAddress.getHostAddress() + " to " + serverEndpoint
                + ", " + heloVerb + " " + heloName + (tls ? ", TLS" : "")
                + ", <" + sender + "> -> " + recipients + ", " + data.length + " bytes]";
    }
}
