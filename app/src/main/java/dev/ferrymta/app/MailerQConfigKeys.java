package dev.ferrymta.app;

import java.util.Set;

/**
 * The config file keys MailerQ documents (its "Configuration A-Z", 5.x) that Ferry does not use.
 * A MailerQ config file starts Ferry: each of these it holds gets one warning line naming it and
 * is otherwise ignored, while a key neither program knows still stops the start (exit 2). The keys
 * both share (rabbitmq-address, rabbitmq-outbox, smtp-defaultips, database-address, www-port ...)
 * mean in Ferry what they mean in MailerQ; README.md "Coming from MailerQ" lists the differences.
 */
final class MailerQConfigKeys {

    static final Set<String> UNUSED = Set.of(
            // licensing, process and plugins
            "license", "lock", "user", "daemon", "plugin-directory", "heartbeat-enabled", "proxy-server",
            "disable-crash-report", "disable-crash-post", "paused", "loopback",
            // the cluster and the broker, beyond what Ferry reads
            "cluster-verify", "rabbitmq-verify", "rabbitmq-consumers", "rabbitmq-publishers", "rabbitmq-declare",
            "rabbitmq-durable", "rabbitmq-persistent", "rabbitmq-lazy", "rabbitmq-encoding", "rabbitmq-exchange",
            "rabbitmq-inbox", "rabbitmq-local", "rabbitmq-dsn", "rabbitmq-refused", "rabbitmq-reports", "rabbitmq-queues",
            "rabbitmq-flush-qos",
            // the database and DNS
            "database-threads", "database-validate", "dns-threads", "dns-getaddrinfo", "dns-min-ttl",
            // delivery status notifications MailerQ writes
            "dsn-advertise", "dsn-notify", "dsn-ret",
            // MailerQ's incoming SMTP server, its spool directory and its message store
            "smtp-port", "smtp-secure-port", "smtp-ip", "smtp-certificate", "smtp-key", "smtp-ciphers", "smtp-connections",
            "smtp-threads", "smtp-maxsize", "smtp-username", "smtp-password", "smtp-range", "smtp-proxy", "smtp-check",
            "smtp-extract", "smtp-auth-results", "smtp-mappable-ips", "smtp-unmappable-ips",
            "spamassassin-host", "spamassassin-port",
            "spool-directory", "spool-delay", "spool-extract", "spool-fail-directory", "spool-open-files", "spool-remove",
            "spool-threads",
            "storage-address", "storage-policy", "storage-reschedule", "storage-threads", "storage-timeout", "storage-ttl",
            // a global smarthost and the debugging sink
            "smarthost", "smarthost-port", "smarthost-username", "smarthost-password",
            "smtp-sink-address", "smtp-sink-port", "smtp-sink-username", "smtp-sink-password",
            // address validation, logs, ResponsiveEmail downloads
            "validate-envelope", "validate-recipient", "error-log",
            "send-log-directory", "send-log-format", "send-log-prefix", "send-log-compression", "send-log-history",
            "send-log-maxage", "send-log-maxsize", "send-bin-log-directory", "send-bin-log-history", "send-bin-log-maxage",
            "send-bin-log-maxsize", "received-log-directory", "received-log-format", "received-log-prefix",
            "received-log-compression", "received-log-history", "received-log-maxage", "received-log-maxsize",
            "download-log-directory", "download-log-format", "download-log-prefix", "download-log-compression",
            "download-log-history", "download-log-maxage", "download-log-maxsize",
            "download-blacklist", "download-whitelist", "download-cache", "download-ttl", "download-proxy",
            // the console
            "www-cache-control", "www-ciphers", "www-connections", "www-dir", "www-host", "www-private-key",
            "www-secure-port");

    private MailerQConfigKeys() {
    }
}
