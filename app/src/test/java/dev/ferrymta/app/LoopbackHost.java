package dev.ferrymta.app;

import dev.ferrymta.relay.config.HostInfo;
import java.net.InetAddress;
import java.util.List;

/** A host named {@code mail1} with no public addresses, that can bind only loopback addresses. */
final class LoopbackHost implements HostInfo {

    static final HostInfo INSTANCE = new LoopbackHost();

    @Override
    public String hostName() {
        return "mail1";
    }

    @Override
    public List<InetAddress> publicAddresses() {
        return List.of();
    }

    @Override
    public boolean canBind(InetAddress address) {
        return address.isLoopbackAddress();
    }
}
