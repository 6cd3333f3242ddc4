/**
 * The relay itself: everything one Ferry instance needs to take a message from its outbox and
 * deliver it, with no knowledge of the database, the cluster or the console.
 */
package dev.ferrymta.relay;
