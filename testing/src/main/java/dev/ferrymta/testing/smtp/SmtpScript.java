package dev.ferrymta.testing.smtp;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The scripted answers of one {@link SmtpSink}. For each step of a session the sink asks its
 * rules in the order they were added; the first that matches and is not used up decides, and
 * if none does the sink answers normally.
 *
 * <pre>{@code
 * sink.script().on(SmtpCommand.RCPT).forAddress("bob@example.com").reply(550, "5.1.1 no such user");
 * sink.script().on(SmtpCommand.RCPT).times(1).reply(450, "4.7.1 greylisted, try again");
 * sink.script().on(SmtpCommand.END_OF_DATA).delayed(Duration.ofSeconds(30));
 * sink.script().on(SmtpCommand.GREETING).reply(421, "4.3.2 too busy");
 * }</pre>
 *
 * <p>Commands that are out of sequence or malformed get the sink's normal error reply without
 * consulting the script, so they do not use up a rule.
 */
public final class SmtpScript {

    private final List<SmtpRule> rules = new CopyOnWriteArrayList<>();

    SmtpScript() {}

    /** Adds a rule for this command; it applies, unconditionally and forever, until narrowed. */
    public SmtpRule on(SmtpCommand command) {
        SmtpRule rule = new SmtpRule(command);
        rules.add(rule);
        return rule;
    }

    /** Removes every rule. */
    public void clear() {
        rules.clear();
    }

    Optional<ScriptedResponse> respond(SmtpCommand command, String line, InetAddress client) {
        for (SmtpRule rule : rules) {
            Optional<ScriptedResponse> response = rule.apply(command, line, client);
            if (response.isPresent()) {
                return response;
            }
        }
        return Optional.empty();
    }
}
