package dev.ferrymta.testing.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

class DnsResponderIT {

  private static final Duration RESOLVER_TIMEOUT = Duration.ofMillis(300);

  private DnsResponder dns;
  private SimpleResolver resolver;

  @BeforeEach
  void startResponder() {
    dns = DnsResponder.start();
    resolver = new SimpleResolver(dns.address());
    resolver.setTimeout(RESOLVER_TIMEOUT);
  }

  @AfterEach
  void stopResponder() {
    dns.close();
  }

  @Test
  void answersMxRecordsInRegisteredPreferenceOrder() throws IOException {
    dns.mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test");

    Message response = ask("example.test", Type.MX);

    assertThat(response.getSection(Section.ANSWER))
        .map(MXRecord.class::cast)
        .extracting(MXRecord::getPriority, mx -> mx.getTarget().toString())
        .containsExactly(tuple(10, "mx1.example.test."), tuple(20, "mx2.example.test."));
  }

  @Test
  void answersEachRecordWithTheTtlItWasRegisteredWith() throws IOException {
    dns.mx("example.test", 10, "mx1.example.test", Duration.ofSeconds(60))
        .mx("example.test", 20, "mx2.example.test");

    Message response = ask("example.test", Type.MX);

    assertThat(response.getSection(Section.ANSWER))
        .extracting(Record::getTTL)
        .containsExactly(60L, DnsResponder.DEFAULT_TTL.toSeconds());
  }

  @Test
  void answersAuthoritativelyWithTheQueryIdAndQuestionEchoed() throws IOException {
    dns.a("mx1.example.test", "127.0.0.1");
    Message query = query("mx1.example.test", Type.A);

    Message response = resolver.send(query);

    assertThat(response.getHeader().getID()).isEqualTo(query.getHeader().getID());
    assertThat(response.getQuestion()).isEqualTo(query.getQuestion());
    assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
  }

  @Test
  void answersARecordsThroughLookup() {
    dns.a("mx1.example.test", "127.0.0.1").a("mx1.example.test", "127.0.0.2");

    Lookup lookup = lookup("mx1.example.test", Type.A);

    assertThat(lookup.getResult()).isEqualTo(Lookup.SUCCESSFUL);
    assertThat(lookup.getAnswers())
        .extracting(record -> ((ARecord) record).getAddress().getHostAddress())
        .containsExactly("127.0.0.1", "127.0.0.2");
  }

  @Test
  void answersAaaaRecordsThroughLookup() throws IOException {
    dns.aaaa("mx1.example.test", "::1");

    Lookup lookup = lookup("mx1.example.test", Type.AAAA);

    assertThat(lookup.getResult()).isEqualTo(Lookup.SUCCESSFUL);
    assertThat(lookup.getAnswers())
        .extracting(record -> ((AAAARecord) record).getAddress())
        .containsExactly(InetAddress.getByName("::1"));
  }

  @Test
  void answersNxdomainForUnknownName() throws IOException {
    dns.mx("example.test", 10, "mx1.example.test");

    Message response = ask("unknown.test", Type.MX);

    assertThat(response.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(lookup("unknown.test", Type.MX).getResult()).isEqualTo(Lookup.HOST_NOT_FOUND);
  }

  @Test
  void answersNodataWhenNameHasOnlyOtherTypes() throws IOException {
    dns.a("mx1.example.test", "127.0.0.1");

    Message response = ask("mx1.example.test", Type.MX);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(response.getSection(Section.ANSWER)).isEmpty();
    assertThat(lookup("mx1.example.test", Type.MX).getResult()).isEqualTo(Lookup.TYPE_NOT_FOUND);
  }

  @Test
  void answersNullMxAsPreferenceZeroToTheRoot() throws IOException {
    dns.nullMx("nomail.test");

    Message response = ask("nomail.test", Type.MX);

    assertThat(response.getSection(Section.ANSWER))
        .map(MXRecord.class::cast)
        .extracting(MXRecord::getPriority, MXRecord::getTarget)
        .containsExactly(tuple(0, Name.root));
  }

  @Test
  void matchesNamesIgnoringCaseAndTrailingDot() throws IOException {
    dns.mx("Example.TEST.", 10, "mx1.example.test").a("mx1.example.test", "127.0.0.1");

    assertThat(ask("example.test", Type.MX).getSection(Section.ANSWER)).hasSize(1);
    assertThat(ask("MX1.Example.Test.", Type.A).getSection(Section.ANSWER)).hasSize(1);
  }

  @Test
  void answersScriptedServfail() throws IOException {
    dns.mx("broken.test", 10, "mx1.broken.test").serverFailure("broken.test");

    Message response = ask("broken.test", Type.MX);

    assertThat(response.getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(response.getSection(Section.ANSWER)).isEmpty();
  }

  @Test
  void answersScriptedRefused() throws IOException {
    dns.refuse("closed.test");

    assertThat(ask("closed.test", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
  }

  @Test
  void faultScriptedForOneTypeLeavesOtherTypesAnswered() throws IOException {
    dns.a("mx1.example.test", "127.0.0.1").fail("mx1.example.test", Type.AAAA, Rcode.SERVFAIL);

    assertThat(ask("mx1.example.test", Type.AAAA).getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(ask("mx1.example.test", Type.A).getSection(Section.ANSWER)).hasSize(1);
  }

  @Test
  void silencedNameMakesTheResolverTimeOut() {
    dns.mx("slow.test", 10, "mx1.slow.test").silence("slow.test");

    assertThatThrownBy(() -> ask("slow.test", Type.MX))
        .isInstanceOf(IOException.class)
        .hasMessageFindingMatch("(?i)timed out");
    assertThat(dns.queryCount("slow.test", Type.MX)).isPositive();
  }

  @Test
  void delaysTheAnswerByTheScriptedDuration() throws IOException {
    Duration delay = Duration.ofMillis(150);
    dns.a("mx1.example.test", "127.0.0.1").delay("mx1.example.test", delay);

    long started = System.nanoTime();
    Message response = ask("mx1.example.test", Type.A);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

    assertThat(response.getSection(Section.ANSWER)).hasSize(1);
    assertThat(elapsed).isGreaterThanOrEqualTo(delay);
  }

  @Test
  void healedNameAnswersFromItsRecordsAgain() throws IOException {
    dns.a("mx1.example.test", "127.0.0.1").serverFailure("mx1.example.test");

    dns.heal("mx1.example.test");

    assertThat(ask("mx1.example.test", Type.A).getSection(Section.ANSWER)).hasSize(1);
  }

  @Test
  void answersRecordsChangedWhileRunning() throws IOException {
    dns.mx("example.test", 10, "mx1.example.test");
    ask("example.test", Type.MX);

    dns.remove("example.test", Type.MX).mx("example.test", 5, "mx9.example.test");

    assertThat(ask("example.test", Type.MX).getSection(Section.ANSWER))
        .map(record -> ((MXRecord) record).getTarget().toString())
        .containsExactly("mx9.example.test.");
  }

  @Test
  void removedNameAnswersNxdomain() throws IOException {
    dns.a("mx1.example.test", "127.0.0.1");

    dns.remove("mx1.example.test");

    assertThat(ask("mx1.example.test", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void clearForgetsRecordsFaultsAndQueries() throws IOException {
    dns.a("mx1.example.test", "127.0.0.1").serverFailure("broken.test");
    ask("mx1.example.test", Type.A);

    dns.clear();

    assertThat(dns.queryCount()).isZero();
    assertThat(ask("mx1.example.test", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(ask("broken.test", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void keepsAnsweringAfterAMalformedPacket() throws IOException {
    dns.a("mx1.example.test", "127.0.0.1");
    byte[] garbage = "definitely not DNS".getBytes(StandardCharsets.US_ASCII);
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.send(new DatagramPacket(garbage, garbage.length, dns.address()));
    }

    Message response = ask("mx1.example.test", Type.A);

    assertThat(response.getSection(Section.ANSWER)).hasSize(1);
    await().atMost(Duration.ofSeconds(2)).untilAsserted(
        () -> assertThat(dns.malformedCount()).isEqualTo(1));
  }

  @Test
  void logsEveryQueryWithItsNameAndType() throws IOException {
    dns.mx("example.test", 10, "mx1.example.test");

    ask("example.test", Type.MX);
    ask("mx1.example.test", Type.AAAA);

    assertThat(dns.queries())
        .containsExactly(
            DnsQuery.of("example.test", Type.MX), DnsQuery.of("mx1.example.test", Type.AAAA));
    assertThat(dns.queryCount()).isEqualTo(2);
  }

  @Test
  void answersCachedByTheResolverDoNotReachTheResponderAgain() {
    dns.mx("example.test", 10, "mx1.example.test");
    Cache cache = new Cache();

    lookup("example.test", Type.MX, cache);
    lookup("example.test", Type.MX, cache);

    assertThat(dns.queryCount("example.test", Type.MX)).isEqualTo(1);
  }

  @Test
  void servesAnswersTooLargeForUdpInFullOverTcp() throws IOException {
    IntStream.rangeClosed(1, 120).forEach(i -> dns.a("many.example.test", "10.0.0." + i));

    Message response = ask("many.example.test", Type.A);

    assertThat(response.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(response.getSection(Section.ANSWER)).hasSize(120);
    assertThat(dns.queryCount("many.example.test", Type.A)).isEqualTo(2);
  }

  @Test
  void closeFreesTheUdpAndTcpPort() throws IOException {
    dns.close();

    try (DatagramSocket udp = new DatagramSocket(dns.address());
        ServerSocket tcp = new ServerSocket(dns.port(), 1, dns.address().getAddress())) {
      assertThat(udp.getLocalPort()).isEqualTo(tcp.getLocalPort()).isEqualTo(dns.port());
    }
  }

  private Message ask(String name, int type) throws IOException {
    return resolver.send(query(name, type));
  }

  private static Message query(String name, int type) {
    return Message.newQuery(Record.newRecord(DnsQuery.of(name, type).name(), type, DClass.IN));
  }

  private Lookup lookup(String name, int type) {
    return lookup(name, type, new Cache());
  }

  private Lookup lookup(String name, int type, Cache cache) {
    Lookup lookup = new Lookup(DnsQuery.of(name, type).name(), type);
    lookup.setResolver(resolver);
    lookup.setCache(cache);
    lookup.setHostsFileParser(null);
    lookup.setCycleResults(false);
    lookup.run();
    return lookup;
  }
}
