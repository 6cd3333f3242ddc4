package dev.ferrymta.relay.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A RabbitMQ address, {@code amqp://user:password@host:port/vhost}. An empty path or a lone
 * {@code /} (MailerQ's default {@code amqp://guest:guest@localhost/}) means the default vhost
 * {@code /}; the Java client alone would read it as the empty vhost, which does not exist.
 * {@link #toString()} never shows the password.
 */
public record AmqpAddress(boolean tls, String host, int port, String user, String password, String vhost) {

    public static AmqpAddress parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e.getReason());
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("amqp") && !scheme.equals("amqps")) {
            throw new IllegalArgumentException("the scheme must be amqp or amqps");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("query parameters are not supported");
        }
        boolean tls = scheme.equals("amqps");
        String user = "guest";
        String password = "guest";
        if (uri.getRawUserInfo() != null) {
            var info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? "" : decode(info.substring(colon + 1));
        }
        var path = uri.getRawPath() == null ? "" : uri.getRawPath();
        var vhost = "/";
        if (!path.isEmpty() && !path.equals("/")) {
            if (path.substring(1).contains("/")) {
                throw new IllegalArgumentException("a vhost containing '/' must be written as %2F");
            }
            vhost = decode(path.substring(1));
        }
        var host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new AmqpAddress(tls, host, uri.getPort() < 0 ? (tls ? 5671 : 5672) : uri.getPort(), user, password, vhost);
    }

    /** The address with the password left out, for logs and the console. */
    @Override
    public String toString() {
        var shownHost = host.contains(":") ? "[" + host + "]" : host;
        var shownVhost = vhost.equals("/") ? "" : java.net.URLEncoder.encode(vhost, StandardCharsets.UTF_8);
        return "%s://%s@%s:%d/%s".formatted(tls ? "amqps" : "amqp", user, shownHost, port, shownVhost);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
