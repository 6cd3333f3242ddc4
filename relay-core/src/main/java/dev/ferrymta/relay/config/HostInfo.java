package dev.ferrymta.relay.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;

/**
 * What the configuration needs to know about the machine it runs on: the default server id and
 * the default source IPs. An interface so that config parsing is tested without the real host.
 */
public interface HostInfo {

    /** The host name, the default {@code server-id}. */
    String hostName();

    /** The host's addresses that are not loopback or link-local: the default {@code smtp-ips}. */
    List<InetAddress> publicAddresses();

    /** Whether a socket can be bound to this address here, i.e. the address belongs to this host. */
    boolean canBind(InetAddress address);

    /** The machine this JVM runs on. */
    static HostInfo local() {
        return new HostInfo() {
            @Override
            public String hostName() {
                try {
                    return InetAddress.getLocalHost().getHostName();
                } catch (UnknownHostException e) {
                    var fromEnvironment = System.getenv("HOSTNAME");
                    return fromEnvironment == null || fromEnvironment.isBlank() ? "localhost" : fromEnvironment;
                }
            }

            @Override
            public List<InetAddress> publicAddresses() {
                try {
                    return NetworkInterface.networkInterfaces()
                            .filter(HostInfo::isUp)
                            .flatMap(NetworkInterface::inetAddresses)
                            .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress())
                            .toList();
                } catch (SocketException e) {
                    return List.of();
                }
            }

            @Override
            public boolean canBind(InetAddress address) {
                try (var socket = new Socket()) {
                    socket.bind(new InetSocketAddress(address, 0));
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }
        };
    }

    private static boolean isUp(NetworkInterface nic) {
        try {
            return nic.isUp();
        } catch (SocketException e) {
            return false;
        }
    }
}
