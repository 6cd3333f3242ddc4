package dev.ferrymta.relay.bounce;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides the {@link BounceCategory} of a failed or deferred attempt: the first rule that matches
 * the reply's code, enhanced status code and text wins; an attempt no rule matches gets the
 * category its step implies (no answer in time: {@code timeout}; DNS: {@code dns} or
 * {@code bad-domain}; STARTTLS: {@code tls} ...), else {@code other}. A pure function.
 *
 * <p>The rules Ferry ships are {@code bounce-rules.tsv} beside this class: one rule a line, tab
 * separated ({@code category, code prefix, status prefix, regular expression, source}), the more
 * specific first. Reply texts are matched on their first {@value #MAX_TEXT} characters, and each
 * expression on a bounded number of characters read, so a hostile reply costs bounded time.
 */
public final class BounceRules {

    /** Longer reply texts are cut here before matching: RFC 5321 lines are at most 512 octets. */
    static final int MAX_TEXT = 2_000;

    private static final String SHIPPED = "bounce-rules.tsv";
    private static final BounceRules SHIPPED_RULES = parse(RuleLines.shipped(SHIPPED), SHIPPED);

    private final List<BounceRule> rules;

    public BounceRules(List<BounceRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The rules Ferry ships. */
    public static BounceRules shipped() {
        return SHIPPED_RULES;
    }

    /** These rules first, then those of {@code fallback}. */
    public BounceRules before(BounceRules fallback) {
        var all = new ArrayList<>(rules);
        all.addAll(fallback.rules);
        return new BounceRules(all);
    }

    /** How many rules there are. */
    public int size() {
        return rules.size();
    }

    /** The category of an attempt that was not accepted; empty for an accepted one. */
    public Optional<BounceCategory> categorize(Attempt attempt) {
        if (attempt.result() == AttemptResult.ACCEPTED) {
            return Optional.empty();
        }
        var text = attempt.description().length() > MAX_TEXT ? attempt.description().substring(0, MAX_TEXT) : attempt.description();
        // A refusal of STARTTLS is about TLS whatever its code (454 4.7.0, RFC 3207), and the generic
        // rules by code or status (4.7.x: rate-limit) would say otherwise: there only a rule that
        // matches the reply's words ("too many connections") outranks the step.
        boolean tlsStep = attempt.state() == AttemptState.STARTTLS || attempt.state() == AttemptState.HANDSHAKE;
        for (var rule : rules) {
            if (tlsStep && rule.match().text().isEmpty()) {
                continue;
            }
            if (rule.matches(attempt.code(), attempt.status(), text)) {
                return Optional.of(rule.category());
            }
        }
        return Optional.of(byStep(attempt));
    }

    private static BounceCategory byStep(Attempt attempt) {
        if (attempt.result() == AttemptResult.TIMEOUT) {
            return BounceCategory.TIMEOUT;
        }
        return switch (attempt.state()) {
            case DNS -> attempt.code().isEmpty() && attempt.status().map(s -> s.startsWith("5")).orElse(false)
                    ? BounceCategory.ROUTING : BounceCategory.DNS;
            case STARTTLS, HANDSHAKE -> BounceCategory.TLS;
            case CONNECT, BIND -> BounceCategory.ROUTING;
            case AUTHPLAIN, AUTHLOGIN, AUTHUSERNAME, AUTHPASSWORD -> BounceCategory.POLICY;
            case INTRO, EHLO, HELO, MAILFROM, RCPTTO, DATA, MESSAGE -> attempt.result() == AttemptResult.LOST
                    || attempt.result() == AttemptResult.INVALID ? BounceCategory.PROTOCOL : BounceCategory.OTHER;
            case PROCESS -> BounceCategory.OTHER;
        };
    }

    /**
     * Rules from their tab-separated text.
     *
     * @param origin named in errors, with the line number
     * @throws IllegalArgumentException naming the line and the part at fault
     */
    public static BounceRules parse(List<String> lines, String origin) {
        var rules = new ArrayList<BounceRule>();
        for (var line : RuleLines.of(lines, origin, List.of("category", "code", "status", "text", "source"))) {
            var f = line.fields();
            try {
                rules.add(BounceRule.of(f[0], f[1].strip(), f[2].strip(), f[3], f[4].strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + " line " + line.number() + ": " + e.getMessage(), e);
            }
        }
        return new BounceRules(rules);
    }
}
