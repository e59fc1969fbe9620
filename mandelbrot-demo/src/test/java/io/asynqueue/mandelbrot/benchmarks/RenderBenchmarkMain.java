package io.asynqueue.mandelbrot.benchmarks;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link KernelBenchmark} and {@link RenderBenchmark} in one go and prints the kernel's pixels per
 * second and the speed-up of 2 workers over 1 (the target on 2 cores: at least 1.85x).
 *
 * <p>{@code mvn -B -pl mandelbrot-demo -am -Pbenchmarks verify -DskipTests}
 */
public final class RenderBenchmarkMain {

  private RenderBenchmarkMain() {
  }

  public static void main(String[] args) throws Exception {
    Options options = new OptionsBuilder()
        .include(KernelBenchmark.class.getName())
        .include(RenderBenchmark.class.getName())
        .build();
    Collection<RunResult> results = new Runner(options).run();
    double kernel = 0;
    double png1 = 0;
    double png2 = 0;
    double rows1 = 0;
    double rows2 = 0;
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      double score = r.getPrimaryResult().getScore();
      String workers = r.getParams().getParam("workers");
      if (name.endsWith("KernelBenchmark.defaultView")) {
        kernel = score;
      } else if (name.endsWith(".png")) {
        if ("1".equals(workers)) {
          png1 = score;
        } else {
          png2 = score;
        }
      } else if (name.endsWith(".rows")) {
        if ("1".equals(workers)) {
          rows1 = score;
        } else {
          rows2 = score;
        }
      }
    }
    System.out.println();
    System.out.println("mcm render, default view 1200 x 1028, N = 2000, "
        + Runtime.getRuntime().availableProcessors() + " cores");
    System.out.printf(Locale.ROOT, "  kernel, 1 thread:            %8.2f Mpixels/s%n", kernel / 1e6);
    System.out.printf(Locale.ROOT, "  rows on the queue, 1 worker:  %8.1f ms  %6.2f Mpixels/s%n",
        rows1, KernelBenchmark.PIXELS / rows1 / 1e3);
    System.out.printf(Locale.ROOT, "  rows on the queue, 2 workers: %8.1f ms  %6.2f Mpixels/s  speed-up %.2fx%n",
        rows2, KernelBenchmark.PIXELS / rows2 / 1e3, rows1 / rows2);
    System.out.printf(Locale.ROOT, "  PNG render, 1 worker:         %8.1f ms  %6.2f Mpixels/s%n",
        png1, KernelBenchmark.PIXELS / png1 / 1e3);
    System.out.printf(Locale.ROOT, "  PNG render, 2 workers:        %8.1f ms  %6.2f Mpixels/s  speed-up %.2fx "
        + "(target 1.85x)%n", png2, KernelBenchmark.PIXELS / png2 / 1e3, png1 / png2);
  }
}
