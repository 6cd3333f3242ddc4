package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.message.Security;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Layers TLS over a connection after STARTTLS (RFC 3207) as its {@link Security} asks: TLS 1.2
 * or 1.3 only; for {@link Security#VERIFIED} the given trust and a certificate valid for the MX
 * host name; otherwise any certificate, since opportunistic TLS only guards against passive
 * listeners and a mail server's certificate rarely names the MX. SNI carries the host name when
 * it is a DNS name.
 */
final class TlsUpgrade {

    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

    private final SSLContext verified;
    private final SSLContext anyCertificate;

    TlsUpgrade(SSLContext verified) {
        this.verified = verified;
        this.anyCertificate = trustingAnyCertificate();
    }

    /** A client socket over {@code plain}, not yet handshaken; closing it closes {@code plain}. */
    SSLSocket layer(Socket plain, SmtpEndpoint endpoint, Security security) throws IOException {
        var host = withoutTrailingDot(endpoint.hostName());
        var context = security == Security.VERIFIED ? verified : anyCertificate;
        var socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, endpoint.port(), true);
        socket.setUseClientMode(true);
        var parameters = socket.getSSLParameters();
        var supported = Arrays.asList(socket.getSupportedProtocols());
        parameters.setProtocols(PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new));
        if (!IP_LITERAL.matcher(host).matches()) {
            try {
                parameters.setServerNames(List.of(new SNIHostName(host)));
            } catch (IllegalArgumentException notADnsName) {
                // Names such as mx_1.example.com are in DNS but not valid for SNI: go without.
            }
        }
        if (security == Security.VERIFIED) {
            // "HTTPS" is RFC 2818 matching against the subject alternative names, as RFC 7817 asks for SMTP.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        socket.setSSLParameters(parameters);
        return socket;
    }

    private static String withoutTrailingDot(String host) {
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    private static SSLContext trustingAnyCertificate() {
        try {
            var context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustingAnyCertificate()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make a TLS client context: " + e.getMessage(), e);
        }
    }

    /** Accepts every server certificate: opportunistic and required TLS do not authenticate. */
    private static final class TrustingAnyCertificate extends X509ExtendedTrustManager {

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client-side trust manager checks no clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("a client-side trust manager checks no clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("a client-side trust manager checks no clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
