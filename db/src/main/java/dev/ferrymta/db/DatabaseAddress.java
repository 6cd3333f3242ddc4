package dev.ferrymta.db;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The database, as written in {@code database-address: postgresql://user:password@host:port/db}.
 * Query parameters ({@code ?sslmode=require}) are handed to the JDBC driver unchanged.
 * {@link #toString()} never shows the password.
 */
public record DatabaseAddress(String host, int port, String database, Optional<String> user,
        Optional<String> password, Optional<String> parameters) {

    /** What a valid address looks like, for error messages. */
    public static final String FORMAT = "postgresql://user:password@host:port/database";

    public static DatabaseAddress parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e.getReason());
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
            throw new IllegalArgumentException("the scheme must be postgresql");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host");
        }
        var path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.length() < 2 || path.substring(1).contains("/")) {
            throw new IllegalArgumentException("no database name");
        }
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (uri.getRawUserInfo() != null) {
            var info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = Optional.of(decode(colon < 0 ? info : info.substring(0, colon)));
            password = colon < 0 ? Optional.empty() : Optional.of(decode(info.substring(colon + 1)));
        }
        var host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new DatabaseAddress(host, uri.getPort() < 0 ? 5432 : uri.getPort(), decode(path.substring(1)), user,
                password, Optional.ofNullable(uri.getRawQuery()));
    }

    /** The JDBC URL; user and password are passed separately so they never appear in it. */
    public String jdbcUrl() {
        return "jdbc:postgresql://%s:%d/%s%s".formatted(bracketed(), port,
                java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20"),
                parameters.map(p -> "?" + p).orElse(""));
    }

    @Override
    public String toString() {
        return "postgresql://%s%s:%d/%s".formatted(user.map(u -> u + "@").orElse(""), bracketed(), port, database);
    }

    private String bracketed() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
