/**
 * The {@code mcm} command line (picocli): {@code mcm render}. Entry point
 * {@link io.asynqueue.mandelbrot.cli.Mcm#main(String[])}, packaged as {@code mandelbrot-demo/target/mcm.jar}
 * and started by the {@code ./mcm} launcher at the repository root.
 */
package io.asynqueue.mandelbrot.cli;
