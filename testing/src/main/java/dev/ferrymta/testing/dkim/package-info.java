/** DKIM checks for tests: an independent verifier run as a process. */
package dev.ferrymta.testing.dkim;
