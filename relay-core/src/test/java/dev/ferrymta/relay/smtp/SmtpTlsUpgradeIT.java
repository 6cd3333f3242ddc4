package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.message.Security;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The TLS parameters {@link TlsUpgrade} puts on a connection, on a real (loopback) socket. */
class SmtpTlsUpgradeIT {

    private final TlsUpgrade upgrade;
    private ServerSocket listener;
    private Socket plain;

    SmtpTlsUpgradeIT() throws Exception {
        upgrade = new TlsUpgrade(SSLContext.getDefault());
    }

    @BeforeEach
    void connect() throws Exception {
        listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        plain = new Socket();
        plain.connect(new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort()));
    }

    @AfterEach
    void close() throws Exception {
        plain.close();
        listener.close();
    }

    private SSLParameters parameters(String hostName, Security security) throws Exception {
        var endpoint = new SmtpEndpoint(hostName, listener.getInetAddress(), listener.getLocalPort());
        return upgrade.layer(plain, endpoint, security).getSSLParameters();
    }

    @Test
    void offersOnlyTls12And13() throws Exception {
        assertThat(parameters("mx.example.com", Security.OPPORTUNISTIC).getProtocols())
                .containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    }

    @Test
    void checksTheHostNameOnlyWhenVerified() throws Exception {
        assertThat(parameters("mx.example.com", Security.VERIFIED).getEndpointIdentificationAlgorithm())
                .isEqualTo("HTTPS");
        assertThat(parameters("mx.example.com", Security.REQUIRED).getEndpointIdentificationAlgorithm()).isNull();
    }

    @Test
    void sendsTheMxNameWithoutItsTrailingDotAsSni() throws Exception {
        assertThat(parameters("mx.example.com.", Security.VERIFIED).getServerNames())
                .containsExactly(new SNIHostName("mx.example.com"));
    }

    @Test
    void sendsNoSniForAnAddressLiteral() throws Exception {
        assertThat(parameters("127.0.0.1", Security.OPPORTUNISTIC).getServerNames()).isNullOrEmpty();
    }
}
