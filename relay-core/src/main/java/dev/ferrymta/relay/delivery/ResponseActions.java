package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.bounce.AutomaticActions;
import dev.ferrymta.relay.bounce.ResponseRule;
import dev.ferrymta.relay.bounce.ResponseRules;
import dev.ferrymta.relay.bounce.Suspension;
import dev.ferrymta.relay.mail.Domain;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the lanes do with the replies they get: each refusing reply is held against the response
 * rules; one that fires suspends its scope on this instance at once (before the next message of
 * any lane of that scope) and is handed to the {@link AutomaticActions}, which share it with the
 * cluster as a pause of the shared settings. A suspension already in force is not shared again.
 */
public final class ResponseActions {

    private record Scope(InetAddress ip, Optional<Domain> domain) {
    }

    private final ResponseRules rules;
    private final ConcurrentHashMap<Scope, Suspension> local = new ConcurrentHashMap<>();
    private volatile AutomaticActions shared = AutomaticActions.LOCAL_ONLY;

    public ResponseActions(ResponseRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /** Hands the suspensions to {@code actions} from now on (the application's writer to the shared settings). */
    public void shareWith(AutomaticActions actions) {
        shared = Objects.requireNonNull(actions, "actions");
    }

    /** The suspension that holds sending from {@code ip} to {@code domain} at {@code now}, if any. */
    public Optional<Suspension> holding(InetAddress ip, Domain domain, Instant now) {
        for (var scope : new Scope[] {new Scope(ip, Optional.of(domain)), new Scope(ip, Optional.empty())}) {
            var suspension = local.get(scope);
            if (suspension != null) {
                if (now.isBefore(suspension.until())) {
                    return Optional.of(suspension);
                }
                local.remove(scope, suspension);
            }
        }
        return Optional.empty();
    }

    /**
     * Holds an attempt's reply against the rules; the suspension a rule made, if one fired and
     * none was in force for its scope.
     */
    public Optional<Suspension> observe(LaneKey lane, Attempt attempt, Instant now) {
        var fired = rules.match(attempt);
        if (fired.isEmpty()) {
            return Optional.empty();
        }
        var rule = fired.get();
        var scope = new Scope(lane.ip(), rule.scope() == ResponseRule.Scope.IP ? Optional.empty() : Optional.of(lane.domain()));
        var reply = attempt.code().getAsInt() + attempt.status().map(s -> " " + s).orElse("") + " " + attempt.description();
        var suspension = new Suspension(lane.ip(), scope.domain(), now.plus(rule.duration()), rule.name(),
                reply.length() > 200 ? reply.substring(0, 200) + "..." : reply);
        var before = local.get(scope);
        if (before != null && now.isBefore(before.until())) {
            return Optional.empty();
        }
        local.put(scope, suspension);
        shared.suspend(suspension);
        return Optional.of(suspension);
    }
}
