package dev.ferrymta.relay.lifecycle;

import java.util.Optional;

/**
 * A place on the health page for a link that exists only once the instance has got that far (a
 * consumer subscribes after the settings are loaded): {@link LinkState#CONNECTING} until
 * {@link #set} gives it the real link, whose state it shows from then on.
 */
public final class LinkSlot implements Link {

    private final String name;
    private volatile Link link;

    private final boolean connection;

    /**
     * @param name       the name shown until the link is set, e.g. {@code forward queue consumer}
     * @param connection what {@link #isConnection()} says before and after (false for a consumer)
     */
    public LinkSlot(String name, boolean connection) {
        this.name = name;
        this.connection = connection;
    }

    @Override
    public boolean isConnection() {
        return connection;
    }

    /** The real link, from now on. */
    public void set(Link real) {
        link = real;
    }

    @Override
    public String name() {
        var current = link;
        return current == null ? name : current.name();
    }

    @Override
    public String address() {
        var current = link;
        return current == null ? "" : current.address();
    }

    @Override
    public Optional<String> node() {
        var current = link;
        return current == null ? Optional.empty() : current.node();
    }

    @Override
    public LinkState state() {
        var current = link;
        return current == null ? LinkState.CONNECTING : current.state();
    }

    @Override
    public Optional<String> problem() {
        var current = link;
        return current == null ? Optional.of("not started yet") : current.problem();
    }
}
