package dev.ferrymta.relay.config;

import java.net.InetAddress;
import java.util.List;

/** A host for config tests: its name and addresses are what the test says. */
record FakeHost(String hostName, List<InetAddress> publicAddresses) implements HostInfo {

    @Override
    public boolean canBind(InetAddress address) {
        return address.isLoopbackAddress() || publicAddresses.contains(address);
    }
}
