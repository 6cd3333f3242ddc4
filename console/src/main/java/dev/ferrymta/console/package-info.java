/**
 * The web console each instance serves with Undertow: status pages, the health endpoint, and (as
 * the console work lands) the JSON API, metrics and the settings editor.
 */
package dev.ferrymta.console;
