package dev.ferrymta.testing.smtp;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** A deliberately plain SMTP client, so the tests see exactly what goes over the wire. */
final class SmtpTestClient implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 10_000;

    /** One reply: its code and its lines without the code prefix. */
    record Reply(int code, List<String> lines) {

        String text() {
            return String.join("\n", lines);
        }
    }

    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    private SmtpTestClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        streams();
    }

    /** Connects from the default source address, without reading the greeting. */
    static SmtpTestClient connect(InetSocketAddress server) throws IOException {
        return new SmtpTestClient(new Socket(server.getAddress(), server.getPort()));
    }

    /** Connects from {@code source}, without reading the greeting. */
    static SmtpTestClient connect(InetSocketAddress server, InetAddress source) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(server, READ_TIMEOUT_MILLIS);
        return new SmtpTestClient(socket);
    }

    /** Connects, reads the 220 greeting and says EHLO. */
    static SmtpTestClient greeted(InetSocketAddress server, String ehloName) throws IOException {
        SmtpTestClient client = connect(server);
        client.expect(220);
        client.command("EHLO " + ehloName);
        return client;
    }

    /** Sends the lines, each followed by CRLF, in a single write. */
    void send(String... lines) throws IOException {
        StringBuilder wire = new StringBuilder();
        for (String line : lines) {
            wire.append(line).append("\r\n");
        }
        write(wire.toString());
    }

    /** Sends the text exactly as given. */
    void write(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    Reply command(String line) throws IOException {
        send(line);
        return read();
    }

    Reply read() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new EOFException("server closed the connection; reply so far: " + lines);
            }
            lines.add(line.substring(4));
            if (line.charAt(3) == ' ') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
            }
        }
    }

    /** Reads a reply and fails unless it has this code. */
    Reply expect(int code) throws IOException {
        Reply reply = read();
        if (reply.code() != code) {
            throw new AssertionError("expected " + code + " but the server said " + reply);
        }
        return reply;
    }

    /** MAIL, RCPT for each recipient, DATA and the message, checking each step; the final reply. */
    Reply sendMessage(String sender, List<String> recipients, String stuffedData) throws IOException {
        expectReplyTo("MAIL FROM:<" + sender + ">", 250);
        for (String recipient : recipients) {
            expectReplyTo("RCPT TO:<" + recipient + ">", 250);
        }
        expectReplyTo("DATA", 354);
        write(stuffedData + ".\r\n");
        return read();
    }

    /** STARTTLS, then a handshake that checks the certificate names {@code host}. */
    void startTls(SSLContext context, String host) throws IOException {
        expectReplyTo("STARTTLS", 220);
        startTlsHandshake(context, host);
    }

    /** The TLS handshake alone, for a test that sent STARTTLS itself. */
    void startTlsHandshake(SSLContext context, String host) throws IOException {
        SSLSocket secure = (SSLSocket) context.getSocketFactory()
                .createSocket(socket, host, socket.getPort(), true);
        SSLParameters parameters = secure.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        secure.setSSLParameters(parameters);
        secure.startHandshake();
        socket = secure;
        streams();
    }

    /** Whether the server closes the connection without sending anything more. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void expectReplyTo(String line, int code) throws IOException {
        send(line);
        expect(code);
    }

    private void streams() throws IOException {
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }
}
