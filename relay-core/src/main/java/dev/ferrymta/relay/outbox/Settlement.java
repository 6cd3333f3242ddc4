package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.broker.InboundMessage;

/**
 * One outbox message on its way out, from the moment work on it starts until it is acked
 * (docs/ARCHITECTURE.md, "A message's way out"). It knows whether the message was
 * {@link #attempted() attempted} over SMTP: from then on the message must never be delivered again
 * for a broker reason. The delivery it acks can change: when the consumer's channel is lost the
 * broker hands the message out again, and the new delivery takes the old one's place
 * ({@link #rebind}), to be acked when the outcome is stored. Thread-safe.
 */
final class Settlement {

    private InboundMessage inbound;
    private boolean attempted;
    private boolean done;
    private boolean remembered;

    Settlement(InboundMessage inbound) {
        this.inbound = inbound;
    }

    synchronized InboundMessage inbound() {
        return inbound;
    }

    /** The SMTP transaction is starting: from now on this message is delivered at most once. */
    synchronized void attempting() {
        attempted = true;
    }

    synchronized boolean attempted() {
        return attempted;
    }

    /** Whether the outcome is stored and the delivery acked (or the ack attempted). */
    synchronized boolean done() {
        return done;
    }

    /** Marks it done; false when it was done already. */
    synchronized boolean finish() {
        if (done) {
            return false;
        }
        done = true;
        return true;
    }

    /**
     * The broker handed the message out again: settle the new delivery with this outcome. Done
     * already: the new delivery is acked at once. Otherwise it is acked when the outcome is
     * stored; the old one, whose channel is gone, is let go.
     *
     * @return whether the new delivery was acked now
     */
    boolean rebind(InboundMessage newer) {
        InboundMessage old;
        synchronized (this) {
            remembered = false;
            if (!done) {
                old = inbound;
                inbound = newer;
            } else {
                old = null;
            }
        }
        if (old == null) {
            newer.ack();
            return true;
        }
        old.requeue(); // its channel is gone: this only ends its bookkeeping
        return false;
    }

    /** Marks it as remembered by the redelivery guard; false when it was already. */
    synchronized boolean remember() {
        if (remembered) {
            return false;
        }
        remembered = true;
        return true;
    }
}
