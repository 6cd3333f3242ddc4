package dev.ferrymta.relay.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How to parse one kind of configuration value, and how to say what was expected when it does
 * not parse. The parse functions are pure: no DNS, no clock.
 *
 * @param expected what a valid value looks like, for the error message
 * @param parse    turns the text into a value or throws {@link IllegalArgumentException}, whose
 *                 message (when present) adds a detail to {@code expected}
 * @param sensitive whether the value is a secret, never to be repeated in an error message
 */
public record ValueType<T>(String expected, Function<String, T> parse, boolean sensitive) {

    public ValueType(String expected, Function<String, T> parse) {
        this(expected, parse, false);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern HOST_NAME =
            Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final Pattern SERVER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /** Any text. */
    public static ValueType<String> text() {
        return new ValueType<>("text", s -> s);
    }

    /**
     * A duration: a plain number is seconds, as in MailerQ; a unit may follow ({@code 500ms},
     * {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}).
     */
    public static ValueType<Duration> duration(Duration min, Duration max) {
        return new ValueType<>("a duration from %s to %s: seconds (30) or a number with a unit (500ms, 30s, 5m, 2h, 1d)"
                .formatted(human(min), human(max)), s -> {
            var m = DURATION.matcher(s.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException();
            }
            long n = Long.parseLong(m.group(1));
            var unit = m.group(2) == null ? "s" : m.group(2);
            var d = switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException();
            }
            return d;
        });
    }

    /**
     * Durations separated by commas or spaces, at least one, each as {@link #duration} reads it:
     * MailerQ's {@code retry-interval: 600,600,1800,1800,3600,3600,7200} (MailerQ 5.x, "other
     * configuration"). Order is kept and repeats are meaningful.
     */
    public static ValueType<List<Duration>> durationList(Duration min, Duration max) {
        var one = duration(min, max);
        return new ValueType<>("one or more durations from %s to %s separated by commas, each seconds (600) or a number with a unit (10m)"
                .formatted(human(min), human(max)), s -> {
            var parts = splitList(s);
            if (parts.isEmpty()) {
                throw new IllegalArgumentException();
            }
            var durations = new ArrayList<Duration>();
            for (var part : parts) {
                try {
                    durations.add(one.parse().apply(part));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + part + "' is not one");
                }
            }
            return List.copyOf(durations);
        });
    }

    /** A whole number within bounds. */
    public static ValueType<Integer> integer(int min, int max) {
        return new ValueType<>("a whole number from %d to %d".formatted(min, max), s -> {
            int n;
            try {
                n = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException();
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException();
            }
            return n;
        });
    }

    /** A TCP port. */
    public static ValueType<Integer> port() {
        var bounded = integer(1, 65535);
        return new ValueType<>("a port number from 1 to 65535", bounded.parse());
    }

    /** An IPv4 or IPv6 address literal; never a host name, so parsing never touches DNS. */
    public static ValueType<InetAddress> ipAddress() {
        return new ValueType<>("an IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::10", ValueType::parseIp);
    }

    /** Addresses separated by commas or spaces; duplicates are dropped, order is kept. */
    public static ValueType<List<InetAddress>> ipList() {
        return new ValueType<>("IPv4 or IPv6 addresses separated by commas, such as 192.0.2.10, 192.0.2.11", s -> {
            var addresses = new LinkedHashSet<InetAddress>();
            for (var part : splitList(s)) {
                try {
                    addresses.add(parseIp(part));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + part + "' is not an IP address");
                }
            }
            return List.copyOf(addresses);
        });
    }

    /**
     * IP addresses and networks in CIDR notation, separated by commas, such as
     * {@code 127.0.0.0/8, ::1}; kept as text, each checked.
     */
    public static ValueType<List<String>> networkList() {
        return new ValueType<>("IP addresses or networks separated by commas, such as 127.0.0.0/8, ::1", s -> {
            var networks = new LinkedHashSet<String>();
            for (var part : splitList(s)) {
                var slash = part.indexOf('/');
                try {
                    var address = parseIp(slash < 0 ? part : part.substring(0, slash));
                    if (slash >= 0) {
                        int prefix = Integer.parseInt(part.substring(slash + 1));
                        if (prefix < 0 || prefix > address.getAddress().length * 8) {
                            throw new IllegalArgumentException("prefix out of range");
                        }
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + part + "' is not an IP address or network");
                }
                networks.add(part);
            }
            return List.copyOf(networks);
        });
    }

    /**
     * One of a few words, exactly as written (lower case): each of {@code choices} is named by
     * {@code name}, and the error lists them all, e.g. "one of classic, quorum".
     */
    public static <T> ValueType<T> oneOf(T[] choices, Function<T, String> name) {
        var names = java.util.Arrays.stream(choices).map(name).toList();
        return new ValueType<>("one of " + String.join(", ", names), s -> {
            for (var choice : choices) {
                if (name.apply(choice).equals(s)) {
                    return choice;
                }
            }
            throw new IllegalArgumentException();
        });
    }

    /** A RabbitMQ queue or exchange name that a client may declare. */
    public static ValueType<String> queueName() {
        return new ValueType<>("a queue name of at most 255 bytes, not starting with 'amq.'", s -> {
            if (s.getBytes(StandardCharsets.UTF_8).length > 255 || s.startsWith("amq.") || s.isEmpty()
                    || s.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException();
            }
            return s;
        });
    }

    /** A server id: it becomes part of queue names and routing keys, so it is kept to a safe alphabet. */
    public static ValueType<String> serverId() {
        return new ValueType<>("1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit", s -> {
            if (!SERVER_ID.matcher(s).matches()) {
                throw new IllegalArgumentException();
            }
            return s;
        });
    }

    /** A host name or IP address with an optional port: {@code 10.0.0.53}, {@code ns1:5353}, {@code [::1]:53}. */
    public static ValueType<HostAndPort> hostAndPort(int defaultPort) {
        return new ValueType<>("host or host:port, such as 127.0.0.1:5353 or [::1]:53", s -> HostAndPort.parse(s, defaultPort));
    }

    /**
     * An {@code amqp://} or {@code amqps://} address, or several separated by commas for the
     * nodes of one broker (see {@link AmqpAddress}).
     */
    public static ValueType<AmqpAddress> amqpAddress() {
        return new ValueType<>("amqp://user:password@host:port/vhost (amqps:// for TLS), or for a cluster one such address "
                + "per node separated by commas, all with the same scheme, user, password and vhost", AmqpAddress::parse);
    }

    /** An absolute {@code http://} or {@code https://} URL. */
    public static ValueType<URI> httpUrl() {
        return new ValueType<>("an http:// or https:// URL such as http://mail1.example.com:8485/", s -> {
            try {
                var uri = new URI(s);
                if (uri.getScheme() == null || !uri.getScheme().matches("(?i)https?") || uri.getHost() == null) {
                    throw new IllegalArgumentException();
                }
                return uri;
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(e.getReason());
            }
        });
    }

    /** A secret of a minimum length, so that a placeholder such as {@code x} is not mistaken for protection. */
    public static ValueType<String> secret(int minLength) {
        return new ValueType<>("at least %d characters".formatted(minLength), s -> {
            if (s.length() < minLength) {
                throw new IllegalArgumentException();
            }
            return s;
        }, true);
    }

    /** Whether a text is a valid DNS host name (labels of letters, digits and hyphens). */
    public static boolean isHostName(String s) {
        return HOST_NAME.matcher(s).matches();
    }

    static InetAddress parseIp(String s) {
        var text = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        var v4 = IPV4.matcher(text);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255 || (v4.group(i).length() > 1 && v4.group(i).startsWith("0"))) {
                    throw new IllegalArgumentException();
                }
            }
        } else if (!text.contains(":") || !IPV6.matcher(text).matches()) {
            throw new IllegalArgumentException();
        }
        try {
            // A literal: InetAddress parses it without a DNS lookup.
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException();
        }
    }

    private static String human(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s % 60 == 0 && s >= 60 ? s / 60 + "m" : s + "s";
    }

    static List<String> splitList(String s) {
        var parts = new ArrayList<String>();
        for (var part : s.split("[,\\s]+")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }
}
