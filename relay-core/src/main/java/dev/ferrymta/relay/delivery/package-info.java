/**
 * The delivery engine: lanes per source IP and domain that obey the throttles and pauses, the plan
 * of servers one attempt may try and the check of where mail may go, and when to try again. Reaches
 * the SMTP client only through {@link dev.ferrymta.relay.delivery.LaneConnector}.
 */
package dev.ferrymta.relay.delivery;
