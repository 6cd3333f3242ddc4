package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.message.Security;
import dev.ferrymta.relay.settings.Settings;
import java.util.Optional;

/**
 * What a lane needs to reach a destination: a plan of the servers one attempt may try, and a
 * session to the next of them that greets. {@link MxConnector} is the one that uses DNS and SMTP;
 * the lane's unit tests script their own.
 */
public interface LaneConnector {

    /**
     * The provider group of the lane's destination: the one whose patterns the most preferred
     * host of its route or MX answer matches (DNS answers are cached for their TTL). Empty for
     * a message's own smarthost, a domain of no known provider, or a connector that does not know.
     */
    default Optional<String> provider(LaneKey lane, Settings settings) {
        return Optional.empty();
    }


    /** A plan, or why there is none. */
    sealed interface Planned {
    }

    /** A session, or why there is none. */
    sealed interface Connection {
    }

    /** The servers to walk. */
    record Plan(MxPlan plan) implements Planned {
    }

    /** An open session to {@code candidate}. */
    record Opened(DeliverySession session, MxPlan.Candidate candidate) implements Connection {
    }

    /** Nothing to try, or nothing left that answered: the attempt's outcome. */
    record Failed(DeliveryOutcome outcome) implements Planned, Connection {
    }

    /** Resolves, once per attempt, where mail from the lane's IP to its domain may go. */
    Planned plan(LaneKey lane, Settings settings);

    /**
     * Opens a session to the next server of {@code plan} that greets.
     *
     * @param ehloName the name to greet with
     * @param security what the message asks of TLS
     */
    Connection open(MxPlan plan, LaneKey lane, String ehloName, Security security);
}
