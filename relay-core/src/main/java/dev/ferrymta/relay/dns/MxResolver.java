package dev.ferrymta.relay.dns;

import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.settings.DomainRoute;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Turns a destination domain into the hosts to try: a domain route from the settings first;
 * else the MX records by preference, random among equals so that load spreads as RFC 5321 asks;
 * else the implicit MX (the domain's own address). A null MX (RFC 7505) or a domain that does not
 * exist takes no mail; a DNS failure is for later.
 */
public final class MxResolver {

    static final int SMTP_PORT = 25;

    private final DnsResolver dns;
    private final RandomGenerator random;

    public MxResolver(DnsResolver dns, RandomGenerator random) {
        this.dns = dns;
        this.random = random;
    }

    /** The hosts for {@code domain}, honouring {@code route} when the settings have one. */
    public Destination resolve(Domain domain, Optional<DomainRoute> route) {
        if (route.isPresent()) {
            return new Destination.Hosts(List.of(new MxTarget(route.get().host(), route.get().port(), true)));
        }
        return switch (dns.mx(domain.name())) {
            case DnsAnswer.Records<MxRecord> records -> fromMx(domain, records.records());
            case DnsAnswer.NoRecords<MxRecord> none -> implicitMx(domain);
            case DnsAnswer.NoSuchName<MxRecord> none -> new Destination.NoMail(domain + " does not exist");
            case DnsAnswer.Failure<MxRecord> failure -> new Destination.Unavailable(failure.reason());
        };
    }

    private Destination fromMx(Domain domain, List<MxRecord> records) {
        if (records.isEmpty()) {
            return implicitMx(domain);
        }
        if (records.stream().anyMatch(MxRecord::isNull)) {
            return new Destination.NoMail(domain + " publishes a null MX: it accepts no mail (RFC 7505)");
        }
        var sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(MxRecord::preference));
        var targets = new ArrayList<MxTarget>();
        int start = 0;
        while (start < sorted.size()) {
            int end = start;
            while (end < sorted.size() && sorted.get(end).preference() == sorted.get(start).preference()) {
                end++;
            }
            var equals = new ArrayList<>(sorted.subList(start, end));
            shuffle(equals);
            equals.forEach(mx -> targets.add(new MxTarget(mx.host(), SMTP_PORT)));
            start = end;
        }
        return new Destination.Hosts(targets);
    }

    private Destination implicitMx(Domain domain) {
        return switch (dns.addresses(domain.name())) {
            case DnsAnswer.Records<?> records -> new Destination.Hosts(List.of(new MxTarget(domain.name(), SMTP_PORT)));
            case DnsAnswer.NoRecords<?> none -> new Destination.NoMail(domain + " has neither MX nor address records");
            case DnsAnswer.NoSuchName<?> none -> new Destination.NoMail(domain + " does not exist");
            case DnsAnswer.Failure<?> failure -> new Destination.Unavailable(failure.reason());
        };
    }

    private <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            var swap = list.get(i);
            list.set(i, list.get(j));
            list.set(j, swap);
        }
    }
}
