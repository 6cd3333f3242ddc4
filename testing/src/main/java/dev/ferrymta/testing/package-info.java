/**
 * Fixtures shared by the tests of every module: broker and database isolation, an SMTP sink and
 * a DNS responder. Test scope only; nothing here ships in the runnable jar.
 */
package dev.ferrymta.testing;
