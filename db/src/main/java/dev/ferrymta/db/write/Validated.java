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
            Integer messagesPerConnection, Integer idleTimeoutSeconds) {
    }

    /** @param kind {@code mx} or {@code smarthost}, as the schema spells it */
    record Route(String domain, String kind, String host, int port) {
    }

    record Pause(String localIp, String domain, Instant until, String reason, String tag) {

        Pause(String localIp, String domain, Instant until, String reason) {
            this(localIp, domain, until, reason, null);
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
            Integer minutes, Integer messagesPerMinute, Integer maxConnections, String category, String note) {
    }

    /** @param localIp an address or network in CIDR notation */
    record BackOff(String localIp, String domain, Instant until, Integer messagesPerMinute, Integer maxConnections, String reason) {
    }
}
