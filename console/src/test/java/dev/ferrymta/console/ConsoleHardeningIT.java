package dev.ferrymta.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.lifecycle.LinkState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The console under attack, over real sockets: slow clients, a huge body, a guesser behind the
 * owner's own address. Whatever they do, the others' logins and API calls answer within a second.
 */
class ConsoleHardeningIT {

    private static final String PASSWORD = "correct-horse";
    private static final Duration PROMPT = Duration.ofSeconds(1);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> sockets = new ArrayList<>();
    private ConsoleServer console;
    private int port;

    private void start() throws Exception {
        var config = new ConsoleConfig(InetAddress.getLoopbackAddress(), freePort(), URI.create("http://127.0.0.1/"),
                Optional.of(PASSWORD));
        var link = new Link() {
            @Override
            public String name() {
                return "rabbitmq";
            }

            @Override
            public String address() {
                return "amqp://guest@127.0.0.1:5672/";
            }

            @Override
            public LinkState state() {
                return LinkState.UP;
            }

            @Override
            public Optional<String> problem() {
                return Optional.empty();
            }
        };
        var info = new InstanceInfo("mail1", "mail1.example", "1.2.3", Instant.now(), List.of(), List.of(link), () -> 1,
                Optional::empty, Optional::empty, List::of, OptionalLong::empty, Optional::empty, () -> 0, () -> 0);
        console = new ConsoleServer(config, info, Clock.systemUTC());
        console.start();
        port = console.port();
    }

    private static int freePort() throws Exception {
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @AfterEach
    void stop() throws IOException {
        for (var socket : sockets) {
            socket.close();
        }
        if (console != null) {
            console.close();
        }
    }

    private HttpResponse<String> login(String password) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/login"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(90))
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + password + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Cookie", cookie)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String session(HttpResponse<String> login) {
        var cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        return cookie.substring(0, cookie.indexOf(';'));
    }

    /** A connection that sends a request's headers, promising a body it never sends. */
    private Socket slowloris() throws IOException {
        var socket = new Socket(InetAddress.getLoopbackAddress(), port);
        sockets.add(socket);
        socket.getOutputStream().write(("POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 100\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static Duration timed(ThrowingRunnable action) throws Exception {
        long started = System.nanoTime();
        action.run();
        return Duration.ofNanos(System.nanoTime() - started);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void fiftySlowClientsAndAFourHundredMegabyteBodyLeaveLoginsAndTheApiAnsweringWithinASecond() throws Exception {
        start();
        for (int i = 0; i < 50; i++) {
            slowloris();
        }
        var sent = new AtomicLong();
        var huge = CompletableFuture.supplyAsync(() -> {
            try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        + "Content-Length: 400000000\r\n\r\npassword=").getBytes(StandardCharsets.US_ASCII));
                var chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'a');
                while (sent.get() < 400_000_000L) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
                return "sent it all";
            } catch (IOException e) {
                return "refused after " + sent.get() + " bytes: " + e.getMessage();
            }
        });

        HttpResponse<String>[] login = new HttpResponse[1];
        var loginTime = timed(() -> login[0] = login(PASSWORD));
        assertThat(login[0].statusCode()).isEqualTo(200);
        assertThat(loginTime).isLessThan(PROMPT);
        var cookie = session(login[0]);
        var apiTime = timed(() -> assertThat(get("/api/status", cookie).statusCode()).isEqualTo(200));
        assertThat(apiTime).isLessThan(PROMPT);

        var outcome = huge.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(outcome).startsWith("refused after");
        assertThat(sent.get()).as("bytes the console took of the 400 MB").isLessThan(50_000_000L);
        assertThat(get("/", cookie).statusCode()).isEqualTo(200);
    }

    @Test
    void aConnectionThatNeverFinishesItsHeadersIsClosed() throws Exception {
        start();
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout((int) ConsoleServer.HEADERS_WITHIN.plusSeconds(10).toMillis());
            InputStream in = socket.getInputStream();
            long started = System.nanoTime();
            while (in.read() >= 0) {
                // whatever the server says before it closes
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(ConsoleServer.HEADERS_WITHIN.plusSeconds(5));
        }
    }

    @Test
    void aCorrectLoginSucceedsWhileAnAttackerFromTheSameAddressKeepsGuessing() throws Exception {
        start();
        var attacking = new AtomicBoolean(true);
        var guesses = new AtomicLong();
        var attacker = CompletableFuture.runAsync(() -> {
            while (attacking.get()) {
                try {
                    var answer = login("wrong-horse-" + guesses.incrementAndGet());
                    assertThat(answer.statusCode()).isIn(401, 429);
                } catch (Exception e) {
                    return;
                }
            }
        });
        while (guesses.get() < 3) {
            Thread.onSpinWait();
        }

        var owner = login(PASSWORD);

        assertThat(owner.statusCode()).isEqualTo(200);
        assertThat(get("/api/status", session(owner)).statusCode()).isEqualTo(200);
        attacking.set(false);
        attacker.get(90, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void guessesSentSideBySideAreCheckedOneTurnEach() throws Exception {
        start();
        long started = System.nanoTime();
        var answers = new ArrayList<CompletableFuture<Long>>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            answers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    assertThat(login("wrong-" + n).statusCode()).isEqualTo(401);
                    return (System.nanoTime() - started) / 1_000_000;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        var finished = answers.stream().map(CompletableFuture::join).sorted().toList();

        // Turns at 0 s, 1 s and 3 s (each wait doubling, as if the ones before failed): not three at once.
        assertThat(finished.get(0)).isLessThan(900);
        assertThat(finished.get(1)).isGreaterThanOrEqualTo(900);
        assertThat(finished.get(2)).isGreaterThanOrEqualTo(2_900);
    }
}
