package dev.ferrymta.relay.bounce;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.mail.Domain;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A response rule (MailerQ calls them response patterns): what Ferry does when a receiver's
 * refusing reply matches. Rules come from the file Ferry ships and from the shared settings.
 *
 * @param name              what the console, the logs and an automatic action's reason call it; 1 to 100 characters
 * @param match             which replies: a code prefix, a status prefix, a regular expression
 * @param domain            only replies for recipients of this domain; empty: any domain
 * @param action            what to do
 * @param scope             what a suspension or back-off holds (ignored by the other actions)
 * @param duration          how long a suspension or back-off lasts, from the reply; zero for the other actions
 * @param messagesPerMinute a back-off's cap on messages started per minute; empty: not capped
 * @param maxConnections    a back-off's cap on open connections; empty: not capped
 * @param category          the {@link BounceCategory} the attempt's result gets; empty: the bounce rules decide
 * @param provider          only replies for recipients of a domain of this provider group; empty: any
 */
public record ResponseRule(String name, ReplyMatch match, Optional<Domain> domain, Action action, Scope scope, Duration duration,
        OptionalInt messagesPerMinute, OptionalInt maxConnections, Optional<BounceCategory> category, Optional<String> provider) {

    /** A rule for any provider. */
    public ResponseRule(String name, ReplyMatch match, Optional<Domain> domain, Action action, Scope scope, Duration duration,
            OptionalInt messagesPerMinute, OptionalInt maxConnections, Optional<BounceCategory> category) {
        this(name, match, domain, action, scope, duration, messagesPerMinute, maxConnections, category, Optional.empty());
    }

    /** The longest a suspension or back-off may last: a week. */
    public static final Duration MAX_DURATION = Duration.ofDays(7);

    /** What a rule does with a matching reply. */
    public enum Action {
        /** Stop sending in the scope for the duration: no connection, no message. */
        SUSPEND,
        /** Keep sending in the scope, slower: messages per minute and connections capped for the duration. */
        BACKOFF,
        /** Treat the reply as a temporary failure (retried), whatever its code. */
        TEMPORARY,
        /** Treat the reply as a permanent failure (no retry), whatever its code. */
        PERMANENT,
        /** Only set the category of the result. */
        CLASSIFY;

        /** The name in the rules file, the API and the console: {@code suspend}, {@code backoff}. */
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException naming the field {@code action} */
        public static Action parse(String text) {
            for (var action : values()) {
                if (action.text().equals(text.strip().toLowerCase(Locale.ROOT))) {
                    return action;
                }
            }
            throw new IllegalArgumentException("action: '" + text + "' is none of suspend, backoff, temporary, permanent, classify");
        }

        /** Whether the action holds a scope for a while (suspend, backoff). */
        public boolean lasts() {
            return this == SUSPEND || this == BACKOFF;
        }
    }

    /** What a suspension or back-off holds. */
    public enum Scope {
        /** Sending from the local IP that got the reply, to the recipient's domain. */
        IP_DOMAIN,
        /**
         * Sending from the local IP that got the reply, to every domain of the recipient domain's
         * provider group; to the recipient's domain alone when it belongs to none.
         */
        IP_PROVIDER,
        /** Sending from the local IP that got the reply, to any domain. */
        IP;

        /** The name in the rules file: {@code ip+domain}, {@code ip+provider}, {@code ip}. */
        public String text() {
            return switch (this) {
                case IP -> "ip";
                case IP_DOMAIN -> "ip+domain";
                case IP_PROVIDER -> "ip+provider";
            };
        }

        /** @throws IllegalArgumentException naming the field {@code scope} */
        public static Scope parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "ip" -> IP;
                case "ip+domain" -> IP_DOMAIN;
                case "ip+provider" -> IP_PROVIDER;
                default -> throw new IllegalArgumentException("scope: '" + text + "' is none of ip+domain, ip+provider, ip");
            };
        }
    }

    /**
     * @throws IllegalArgumentException naming the field at fault: a name of the wrong length, a
     *                                  suspension or back-off without a duration from one minute to
     *                                  a week, a back-off that caps nothing, caps below 1, a classify
     *                                  rule without a category
     */
    public ResponseRule {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(provider, "provider");
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new IllegalArgumentException("name: 1 to 100 characters");
        }
        if (action.lasts()) {
            if (duration.compareTo(Duration.ofMinutes(1)) < 0 || duration.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("minutes: a " + action.text() + " lasts from 1 to 10080 minutes");
            }
        } else {
            duration = Duration.ZERO;
        }
        if (action == Action.BACKOFF) {
            if (messagesPerMinute.isEmpty() && maxConnections.isEmpty()) {
                throw new IllegalArgumentException("messagesPerMinute: a backoff caps messages per minute, connections or both");
            }
            if (messagesPerMinute.isPresent() && messagesPerMinute.getAsInt() < 1) {
                throw new IllegalArgumentException("messagesPerMinute: at least 1");
            }
            if (maxConnections.isPresent() && maxConnections.getAsInt() < 1) {
                throw new IllegalArgumentException("maxConnections: at least 1");
            }
        } else {
            messagesPerMinute = OptionalInt.empty();
            maxConnections = OptionalInt.empty();
        }
        if (action == Action.CLASSIFY && category.isEmpty()) {
            throw new IllegalArgumentException("category: a classify rule sets a category");
        }
    }

    /** A suspension of {@code scope} for {@code duration}, as the first shipped rules were. */
    public static ResponseRule suspend(String name, ReplyMatch match, Scope scope, Duration duration) {
        return new ResponseRule(name, match, Optional.empty(), Action.SUSPEND, scope, duration, OptionalInt.empty(),
                OptionalInt.empty(), Optional.empty());
    }

    /** Whether a refusing reply for a recipient of {@code recipientDomain} (of no known provider) matches the rule. */
    public boolean matches(Attempt attempt, Domain recipientDomain) {
        return matches(attempt, recipientDomain, Optional.empty());
    }

    /** Whether a refusing reply for a recipient of {@code recipientDomain}, a domain of {@code recipientProvider}, matches. */
    public boolean matches(Attempt attempt, Domain recipientDomain, Optional<String> recipientProvider) {
        if (attempt.code().isEmpty() || domain.map(d -> !d.equals(recipientDomain)).orElse(false)
                || provider.map(p -> !recipientProvider.map(p::equals).orElse(false)).orElse(false)) {
            return false;
        }
        var text = attempt.description().length() > BounceRules.MAX_TEXT
                ? attempt.description().substring(0, BounceRules.MAX_TEXT) : attempt.description();
        return match.matches(attempt.code(), attempt.status(), text);
    }

    /** What the rule does, in words, for the console and the logs: {@code backoff ip+domain 30 min to 60/min, 1 connection}. */
    public String describe() {
        var text = new StringBuilder(action.text());
        if (action.lasts()) {
            text.append(' ').append(scope.text()).append(' ').append(duration.toMinutes()).append(" min");
        }
        if (action == Action.BACKOFF) {
            text.append(" to ");
            messagesPerMinute.ifPresent(n -> text.append(n).append("/min"));
            if (messagesPerMinute.isPresent() && maxConnections.isPresent()) {
                text.append(", ");
            }
            maxConnections.ifPresent(n -> text.append(n).append(n == 1 ? " connection" : " connections"));
        }
        category.ifPresent(c -> text.append(", category ").append(c.json()));
        return text.toString();
    }
}
