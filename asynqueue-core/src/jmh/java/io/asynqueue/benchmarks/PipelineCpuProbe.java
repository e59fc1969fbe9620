package io.asynqueue.benchmarks;

import java.lang.management.ManagementFactory;

/**
 * CPU time (this process, every thread) and wall time per element of {@link PipelineBenchmark}'s ordered
 * three-stage runs, interleaved round by round: on a busy machine CPU time says more than wall time about what
 * a hop costs. {@code java -cp benchmarks.jar io.asynqueue.benchmarks.PipelineCpuProbe [rounds]}
 */
public final class PipelineCpuProbe {

  private PipelineCpuProbe() {
  }

  interface Run {
    void run(PipelineBenchmark b) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String[] names = {"executeBlockingChains", "threadQueueChains", "pipelineOneThreadPerStage"};
    Run[] runs = {PipelineBenchmark::executeBlockingChains, PipelineBenchmark::threadQueueChains,
        PipelineBenchmark::pipelineOneThreadPerStage};
    PipelineBenchmark b = new PipelineBenchmark();
    b.setup();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int w = 0; w < 5; w++) {
      for (Run r : runs) {
        r.run(b);
      }
    }
    long[] cpu = new long[runs.length];
    long[] wall = new long[runs.length];
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < runs.length; i++) {
        long c0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        runs[i].run(b);
        wall[i] += System.nanoTime() - t0;
        cpu[i] += os.getProcessCpuTime() - c0;
      }
    }
    double n = (double) rounds * PipelineBenchmark.N;
    for (int i = 0; i < runs.length; i++) {
      System.out.printf("%-28s cpu %6.2f us/element (%.2fx), wall %6.2f us/element (%.2fx)%n", names[i],
          cpu[i] / 1e3 / n, cpu[i] / (double) cpu[0], wall[i] / 1e3 / n, wall[i] / (double) wall[0]);
    }
    b.tearDown();
    System.exit(0);
  }
}
