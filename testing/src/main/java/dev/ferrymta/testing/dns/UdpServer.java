package dev.ferrymta.testing.dns;

import dev.ferrymta.testing.dns.QueryHandler.Transport;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives DNS queries on a UDP socket and sends back what the {@link QueryHandler} answers. Each
 * query is answered on its own virtual thread, so a delayed name does not hold up the others.
 */
final class UdpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UdpServer.class);

  private static final int LARGEST_DATAGRAM = 65_535;
  private static final long STOP_WAIT_MILLIS = 2_000;

  private final DatagramSocket socket;
  private final QueryHandler handler;
  private final ExecutorService answerers;
  private final Thread receiver;
  private volatile boolean closed;

  private UdpServer(DatagramSocket socket, QueryHandler handler) {
    this.socket = socket;
    this.handler = handler;
    int port = socket.getLocalPort();
    this.answerers =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("dns-responder-udp-" + port + "-", 0).factory());
    this.receiver =
        Thread.ofPlatform().daemon().name("dns-responder-udp-" + port).unstarted(this::receiveLoop);
  }

  /** Binds {@code address} (port 0 for an ephemeral one) and starts receiving. */
  static UdpServer start(InetSocketAddress address, QueryHandler handler) throws SocketException {
    UdpServer server = new UdpServer(new DatagramSocket(address), handler);
    server.receiver.start();
    return server;
  }

  int port() {
    return socket.getLocalPort();
  }

  private void receiveLoop() {
    byte[] buffer = new byte[LARGEST_DATAGRAM];
    while (!closed) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
      } catch (IOException e) {
        if (closed || socket.isClosed()) {
          return;
        }
        log.warn("DNS responder on UDP port {} failed to receive; carrying on", port(), e);
        continue;
      }
      byte[] query = Arrays.copyOfRange(buffer, packet.getOffset(), packet.getLength());
      SocketAddress client = packet.getSocketAddress();
      try {
        answerers.execute(() -> answer(query, client));
      } catch (RejectedExecutionException e) {
        return; // closing
      }
    }
  }

  private void answer(byte[] query, SocketAddress client) {
    try {
      Optional<byte[]> answer = handler.handle(query, Transport.UDP, client);
      if (answer.isPresent()) {
        byte[] bytes = answer.get();
        socket.send(new DatagramPacket(bytes, bytes.length, client));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      if (!closed) {
        log.debug("Could not send DNS answer to {}", client, e);
      }
    } catch (RuntimeException e) {
      // A bug here must show in the test log, but must not stop the other queries being answered.
      log.warn("DNS responder failed to answer a query from {}", client, e);
    }
  }

  /** Stops receiving, abandons queries still being delayed, and frees the port. */
  @Override
  public void close() {
    closed = true;
    socket.close();
    answerers.shutdownNow();
    try {
      receiver.join(STOP_WAIT_MILLIS);
      answerers.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
