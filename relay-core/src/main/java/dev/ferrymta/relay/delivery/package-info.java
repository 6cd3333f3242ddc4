/**
 * Delivery: what one attempt to deliver a message came to, how a reply is judged, and when to
 * try again.
 */
package dev.ferrymta.relay.delivery;
