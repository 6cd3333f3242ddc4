/** Value types of mail: domains (and, as delivery lands, addresses). */
package dev.ferrymta.relay.mail;
