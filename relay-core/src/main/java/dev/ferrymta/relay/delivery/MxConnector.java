package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.dns.Destination;
import dev.ferrymta.relay.dns.DnsAnswer;
import dev.ferrymta.relay.dns.DnsResolver;
import dev.ferrymta.relay.dns.MxResolver;
import dev.ferrymta.relay.dns.MxTarget;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.Security;
import dev.ferrymta.relay.settings.IpLiteral;
import dev.ferrymta.relay.settings.Settings;
import dev.ferrymta.relay.smtp.NextMessage;
import dev.ferrymta.relay.smtp.SmtpClient;
import dev.ferrymta.relay.smtp.SmtpEndpoint;
import dev.ferrymta.relay.smtp.SmtpFailure;
import dev.ferrymta.relay.smtp.SmtpSession;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import dev.ferrymta.relay.message.DsnRequest;
import dev.ferrymta.relay.message.Smarthost;
import dev.ferrymta.relay.smtp.SmtpLogin;
import dev.ferrymta.relay.smtp.SmtpMessage;
import java.util.OptionalInt;

/**
 * Plans and opens SMTP sessions for a lane. {@link #plan} resolves the destination once per
 * attempt (a domain route first, else MX, else the implicit MX) into an {@link MxPlan}: the
 * servers in order, each host's addresses of the source IP's family, without the addresses
 * {@link DestinationCheck} refuses. {@link #open} walks the plan until a server greets; what went
 * wrong with the last one, and which were tried, is the attempt's outcome otherwise.
 */
public final class MxConnector implements LaneConnector {

    private final MxResolver mxResolver;
    private final DnsResolver dns;
    private final SmtpClient smtp;
    private final DestinationCheck destinations;
    private final Clock clock;

    public MxConnector(MxResolver mxResolver, DnsResolver dns, SmtpClient smtp, DestinationCheck destinations, Clock clock) {
        this.mxResolver = mxResolver;
        this.dns = dns;
        this.smtp = smtp;
        this.destinations = destinations;
        this.clock = clock;
    }

    @Override
    public Optional<String> provider(LaneKey lane, Settings settings) {
        if (lane.via().isPresent()) {
            return Optional.empty();
        }
        return switch (mxResolver.resolve(lane.domain(), settings.routeFor(lane.domain()))) {
            case Destination.Hosts hosts -> settings.providers().providerOf(hosts.targets().stream().map(MxTarget::host).toList());
            case Destination.NoMail noMail -> Optional.empty();
            case Destination.Unavailable unavailable -> Optional.empty();
        };
    }

    @Override
    public Planned plan(LaneKey lane, Settings settings) {
        List<MxTarget> hosts;
        var destination = lane.via().isPresent()
                // The message's own smarthost: its host name (or IP literal) and port, nothing else.
                ? new Destination.Hosts(List.of(new MxTarget(lane.via().get().hostname(), lane.via().get().port(), true)))
                : mxResolver.resolve(lane.domain(), settings.routeFor(lane.domain()));
        switch (destination) {
            case Destination.NoMail noMail -> {
                return new Failed(new DeliveryOutcome.PermanentFailure(
                        Attempt.local(AttemptState.DNS, AttemptResult.ERROR, clock.instant(), noMail.reason())));
            }
            case Destination.Unavailable unavailable -> {
                return new Failed(new DeliveryOutcome.TemporaryFailure(Attempt.local(AttemptState.DNS, AttemptResult.ERROR,
                        clock.instant(), "cannot resolve " + lane.domain() + ": " + unavailable.reason())));
            }
            case Destination.Hosts found -> hosts = found.targets();
        }
        var candidates = new ArrayList<MxPlan.Candidate>();
        var skipped = new ArrayList<String>();
        var refusals = new ArrayList<String>();
        boolean unresolved = false;
        for (int index = 0; index < hosts.size() && candidates.size() < MxPlan.MAX_ADDRESSES; index++) {
            var host = hosts.get(index);
            switch (addresses(host, lane.ip())) {
                case Addresses.Missing missing -> {
                    skipped.add(missing.reason());
                    unresolved = true;
                }
                case Addresses.Found found -> {
                    for (var address : found.addresses()) {
                        // A smarthost a message names is not one the operator routed to: loopback
                        // and the like stay refused unless smtp-allowed-destinations lets them in.
                        var refusal = destinations.refusal(address, host.routed() && lane.via().isEmpty());
                        if (refusal != null) {
                            skipped.add(host.host() + "[" + address.getHostAddress() + "]: " + refusal);
                            refusals.add(refusal);
                        } else {
                            candidates.add(new MxPlan.Candidate(new SmtpEndpoint(host.host(), address, host.port()), index));
                        }
                    }
                }
            }
        }
        var plan = new MxPlan(candidates, skipped);
        if (!plan.isEmpty()) {
            return new Plan(plan);
        }
        if (!unresolved && !refusals.isEmpty()) {
            // Every server the domain names is one Ferry must not send to: the same next time.
            return new Failed(new DeliveryOutcome.PermanentFailure(new Attempt(AttemptState.DNS, AttemptResult.ERROR,
                    clock.instant(), Optional.of(lane.ip()), Optional.empty(), Optional.empty(), OptionalInt.empty(),
                    Optional.of("5.4.6"), refusals.getFirst() + " (RFC 5321 section 5.1); " + plan.summary())));
        }
        return new Failed(new DeliveryOutcome.TemporaryFailure(Attempt.local(AttemptState.DNS, AttemptResult.ERROR, clock.instant(),
                "no mail server of " + lane.domain() + " can be reached from " + lane.ip().getHostAddress() + ": "
                        + String.join("; ", skipped))));
    }

    @Override
    public Connection open(MxPlan plan, LaneKey lane, String ehloName, Security security) {
        DeliveryOutcome last = null;
        Optional<MxPlan.Candidate> next;
        var login = lane.via().flatMap(MxConnector::login);
        if (login.isPresent() && !login.get().allowPlain() && (security == Security.NONE || security == Security.OPPORTUNISTIC)) {
            // A password goes over TLS only: no plain fallback for this session.
            security = Security.REQUIRED;
        }
        while ((next = plan.next()).isPresent()) {
            var candidate = next.get();
            try {
                return new Opened(new SmtpDeliverySession(smtp.open(lane.ip(), candidate.endpoint(), ehloName, security, login)),
                        candidate);
            } catch (SmtpFailure e) {
                last = e.outcome();
                if (last instanceof DeliveryOutcome.PermanentFailure) {
                    // The smarthost refused the login, or it could not be sent safely.
                    return new Failed(last);
                }
                if (last.attempt().state() == AttemptState.BIND) {
                    // The local IP itself is the problem: no other host will do better.
                    return new Failed(last);
                }
            }
            if (security == Security.OPPORTUNISTIC && isTlsFailure(last)) {
                // Opportunistic TLS must not make mail undeliverable: a server whose STARTTLS is
                // broken still gets the message in plain, as RFC 3207 section 4.1 allows.
                try {
                    return new Opened(new SmtpDeliverySession(smtp.open(lane.ip(), candidate.endpoint(), ehloName, Security.NONE)), candidate);
                } catch (SmtpFailure e) {
                    last = e.outcome();
                }
            }
        }
        if (last == null) {
            last = new DeliveryOutcome.TemporaryFailure(Attempt.local(AttemptState.CONNECT, AttemptResult.ERROR, clock.instant(),
                    "no more mail servers of " + lane.domain() + " to try in this attempt"));
        }
        return new Failed(withSummary(last, plan));
    }

    private static Optional<SmtpLogin> login(Smarthost smarthost) {
        return smarthost.username().map(user -> new SmtpLogin(user, smarthost.password().orElse(""), smarthost.allowPlain()));
    }

    /** The outcome with which servers were tried (and what was left out) added to its description. */
    public static DeliveryOutcome withSummary(DeliveryOutcome outcome, MxPlan plan) {
        var summary = plan.summary();
        if (summary.isEmpty() || (plan.tried().size() < 2 && plan.skipped().isEmpty())) {
            return outcome;
        }
        var a = outcome.attempt();
        var described = new Attempt(a.state(), a.result(), a.time(), a.from(), a.to(), a.mta(), a.code(), a.status(),
                a.description() + " (" + summary + ")", a.dkim(), a.session(), a.category());
        return switch (outcome) {
            case DeliveryOutcome.Delivered delivered -> delivered;
            case DeliveryOutcome.TemporaryFailure temporary -> new DeliveryOutcome.TemporaryFailure(described);
            case DeliveryOutcome.PermanentFailure permanent -> new DeliveryOutcome.PermanentFailure(described);
        };
    }

    /** The SMTP client's session as a lane uses it. */
    private record SmtpDeliverySession(SmtpSession smtp) implements DeliverySession {

        @Override
        public DeliveryOutcome send(Optional<MailAddress> sender, MailAddress recipient, byte[] mime, DsnRequest dsn) {
            return smtp.send(sender, recipient, mime, dsn);
        }

        @Override
        public DeliveryOutcome send(SmtpMessage message, NextMessage next) {
            return smtp.send(message, next);
        }

        @Override
        public boolean isUsable() {
            return smtp.isUsable();
        }

        @Override
        public int messagesSent() {
            return smtp.messagesSent();
        }

        @Override
        public boolean tls() {
            return smtp.tls();
        }

        @Override
        public boolean eightBitMime() {
            return smtp.extensions().contains("8BITMIME");
        }

        @Override
        public void close() {
            smtp.close();
        }
    }

    private static boolean isTlsFailure(DeliveryOutcome outcome) {
        var state = outcome.attempt().state();
        return state == AttemptState.STARTTLS || state == AttemptState.HANDSHAKE;
    }

    private sealed interface Addresses {
        record Found(List<InetAddress> addresses) implements Addresses {
        }

        record Missing(String reason) implements Addresses {
        }
    }

    /**
     * The host's addresses of the source IP's family: an IP literal a domain route names as it is,
     * else DNS. An MX record naming an IP address ({@code 10 192.0.2.19.}) names a host, as RFC 5321
     * section 5.1 and RFC 7505 say, so it is looked up as one and normally does not resolve.
     */
    private Addresses addresses(MxTarget target, InetAddress source) {
        var host = target.host();
        if (target.routed()) {
            try {
                var literal = IpLiteral.parse(host);
                return sameFamily(literal, source) ? new Addresses.Found(List.of(literal))
                        : new Addresses.Missing("mail server " + host + " cannot be reached from " + source.getHostAddress());
            } catch (IllegalArgumentException notALiteral) {
                // A host name: ask DNS below.
            }
        }
        return switch (dns.addresses(host)) {
            case DnsAnswer.Records<InetAddress> records -> {
                var usable = records.records().stream().filter(a -> sameFamily(a, source)).toList();
                yield usable.isEmpty()
                        ? new Addresses.Missing("mail server " + host + " has no " + family(source) + " address")
                        : new Addresses.Found(usable);
            }
            case DnsAnswer.NoRecords<InetAddress> none -> new Addresses.Missing("mail server " + host + " has no address records");
            case DnsAnswer.NoSuchName<InetAddress> none -> new Addresses.Missing("mail server " + host + " does not exist");
            case DnsAnswer.Failure<InetAddress> failure -> new Addresses.Missing("cannot resolve mail server " + host + ": "
                    + failure.reason());
        };
    }

    private static boolean sameFamily(InetAddress a, InetAddress b) {
        return (a instanceof Inet4Address) == (b instanceof Inet4Address);
    }

    private static String family(InetAddress address) {
        return address instanceof Inet4Address ? "IPv4" : "IPv6";
    }
}
