package dev.ferrymta.testing.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

/**
 * A DNS server on a loopback port that answers real wire-format queries, over UDP and TCP, from
 * records and faults the test scripts. Point the relay's resolver at {@link #hostPort()}.
 *
 * <pre>{@code
 * try (DnsResponder dns = DnsResponder.start()) {
 *   dns.mx("example.test", 10, "mx1.example.test")
 *       .a("mx1.example.test", "127.0.0.1")
 *       .nullMx("nomail.test")
 *       .serverFailure("broken.test")
 *       .silence("slow.test");
 *   // configure the relay with "dns-server: " + dns.hostPort()
 * }
 * }</pre>
 *
 * <p>Names are case-insensitive and may be given with or without the trailing dot. A name with
 * records answers authoritatively; a name with records of other types only answers NOERROR with
 * no records (NODATA); any other name answers NXDOMAIN. Negative answers carry no SOA, so
 * resolvers do not cache them. Every method is safe to call while queries are being answered.
 */
public final class DnsResponder implements AutoCloseable {

  /** The TTL of records registered without one. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(300);

  private static final Logger log = LoggerFactory.getLogger(DnsResponder.class);

  // Another process may hold TCP on the ephemeral port the UDP socket got; a fresh pair of
  // ports is then tried.
  private static final int BIND_ATTEMPTS = 10;

  private final Zone zone;
  private final FaultScript faults;
  private final QueryLog queryLog;
  private final UdpServer udp;
  private final TcpServer tcp;
  private final InetSocketAddress address;

  private DnsResponder(
      Zone zone, FaultScript faults, QueryLog queryLog, UdpServer udp, TcpServer tcp,
      InetAddress host) {
    this.zone = zone;
    this.faults = faults;
    this.queryLog = queryLog;
    this.udp = udp;
    this.tcp = tcp;
    this.address = new InetSocketAddress(host, udp.port());
  }

  /** Starts a responder on 127.0.0.1 and an ephemeral port, UDP and TCP alike. */
  public static DnsResponder start() {
    return start(InetAddress.getLoopbackAddress(), 0);
  }

  /**
   * Starts a responder on {@code host} and {@code port}, UDP and TCP alike.
   *
   * @param port the port to bind, or 0 for an ephemeral one free for both transports
   * @throws UncheckedIOException if the port cannot be bound
   */
  public static DnsResponder start(InetAddress host, int port) {
    Objects.requireNonNull(host, "host");
    Zone zone = new Zone();
    FaultScript faults = new FaultScript();
    QueryLog queryLog = new QueryLog();
    QueryHandler handler = new QueryHandler(zone, faults, queryLog);
    for (int attempt = 1; ; attempt++) {
      UdpServer udp = null;
      try {
        udp = UdpServer.start(new InetSocketAddress(host, port), handler);
        TcpServer tcp = TcpServer.start(new InetSocketAddress(host, udp.port()), handler);
        DnsResponder responder = new DnsResponder(zone, faults, queryLog, udp, tcp, host);
        log.info("DNS responder listening on {} (UDP and TCP)", responder.hostPort());
        return responder;
      } catch (BindException e) {
        if (udp != null) {
          udp.close();
        }
        if (port != 0 || attempt == BIND_ATTEMPTS) {
          throw new UncheckedIOException(
              "DNS responder could not bind " + host.getHostAddress() + ":" + port
                  + " for UDP and TCP after " + attempt + " attempt(s)", e);
        }
      } catch (IOException e) {
        if (udp != null) {
          udp.close();
        }
        throw new UncheckedIOException(
            "DNS responder could not start on " + host.getHostAddress() + ":" + port, e);
      }
    }
  }

  /** The address to send queries to. */
  public InetSocketAddress address() {
    return address;
  }

  /** The port, the same for UDP and TCP. */
  public int port() {
    return address.getPort();
  }

  /** The address in the relay's {@code dns-server} form, for example {@code 127.0.0.1:40123}. */
  public String hostPort() {
    String host = address.getAddress().getHostAddress();
    return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port();
  }

  /** Adds an MX record for {@code name} with the {@linkplain #DEFAULT_TTL default TTL}. */
  public DnsResponder mx(String name, int preference, String exchange) {
    return mx(name, preference, exchange, DEFAULT_TTL);
  }

  /**
   * Adds an MX record for {@code name}. Records are answered in the order they were added; adding
   * one that already exists changes only its TTL.
   */
  public DnsResponder mx(String name, int preference, String exchange, Duration ttl) {
    return record(
        new MXRecord(Names.absolute(name), DClass.IN, seconds(ttl), preference,
            Names.absolute(exchange)));
  }

  /** Adds the null MX of RFC 7505 ({@code 0 .}): {@code name} accepts no mail at all. */
  public DnsResponder nullMx(String name) {
    return record(
        new MXRecord(Names.absolute(name), DClass.IN, seconds(DEFAULT_TTL), 0, Name.root));
  }

  /** Adds an A record for {@code name} with the {@linkplain #DEFAULT_TTL default TTL}. */
  public DnsResponder a(String name, String ipv4) {
    return a(name, ipv4, DEFAULT_TTL);
  }

  /**
   * Adds an A record for {@code name}.
   *
   * @param ipv4 a dotted-quad literal such as {@code "127.0.0.1"}; never looked up
   */
  public DnsResponder a(String name, String ipv4, Duration ttl) {
    return record(
        new ARecord(Names.absolute(name), DClass.IN, seconds(ttl), literal(ipv4, Address.IPv4)));
  }

  /** Adds an AAAA record for {@code name} with the {@linkplain #DEFAULT_TTL default TTL}. */
  public DnsResponder aaaa(String name, String ipv6) {
    return aaaa(name, ipv6, DEFAULT_TTL);
  }

  /**
   * Adds an AAAA record for {@code name}.
   *
   * @param ipv6 an IPv6 literal such as {@code "::1"}; never looked up
   */
  public DnsResponder aaaa(String name, String ipv6, Duration ttl) {
    return record(
        new AAAARecord(Names.absolute(name), DClass.IN, seconds(ttl), literal(ipv6, Address.IPv6)));
  }

  /**
   * Adds a TXT record for {@code name}, its text split into character-strings of at most 255
   * octets, as a DKIM key record longer than that must be (RFC 6376 section 3.6.2.2).
   */
  public DnsResponder txt(String name, String text) {
    var strings = new java.util.ArrayList<String>();
    for (int i = 0; i < text.length(); i += 255) {
      strings.add(text.substring(i, Math.min(text.length(), i + 255)));
    }
    return record(new org.xbill.DNS.TXTRecord(Names.absolute(name), DClass.IN, seconds(DEFAULT_TTL), strings));
  }

  /**
   * Adds any dnsjava record (TXT, CNAME, PTR...) for types the shortcuts above do not cover. Its
   * owner name must be absolute. A CNAME answers queries of any type at its name on its own; the
   * resolver follows it with a new query, as dnsjava's {@code Lookup} does.
   */
  public DnsResponder record(Record record) {
    Objects.requireNonNull(record, "record");
    if (!record.getName().isAbsolute()) {
      throw new IllegalArgumentException("record owner name must be absolute: " + record);
    }
    zone.add(record);
    return this;
  }

  /** Removes every record of {@code type} (a dnsjava {@code Type} constant) at {@code name}. */
  public DnsResponder remove(String name, int type) {
    zone.remove(Names.absolute(name), type);
    return this;
  }

  /** Removes every record at {@code name}, which then answers NXDOMAIN. */
  public DnsResponder remove(String name) {
    zone.remove(Names.absolute(name));
    return this;
  }

  /**
   * Answers every query for {@code name} with {@code rcode} and no records.
   *
   * @param rcode a dnsjava {@link Rcode} other than NOERROR, for example {@link Rcode#SERVFAIL}
   */
  public DnsResponder fail(String name, int rcode) {
    faults.script(Names.absolute(name), new Fault.Respond(failureRcode(rcode)));
    return this;
  }

  /** Answers queries of {@code type} for {@code name} with {@code rcode}; other types answer. */
  public DnsResponder fail(String name, int type, int rcode) {
    faults.script(Names.absolute(name), type, new Fault.Respond(failureRcode(rcode)));
    return this;
  }

  /** Answers every query for {@code name} with SERVFAIL, as a broken authoritative server would. */
  public DnsResponder serverFailure(String name) {
    return fail(name, Rcode.SERVFAIL);
  }

  /** Answers every query for {@code name} with REFUSED. */
  public DnsResponder refuse(String name) {
    return fail(name, Rcode.REFUSED);
  }

  /** Never answers queries for {@code name}, so the resolver times out. */
  public DnsResponder silence(String name) {
    faults.script(Names.absolute(name), new Fault.Silence());
    return this;
  }

  /** Never answers queries of {@code type} for {@code name}; other types still answer. */
  public DnsResponder silence(String name, int type) {
    faults.script(Names.absolute(name), type, new Fault.Silence());
    return this;
  }

  /** Waits {@code delay} before answering each query for {@code name}. */
  public DnsResponder delay(String name, Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay for " + name + " must not be negative: " + delay);
    }
    faults.delay(Names.absolute(name), delay);
    return this;
  }

  /** Forgets every fault and delay scripted for {@code name}; its records answer again. */
  public DnsResponder heal(String name) {
    faults.heal(Names.absolute(name));
    return this;
  }

  /** The number of well-formed queries received, answered or not. */
  public int queryCount() {
    return queryLog.count();
  }

  /** How many times {@code name} was asked for records of {@code type}. */
  public long queryCount(String name, int type) {
    return queryLog.count(DnsQuery.of(name, type));
  }

  /** Every well-formed query received, oldest first. */
  public List<DnsQuery> queries() {
    return queryLog.queries();
  }

  /** The number of packets dropped because they were not a parseable DNS query. */
  public int malformedCount() {
    return queryLog.malformedCount();
  }

  /** Forgets the queries received and the malformed count, keeping records and faults. */
  public DnsResponder clearQueries() {
    queryLog.clear();
    return this;
  }

  /** Forgets every record, fault, delay and query: the responder is as new, on the same port. */
  public DnsResponder clear() {
    zone.clear();
    faults.clear();
    queryLog.clear();
    return this;
  }

  /** Stops answering and frees the port; queries still being delayed go unanswered. */
  @Override
  public void close() {
    udp.close();
    tcp.close();
    log.debug("DNS responder on {} stopped", hostPort());
  }

  private static long seconds(Duration ttl) {
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("TTL must not be negative: " + ttl);
    }
    return ttl.toSeconds();
  }

  private static InetAddress literal(String text, int family) {
    try {
      return Address.getByAddress(text, family);
    } catch (UnknownHostException e) {
      String kind = family == Address.IPv4 ? "IPv4" : "IPv6";
      throw new IllegalArgumentException(
          "not an " + kind + " address literal: \"" + text + "\"", e);
    }
  }

  private static int failureRcode(int rcode) {
    // Header rcodes are 4 bits; anything larger would need an EDNS extended rcode.
    if (rcode < 1 || rcode > 15) {
      throw new IllegalArgumentException(
          "a scripted failure needs an rcode from 1 (FORMERR) to 15, not " + rcode);
    }
    return rcode;
  }
}
