package dev.ferrymta.relay.settings;

import java.net.InetAddress;

/**
 * The name this instance gives in EHLO when it sends from a local IP; it should match the IP's
 * reverse DNS.
 *
 * @param id       database id
 * @param revision bumped by every change
 * @param localIp  the source IP
 * @param name     a host name
 */
public record EhloName(long id, int revision, InetAddress localIp, String name) {
}
