package dev.ferrymta.console;

import dev.ferrymta.relay.config.ConfigReader;
import dev.ferrymta.relay.config.ValueType;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * The console's settings from the config file. Immutable.
 *
 * @param ip       {@code www-ip}: the address to listen on
 * @param port     {@code www-port}
 * @param url      {@code www-url}: how other instances and people reach this console, for links
 * @param password {@code www-password}: when set, everything but {@code /health} asks for it
 * @param tls      {@code www-certificate} and {@code www-key}: when set, the console speaks HTTPS only
 */
public record ConsoleConfig(InetAddress ip, int port, URI url, Optional<String> password, Optional<ConsoleTls> tls) {

    /** The console without HTTPS. */
    public ConsoleConfig(InetAddress ip, int port, URI url, Optional<String> password) {
        this(ip, port, url, password, Optional.empty());
    }

    /** The keys this record reads. */
    public static final Set<String> KEYS = Set.of("www-ip", "www-port", "www-url", "www-password", "www-certificate", "www-key");

    public static final int MIN_PASSWORD_LENGTH = 8;

    /**
     * Reads and validates the console keys.
     *
     * @param hostName used in the default {@code www-url} when the console listens on all addresses
     */
    public static ConsoleConfig from(ConfigReader config, String hostName) {
        var ip = config.get("www-ip", ValueType.ipAddress(), InetAddress.getLoopbackAddress());
        var port = config.get("www-port", ValueType.port(), 8485);
        var password = config.optional("www-password", ValueType.secret(MIN_PASSWORD_LENGTH));
        if (password.isEmpty() && !ip.isLoopbackAddress()) {
            throw config.invalid("www-ip", "a loopback address such as 127.0.0.1 while www-password is not set: "
                    + "the console changes the settings of the whole cluster");
        }
        var certificate = config.optional("www-certificate", ValueType.text());
        var key = config.optional("www-key", ValueType.text());
        if (certificate.isPresent() != key.isPresent()) {
            throw config.invalid(certificate.isPresent() ? "www-key" : "www-certificate",
                    "set together with " + (certificate.isPresent() ? "www-certificate" : "www-key") + ": HTTPS needs both");
        }
        Optional<ConsoleTls> tls = Optional.empty();
        if (certificate.isPresent()) {
            try {
                tls = Optional.of(ConsoleTls.load(Path.of(certificate.get()), Path.of(key.get())));
            } catch (IllegalArgumentException e) {
                throw config.invalid("www-certificate", e.getMessage());
            }
        }
        var shownHost = ip.isAnyLocalAddress() ? hostName : ip.getHostAddress();
        if (shownHost.contains(":")) {
            shownHost = "[" + shownHost + "]";
        }
        var scheme = tls.isPresent() ? "https" : "http";
        var url = config.get("www-url", ValueType.httpUrl(), URI.create("%s://%s:%d/".formatted(scheme, shownHost, port)));
        return new ConsoleConfig(ip, port, url, password, tls);
    }
}
