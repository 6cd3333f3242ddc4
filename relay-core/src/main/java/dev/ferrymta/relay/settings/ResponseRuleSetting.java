package dev.ferrymta.relay.settings;

import dev.ferrymta.relay.bounce.ResponseRule;

/**
 * A response rule of the shared settings, as the operator wrote it in the console or the API; these
 * come before the rules Ferry ships, in the order they were made.
 *
 * @param id       database id
 * @param revision bumped by every change
 * @param rule     the rule
 * @param note     the operator's note on it (where the reply text came from); may be empty
 */
public record ResponseRuleSetting(long id, int revision, ResponseRule rule, String note) {
}
