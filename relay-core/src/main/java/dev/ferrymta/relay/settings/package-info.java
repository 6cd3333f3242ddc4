/**
 * The settings the cluster shares (pools, throttles, routes, pauses, EHLO names, DKIM keys) as
 * one immutable {@link dev.ferrymta.relay.settings.Settings} snapshot with the lookups delivery
 * needs, the {@link dev.ferrymta.relay.settings.SettingsSource} port that loads it, and
 * {@link dev.ferrymta.relay.settings.CurrentSettings}, which swaps snapshots atomically.
 */
package dev.ferrymta.relay.settings;
