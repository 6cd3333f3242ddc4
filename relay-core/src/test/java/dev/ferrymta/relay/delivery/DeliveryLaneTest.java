package dev.ferrymta.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.MessageParser;
import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.message.ParsedMessage;
import dev.ferrymta.relay.message.Security;
import dev.ferrymta.relay.smtp.NextMessage;
import dev.ferrymta.relay.smtp.SmtpMessage;
import dev.ferrymta.relay.settings.CurrentSettings;
import dev.ferrymta.relay.settings.Pause;
import dev.ferrymta.relay.settings.Settings;
import dev.ferrymta.relay.settings.SwappableSettings;
import dev.ferrymta.relay.settings.Throttle;
import dev.ferrymta.relay.smtp.SmtpEndpoint;
import dev.ferrymta.testing.time.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The lane, without I/O: scripted servers behind a scripted connector, a clock the test moves,
 * settings the test swaps. Each test is one rule of how a lane sends.
 */
class DeliveryLaneTest {

    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final InetAddress IP = ip("192.0.2.1");
    private static final LaneKey KEY = new LaneKey(IP, Domain.parse("example.test"));

    private final ManualClock clock = new ManualClock(T0);
    private final SwappableSettings settings = new SwappableSettings(settings(List.of(), List.of(), 1));
    private final CurrentSettings current = settings.current();
    private final ScriptedConnector connector = new ScriptedConnector();
    private DeliveryLane lane;

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Settings settings(List<Throttle> throttles, List<Pause> pauses, long version) {
        return new Settings(version, List.of(), throttles, List.of(), pauses, List.of(), List.of());
    }

    private static Throttle throttle(int maxConnections, int messagesPerConnection) {
        return new Throttle(1, 1, Optional.empty(), Optional.of(KEY.domain()), OptionalInt.of(maxConnections), OptionalInt.empty(),
                OptionalInt.of(messagesPerConnection), Optional.of(Duration.ofMinutes(5)));
    }

    private DeliveryLane lane() {
        current.loadInitial();
        lane = new DeliveryLane(KEY, new LaneContext(current, connector, clock, "relay.example.test", Thread.ofVirtual().factory()));
        return lane;
    }

    private void apply(Settings next) {
        settings.apply(next);
        lane.settingsChanged();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (lane != null) {
            connector.releaseAll();
            lane.stop();
            lane.awaitStopped(Instant.now().plusSeconds(5));
        }
    }

    private static Attempt attempt(AttemptState state, AttemptResult result, String description) {
        return Attempt.local(state, result, T0, description);
    }

    private static DeliveryOutcome delivered() {
        return new DeliveryOutcome.Delivered(attempt(AttemptState.MESSAGE, AttemptResult.ACCEPTED, "250 queued"));
    }

    private static DeliveryOutcome refusedForNow() {
        return new DeliveryOutcome.TemporaryFailure(attempt(AttemptState.RCPTTO, AttemptResult.ERROR, "451 not now"));
    }

    private static DeliveryOutcome lostAtMail() {
        return new DeliveryOutcome.TemporaryFailure(attempt(AttemptState.MAILFROM, AttemptResult.LOST, "connection lost"));
    }

    @Test
    void triesTheNextServerOfThePlanWhenOneRefusesForNow() throws Exception {
        connector.servers("mx1", "mx2").script("mx1", refusedForNow());
        lane();

        var job = new TestJob("a@example.test");
        lane.offer(job);

        assertThat(job.outcome()).isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(connector.opened).containsExactly("mx1", "mx2");
    }

    @Test
    void givesUpTheAttemptAfterTwoServersThatGreetedAndRefused() throws Exception {
        connector.servers("mx1", "mx2", "mx3").script("mx1", refusedForNow()).script("mx2", refusedForNow());
        lane();

        var job = new TestJob("a@example.test");
        lane.offer(job);

        var outcome = job.outcome();
        assertThat(outcome).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
        assertThat(outcome.attempt().description()).contains("tried mx1", "mx2").doesNotContain("mx3");
        assertThat(connector.opened).containsExactly("mx1", "mx2");
    }

    @Test
    void aKeptConnectionFoundDeadIsReopenedOnceAndThatIsNoAttempt() throws Exception {
        connector.servers("mx1").script("mx1", delivered(), lostAtMail(), delivered());
        settings.set(settings(List.of(throttle(1, 100)), List.of(), 2));
        lane();

        var first = new TestJob("a@example.test");
        lane.offer(first);
        assertThat(first.outcome()).isInstanceOf(DeliveryOutcome.Delivered.class);
        var second = new TestJob("b@example.test");
        lane.offer(second);

        assertThat(second.outcome()).isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(connector.opened).containsExactly("mx1", "mx1");
    }

    /** Offers the jobs while the first send is held, so the rest wait in the lane behind it; then lets it go. */
    private List<TestJob> offerWhileTheFirstIsSent(String... recipients) throws Exception {
        return offerWhileTheFirstIsSent(true, recipients);
    }

    /** As above; with {@code allDelivered} false, only waits for every outcome. */
    private List<TestJob> offerWhileTheFirstIsSent(boolean allDelivered, String... recipients) throws Exception {
        connector.holdSends();
        var jobs = new ArrayList<TestJob>();
        for (var recipient : recipients) {
            var job = new TestJob(recipient);
            jobs.add(job);
            lane.offer(job);
        }
        await().atMost(WAIT).until(() -> connector.opened.size() == 1);
        connector.releaseAll();
        for (var job : jobs) {
            var outcome = job.outcome();
            if (allDelivered) {
                assertThat(outcome).as(job.message().recipient().toString()).isInstanceOf(DeliveryOutcome.Delivered.class);
            }
        }
        return jobs;
    }

    /**
     * Each waiting message starts behind the previous one's end of data on the kept connection,
     * up to the connection's messages-per-connection limit: the message that would pass it opens
     * the next connection instead.
     */
    @ParameterizedTest(name = "{0} messages per connection: pipelined [{1}], connections [{2}]")
    @CsvSource(delimiter = ';', value = {
            "100; b,c; mx1",
            "2; b; mx1,mx1",
            "1; ; mx1,mx1,mx1",
    })
    void startsEachWaitingMessageBehindThePreviousEndOfDataUpToTheConnectionsLimit(int perConnection, String pipelined,
            String opened) throws Exception {
        connector.servers("mx1").pipelining();
        settings.set(settings(List.of(throttle(1, perConnection)), List.of(), 2));
        lane();

        offerWhileTheFirstIsSent("a@example.test", "b@example.test", "c@example.test");

        assertThat(connector.sent).containsExactly("a@example.test", "b@example.test", "c@example.test");
        assertThat(connector.pipelined).containsExactlyElementsOf(pipelined == null ? List.of()
                : java.util.Arrays.stream(pipelined.split(",")).map(name -> name + "@example.test").toList());
        assertThat(connector.opened).containsExactly(opened.split(","));
        assertThat(lane.status().pipelining()).isTrue();
    }

    /**
     * A MAIL sent behind the previous end of data that the server does not take for a reason of
     * the dialogue (no reply; 503; a protocol-class X.5.X status) is sent again on a fresh
     * connection, not as an attempt, and the lane stops pipelining across messages. A refusal of
     * the message itself (550 5.7.1) is that message's outcome, and pipelining goes on.
     */
    @ParameterizedTest(name = "pipelined MAIL answered {0}: sent again fresh {1}")
    @CsvSource({
            "none, true",
            "503 5.5.1, true",
            "550 5.5.2, true",
            "451 4.5.0, true",
            "550 5.7.1, false",
            "451 4.7.1, false",
    })
    void aPipelinedMailTheServerDoesNotTakeInTurnIsSentAgainFreshAndTheLaneStopsPipelining(String reply, boolean again)
            throws Exception {
        connector.servers("mx1").pipelining().script("mx1", delivered(), refusedAtMail(reply));
        settings.set(settings(List.of(throttle(1, 100)), List.of(), 2));
        lane();

        var jobs = offerWhileTheFirstIsSent(again, "a@example.test", "b@example.test", "c@example.test", "d@example.test");

        if (again) {
            assertThat(jobs.get(1).outcome()).isInstanceOf(DeliveryOutcome.Delivered.class);
            assertThat(connector.pipelined).containsExactly("b@example.test");
            assertThat(connector.opened).containsExactly("mx1", "mx1");
            assertThat(connector.sent).containsExactly("a@example.test", "b@example.test", "c@example.test", "d@example.test");
        } else {
            assertThat(jobs.get(1).outcome().attempt().code()).hasValue(Integer.parseInt(reply.substring(0, 3)));
            assertThat(connector.sent).contains("a@example.test", "c@example.test", "d@example.test").doesNotHaveDuplicates();
        }
        assertThat(lane.status().pipelining()).isEqualTo(!again);
    }

    /** The outcome of a MAIL refused with {@code reply} ("none": no reply in time). */
    private static DeliveryOutcome refusedAtMail(String reply) {
        if (reply.equals("none")) {
            return new DeliveryOutcome.TemporaryFailure(attempt(AttemptState.MAILFROM, AttemptResult.TIMEOUT, "no reply to MAIL"));
        }
        var parts = reply.split(" ");
        var attempt = new Attempt(AttemptState.MAILFROM, AttemptResult.ERROR, T0, Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalInt.of(Integer.parseInt(parts[0])), Optional.of(parts[1]), reply + " refused");
        return parts[0].startsWith("5") ? new DeliveryOutcome.PermanentFailure(attempt) : new DeliveryOutcome.TemporaryFailure(attempt);
    }

    @Test
    void messagesPerMinuteSpacesTheStartsOnTheLanesClock() throws Exception {
        // The sessions would take a next message behind each end of data; a paced lane gives none.
        connector.servers("mx1").pipelining();
        settings.set(settings(List.of(new Throttle(1, 1, Optional.empty(), Optional.of(KEY.domain()), OptionalInt.of(1),
                OptionalInt.of(60), OptionalInt.of(100), Optional.of(Duration.ofMinutes(5)))), List.of(), 1));
        lane();
        var first = new TestJob("a@example.test");
        var second = new TestJob("b@example.test");
        lane.offer(first);
        lane.offer(second);

        assertThat(first.outcome()).isInstanceOf(DeliveryOutcome.Delivered.class);
        // The clock stands still, so the second start, a second later, cannot have come.
        assertThat(second.completed).isNotDone();
        assertThat(connector.sent).containsExactly("a@example.test");

        clock.advance(Duration.ofSeconds(1));
        lane.settingsChanged(); // wakes the waiting worker, as any change would

        assertThat(second.outcome()).isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(connector.sent).containsExactly("a@example.test", "b@example.test");
        assertThat(connector.pipelined).isEmpty();
    }

    @Test
    void aPausedLaneTurnsMessagesAwayUntilThePauseEnds() {
        var until = T0.plusSeconds(90);
        settings.set(settings(List.of(), List.of(new Pause(1, 1, Optional.empty(), Optional.of(KEY.domain()), Optional.of(until),
                "warming up")), 1));
        lane();

        var admission = lane.offer(new TestJob("a@example.test"));

        assertThat(admission).isInstanceOfSatisfying(Admission.Deferred.class, deferred -> {
            assertThat(deferred.notBefore()).isEqualTo(until);
            assertThat(deferred.why()).contains("paused", "warming up");
        });
        clock.advance(Duration.ofSeconds(91));
        assertThat(lane.offer(new TestJob("b@example.test"))).isInstanceOf(Admission.Accepted.class);
    }

    @Test
    void aRaisedConnectionLimitStartsMoreConnectionsAtOnce() throws Exception {
        connector.servers("mx1").holdSends();
        settings.set(settings(List.of(throttle(1, 100)), List.of(), 1));
        lane();
        var jobs = new ArrayList<TestJob>();
        for (int i = 0; i < 3; i++) {
            var job = new TestJob("u" + i + "@example.test");
            jobs.add(job);
            lane.offer(job);
        }
        await().atMost(WAIT).until(() -> connector.opened.size() == 1);

        apply(settings(List.of(throttle(3, 100)), List.of(), 2));

        await().atMost(WAIT).until(() -> connector.opened.size() == 3);
        connector.releaseAll();
        for (var job : jobs) {
            assertThat(job.outcome()).isInstanceOf(DeliveryOutcome.Delivered.class);
        }
    }

    @Test
    void aMessageWhoseDeliveryWasLostMeanwhileIsDroppedUnsent() throws Exception {
        connector.servers("mx1");
        lane();
        var lost = new TestJob("lost@example.test");
        lost.held = false;
        var kept = new TestJob("kept@example.test");

        lane.offer(lost);
        lane.offer(kept);

        assertThat(kept.outcome()).isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(connector.sent).containsExactly("kept@example.test");
        assertThat(lost.completed).isNotDone();
    }

    /** A message in the lane; its outcome is what the lane reports. */
    private static final class TestJob implements DeliveryJob {
        private final OutboxMessage message;
        final CompletableFuture<DeliveryOutcome> completed = new CompletableFuture<>();
        volatile boolean held = true;

        TestJob(String recipient) {
            var body = "{\"envelope\":\"s@ferry.test\",\"recipient\":\"" + recipient + "\",\"mime\":\"Subject: t\\r\\n\\r\\nx\\r\\n\"}";
            this.message = ((ParsedMessage.Valid) MessageParser.parse(body.getBytes())).message();
        }

        DeliveryOutcome outcome() throws Exception {
            return completed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public OutboxMessage message() {
            return message;
        }

        @Override
        public boolean begin() {
            return held;
        }

        @Override
        public void completed(DeliveryOutcome outcome) {
            completed.complete(outcome);
        }

        @Override
        public void deferred(Instant notBefore, String why) {
            completed.completeExceptionally(new AssertionError("deferred: " + why));
        }

        @Override
        public void abandoned() {
            completed.completeExceptionally(new AssertionError("abandoned"));
        }
    }

    /** Servers by name, each answering sends from its script, then with delivered. */
    private static final class ScriptedConnector implements LaneConnector {
        private final List<String> servers = new ArrayList<>();
        private final Map<String, Deque<DeliveryOutcome>> scripts = new ConcurrentHashMap<>();
        final List<String> opened = new CopyOnWriteArrayList<>();
        /** Recipients of the messages the servers accepted, in order. */
        final List<String> sent = new CopyOnWriteArrayList<>();
        /** Recipients of the messages a session took behind an end of data. */
        final List<String> pipelined = new CopyOnWriteArrayList<>();
        private volatile CountDownLatch hold = new CountDownLatch(0);
        private volatile boolean pipelining;

        /** Sessions take the next message behind each message's end of data, as with PIPELINING. */
        ScriptedConnector pipelining() {
            pipelining = true;
            return this;
        }

        ScriptedConnector servers(String... names) {
            servers.addAll(List.of(names));
            return this;
        }

        ScriptedConnector script(String server, DeliveryOutcome... outcomes) {
            scripts.computeIfAbsent(server, s -> new ArrayDeque<>()).addAll(List.of(outcomes));
            return this;
        }

        /** Sends wait until {@link #releaseAll}. */
        void holdSends() {
            hold = new CountDownLatch(1);
        }

        void releaseAll() {
            hold.countDown();
        }

        @Override
        public Planned plan(LaneKey lane, Settings settings) {
            var candidates = new ArrayList<MxPlan.Candidate>();
            for (int i = 0; i < servers.size(); i++) {
                candidates.add(new MxPlan.Candidate(new SmtpEndpoint(servers.get(i), ip("192.0.2." + (10 + i)), 25), i));
            }
            return new Plan(new MxPlan(candidates, List.of()));
        }

        @Override
        public Connection open(MxPlan plan, LaneKey lane, String ehloName, Security security) {
            var next = plan.next();
            if (next.isEmpty()) {
                return new Failed(new DeliveryOutcome.TemporaryFailure(attempt(AttemptState.CONNECT, AttemptResult.ERROR,
                        "no more servers")));
            }
            var name = next.get().endpoint().hostName();
            opened.add(name);
            return new Opened(new ScriptedSession(name), next.get());
        }

        private final class ScriptedSession implements DeliverySession {
            private final String server;
            private int messages;
            private boolean usable = true;
            private SmtpMessage ahead;

            ScriptedSession(String server) {
                this.server = server;
            }

            @Override
            public DeliveryOutcome send(SmtpMessage message, NextMessage next) {
                if (ahead != null && ahead != message) {
                    throw new IllegalStateException("sent " + message + " where " + ahead + " was pipelined");
                }
                ahead = null;
                var outcome = send(message.sender(), message.recipient(), message.content(), message.dsn());
                if (pipelining && outcome.attempt().state() == AttemptState.MESSAGE) {
                    next.take().ifPresent(taken -> {
                        ahead = taken;
                        pipelined.add(taken.recipient().toString());
                    });
                }
                return outcome;
            }

            @Override
            public DeliveryOutcome send(Optional<MailAddress> sender, MailAddress recipient, byte[] mime, dev.ferrymta.relay.message.DsnRequest dsn) {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                messages++;
                DeliveryOutcome outcome;
                synchronized (scripts) {
                    var script = scripts.get(server);
                    outcome = script == null || script.isEmpty() ? delivered() : script.poll();
                }
                if (outcome instanceof DeliveryOutcome.TemporaryFailure) {
                    usable = false;
                } else if (outcome instanceof DeliveryOutcome.Delivered) {
                    sent.add(recipient.toString());
                }
                return outcome;
            }

            @Override
            public boolean isUsable() {
                return usable;
            }

            @Override
            public int messagesSent() {
                return messages;
            }

            @Override
            public boolean tls() {
                return false;
            }

            @Override
            public boolean eightBitMime() {
                return true;
            }

            @Override
            public void close() {
                usable = false;
            }
        }
    }
}
