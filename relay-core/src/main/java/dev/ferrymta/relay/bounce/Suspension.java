package dev.ferrymta.relay.bounce;

import dev.ferrymta.relay.mail.Domain;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * An automatic action a response rule took: sending from {@code ip} (to {@code domain}, or to any
 * domain) is suspended until {@code until}.
 *
 * @param ip     the local IP that got the reply
 * @param domain the recipient's domain; empty: every domain
 * @param until  when it ends by itself
 * @param rule   the rule's name
 * @param reply  the reply that fired it, as the server sent it (shortened)
 * @param provider the provider group whose every domain it holds, instead of {@code domain}
 */
public record Suspension(InetAddress ip, Optional<Domain> domain, Instant until, String rule, String reply, Optional<String> provider) {

    /** A suspension of one domain, or of every domain. */
    public Suspension(InetAddress ip, Optional<Domain> domain, Instant until, String rule, String reply) {
        this(ip, domain, until, rule, reply, Optional.empty());
    }

    /** The reason a pause shows: starts with {@value #REASON_PREFIX}, names the rule and the reply. */
    public String reason(String instance) {
        return reason(rule, instance, reply);
    }

    /** An automatic action's reason: at most 500 characters. */
    static String reason(String rule, String instance, String reply) {
        var text = REASON_PREFIX + " rule '" + rule + "' on " + instance + " after: " + reply;
        return text.length() > 500 ? text.substring(0, 497) + "..." : text;
    }

    /** How a pause made by a response rule starts its reason. */
    public static final String REASON_PREFIX = "automatic:";
}
