/** Time for tests: a clock the test moves by hand. */
package dev.ferrymta.testing.time;
