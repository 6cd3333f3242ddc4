package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.dkim.MessageSigning;
import dev.ferrymta.relay.settings.CurrentSettings;
import java.time.Clock;
import java.util.concurrent.ThreadFactory;

/**
 * What every lane shares.
 *
 * @param settings    the shared settings in force (throttles, pauses, EHLO names, routes)
 * @param connector   opens SMTP sessions
 * @param clock       the time
 * @param defaultEhlo the EHLO name for IPs the settings name none for
 * @param threads     makes the lanes' worker threads (virtual threads in production)
 * @param signing     signs each message with DKIM just before it is sent
 * @param responses   the response rules and the suspensions and back-offs they made
 * @param gates       the connections and pace each local IP shares across the domains of a provider group
 */
public record LaneContext(CurrentSettings settings, LaneConnector connector, Clock clock, String defaultEhlo,
        ThreadFactory threads, MessageSigning signing, ResponseActions responses, ProviderGates gates) {

    /** Lanes that sign with the keys of the settings and obey the response rules. */
    public LaneContext(CurrentSettings settings, LaneConnector connector, Clock clock, String defaultEhlo, ThreadFactory threads) {
        this(settings, connector, clock, defaultEhlo, threads, new MessageSigning(), new ResponseActions(), new ProviderGates(clock));
    }

    /** Lanes with these signing and response actions. */
    public LaneContext(CurrentSettings settings, LaneConnector connector, Clock clock, String defaultEhlo, ThreadFactory threads,
            MessageSigning signing, ResponseActions responses) {
        this(settings, connector, clock, defaultEhlo, threads, signing, responses, new ProviderGates(clock));
    }
}
