package dev.ferrymta.relay.dns;

import dev.ferrymta.relay.config.HostAndPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * {@link DnsResolver} over dnsjava: asks {@code dns-server} when one is configured, else the
 * system's resolvers, and caches answers for their TTL (negative answers too).
 */
public final class DnsJavaResolver implements DnsResolver {

    private final Resolver resolver;
    private final Cache cache = new Cache(DClass.IN);

    /**
     * @param server  the {@code dns-server}, or empty for the system's resolvers
     * @param timeout how long one lookup may take, retries included
     */
    public DnsJavaResolver(Optional<HostAndPort> server, Duration timeout) {
        var chosen = server.isPresent()
                ? new SimpleResolver(new InetSocketAddress(server.get().host(), server.get().port()))
                : new ExtendedResolver();
        chosen.setTimeout(timeout);
        this.resolver = chosen;
    }

    @Override
    public DnsAnswer<MxRecord> mx(String domain) {
        return lookup(domain, Type.MX, record -> {
            var mx = (MXRecord) record;
            var target = mx.getTarget();
            var host = target.equals(Name.root) ? "" : strip(target);
            return new MxRecord(mx.getPriority(), host);
        });
    }

    @Override
    public DnsAnswer<String> txt(String name) {
        return lookup(name, Type.TXT, record -> String.join("", ((TXTRecord) record).getStrings()));
    }

    @Override
    public DnsAnswer<InetAddress> addresses(String host) {
        var v4 = lookup(host, Type.A, record -> ((ARecord) record).getAddress());
        if (v4 instanceof DnsAnswer.NoSuchName<InetAddress> || v4 instanceof DnsAnswer.Failure<InetAddress>) {
            return v4;
        }
        var v6 = lookup(host, Type.AAAA, record -> ((AAAARecord) record).getAddress());
        var all = new ArrayList<InetAddress>();
        if (v4 instanceof DnsAnswer.Records<InetAddress> records) {
            all.addAll(records.records());
        }
        if (v6 instanceof DnsAnswer.Records<InetAddress> records) {
            all.addAll(records.records());
        } else if (v6 instanceof DnsAnswer.Failure<InetAddress> failure && all.isEmpty()) {
            return failure;
        }
        return all.isEmpty() ? new DnsAnswer.NoRecords<>() : new DnsAnswer.Records<>(all);
    }

    private <T> DnsAnswer<T> lookup(String name, int type, java.util.function.Function<Record, T> convert) {
        Lookup lookup;
        try {
            lookup = new Lookup(Name.fromString(name.endsWith(".") ? name : name + "."), type, DClass.IN);
        } catch (TextParseException e) {
            return new DnsAnswer.NoSuchName<>();
        }
        lookup.setResolver(resolver);
        lookup.setCache(cache);
        lookup.setSearchPath(List.<Name>of());
        var records = lookup.run();
        return switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> new DnsAnswer.Records<>(records == null ? List.of()
                    : java.util.Arrays.stream(records).filter(r -> r.getType() == type).map(convert).toList());
            case Lookup.TYPE_NOT_FOUND -> new DnsAnswer.NoRecords<>();
            case Lookup.HOST_NOT_FOUND -> new DnsAnswer.NoSuchName<>();
            default -> new DnsAnswer.Failure<>("%s lookup of %s: %s".formatted(Type.string(type), name, lookup.getErrorString()));
        };
    }

    private static String strip(Name name) {
        var text = name.toString();
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }
}
