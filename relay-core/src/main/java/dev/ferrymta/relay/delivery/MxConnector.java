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
import dev.ferrymta.relay.message.Security;
import dev.ferrymta.relay.settings.IpLiteral;
import dev.ferrymta.relay.settings.Settings;
import dev.ferrymta.relay.smtp.SmtpClient;
import dev.ferrymta.relay.smtp.SmtpEndpoint;
import dev.ferrymta.relay.smtp.SmtpFailure;
import dev.ferrymta.relay.smtp.SmtpSession;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;

/**
 * Opens an SMTP session for a lane: resolves the domain (a domain route first, else MX, else the
 * implicit MX), then tries the hosts in order and each host's addresses of the source IP's family,
 * until one answers. What went wrong with the last one is the attempt's outcome.
 */
public final class MxConnector {

    private final MxResolver mxResolver;
    private final DnsResolver dns;
    private final SmtpClient smtp;
    private final Clock clock;

    public MxConnector(MxResolver mxResolver, DnsResolver dns, SmtpClient smtp, Clock clock) {
        this.mxResolver = mxResolver;
        this.dns = dns;
        this.smtp = smtp;
        this.clock = clock;
    }

    /** A session, or why there is none. */
    public sealed interface Connection {
    }

    /**
     * An open session to the host at {@code hostIndex} in the destination's order.
     *
     * @param hostCount how many hosts the destination has, so a caller knows whether a next one exists
     */
    public record Opened(SmtpSession session, int hostIndex, int hostCount) implements Connection {
    }

    /** No host from {@code firstHost} on answered; the outcome of the last try. */
    public record Failed(DeliveryOutcome outcome) implements Connection {
    }

    /**
     * Opens a session from the lane's IP to its domain, trying hosts from {@code firstHost} on.
     *
     * @param ehloName the name to greet with
     * @param security what the message asks of TLS
     */
    public Connection open(LaneKey lane, Settings settings, String ehloName, Security security, int firstHost) {
        var destination = mxResolver.resolve(lane.domain(), settings.routeFor(lane.domain()));
        List<MxTarget> hosts;
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
        DeliveryOutcome last = new DeliveryOutcome.TemporaryFailure(Attempt.local(AttemptState.DNS, AttemptResult.ERROR,
                clock.instant(), "no more mail servers to try for " + lane.domain()));
        for (int index = Math.max(0, firstHost); index < hosts.size(); index++) {
            var host = hosts.get(index);
            var addresses = addresses(host.host(), lane.ip());
            if (addresses instanceof Addresses.Missing missing) {
                last = new DeliveryOutcome.TemporaryFailure(
                        Attempt.local(AttemptState.DNS, AttemptResult.ERROR, clock.instant(), missing.reason()));
                continue;
            }
            for (var address : ((Addresses.Found) addresses).addresses()) {
                var endpoint = new SmtpEndpoint(host.host(), address, host.port());
                try {
                    return new Opened(smtp.open(lane.ip(), endpoint, ehloName, security), index, hosts.size());
                } catch (SmtpFailure e) {
                    last = e.outcome();
                    if (last.attempt().state() == AttemptState.BIND) {
                        // The local IP itself is the problem: no other host will do better.
                        return new Failed(last);
                    }
                }
                if (security == Security.OPPORTUNISTIC && isTlsFailure(last)) {
                    // Opportunistic TLS must not make mail undeliverable: a server whose STARTTLS is
                    // broken still gets the message in plain, as RFC 3207 section 4.1 allows.
                    try {
                        return new Opened(smtp.open(lane.ip(), endpoint, ehloName, Security.NONE), index, hosts.size());
                    } catch (SmtpFailure e) {
                        last = e.outcome();
                    }
                }
            }
        }
        return new Failed(last);
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

    /** The host's addresses of the source IP's family: an IP literal as it is, else DNS. */
    private Addresses addresses(String host, InetAddress source) {
        try {
            var literal = IpLiteral.parse(host);
            return sameFamily(literal, source) ? new Addresses.Found(List.of(literal))
                    : new Addresses.Missing("mail server " + host + " cannot be reached from " + source.getHostAddress());
        } catch (IllegalArgumentException notALiteral) {
            // A host name: ask DNS below.
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
