/**
 * The runnable instance: the command line, loading the configuration of every module, wiring the
 * modules together and the start and stop of the whole.
 */
package dev.ferrymta.app;
