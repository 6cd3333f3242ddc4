package dev.ferrymta.relay.settings;

import dev.ferrymta.relay.mail.Domain;

/**
 * Where mail for a domain goes instead of where DNS says.
 *
 * @param id       database id
 * @param revision bumped by every change
 * @param domain   the destination domain
 * @param kind     MX override or smarthost
 * @param host     host name or IP literal to connect to
 * @param port     TCP port, 25 for an MX override
 */
public record DomainRoute(long id, int revision, Domain domain, RouteKind kind, String host, int port) {
}
