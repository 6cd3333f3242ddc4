package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.config.ValueType;
import dev.ferrymta.relay.dkim.MessageSigning;
import dev.ferrymta.relay.settings.CurrentSettings;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;

/**
 * What every lane shares.
 *
 * @param settings    the shared settings in force (throttles, pauses, EHLO names, routes)
 * @param connector   opens SMTP sessions
 * @param clock       the time
 * @param defaultEhlo the EHLO name for IPs the settings name none for
 * @param threads     makes the lanes' worker threads (virtual threads in production)
 * @param signing     signs each message with DKIM just before it is sent
 * @param responses   the response rules and the suspensions and back-offs they made
 * @param gates       the connections and pace each local IP shares across the domains of a provider group
 */
public record LaneContext(CurrentSettings settings, LaneConnector connector, Clock clock, String defaultEhlo,
        ThreadFactory threads, MessageSigning signing, ResponseActions responses, ProviderGates gates) {

    /** Lanes that sign with the keys of the settings and obey the response rules. */
    public LaneContext(CurrentSettings settings, LaneConnector connector, Clock clock, String defaultEhlo, ThreadFactory threads) {
        this(settings, connector, clock, defaultEhlo, threads, new MessageSigning(), new ResponseActions(), new ProviderGates(clock));
    }

    /**
     * The name to greet with from {@code ip} when the settings name none: the default EHLO name
     * when it is a fully qualified domain name, else the address literal of {@code ip}
     * ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}), as RFC 5321 section 4.1.1.1 asks of a host
     * without a meaningful domain name; many receivers refuse a bare host name such as {@code mail1}.
     */
    public String ehloFor(InetAddress ip) {
        return defaultEhloFor(defaultEhlo, ip);
    }

    /** {@link #ehloFor} as a pure function of the configured default and the source IP. */
    static String defaultEhloFor(String name, InetAddress ip) {
        var host = name == null ? "" : name.strip();
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        int dot = host.indexOf('.');
        boolean qualified = dot > 0 && dot < host.length() - 1 && !host.toLowerCase(Locale.ROOT).endsWith(".localdomain")
                && ValueType.isHostName(host) && !host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        if (qualified) {
            return host;
        }
        if (ip instanceof Inet6Address) {
            var text = ip.getHostAddress();
            int zone = text.indexOf('%');
            return "[IPv6:" + (zone < 0 ? text : text.substring(0, zone)) + "]";
        }
        return "[" + ip.getHostAddress() + "]";
    }

    /** Lanes with these signing and response actions. */
    public LaneContext(CurrentSettings settings, LaneConnector connector, Clock clock, String defaultEhlo, ThreadFactory threads,
            MessageSigning signing, ResponseActions responses) {
        this(settings, connector, clock, defaultEhlo, threads, signing, responses, new ProviderGates(clock));
    }
}
