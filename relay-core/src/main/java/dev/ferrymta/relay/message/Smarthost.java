package dev.ferrymta.relay.message;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * MailerQ's {@code "smarthost"} message property: send this message through this SMTP server
 * instead of the recipient's MX hosts, logging in with SMTP AUTH (RFC 4954) when a user name is
 * given.
 *
 * <pre>{"smarthost": {"hostname": "relay.example.com", "port": 587, "username": "u", "password": "p"}}</pre>
 *
 * A password is only ever sent over TLS: the session then requires STARTTLS, unless the message
 * says {@code "allowplain": true} (Ferry's addition, for a relay on a trusted network).
 *
 * @param hostname   the server's host name or IP address
 * @param port       its port, 25 unless given (1 to 65535)
 * @param username   the user name for AUTH; empty: no AUTH
 * @param password   its password (never logged, never in a result)
 * @param allowPlain whether AUTH may go over a connection without TLS
 */
public record Smarthost(String hostname, int port, Optional<String> username, Optional<String> password, boolean allowPlain) {

    /** Keeps the password out of logs and exception messages. */
    @Override
    public String toString() {
        return "smarthost " + hostname + ":" + port + username.map(u -> " as " + u).orElse("");
    }

    /**
     * Reads the property.
     *
     * @throws IllegalArgumentException naming the field at fault ({@code "smarthost.port"} ...)
     */
    static Optional<Smarthost> parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("\"smarthost\" must be an object {\"hostname\", \"port\", \"username\", \"password\"}, not "
                    + MessageParser.kind(node));
        }
        for (var it = node.fieldNames(); it.hasNext();) {
            var name = it.next();
            if (!name.equals("hostname") && !name.equals("port") && !name.equals("username") && !name.equals("password")
                    && !name.equals("allowplain")) {
                throw new IllegalArgumentException("\"smarthost." + name
                        + "\" is not a smarthost setting Ferry knows (hostname, port, username, password, allowplain)");
            }
        }
        var hostname = text(node, "hostname").orElseThrow(() -> new IllegalArgumentException("\"smarthost.hostname\" is missing"));
        if (hostname.length() > 253 || !hostname.matches("[A-Za-z0-9._:\\-\\[\\]]+")) {
            throw new IllegalArgumentException("\"smarthost.hostname\" must be a host name or an IP address");
        }
        int port = 25;
        var portNode = node.get("port");
        if (portNode != null && !portNode.isNull()) {
            if (portNode.isTextual() && portNode.textValue().strip().matches("\\d{1,5}")) {
                port = Integer.parseInt(portNode.textValue().strip());
            } else if (portNode.isIntegralNumber() && portNode.canConvertToInt()) {
                port = portNode.intValue();
            } else {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("\"smarthost.port\" must be a port number from 1 to 65535");
            }
        }
        var username = text(node, "username").filter(u -> !u.isEmpty());
        var password = text(node, "password");
        if (username.isPresent() && password.isEmpty()) {
            throw new IllegalArgumentException("\"smarthost.password\" is missing: a username needs one");
        }
        if (username.isEmpty() && password.filter(p -> !p.isEmpty()).isPresent()) {
            throw new IllegalArgumentException("\"smarthost.username\" is missing: a password needs one");
        }
        var allowPlain = node.get("allowplain");
        if (allowPlain != null && !allowPlain.isNull() && !allowPlain.isBoolean()) {
            throw new IllegalArgumentException("\"smarthost.allowplain\" must be true or false");
        }
        return Optional.of(new Smarthost(hostname, port, username, username.isPresent() ? password : Optional.empty(),
                allowPlain != null && allowPlain.asBoolean(false)));
    }

    private static Optional<String> text(JsonNode smarthost, String field) {
        var node = smarthost.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("\"smarthost." + field + "\" must be a string, not " + MessageParser.kind(node));
        }
        return Optional.of(node.textValue().strip());
    }
}
