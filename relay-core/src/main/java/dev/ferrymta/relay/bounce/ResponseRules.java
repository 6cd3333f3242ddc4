package dev.ferrymta.relay.bounce;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.mail.Domain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The response rules in order; the first whose reply matches decides. Ferry ships defaults for
 * the rate-limit and block replies the large providers document ({@code response-rules.tsv}
 * beside this class: name, code prefix, status prefix, regular expression, action, scope, minutes,
 * messages per minute, connections, source; tab separated, {@code -} for none); the operator's
 * rules from the shared settings come before them ({@link #before}). A pure function of the
 * attempt.
 */
public final class ResponseRules {

    private static final String SHIPPED = "response-rules.tsv";
    private static final ResponseRules SHIPPED_RULES = parse(RuleLines.shipped(SHIPPED), SHIPPED);

    private final List<ResponseRule> rules;

    public ResponseRules(List<ResponseRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The rules Ferry ships. */
    public static ResponseRules shipped() {
        return SHIPPED_RULES;
    }

    /** No rules: nothing is ever done automatically. */
    public static ResponseRules none() {
        return new ResponseRules(List.of());
    }

    /** {@code first}, then these: the operator's rules win over the shipped ones. */
    public ResponseRules before(List<ResponseRule> first) {
        if (first.isEmpty()) {
            return this;
        }
        var all = new ArrayList<ResponseRule>(first);
        all.addAll(rules);
        return new ResponseRules(all);
    }

    /** The rules in order. */
    public List<ResponseRule> rules() {
        return rules;
    }

    /**
     * The rule a refusing reply for a recipient of {@code domain} fires; empty for an accepted
     * attempt, one without a reply, or no match.
     */
    public Optional<ResponseRule> match(Attempt attempt, Domain domain) {
        return match(attempt, domain, Optional.empty());
    }

    /** The same, for a recipient domain of {@code provider}. */
    public Optional<ResponseRule> match(Attempt attempt, Domain domain, Optional<String> provider) {
        if (attempt.result() == AttemptResult.ACCEPTED || attempt.code().isEmpty()) {
            return Optional.empty();
        }
        for (var rule : rules) {
            if (rule.matches(attempt, domain, provider)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    /**
     * Rules from their tab-separated text.
     *
     * @throws IllegalArgumentException naming the line and the part at fault
     */
    public static ResponseRules parse(List<String> lines, String origin) {
        var rules = new ArrayList<ResponseRule>();
        for (var line : RuleLines.of(lines, origin,
                List.of("name", "code", "status", "text", "action", "scope", "minutes", "per-minute", "connections", "source"))) {
            var f = line.fields();
            try {
                var match = ReplyMatch.of(f[1].strip(), f[2].strip(), f[3]);
                var action = ResponseRule.Action.parse(f[4]);
                int minutes = whole(f[6], "minutes");
                rules.add(new ResponseRule(f[0].strip(), match, Optional.empty(), action, ResponseRule.Scope.parse(f[5]),
                        Duration.ofMinutes(Math.max(minutes, 0)), optional(f[7], "per-minute"), optional(f[8], "connections"),
                        Optional.empty()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + " line " + line.number() + ": " + e.getMessage(), e);
            }
        }
        return new ResponseRules(rules);
    }

    private static OptionalInt optional(String field, String name) {
        return field.strip().equals("-") || field.isBlank() ? OptionalInt.empty() : OptionalInt.of(whole(field, name));
    }

    private static int whole(String field, String name) {
        if (field.strip().equals("-")) {
            return 0;
        }
        try {
            return Integer.parseInt(field.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + field + "' is not a whole number");
        }
    }
}
