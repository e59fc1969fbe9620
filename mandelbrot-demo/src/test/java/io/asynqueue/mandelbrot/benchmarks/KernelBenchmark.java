package io.asynqueue.mandelbrot.benchmarks;

import io.asynqueue.mandelbrot.MandelbrotValuer;
import io.asynqueue.mandelbrot.ViewSpec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bare kernel on one thread: every row of the default view (1200 x 1028, N = 2000), colour included,
 * into a reused buffer. The score is pixels per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class KernelBenchmark {

  /** Pixels of the default view: 1200 x 1028. */
  static final int PIXELS = 1200 * 1028;

  private final ViewSpec spec = ViewSpec.defaultView();
  private final byte[] row = new byte[3 * spec.nx()];

  @Benchmark
  @OperationsPerInvocation(PIXELS)
  public byte[] defaultView() {
    for (int y = 0; y < spec.ny(); y++) {
      MandelbrotValuer.row(spec, y, row);
    }
    return row;
  }
}
