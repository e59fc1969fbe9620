package io.asynqueue.benchmarks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * The benchmarks jar's main: runs JMH with the usual command line, then prints each case beside its raw
 * baseline, with the ratio and the target, as a markdown table.
 *
 * <ul>
 *   <li>{@code --rounds N} (first argument) runs the whole selection N times and judges each case by the
 *       median of its N ratios (each ratio taken within one round), with every round's ratio shown: on a
 *       small, shared machine a single round can be skewed by a neighbour's build.
 *   <li>{@code --ratios a.json b.json ...} prints the table for saved runs ({@code -rf json -rff a.json}), one
 *       round per file, instead of running anything.
 * </ul>
 */
public final class BenchmarkMain {

  private static final String P = "io.asynqueue.benchmarks.";

  /** How a case is judged against its baseline. */
  private enum Kind { TIME_RATIO, THROUGHPUT_RATIO, ABSOLUTE_US }

  private record Pair(String label, String benchmark, String baseline, String baselineLabel, Kind kind,
      double target) {
  }

  private static final List<Pair> PAIRS = List.of(
      new Pair("event-loop worker call (EventLoopWorker, same context)", P + "EventLoopCallBenchmark.asyncWorkerCall",
          P + "EventLoopCallBenchmark.sameThreadHop", "same-thread hop", Kind.ABSOLUTE_US, 1.0),
      new Pair("thread worker round trip (ThreadQueue 1)", P + "ThreadRoundTripBenchmark.threadQueue1",
          P + "ThreadRoundTripBenchmark.executeBlocking", "executeBlocking(unordered) round trip",
          Kind.TIME_RATIO, 1.5),
      new Pair("thread worker burst of 1000 (ThreadQueue 2)", P + "ThreadBurstBenchmark.threadQueue2",
          P + "ThreadBurstBenchmark.executeBlocking", "executeBlocking(unordered) burst", Kind.THROUGHPUT_RATIO,
          1.0),
      new Pair("thread worker burst of 1000 (ThreadQueue 4)", P + "ThreadBurstBenchmark.threadQueue4",
          P + "ThreadBurstBenchmark.executeBlocking", "executeBlocking(unordered) burst", Kind.THROUGHPUT_RATIO,
          1.0),
      new Pair("thread worker burst of 1000 with metrics (ThreadQueue 2)", P + "MetricsBenchmark.burstWithMetrics",
          P + "MetricsBenchmark.burstWithout", "the same burst without a registry", Kind.THROUGHPUT_RATIO, 0.9),
      new Pair("thread worker round trip with metrics (ThreadQueue 1)", P + "MetricsBenchmark.roundTripWithMetrics",
          P + "MetricsBenchmark.roundTripWithout", "the same round trip without a registry", Kind.THROUGHPUT_RATIO,
          0.9));

  private record Score(double value, double error, String unit) {
  }

  private BenchmarkMain() {
  }

  public static void main(String[] args) throws Exception {
    List<Map<String, Score>> rounds = new ArrayList<>();
    if (args.length > 0 && args[0].equals("--ratios")) {
      for (int i = 1; i < args.length; i++) {
        rounds.add(fromJson(Path.of(args[i])));
      }
      System.out.println(table(rounds));
      return;
    }
    int n = 1;
    if (args.length > 1 && args[0].equals("--rounds")) {
      n = Integer.parseInt(args[1]);
      args = Arrays.copyOfRange(args, 2, args.length);
    }
    for (String a : args) {
      if (a.equals("-h") || a.equals("-l") || a.equals("-lp") || a.equals("-lprof") || a.equals("-lrf")) {
        org.openjdk.jmh.Main.main(args);
        return;
      }
    }
    for (int round = 1; round <= n; round++) {
      Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
      Map<String, Score> scores = new LinkedHashMap<>();
      for (RunResult r : results) {
        Result<?> p = r.getPrimaryResult();
        scores.put(r.getParams().getBenchmark(), new Score(p.getScore(), p.getScoreError(), p.getScoreUnit()));
      }
      rounds.add(scores);
      System.out.println();
      System.out.println("Round " + round + " of " + n + ":");
      System.out.println(table(List.of(scores)));
    }
    if (n > 1) {
      System.out.println("All " + n + " rounds (results and ratio: medians; per-round ratios in brackets):");
      System.out.println(table(rounds));
    }
  }

  private static Map<String, Score> fromJson(Path file) throws Exception {
    Map<String, Score> scores = new LinkedHashMap<>();
    for (Object o : new JsonArray(Files.readString(file))) {
      JsonObject run = (JsonObject) o;
      JsonObject metric = run.getJsonObject("primaryMetric");
      Object error = metric.getValue("scoreError");
      scores.put(run.getString("benchmark"), new Score(metric.getDouble("score"),
          error instanceof Number ? ((Number) error).doubleValue() : Double.NaN, metric.getString("scoreUnit")));
    }
    return scores;
  }

  static String table(List<Map<String, Score>> rounds) {
    StringBuilder sb = new StringBuilder();
    sb.append("| case | result | baseline | baseline result | ratio | target | met? |\n");
    sb.append("|---|---|---|---|---|---|---|\n");
    for (Pair pair : PAIRS) {
      List<Score> cs = new ArrayList<>();
      List<Score> bs = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (Map<String, Score> scores : rounds) {
        Score c = scores.get(pair.benchmark);
        Score b = scores.get(pair.baseline);
        if (c != null && b != null) {
          cs.add(c);
          bs.add(b);
          ratios.add(c.value / b.value);
        }
      }
      if (cs.isEmpty()) {
        continue;
      }
      Score c = median(cs);
      Score b = median(bs);
      double r = medianOf(ratios);
      String what = pair.kind == Kind.THROUGHPUT_RATIO ? "the throughput" : "the time";
      String ratio = fmt("%.2fx %s", r, what);
      if (ratios.size() > 1) {
        StringBuilder each = new StringBuilder();
        for (double x : ratios) {
          each.append(each.length() == 0 ? "" : ", ").append(fmt("%.2f", x));
        }
        ratio += " [" + each + "]";
      }
      String target;
      boolean met;
      switch (pair.kind) {
        case ABSOLUTE_US:
          target = fmt("under %.1f us per call", pair.target);
          met = perCallUs(c) < pair.target;
          break;
        case TIME_RATIO:
          target = fmt("within %.1fx", pair.target);
          met = r <= pair.target;
          break;
        default:
          target = fmt("at least %.1fx", pair.target);
          met = r >= pair.target;
      }
      sb.append("| ").append(pair.label).append(" | ").append(show(c)).append(" | ").append(pair.baselineLabel)
          .append(" | ").append(show(b)).append(" | ").append(ratio).append(" | ").append(target).append(" | ")
          .append(met ? "yes" : "**no**").append(" |\n");
    }
    return sb.toString();
  }

  /** The score with the median value (the lower middle one of an even count). */
  private static Score median(List<Score> scores) {
    List<Score> sorted = new ArrayList<>(scores);
    sorted.sort(Comparator.comparingDouble(Score::value));
    return sorted.get((sorted.size() - 1) / 2);
  }

  private static double medianOf(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double perCallUs(Score s) {
    switch (s.unit) {
      case "ns/op": return s.value / 1000;
      case "us/op": return s.value;
      case "ms/op": return s.value * 1000;
      default: throw new IllegalArgumentException("not a time per call: " + s.unit);
    }
  }

  private static String show(Score s) {
    if (s.unit.endsWith("/op")) {
      return fmt("%.2f ± %.2f us", perCallUs(s), perCallUs(new Score(s.error, 0, s.unit)));
    }
    if (s.unit.equals("ops/us")) {
      return fmt("%.2f ± %.2f M/s", s.value, s.error);
    }
    return fmt("%.3g ± %.2g %s", s.value, s.error, s.unit);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
