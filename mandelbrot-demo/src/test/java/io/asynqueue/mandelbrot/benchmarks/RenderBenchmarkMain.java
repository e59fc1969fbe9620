package io.asynqueue.mandelbrot.benchmarks;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
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
    Map<String, Double> ms = new HashMap<>(); // "png default 1" -> ms per render
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      double score = r.getPrimaryResult().getScore();
      if (name.endsWith("KernelBenchmark.defaultView")) {
        kernel = score;
      } else {
        String mode = name.substring(name.lastIndexOf('.') + 1);
        ms.put(mode + " " + r.getParams().getParam("view") + " " + r.getParams().getParam("workers"), score);
      }
    }
    System.out.println();
    System.out.println("mcm render on " + Runtime.getRuntime().availableProcessors() + " cores");
    System.out.printf(Locale.ROOT, "  kernel, 1 thread, default view:  %7.2f Mpixels/s%n", kernel / 1e6);
    line(ms, "png", "default", "PNG render, default view 1200 x 1028, N = 2000 (target 1.85x)");
    line(ms, "rows", "default", "rows on the queue only (no PNG), default view");
    line(ms, "png", "detail", "PNG render, detail view 600 x 600, N = 3000");
    line(ms, "rows", "detail", "rows on the queue only (no PNG), detail view");
  }

  private static void line(Map<String, Double> ms, String mode, String view, String title) {
    Double one = ms.get(mode + " " + view + " 1");
    Double two = ms.get(mode + " " + view + " 2");
    if (one == null || two == null) {
      return;
    }
    System.out.printf(Locale.ROOT, "  %-62s 1 worker %8.1f ms, 2 workers %8.1f ms: speed-up %.2fx%n",
        title, one, two, one / two);
  }
}
