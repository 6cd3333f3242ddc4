package dev.ferrymta.testing.dns;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Turns one query packet into the answer packet, whatever transport carried it: logs the question,
 * applies the scripted fault and delay, and otherwise answers from the zone.
 */
final class QueryHandler {

  private static final Logger log = LoggerFactory.getLogger(QueryHandler.class);

  /** The transport a query came over, which bounds the size of its answer. */
  enum Transport {
    UDP,
    TCP;

    // RFC 1035 limit for a UDP answer to a client that did not advertise EDNS.
    private static final int PLAIN_UDP_LIMIT = 512;
    private static final int TCP_LIMIT = 65_535;

    int answerLimit(Message query) {
      if (this == TCP) {
        return TCP_LIMIT;
      }
      OPTRecord opt = query.getOPT();
      return opt == null ? PLAIN_UDP_LIMIT : Math.max(PLAIN_UDP_LIMIT, opt.getPayloadSize());
    }
  }

  // The DNS flag day 2020 size: large enough for test zones, small enough not to fragment.
  private static final int ADVERTISED_UDP_PAYLOAD = 1232;

  private final Zone zone;
  private final FaultScript faults;
  private final QueryLog queryLog;

  QueryHandler(Zone zone, FaultScript faults, QueryLog queryLog) {
    this.zone = zone;
    this.faults = faults;
    this.queryLog = queryLog;
  }

  /**
   * Returns the wire-format answer to {@code packet}, or nothing when it is to go unanswered:
   * malformed, not a query, or silenced by the script. Blocks for the scripted delay.
   *
   * @throws InterruptedException if the responder is closed during the delay
   */
  Optional<byte[]> handle(byte[] packet, Transport transport, SocketAddress client)
      throws InterruptedException {
    Message query;
    try {
      query = new Message(packet);
    } catch (IOException e) {
      return malformed(client, packet.length, e.getMessage());
    }
    Record question = query.getQuestion();
    if (question == null || query.getHeader().getFlag(Flags.QR)) {
      return malformed(client, packet.length, "not a query with a question");
    }
    DnsQuery asked = new DnsQuery(question.getName(), question.getType());
    queryLog.received(asked);

    Fault fault = faults.faultFor(question.getName(), question.getType()).orElse(null);
    if (fault instanceof Fault.Silence) {
      log.debug("Not answering {} over {} from {}, as scripted", asked, transport, client);
      return Optional.empty();
    }
    Duration delay = faults.delayFor(question.getName());
    if (delay.isPositive()) {
      Thread.sleep(delay);
    }
    Message response =
        fault instanceof Fault.Respond(int rcode) ? reply(query, rcode) : answer(query);
    log.debug("Answering {} over {} from {} with {}", asked, transport, client,
        Rcode.string(response.getRcode()));
    return Optional.of(response.toWire(transport.answerLimit(query)));
  }

  private Optional<byte[]> malformed(SocketAddress client, int length, String reason) {
    queryLog.malformed();
    // DEBUG only: junk on the wire is what some tests send on purpose.
    log.debug("Ignoring malformed DNS packet of {} bytes from {}: {}", length, client, reason);
    return Optional.empty();
  }

  private Message answer(Message query) {
    Record question = query.getQuestion();
    if (query.getHeader().getOpcode() != Opcode.QUERY) {
      return reply(query, Rcode.NOTIMP);
    }
    if (question.getDClass() != DClass.IN) {
      return reply(query, Rcode.REFUSED);
    }
    ZoneAnswer found = zone.answer(question.getName(), question.getType());
    Message response =
        reply(query, found instanceof ZoneAnswer.NxDomain ? Rcode.NXDOMAIN : Rcode.NOERROR);
    response.getHeader().setFlag(Flags.AA);
    // Negative answers carry no SOA, so resolvers do not cache them (RFC 2308 section 5) and a
    // record a test adds later is seen at once.
    if (found instanceof ZoneAnswer.Found(var records)) {
      records.forEach(record -> response.addRecord(record, Section.ANSWER));
    }
    return response;
  }

  private static Message reply(Message query, int rcode) {
    Header queryHeader = query.getHeader();
    Message response = new Message(queryHeader.getID());
    Header header = response.getHeader();
    header.setFlag(Flags.QR);
    header.setOpcode(queryHeader.getOpcode());
    header.setRcode(rcode);
    // The relay uses this server as its recursive resolver, so it offers recursion when asked.
    if (queryHeader.getFlag(Flags.RD)) {
      header.setFlag(Flags.RD);
      header.setFlag(Flags.RA);
    }
    response.addRecord(query.getQuestion(), Section.QUESTION);
    if (query.getOPT() != null) {
      response.addRecord(new OPTRecord(ADVERTISED_UDP_PAYLOAD, 0, 0), Section.ADDITIONAL);
    }
    return response;
  }
}
