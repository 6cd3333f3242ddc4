package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.bounce.AutomaticActions;
import dev.ferrymta.relay.bounce.AutomaticBackOff;
import dev.ferrymta.relay.bounce.ResponseRule;
import dev.ferrymta.relay.bounce.ResponseRules;
import dev.ferrymta.relay.bounce.Suspension;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.settings.BackOff;
import dev.ferrymta.relay.settings.ThrottleLimits;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the lanes do with the replies they get: each refusing reply is held against the response
 * rules (the operator's from the shared settings, then the shipped ones). The first that matches
 * decides:
 * <ul>
 *   <li>{@code suspend} and {@code backoff} hold their scope on this instance at once (before the
 *       next message of any lane of that scope) and are handed to the {@link AutomaticActions},
 *       which share them with the cluster through the shared settings. Once the settings in force
 *       here hold one, this instance's own copy is dropped, so lifting the shared one lifts it
 *       here too. One already in force for the scope is not made or shared again;</li>
 *   <li>{@code temporary} and {@code permanent} change the attempt's outcome;</li>
 *   <li>any rule with a category gives it to the attempt's result.</li>
 * </ul>
 * Thread-safe.
 */
public final class ResponseActions {

    /** An IP, and a domain or a provider or neither (every domain). */
    private record Scope(InetAddress ip, Optional<Domain> domain, Optional<String> provider) {
    }

    /**
     * What a reply led to.
     *
     * @param outcome    the attempt's outcome, changed by a {@code temporary}, {@code permanent} or category rule
     * @param rule       the rule that fired, if one did
     * @param suspension the suspension it made, if it made one now
     * @param backOff    the back-off it made, if it made one now
     */
    public record Reaction(DeliveryOutcome outcome, Optional<ResponseRule> rule, Optional<Suspension> suspension,
            Optional<AutomaticBackOff> backOff) {

        static Reaction none(DeliveryOutcome outcome) {
            return new Reaction(outcome, Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    private final ConcurrentHashMap<Scope, Suspension> suspensions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Scope, AutomaticBackOff> backOffs = new ConcurrentHashMap<>();
    private volatile AutomaticActions shared = AutomaticActions.LOCAL_ONLY;

    /** Hands the suspensions and back-offs to {@code actions} from now on (the application's writer to the shared settings). */
    public void shareWith(AutomaticActions actions) {
        shared = Objects.requireNonNull(actions, "actions");
    }

    /** The suspension this instance's rules made that holds sending from {@code ip} to {@code domain} at {@code now}, if any. */
    public Optional<Suspension> holding(InetAddress ip, Domain domain, Instant now) {
        return holding(ip, domain, Optional.empty(), now);
    }

    /** The same, for a domain of {@code provider}. */
    public Optional<Suspension> holding(InetAddress ip, Domain domain, Optional<String> provider, Instant now) {
        if (suspensions.isEmpty()) {
            return Optional.empty();
        }
        for (var scope : scopes(ip, domain, provider)) {
            var suspension = suspensions.get(scope);
            if (suspension != null) {
                if (now.isBefore(suspension.until())) {
                    return Optional.of(suspension);
                }
                suspensions.remove(scope, suspension);
            }
        }
        return Optional.empty();
    }

    /** {@code limits} lowered by the back-offs this instance's rules made for the lane's scope, in force at {@code now}. */
    public ThrottleLimits cap(LaneKey lane, ThrottleLimits limits, Instant now) {
        return cap(lane, Optional.empty(), limits, now);
    }

    /**
     * The same, for a lane to a domain of {@code provider}. A provider back-off caps each of the
     * provider's lanes until the shared one, which holds across them all, is in force.
     */
    public ThrottleLimits cap(LaneKey lane, Optional<String> provider, ThrottleLimits limits, Instant now) {
        if (backOffs.isEmpty()) {
            return limits;
        }
        for (var scope : scopes(lane.ip(), lane.domain(), provider)) {
            var backOff = backOffs.get(scope);
            if (backOff != null) {
                if (now.isBefore(backOff.until())) {
                    limits = BackOff.cap(limits, backOff.messagesPerMinute(), backOff.maxConnections());
                } else {
                    backOffs.remove(scope, backOff);
                }
            }
        }
        return limits;
    }

    /**
     * Holds a failed attempt's reply against {@code rules} and does what the first matching rule says.
     *
     * @param lane    where the attempt was made from and to
     * @param outcome the attempt's outcome; a delivered one is returned as it is
     */
    public Reaction observe(ResponseRules rules, LaneKey lane, DeliveryOutcome outcome, Instant now) {
        return observe(rules, lane, Optional.empty(), outcome, now);
    }

    /**
     * The same, for a lane to a domain of {@code provider}: rules limited to a provider, and
     * actions of scope {@code ip+provider}, hold for it.
     */
    public Reaction observe(ResponseRules rules, LaneKey lane, Optional<String> provider, DeliveryOutcome outcome, Instant now) {
        if (outcome instanceof DeliveryOutcome.Delivered) {
            return Reaction.none(outcome);
        }
        var attempt = outcome.attempt();
        var fired = rules.match(attempt, lane.domain(), provider);
        if (fired.isEmpty()) {
            return Reaction.none(outcome);
        }
        var rule = fired.get();
        var changed = rule.category().map(c -> attempt.withCategory(c.json())).orElse(attempt);
        DeliveryOutcome result = switch (rule.action()) {
            case TEMPORARY -> new DeliveryOutcome.TemporaryFailure(changed);
            case PERMANENT -> new DeliveryOutcome.PermanentFailure(changed);
            case SUSPEND, BACKOFF, CLASSIFY -> switch (outcome) {
                case DeliveryOutcome.TemporaryFailure t -> new DeliveryOutcome.TemporaryFailure(changed);
                case DeliveryOutcome.PermanentFailure p -> new DeliveryOutcome.PermanentFailure(changed);
                case DeliveryOutcome.Delivered d -> d;
            };
        };
        var scope = switch (rule.scope()) {
            case IP -> new Scope(lane.ip(), Optional.empty(), Optional.empty());
            case IP_DOMAIN -> new Scope(lane.ip(), Optional.of(lane.domain()), Optional.empty());
            // A domain of no known provider: its own domain is the narrowest honest scope.
            case IP_PROVIDER -> provider.isPresent() ? new Scope(lane.ip(), Optional.empty(), provider)
                    : new Scope(lane.ip(), Optional.of(lane.domain()), Optional.empty());
        };
        var until = now.plus(rule.duration());
        return switch (rule.action()) {
            case SUSPEND -> {
                var before = suspensions.get(scope);
                if (before != null && now.isBefore(before.until())) {
                    yield new Reaction(result, fired, Optional.empty(), Optional.empty());
                }
                var suspension = new Suspension(lane.ip(), scope.domain(), until, rule.name(), reply(attempt), scope.provider());
                suspensions.put(scope, suspension);
                shared.suspend(suspension).thenAccept(held -> {
                    if (held) {
                        suspensions.remove(scope, suspension);
                    }
                });
                yield new Reaction(result, fired, Optional.of(suspension), Optional.empty());
            }
            case BACKOFF -> {
                var before = backOffs.get(scope);
                if (before != null && now.isBefore(before.until())) {
                    yield new Reaction(result, fired, Optional.empty(), Optional.empty());
                }
                var backOff = new AutomaticBackOff(lane.ip(), scope.domain(), until, rule.messagesPerMinute(), rule.maxConnections(),
                        rule.name(), reply(attempt), scope.provider());
                backOffs.put(scope, backOff);
                shared.backOff(backOff).thenAccept(held -> {
                    if (held) {
                        backOffs.remove(scope, backOff);
                    }
                });
                yield new Reaction(result, fired, Optional.empty(), Optional.of(backOff));
            }
            case TEMPORARY, PERMANENT, CLASSIFY -> new Reaction(result, fired, Optional.empty(), Optional.empty());
        };
    }

    private static List<Scope> scopes(InetAddress ip, Domain domain, Optional<String> provider) {
        var any = new Scope(ip, Optional.empty(), Optional.empty());
        var own = new Scope(ip, Optional.of(domain), Optional.empty());
        return provider.isEmpty() ? List.of(own, any) : List.of(own, new Scope(ip, Optional.empty(), provider), any);
    }

    /** The reply as the server sent it, shortened to 200 characters. */
    private static String reply(Attempt attempt) {
        var reply = attempt.code().getAsInt() + attempt.status().map(s -> " " + s).orElse("") + " " + attempt.description();
        return reply.length() > 200 ? reply.substring(0, 200) + "..." : reply;
    }
}
