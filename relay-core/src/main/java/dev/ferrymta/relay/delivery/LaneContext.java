package dev.ferrymta.relay.delivery;

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
 */
public record LaneContext(CurrentSettings settings, LaneConnector connector, Clock clock, String defaultEhlo,
        ThreadFactory threads) {
}
