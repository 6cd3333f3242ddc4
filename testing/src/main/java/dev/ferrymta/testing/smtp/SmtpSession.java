package dev.ferrymta.testing.smtp;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server side of one SMTP connection: reads commands, answers them, records messages. */
final class SmtpSession implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

    static final String SERVER_NAME = "localhost";
    // RFC 5321 allows 512 bytes; the rest is headroom for extension parameters.
    private static final int MAX_COMMAND_LINE_BYTES = 2048;
    private static final int MAX_RECIPIENTS = 1000;
    private static final int MAX_LOGGED_CHARS = 200;
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    // Only CRLF.CRLF ends the data: ending it at LF.CRLF too would hide SMTP smuggling bugs.
    private static final byte[] DATA_TERMINATOR = ".\r\n".getBytes(StandardCharsets.US_ASCII);

    private final long connectionId;
    private final InetAddress client;
    private final InetSocketAddress serverEndpoint;
    private final SinkSettings settings;
    private final SmtpScript script;
    private final Consumer<ReceivedMessage> recorder;
    private final Runnable leaving;

    private Socket socket;
    private LineReader in;
    private OutputStream out;
    private boolean open = true;
    private boolean refusing;
    private boolean tls;
    private SmtpCommand heloVerb;
    private String heloName;
    private String sender;
    private final List<String> recipients = new ArrayList<>();
    private String mailParameters = "";
    private String authenticatedAs = "";
    private final List<String> rcptParameters = new ArrayList<>();
    private int messagesAccepted;

    /**
     * @param leaving uncounts the connection; run as soon as the session knows it is ending, so
     *                a client that reconnects right after QUIT is not seen as concurrent
     */
    SmtpSession(Socket socket, long connectionId, SinkSettings settings, SmtpScript script,
            Consumer<ReceivedMessage> recorder, Runnable leaving) {
        this.socket = socket;
        this.connectionId = connectionId;
        this.client = socket.getInetAddress();
        this.serverEndpoint = (InetSocketAddress) socket.getLocalSocketAddress();
        this.settings = settings;
        this.script = script;
        this.recorder = recorder;
        this.leaving = leaving;
    }

    @Override
    public void run() {
        try {
            out = new BufferedOutputStream(socket.getOutputStream());
            in = new LineReader(socket.getInputStream(), out);
            greet();
            while (open) {
                LineReader.Line line = in.readLine(MAX_COMMAND_LINE_BYTES);
                if (line == null) {
                    break;
                }
                if (line.tooLong()) {
                    send(new SmtpReply(500, "5.5.2 line too long"));
                } else {
                    handle(withoutLineEnding(line.bytes()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("SMTP sink connection {} from {} ended: {}", connectionId, client.getHostAddress(), e.toString());
        } finally {
            leaving.run();
            closeSocket();
        }
    }

    private void greet() throws IOException, InterruptedException {
        respond(SmtpCommand.GREETING, "", new SmtpReply(220, SERVER_NAME + " ESMTP Ferry SMTP sink"), () -> {})
                .filter(reply -> !reply.positive())
                .ifPresent(reply -> refusing = true);
    }

    private void handle(String line) throws IOException, InterruptedException {
        if (log.isDebugEnabled()) {
            log.debug("SMTP sink connection {} <<< {}", connectionId, loggable(line));
        }
        int space = line.indexOf(' ');
        String verb = space < 0 ? line : line.substring(0, space);
        String argument = space < 0 ? "" : line.substring(space + 1).strip();
        Optional<SmtpCommand> command = SmtpCommand.ofVerb(verb);
        if (command.isEmpty()) {
            send(new SmtpReply(500, "5.5.2 command not recognized"));
        } else if (refusing && command.get() != SmtpCommand.QUIT) {
            // RFC 5321 section 3.1: after a negative greeting, wait for QUIT.
            send(new SmtpReply(503, "5.5.1 no service here, send QUIT"));
        } else {
            switch (command.get()) {
                case EHLO, HELO -> hello(command.get(), line, argument);
                case MAIL -> mail(line, argument);
                case RCPT -> rcpt(line, argument);
                case DATA -> data(line, argument);
                case RSET -> respond(SmtpCommand.RSET, line, new SmtpReply(250, "2.0.0 ok"), this::resetTransaction);
                case NOOP -> respond(SmtpCommand.NOOP, line, new SmtpReply(250, "2.0.0 ok"), () -> {});
                case QUIT -> respond(SmtpCommand.QUIT, line, new SmtpReply(221, "2.0.0 bye"), () -> {});
                case STARTTLS -> startTls(line, argument);
                case AUTH -> auth(line, argument);
                case GREETING, END_OF_DATA -> throw new IllegalStateException(command.get() + " is not a client command");
            }
        }
    }

    /** RFC 4954: AUTH PLAIN with or without the initial response, and AUTH LOGIN, against the one login. */
    private void auth(String line, String argument) throws IOException, InterruptedException {
        if (settings.login().isEmpty()) {
            send(new SmtpReply(502, "5.5.1 AUTH not offered"));
            return;
        }
        if (!authenticatedAs.isEmpty() || sender != null) {
            send(new SmtpReply(503, "5.5.1 AUTH not allowed now"));
            return;
        }
        var parts = argument.split(" ", 2);
        var mechanism = parts[0].toUpperCase(java.util.Locale.ROOT);
        if (!settings.login().get().mechanisms().contains(mechanism)) {
            send(new SmtpReply(504, "5.5.4 mechanism not offered"));
            return;
        }
        String username;
        String password;
        if (mechanism.equals("PLAIN")) {
            var response = parts.length > 1 ? parts[1].strip() : challenge("");
            if (response == null) {
                return;
            }
            var decoded = decode(response);
            var fields = decoded == null ? new String[0] : decoded.split("\0", -1);
            if (fields.length != 3) {
                send(new SmtpReply(501, "5.5.2 malformed AUTH PLAIN response"));
                return;
            }
            username = fields[1];
            password = fields[2];
        } else if (mechanism.equals("LOGIN")) {
            var user = challenge("VXNlcm5hbWU6");
            var pass = user == null ? null : challenge("UGFzc3dvcmQ6");
            if (pass == null) {
                return;
            }
            username = decode(user);
            password = decode(pass);
        } else {
            send(new SmtpReply(504, "5.5.4 mechanism not supported"));
            return;
        }
        var login = settings.login().get();
        boolean good = login.username().equals(username) && login.password().equals(password);
        var reply = good ? new SmtpReply(235, "2.7.0 authentication successful")
                : new SmtpReply(535, "5.7.8 authentication credentials invalid");
        respond(SmtpCommand.AUTH, line, reply, () -> {
            if (good) {
                authenticatedAs = username;
            }
        });
    }

    /** Sends a 334 challenge and reads the client's line; null (after a 501) when the client cancels with "*". */
    private String challenge(String text) throws IOException, InterruptedException {
        send(new SmtpReply(334, text));
        LineReader.Line line = in.readLine(MAX_COMMAND_LINE_BYTES);
        if (line == null) {
            throw new java.io.EOFException("client closed the connection during AUTH");
        }
        var response = withoutLineEnding(line.bytes()).strip();
        if (response.equals("*")) {
            send(new SmtpReply(501, "5.7.0 AUTH cancelled"));
            return null;
        }
        return response;
    }

    private static String decode(String base64) {
        try {
            return new String(java.util.Base64.getDecoder().decode(base64), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void hello(SmtpCommand verb, String line, String name) throws IOException, InterruptedException {
        if (name.isEmpty()) {
            send(new SmtpReply(501, "5.5.4 syntax: " + verb + " hostname"));
            return;
        }
        SmtpReply normal = verb == SmtpCommand.EHLO ? ehloReply(name) : new SmtpReply(250, SERVER_NAME);
        respond(verb, line, normal, () -> {
            heloVerb = verb;
            heloName = name;
            resetTransaction();
        });
    }

    private SmtpReply ehloReply(String name) {
        List<String> lines = new ArrayList<>(List.of(SERVER_NAME + " greets " + name, "PIPELINING",
                "SIZE " + settings.maxMessageSizeBytes(), "8BITMIME", "ENHANCEDSTATUSCODES"));
        lines.addAll(settings.addedExtensions());
        if (settings.login().isPresent()) {
            lines.add("AUTH " + String.join(" ", settings.login().get().mechanisms()));
        }
        lines.removeIf(line -> settings.withheldExtensions().contains(line.split(" ", 2)[0]));
        if (settings.tls().isPresent() && !tls) {
            lines.add("STARTTLS");
        }
        return new SmtpReply(250, String.join("\n", lines));
    }

    private void mail(String line, String argument) throws IOException, InterruptedException {
        Optional<String> path = EnvelopePath.of(line);
        if (heloName == null) {
            send(new SmtpReply(503, "5.5.1 send EHLO or HELO first"));
        } else if (sender != null) {
            send(new SmtpReply(503, "5.5.1 nested MAIL command"));
        } else if (!startsWithIgnoringCase(argument, "FROM:") || path.isEmpty()) {
            send(new SmtpReply(501, "5.5.4 syntax: MAIL FROM:<address>"));
        } else {
            Optional<SmtpReply> refusal = checkDeclaredSize(EnvelopePath.parameters(line));
            if (refusal.isPresent()) {
                send(refusal.get());
            } else {
                respond(SmtpCommand.MAIL, line, new SmtpReply(250, "2.1.0 sender ok"), () -> {
                    sender = path.get();
                    mailParameters = EnvelopePath.parameters(line);
                });
            }
        }
    }

    private Optional<SmtpReply> checkDeclaredSize(String parameters) {
        for (String parameter : parameters.split("\\s+")) {
            if (startsWithIgnoringCase(parameter, "SIZE=")) {
                long size;
                try {
                    size = Long.parseLong(parameter.substring("SIZE=".length()));
                } catch (NumberFormatException e) {
                    return Optional.of(new SmtpReply(501, "5.5.4 bad SIZE parameter"));
                }
                if (size > settings.maxMessageSizeBytes()) {
                    return Optional.of(new SmtpReply(552, "5.3.4 message size exceeds fixed limit of "
                            + settings.maxMessageSizeBytes() + " bytes"));
                }
            }
        }
        return Optional.empty();
    }

    private void rcpt(String line, String argument) throws IOException, InterruptedException {
        Optional<String> path = EnvelopePath.of(line).filter(address -> !address.isEmpty());
        if (sender == null) {
            send(new SmtpReply(503, "5.5.1 need MAIL before RCPT"));
        } else if (!startsWithIgnoringCase(argument, "TO:") || path.isEmpty()) {
            send(new SmtpReply(501, "5.5.4 syntax: RCPT TO:<address>"));
        } else if (recipients.size() >= MAX_RECIPIENTS) {
            send(new SmtpReply(452, "4.5.3 too many recipients"));
        } else {
            respond(SmtpCommand.RCPT, line, new SmtpReply(250, "2.1.5 recipient ok"), () -> {
                recipients.add(path.get());
                rcptParameters.add(EnvelopePath.parameters(line));
            });
        }
    }

    private void data(String line, String argument) throws IOException, InterruptedException {
        if (sender == null) {
            send(new SmtpReply(503, "5.5.1 need MAIL before DATA"));
        } else if (recipients.isEmpty()) {
            send(new SmtpReply(554, "5.5.1 no valid recipients"));
        } else if (!argument.isEmpty()) {
            send(new SmtpReply(501, "5.5.4 DATA takes no arguments"));
        } else if (respond(SmtpCommand.DATA, line, new SmtpReply(354, "end data with <CR><LF>.<CR><LF>"), () -> {})
                .filter(SmtpReply::positive).isPresent()) {
            receiveMessage();
        }
    }

    private void receiveMessage() throws IOException, InterruptedException {
        long max = settings.maxMessageSizeBytes();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        boolean tooBig = false;
        boolean afterCrlf = true;
        while (true) {
            // One byte over the room left for a stuffed dot, and never too little to see the terminator.
            long room = tooBig ? 0 : max - data.size();
            LineReader.Line line = in.readLine(Math.max(room + 1, DATA_TERMINATOR.length));
            if (line == null) {
                throw new EOFException("client closed the connection in the middle of DATA");
            }
            byte[] bytes = line.bytes();
            if (afterCrlf && !line.tooLong() && Arrays.equals(bytes, DATA_TERMINATOR)) {
                break;
            }
            // An overlong line was cut; assume it ended properly so the terminator is still found.
            afterCrlf = line.tooLong() || endsWithCrlf(bytes);
            if (line.tooLong() || tooBig) {
                tooBig = true;
                continue;
            }
            int stuffed = bytes.length > 0 && bytes[0] == '.' ? 1 : 0;
            data.write(bytes, stuffed, bytes.length - stuffed);
            if (data.size() > max) {
                tooBig = true;
                data = new ByteArrayOutputStream();
            }
        }
        if (tooBig) {
            send(new SmtpReply(552, "5.3.4 message exceeds the limit of " + max + " bytes"));
        } else {
            byte[] message = data.toByteArray();
            SmtpReply queued = new SmtpReply(250, "2.0.0 queued as " + connectionId + "." + (messagesAccepted + 1));
            respond(SmtpCommand.END_OF_DATA, ".", queued, () -> record(message));
        }
        resetTransaction();
    }

    private void record(byte[] message) {
        messagesAccepted++;
        recorder.accept(new ReceivedMessage(connectionId, messagesAccepted, client, serverEndpoint, heloVerb,
                heloName, tls, sender, recipients, message, mailParameters, rcptParameters, authenticatedAs));
    }

    private void startTls(String line, String argument) throws IOException, InterruptedException {
        Optional<SSLContext> context = settings.tls();
        if (context.isEmpty()) {
            send(new SmtpReply(502, "5.5.1 STARTTLS is not offered"));
        } else if (tls) {
            send(new SmtpReply(503, "5.5.1 TLS is already active"));
        } else if (!argument.isEmpty()) {
            send(new SmtpReply(501, "5.5.4 STARTTLS takes no arguments"));
        } else if (respond(SmtpCommand.STARTTLS, line, new SmtpReply(220, "2.0.0 ready to start TLS"), () -> {})
                .filter(SmtpReply::positive).isPresent()) {
            upgrade(context.get());
        }
    }

    private void upgrade(SSLContext context) throws IOException {
        out.flush(); // the 220 goes out in plain text before the handshake
        SSLSocket secure = (SSLSocket) context.getSocketFactory().createSocket(socket, null, true);
        socket = secure;
        secure.startHandshake();
        // RFC 3207 section 4.2: forget plaintext read ahead and everything learned before TLS.
        out = new BufferedOutputStream(secure.getOutputStream());
        in = new LineReader(secure.getInputStream(), out);
        tls = true;
        heloVerb = null;
        heloName = null;
        authenticatedAs = "";
        resetTransaction();
    }

    /**
     * Answers a valid command as the script says, or with {@code normal}. When the answer is
     * positive, {@code effect} runs before the reply is sent, so whatever a client learns from
     * the reply (a message was accepted) is already visible to the test.
     *
     * @return the reply sent, or empty if the script dropped the connection instead
     */
    private Optional<SmtpReply> respond(SmtpCommand command, String line, SmtpReply normal, Runnable effect)
            throws IOException, InterruptedException {
        SmtpReply reply = normal;
        Optional<ScriptedResponse> scripted = script.respond(command, line, client);
        if (scripted.isPresent()) {
            if (!scripted.get().delay().isZero()) {
                out.flush(); // what was answered before goes out before the wait
            }
            Thread.sleep(scripted.get().delay());
            switch (scripted.get().action()) {
                case ScriptedResponse.Proceed proceed -> { }
                case ScriptedResponse.Reply replacement -> reply = replacement.reply();
                case ScriptedResponse.Drop drop -> {
                    log.debug("SMTP sink connection {} dropped by script at {}", connectionId, command);
                    hangUp();
                    return Optional.empty();
                }
            }
        }
        if (reply.positive()) {
            effect.run();
        }
        if (command == SmtpCommand.QUIT || reply.closesConnection()) {
            leaving.run();
            open = false;
        }
        send(reply);
        return Optional.of(reply);
    }

    /**
     * Writes a reply. It goes out when the reader waits for more input (replies to pipelined
     * commands together), or at once when the connection ends with it.
     */
    private void send(SmtpReply reply) throws IOException {
        if (log.isDebugEnabled()) {
            log.debug("SMTP sink connection {} >>> {} {}", connectionId, reply.code(), loggable(reply.text()));
        }
        out.write(reply.encode());
        if (!open) {
            out.flush();
        }
    }

    private void resetTransaction() {
        sender = null;
        recipients.clear();
        mailParameters = "";
        rcptParameters.clear();
    }

    private void hangUp() {
        leaving.run();
        open = false;
        try {
            out.flush(); // the replies already given reach the client; then the connection drops
        } catch (IOException e) {
            log.debug("SMTP sink connection {}: flushing before hanging up failed: {}", connectionId, e.toString());
        }
        closeSocket();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("SMTP sink connection {}: closing the socket failed: {}", connectionId, e.toString());
        }
    }

    private static String withoutLineEnding(byte[] line) {
        int end = line.length;
        while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == '\r')) {
            end--;
        }
        return new String(line, 0, end, StandardCharsets.UTF_8);
    }

    private static boolean endsWithCrlf(byte[] line) {
        return line.length >= 2 && line[line.length - 2] == '\r' && line[line.length - 1] == '\n';
    }

    private static boolean startsWithIgnoringCase(String text, String prefix) {
        return text.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static String loggable(String text) {
        // Hostile input must not forge log lines or fill the log.
        String shown = text.length() > MAX_LOGGED_CHARS ? text.substring(0, MAX_LOGGED_CHARS) + "..." : text;
        return CONTROL.matcher(shown).replaceAll("?");
    }
}
