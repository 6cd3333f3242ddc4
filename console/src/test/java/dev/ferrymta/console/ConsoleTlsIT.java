package dev.ferrymta.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.testing.smtp.SelfSignedCertificate;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console over HTTPS with {@code www-certificate} and {@code www-key} (PEM files). */
class ConsoleTlsIT {

    @TempDir
    Path directory;

    private ConsoleServer console;

    @AfterEach
    void stop() {
        if (console != null) {
            console.close();
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END "
                + type + "-----\n";
    }

    @Test
    void servesHttpsWithTheGivenCertificateAndSecureCookies() throws Exception {
        var certificate = SelfSignedCertificate.create();
        var certFile = Files.writeString(directory.resolve("console.crt"), pem("CERTIFICATE", certificate.certificate().getEncoded()));
        var keyFile = Files.writeString(directory.resolve("console.key"), pem("PRIVATE KEY", certificate.privateKey().getEncoded()));
        var tls = ConsoleTls.load(certFile, keyFile);
        var config = new ConsoleConfig(InetAddress.getLoopbackAddress(), 0, URI.create("https://127.0.0.1/"),
                Optional.of("correct-horse"), Optional.of(tls));
        var info = new InstanceInfo("mail1", "mail1.example", "1.2.3", Instant.now(), List.of(), List.of(), () -> 1,
                Optional::empty, Optional::empty, List::of, OptionalLong::empty, Optional::empty, () -> 0, () -> 0);
        console = new ConsoleServer(config, info, Clock.systemUTC());
        console.start();
        var client = HttpClient.newBuilder().sslContext(certificate.clientContext()).build();

        var health = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + console.port() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        var login = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + console.port() + "/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"correct-horse\"}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Set-Cookie").orElseThrow()).containsIgnoringCase("; secure");
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + console.port() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void aKeyFileWithoutAPkcs8KeySaysHowToConvertIt() throws Exception {
        var certificate = SelfSignedCertificate.create();
        var certFile = Files.writeString(directory.resolve("console.crt"), pem("CERTIFICATE", certificate.certificate().getEncoded()));
        var keyFile = Files.writeString(directory.resolve("console.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");

        assertThatThrownBy(() -> ConsoleTls.load(certFile, keyFile)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }
}
