package dev.ferrymta.relay.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymta.relay.broker.PublishFailedException.Reason;
import dev.ferrymta.relay.lifecycle.ConnectLoop;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publishing channel in confirm mode, used under its own lock. Files each publish in its
 * {@link ConfirmLedger} and settles it from the broker's acks, nacks and returns. When the channel
 * is lost the ledger is invalidated: the confirms outstanding on it will never arrive. A channel
 * the automatic recovery brings back is used again; one closed for good (a channel error, or a
 * failed recovery while the connection is up) is replaced on the next publish.
 */
final class ConfirmChannel {

    private static final Logger log = LoggerFactory.getLogger(ConfirmChannel.class);

    private final Connection connection;
    private final int number;
    private final InFlight inFlight;
    private final java.util.function.LongConsumer sizeLimitLearned;
    private final ConfirmLedger ledger = new ConfirmLedger();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Channel channel;
    private volatile boolean retired;

    /** @param number this channel's place in its publisher, for the log */
    /**
     * @param sizeLimitLearned hears the broker's {@code max_message_size} when the broker closes
     *                         the channel for a message over it
     */
    ConfirmChannel(Connection connection, int number, InFlight inFlight, java.util.function.LongConsumer sizeLimitLearned) {
        this.connection = connection;
        this.number = number;
        this.inFlight = inFlight;
        this.sizeLimitLearned = sizeLimitLearned;
    }

    /** Opens the channel now, rather than at the first publish, so that a broker refusing it shows at start. */
    void open() throws IOException {
        lock.lock();
        try {
            channel = openChannel();
        } finally {
            lock.unlock();
        }
    }

    /** Publishes, or fails the message; never throws. Blocks while the broker blocks the connection. */
    void publish(Unconfirmed message, String exchange, String routingKey, boolean mandatory,
            AMQP.BasicProperties properties, byte[] body) {
        lock.lock();
        try {
            var current = usableChannel();
            if (!ledger.register(message, current::getNextPublishSeqNo)) {
                message.fail(new PublishFailedException(Reason.CHANNEL_CLOSED,
                        "publishing channel " + number + " is being recovered and not in confirm mode yet"));
                return;
            }
            current.basicPublish(exchange, routingKey, mandatory, properties, body);
        } catch (PublishFailedException e) {
            message.fail(e);
        } catch (IOException | RuntimeException e) {
            // AlreadyClosedException when the channel went away under us; the ledger fails the others.
            message.fail(new PublishFailedException(Reason.CHANNEL_CLOSED, ConnectLoop.reason(e), e));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the channel for good. Does not take the publishing lock: a publisher may be stuck in
     * a write to a connection the broker blocks. Messages still outstanding fail.
     */
    void close() {
        retired = true;
        var current = channel;
        if (current != null) {
            closeQuietly(current);
        }
        ledger.invalidate("the publisher closed");
    }

    private Channel usableChannel() throws PublishFailedException {
        var current = channel;
        if (current != null && current.isOpen()) {
            return current;
        }
        if (retired) {
            throw new PublishFailedException(Reason.CLOSED, "the publisher is closed");
        }
        if (!connection.isOpen()) {
            // Lost with the connection: the automatic recovery brings it back, if anything does.
            var why = connection.getCloseReason();
            throw new PublishFailedException(Reason.CHANNEL_CLOSED,
                    "the connection is down" + (why == null ? "" : ": " + describe(why)));
        }
        // The connection is up and this channel is not: the broker closed it (a channel error) or
        // its recovery failed. Nothing will reopen it, so replace it. The recovery swaps in the
        // connection only after it has recovered the channels, so this never races a recovery.
        ledger.invalidate("publishing channel " + number + " was closed");
        channel = null; // so that the old channel's shutdown listener, which aborting may call again, stays quiet
        if (current != null) {
            closeQuietly(current);
        }
        Channel fresh;
        try {
            fresh = openChannel();
        } catch (IOException | RuntimeException e) {
            throw new PublishFailedException(Reason.CHANNEL_CLOSED, "cannot open a publishing channel: " + ConnectLoop.reason(e), e);
        }
        channel = fresh;
        // Paired with close(), which retires before it reads the channel: one of the two closes it.
        if (retired) {
            closeQuietly(fresh);
            throw new PublishFailedException(Reason.CLOSED, "the publisher is closed");
        }
        log.info("opened publishing channel {} again after it was closed", number);
        return fresh;
    }

    private Channel openChannel() throws IOException {
        var opened = connection.createChannel();
        if (opened == null) {
            throw new IOException("the connection has no free channel number");
        }
        try {
            listenTo(opened);
            opened.confirmSelect();
        } catch (IOException | RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
        return opened;
    }

    private void listenTo(Channel opened) {
        opened.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long deliveryTag, boolean multiple) {
                ledger.acked(deliveryTag, multiple);
            }

            @Override
            public void handleNack(long deliveryTag, boolean multiple) {
                int failed = ledger.nacked(deliveryTag, multiple);
                log.debug("the broker nacked {} publishes on channel {}", failed, number);
            }
        });
        opened.addReturnListener(returned());
        opened.addShutdownListener(cause -> lost(opened, cause));
        if (opened instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecoveryStarted(Recoverable recovering) {
                    // Called once the new channel is in place and before confirm mode is turned on
                    // for it, so nothing published on it can be filed yet. The shutdown has already
                    // failed what was outstanding; this only catches a publish that raced it.
                    if (opened == channel) {
                        ledger.invalidate("publishing channel " + number + " was recovered; its old confirms never arrive");
                    }
                }

                @Override
                public void handleRecovery(Recoverable recovered) {
                    log.debug("publishing channel {} recovered", number);
                }
            });
        }
    }

    private ReturnListener returned() {
        return (replyCode, replyText, exchange, routingKey, properties, body) -> {
            var id = PublishIdHeader.read(properties);
            if (id.isEmpty()) {
                log.debug("basic.return without {} on channel {}: {} {}", PublishIdHeader.NAME, number, replyCode, replyText);
                return;
            }
            // The return comes before the ack for the same message, so this failure wins.
            inFlight.find(id.getAsLong()).ifPresent(message -> message.fail(new PublishFailedException(Reason.UNROUTABLE,
                    "no queue bound for routing key %s on exchange %s (%d %s)".formatted(
                            routingKey, exchange.isEmpty() ? "(default)" : exchange, replyCode, replyText))));
        };
    }

    private void lost(Channel which, ShutdownSignalException cause) {
        if (which != channel) {
            return; // an old channel, already replaced and its ledger generation invalidated
        }
        var why = describe(cause);
        MessageSizeLimit.parse(why).ifPresent(sizeLimitLearned::accept);
        int failed = ledger.invalidate("publishing channel " + number + " closed: " + why);
        if (cause.isInitiatedByApplication()) {
            log.debug("publishing channel {} closed, {} unconfirmed publishes failed", number, failed);
        } else if (cause.isHardError()) {
            log.info("publishing channel {} lost with the connection, {} unconfirmed publishes failed: {}", number, failed, why);
        } else {
            log.warn("the broker closed publishing channel {}, {} unconfirmed publishes failed: {}", number, failed, why);
        }
    }

    /** "NOT_FOUND - no exchange 'x' in vhost '/'" rather than the whole protocol method. */
    static String describe(ShutdownSignalException cause) {
        if (cause.getReason() instanceof AMQP.Channel.Close close) {
            return close.getReplyText();
        }
        if (cause.getReason() instanceof AMQP.Connection.Close close) {
            return "connection closed: " + close.getReplyText();
        }
        return cause.getCause() != null ? "connection lost: " + ConnectLoop.reason(cause.getCause()) : cause.getMessage();
    }

    private void closeQuietly(Channel closing) {
        try {
            if (closing.isOpen()) {
                closing.close();
            } else {
                // Unregisters it from the recovering connection, which would otherwise reopen it.
                closing.abort();
            }
        } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
            log.debug("closing publishing channel {} failed: {}", number, ConnectLoop.reason(e));
        }
    }
}
