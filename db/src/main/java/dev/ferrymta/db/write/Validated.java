package dev.ferrymta.db.write;

import java.time.Instant;
import java.util.List;

/**
 * Settings inputs after {@link SettingsValidation}: canonical text ready to bind to SQL. A null
 * field is SQL NULL ("any" or "not set").
 */
final class Validated {

    private Validated() {
    }

    /** @param ips canonical single addresses, in order, no duplicates */
    record Pool(String name, List<String> ips) {
        Pool {
            ips = List.copyOf(ips);
        }
    }

    /** @param ip a canonical single address */
    record PoolIp(String pool, String ip) {
    }

    /** @param localIp an address or network in CIDR notation, or null */
    record Throttle(String localIp, String domain, Integer maxConnections, Integer messagesPerMinute,
            Integer messagesPerConnection, Integer idleTimeoutSeconds, String provider) {

        Throttle(String localIp, String domain, Integer maxConnections, Integer messagesPerMinute, Integer messagesPerConnection,
                Integer idleTimeoutSeconds) {
            this(localIp, domain, maxConnections, messagesPerMinute, messagesPerConnection, idleTimeoutSeconds, null);
        }
    }

    /** @param kind {@code mx} or {@code smarthost}, as the schema spells it */
    record Route(String domain, String kind, String host, int port) {
    }

    record Pause(String localIp, String domain, Instant until, String reason, String tag, String provider) {

        Pause(String localIp, String domain, Instant until, String reason) {
            this(localIp, domain, until, reason, null, null);
        }

        Pause(String localIp, String domain, Instant until, String reason, String tag) {
            this(localIp, domain, until, reason, tag, null);
        }
    }

    record EhloName(String localIp, String name) {
    }

    /** @param privateKeyPem re-encoded PKCS#8 PEM */
    record DkimKey(String domain, String selector, String privateKeyPem) {

        @Override
        public String toString() {
            return "DkimKey[domain=%s, selector=%s]".formatted(domain, selector);
        }
    }

    /** @param action, scope as the schema spells them; {@code minutes} null for the actions that do not last */
    record ResponseRule(String name, String code, String status, String text, String domain, String action, String scope,
            Integer minutes, Integer messagesPerMinute, Integer maxConnections, String category, String note, String provider) {

        ResponseRule(String name, String code, String status, String text, String domain, String action, String scope,
                Integer minutes, Integer messagesPerMinute, Integer maxConnections, String category, String note) {
            this(name, code, status, text, domain, action, scope, minutes, messagesPerMinute, maxConnections, category, note, null);
        }
    }

    /** @param localIp an address or network in CIDR notation */
    record BackOff(String localIp, String domain, Instant until, Integer messagesPerMinute, Integer maxConnections, String reason,
            String provider) {

        BackOff(String localIp, String domain, Instant until, Integer messagesPerMinute, Integer maxConnections, String reason) {
            this(localIp, domain, until, messagesPerMinute, maxConnections, reason, null);
        }
    }

    /** @param mxPatterns lower case, joined by single spaces */
    record Provider(String name, String mxPatterns) {
    }
}
