package dev.ferrymta.relay.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a RabbitMQ broker is, as {@code rabbitmq-address} and {@code cluster-address} say it: one
 * {@code amqp://user:password@host:port/vhost}, or for a cluster one such URI per node, separated
 * by commas (spaces around them allowed), as MailerQ takes them:
 * {@code amqp://u:p@10.0.0.1/mail, amqp://u:p@10.0.0.2/mail}. All the URIs of a list must have the
 * same scheme, user, password and vhost, and each node ({@code host:port}) may appear once: they
 * are one broker reached through several nodes, and a link may be on any of them.
 *
 * <p>An empty path or a lone {@code /} (MailerQ's default {@code amqp://guest:guest@localhost/})
 * means the default vhost {@code /}; the Java client alone would read it as the empty vhost, which
 * does not exist. A port left out is 5672 ({@code amqp}) or 5671 ({@code amqps}); a user left out is
 * {@code guest} with password {@code guest}. A comma inside a password or a vhost may stay as it
 * is: only a comma followed by the next URI's scheme ({@code amqp://}), by another comma or by the
 * end separates. {@link #toString()} never shows the password.
 *
 * @param tls      {@code amqps}: every node is reached over TLS
 * @param nodes    the nodes, in the order written; at least one, no two alike
 * @param user     the user every node is logged in to as
 * @param password its password
 * @param vhost    the virtual host, {@code /} for the default one
 */
public record AmqpAddress(boolean tls, List<HostAndPort> nodes, String user, String password, String vhost) {

    /** A comma that ends one URI of a list: followed by the next one's scheme, another comma or the end. */
    private static final Pattern SEPARATOR = Pattern.compile("\\s*,\\s*(?=$|,|[A-Za-z][A-Za-z0-9+.-]*://)");

    /** @throws IllegalArgumentException when {@code nodes} is empty or names a node twice */
    public AmqpAddress {
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no node");
        }
        var seen = new HashMap<String, Integer>();
        for (int i = 0; i < nodes.size(); i++) {
            var earlier = seen.putIfAbsent(sameNode(nodes.get(i)), i);
            if (earlier != null) {
                throw new IllegalArgumentException("address %d names node %s again (address %d has it)"
                        .formatted(i + 1, nodes.get(i), earlier + 1));
            }
        }
    }

    /** A broker reached through one node. */
    public AmqpAddress(boolean tls, String host, int port, String user, String password, String vhost) {
        this(tls, List.of(new HostAndPort(host, port)), user, password, vhost);
    }

    /**
     * Parses one URI or a list of them separated by commas.
     *
     * @throws IllegalArgumentException saying what is wrong, and for a list which URI ("address 2:
     *                                  no host"); never with the password in the message
     */
    public static AmqpAddress parse(String text) {
        var parts = SEPARATOR.split(text.strip(), -1);
        if (parts.length == 1) {
            return parseOne(parts[0]);
        }
        AmqpAddress first = null;
        var nodes = new ArrayList<HostAndPort>();
        for (int i = 0; i < parts.length; i++) {
            var number = i + 1;
            if (parts[i].isEmpty()) {
                throw new IllegalArgumentException("address %d is empty (a comma at the start or the end, or two in a row)"
                        .formatted(number));
            }
            AmqpAddress one;
            try {
                one = parseOne(parts[i]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("address %d: %s".formatted(number, e.getMessage()));
            }
            if (first == null) {
                first = one;
            } else {
                requireSame(first, one, number);
            }
            nodes.add(one.nodes().getFirst());
        }
        return new AmqpAddress(first.tls(), nodes, first.user(), first.password(), first.vhost());
    }

    /**
     * The address with the password left out, for logs and the console: one URI per node,
     * separated by {@code ", "}, e.g. {@code amqp://ferry@10.0.0.1:5672/mail, amqp://ferry@10.0.0.2:5672/mail}.
     */
    @Override
    public String toString() {
        var shownVhost = vhost.equals("/") ? "" : java.net.URLEncoder.encode(vhost, StandardCharsets.UTF_8);
        var shown = new ArrayList<String>();
        for (var node : nodes) {
            shown.add("%s://%s@%s/%s".formatted(tls ? "amqps" : "amqp", user, node, shownVhost));
        }
        return String.join(", ", shown);
    }

    private static void requireSame(AmqpAddress first, AmqpAddress other, int number) {
        String differs = null;
        if (first.tls() != other.tls()) {
            differs = "is %s:// and address 1 %s://".formatted(other.tls() ? "amqps" : "amqp", first.tls() ? "amqps" : "amqp");
        } else if (!first.user().equals(other.user())) {
            differs = "has user '%s' and address 1 '%s'".formatted(other.user(), first.user());
        } else if (!first.password().equals(other.password())) {
            differs = "has another password than address 1";
        } else if (!first.vhost().equals(other.vhost())) {
            differs = "has vhost '%s' and address 1 '%s'".formatted(other.vhost(), first.vhost());
        }
        if (differs != null) {
            throw new IllegalArgumentException("address %d %s; all must have the same scheme, user, password and vhost, as nodes of one broker"
                    .formatted(number, differs));
        }
    }

    private static AmqpAddress parseOne(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e.getReason());
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
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

    /** How two nodes are told apart: host names ignore case, IPv6 literals are compared as addresses. */
    private static String sameNode(HostAndPort node) {
        var host = node.host().toLowerCase(Locale.ROOT);
        if (host.contains(":")) {
            try {
                host = ValueType.parseIp(host).getHostAddress();
            } catch (IllegalArgumentException e) {
                // Not an IPv6 literal after all: compare it as written.
            }
        }
        return host + "|" + node.port();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
