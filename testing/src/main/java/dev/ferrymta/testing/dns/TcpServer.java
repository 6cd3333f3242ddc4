package dev.ferrymta.testing.dns;

import dev.ferrymta.testing.dns.QueryHandler.Transport;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers DNS over TCP (RFC 7766), where a resolver retries when a UDP answer came back truncated.
 * Each connection is served on its own virtual thread, one query after another: pipelined queries
 * are answered in order, which is all a retry after truncation needs.
 */
final class TcpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TcpServer.class);

  private static final long STOP_WAIT_MILLIS = 2_000;

  private final ServerSocket serverSocket;
  private final QueryHandler handler;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final ExecutorService workers;
  private final Thread acceptor;
  private volatile boolean closed;

  private TcpServer(ServerSocket serverSocket, QueryHandler handler) {
    this.serverSocket = serverSocket;
    this.handler = handler;
    int port = serverSocket.getLocalPort();
    this.workers =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("dns-responder-tcp-" + port + "-", 0).factory());
    this.acceptor =
        Thread.ofPlatform().daemon().name("dns-responder-tcp-" + port).unstarted(this::acceptLoop);
  }

  /** Binds {@code address} and starts accepting connections. */
  static TcpServer start(InetSocketAddress address, QueryHandler handler) throws IOException {
    ServerSocket serverSocket = new ServerSocket();
    try {
      serverSocket.bind(address);
    } catch (IOException e) {
      serverSocket.close();
      throw e;
    }
    TcpServer server = new TcpServer(serverSocket, handler);
    server.acceptor.start();
    return server;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket connection;
      try {
        connection = serverSocket.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        log.warn("DNS responder on TCP port {} failed to accept; carrying on",
            serverSocket.getLocalPort(), e);
        continue;
      }
      connections.add(connection);
      try {
        workers.execute(() -> serve(connection));
      } catch (RejectedExecutionException e) {
        closeQuietly(connection); // closing
        return;
      }
    }
  }

  private void serve(Socket connection) {
    SocketAddress client = connection.getRemoteSocketAddress();
    try (connection) {
      DataInputStream in = new DataInputStream(connection.getInputStream());
      DataOutputStream out = new DataOutputStream(connection.getOutputStream());
      while (true) {
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        Optional<byte[]> answer = handler.handle(query, Transport.TCP, client);
        if (answer.isPresent()) {
          out.writeShort(answer.get().length);
          out.write(answer.get());
          out.flush();
        }
      }
    } catch (EOFException e) {
      // The client hung up.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      if (!closed) {
        log.debug("DNS over TCP connection from {} failed", client, e);
      }
    } catch (RuntimeException e) {
      // A bug here must show in the test log, but must not stop other connections being served.
      log.warn("DNS responder failed to answer a TCP query from {}", client, e);
    } finally {
      connections.remove(connection);
    }
  }

  /** Stops accepting, drops open connections and frees the port. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(serverSocket);
    connections.forEach(TcpServer::closeQuietly);
    workers.shutdownNow();
    try {
      acceptor.join(STOP_WAIT_MILLIS);
      workers.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // Closing while stopping: the socket is being discarded either way.
      log.trace("Ignoring failure to close {}", closeable, e);
    }
  }
}
