/**
 * Bounce categories: what a receiving server's refusal means ({@code bad-mailbox},
 * {@code rate-limit}, {@code reputation} ...), decided from the reply code, the enhanced status
 * code (RFC 3463) and the reply text by rules kept as data ({@code bounce-rules.tsv}).
 */
package dev.ferrymta.relay.bounce;
