package dev.ferrymta.testing.smtp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One scripted answer for one {@link SmtpCommand}, made by {@link SmtpScript#on(SmtpCommand)}.
 * Narrow it with {@link #matching}, {@link #forAddress} and {@link #from}; limit it with
 * {@link #times}; choose what happens with {@link #reply}, {@link #dropConnection} and
 * {@link #delayed}. A rule that only has a delay answers normally, late.
 *
 * <p>The rule is live from the moment {@code on(...)} returns, so configure it before the client
 * reaches the command. Each method returns this rule, in any order.
 */
public final class SmtpRule {

    private final SmtpCommand command;
    private Predicate<String> commandLine = line -> true;
    private InetAddress client;
    private int remaining = Integer.MAX_VALUE;
    private Duration delay = Duration.ZERO;
    private ScriptedResponse.Action action = new ScriptedResponse.Proceed();

    SmtpRule(SmtpCommand command) {
        this.command = Objects.requireNonNull(command, "command");
    }

    /**
     * Applies only when the predicate accepts the command line as the client sent it, without
     * CRLF (for example {@code "RCPT TO:<bob@example.com> NOTIFY=NEVER"}). For
     * {@link SmtpCommand#GREETING} the line is empty; for {@link SmtpCommand#END_OF_DATA} it is
     * {@code "."}. Several conditions must all hold.
     */
    public synchronized SmtpRule matching(Predicate<String> commandLine) {
        this.commandLine = this.commandLine.and(Objects.requireNonNull(commandLine, "commandLine"));
        return this;
    }

    /**
     * Applies only to a {@code MAIL FROM} or {@code RCPT TO} whose path is this address,
     * ignoring case; {@code ""} matches the null sender {@code <>}.
     */
    public SmtpRule forAddress(String address) {
        Objects.requireNonNull(address, "address");
        return matching(line -> EnvelopePath.of(line)
                .map(path -> path.toLowerCase(Locale.ROOT).equals(address.toLowerCase(Locale.ROOT)))
                .orElse(false));
    }

    /** Applies only to connections from this client (source) address. */
    public synchronized SmtpRule from(InetAddress client) {
        this.client = Objects.requireNonNull(client, "client");
        return this;
    }

    /** Applies to the first {@code count} matching commands only, then stands aside. */
    public synchronized SmtpRule times(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("times must be at least 1, was " + count);
        }
        this.remaining = count;
        return this;
    }

    /** Waits this long before answering (or before dropping the connection). */
    public synchronized SmtpRule delayed(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        this.delay = delay;
        return this;
    }

    /**
     * Answers with this code and text instead of the normal reply; separate the lines of a
     * multi-line reply with {@code \n}. A code below 400 still has the command's normal effect
     * (a recipient is added, a message is recorded, TLS starts); 400 and above have none, and
     * 421 closes the connection after the reply.
     */
    public synchronized SmtpRule reply(int code, String text) {
        this.action = new ScriptedResponse.Reply(new SmtpReply(code, Objects.requireNonNull(text, "text")));
        return this;
    }

    /** Closes the connection instead of answering. */
    public synchronized SmtpRule dropConnection() {
        this.action = new ScriptedResponse.Drop();
        return this;
    }

    /** Uses up one application of this rule if it matches, and says what to do. */
    synchronized Optional<ScriptedResponse> apply(SmtpCommand command, String line, InetAddress client) {
        if (command != this.command || remaining == 0
                || (this.client != null && !this.client.equals(client))
                || !commandLine.test(line)) {
            return Optional.empty();
        }
        if (remaining != Integer.MAX_VALUE) {
            remaining--;
        }
        return Optional.of(new ScriptedResponse(delay, action));
    }
}
