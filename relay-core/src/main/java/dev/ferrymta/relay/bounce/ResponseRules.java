package dev.ferrymta.relay.bounce;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The response rules in order; the first whose reply matches decides. Ferry ships defaults for
 * the rate-limit and block replies the large providers document ({@code response-rules.tsv}
 * beside this class: name, code prefix, status prefix, regular expression, scope, minutes,
 * source; tab separated). A pure function of the attempt.
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

    /** No rules: nothing is ever suspended automatically. */
    public static ResponseRules none() {
        return new ResponseRules(List.of());
    }

    /** The rules in order. */
    public List<ResponseRule> rules() {
        return rules;
    }

    /** The rule a refusing reply fires; empty for an accepted attempt, one without a reply, or no match. */
    public Optional<ResponseRule> match(Attempt attempt) {
        if (attempt.result() == AttemptResult.ACCEPTED || attempt.code().isEmpty()) {
            return Optional.empty();
        }
        return rules.stream().filter(rule -> rule.matches(attempt)).findFirst();
    }

    /**
     * Rules from their tab-separated text.
     *
     * @throws IllegalArgumentException naming the line and the part at fault
     */
    public static ResponseRules parse(List<String> lines, String origin) {
        var rules = new ArrayList<ResponseRule>();
        for (var line : RuleLines.of(lines, origin, List.of("name", "code", "status", "text", "scope", "minutes", "source"))) {
            var f = line.fields();
            try {
                var name = f[0].strip();
                if (name.isEmpty() || name.length() > 100) {
                    throw new IllegalArgumentException("name: 1 to 100 characters");
                }
                var match = ReplyMatch.of(f[1].strip(), f[2].strip(), f[3]);
                int minutes;
                try {
                    minutes = Integer.parseInt(f[5].strip());
                } catch (NumberFormatException e) {
                    minutes = -1;
                }
                if (minutes < 1 || minutes > 7 * 24 * 60) {
                    throw new IllegalArgumentException("minutes: '" + f[5] + "' is not a whole number from 1 to 10080");
                }
                rules.add(new ResponseRule(name, match, ResponseRule.Scope.parse(f[4]), Duration.ofMinutes(minutes)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + " line " + line.number() + ": " + e.getMessage(), e);
            }
        }
        return new ResponseRules(rules);
    }
}
