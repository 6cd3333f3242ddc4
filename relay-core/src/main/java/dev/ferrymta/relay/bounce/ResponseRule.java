package dev.ferrymta.relay.bounce;

import dev.ferrymta.relay.attempt.Attempt;
import java.time.Duration;
import java.util.Locale;

/**
 * A response rule (MailerQ calls them response patterns): a refusing reply that matches gets its
 * sending suspended for a while, on every instance of the cluster.
 *
 * @param name     what the console and the pause's reason call it
 * @param match    which replies: a code prefix, a status prefix, a regular expression
 * @param scope    what is suspended
 * @param duration for how long, from the reply
 */
public record ResponseRule(String name, ReplyMatch match, Scope scope, Duration duration) {

    /** What a rule suspends. */
    public enum Scope {
        /** Sending from the local IP that got the reply, to the recipient's domain. */
        IP_DOMAIN,
        /** Sending from the local IP that got the reply, to any domain. */
        IP;

        /** The name in the rules file: {@code ip+domain}, {@code ip}. */
        public String text() {
            return this == IP ? "ip" : "ip+domain";
        }

        static Scope parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "ip" -> IP;
                case "ip+domain" -> IP_DOMAIN;
                default -> throw new IllegalArgumentException("scope: '" + text + "' is neither ip nor ip+domain");
            };
        }
    }

    /** Whether a refusing reply matches the rule. */
    public boolean matches(Attempt attempt) {
        var text = attempt.description().length() > BounceRules.MAX_TEXT
                ? attempt.description().substring(0, BounceRules.MAX_TEXT) : attempt.description();
        return attempt.code().isPresent() && match.matches(attempt.code(), attempt.status(), text);
    }
}
