package io.asynqueue.mandelbrot.cli;

import io.asynqueue.remote.cli.VersionProvider;
import io.asynqueue.TaskQueueOptions;
import io.asynqueue.mandelbrot.RenderStats;
import io.asynqueue.mandelbrot.Renderer;
import io.asynqueue.mandelbrot.RowSource;
import io.asynqueue.mandelbrot.ViewSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mcm render [-N values] [-o file] [Nx cr ci crPM [ciPM]]}: the original's command line.
 */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    customSynopsis = "mcm render [-hV] [-N values] [-o file] [--compression 0-9]%n"
        + "                  [--[no-]progress] [-w N | --processes N%n"
        + "                  | --remote host:port,... | --cluster host:port,...]%n"
        + "                  [--secret-file file] [--pool name] [--worker-wait seconds]%n"
        + "                  [cluster options] [Nx cr ci crPM [ciPM]]",
    description = {
      "Renders a view of the Mandelbrot set to a PNG.",
      "One row per task on a queue of thread workers (or child JVMs with --processes,",
      "'mcm worker' servers on other hosts with --remote, or the 'mcm worker --cluster'",
      "nodes of a cluster pool with --cluster); rows stream into the 8-bit RGB PNG as",
      "they are done.",
      "The view is Nx pixels wide and floor(Nx * ciPM / crPM) high, centred on cr + i ci, spanning "
          + "cr - crPM to cr + crPM and ci - ciPM to ci + ciPM. With no view given: 1200 -0.630 0 1.4 1.2."
    },
    footer = {
      "",
      "Examples:",
      "  mcm render -o mandelbrot.png",
      "  mcm render -N 3000 -o detail.png 3000 -0.73249 0.21653 0.0112",
      "  mcm render 1200 -0.630 0 1.4 1.2 > view.png",
      "  mcm render --processes 2 -o view.png",
      "  mcm render --remote 10.0.0.7:1978,10.0.0.8:1978 -o m.png     (hosts running 'mcm worker')",
      "  mcm render --cluster 127.0.0.1:5701,127.0.0.1:5702 -o m.png",
      "      (nodes running 'mcm worker --cluster', found by the cluster)",
      "",
      "Exit codes: 0 done, 1 the render failed, 2 bad arguments."
    })
final class RenderCommand implements Callable<Integer> {

  private final Terminal terminal;

  @Spec
  CommandSpec spec;

  @Option(names = "-N", paramLabel = "values", defaultValue = "2000",
      description = "Iteration budget N: a point is iterated at most N - 1 times (default: ${DEFAULT-VALUE}).")
  int nValues;

  @Option(names = {"-o", "--output"}, paramLabel = "file",
      description = "Write the PNG to this file and the statistics to stdout. The PNG is written to a temporary "
          + "file beside it and renamed onto it once whole: a failed or interrupted render leaves an existing file "
          + "as it was. Devices and pipes (/dev/null, /dev/stdout, a FIFO) are written in place. "
          + "Without -o (or with -o -) the PNG goes to stdout and the statistics to stderr.")
  Path output;

  @Mixin
  WorkerArgs workerArgs = new WorkerArgs();

  @Option(names = "--compression", paramLabel = "0-9", defaultValue = "" + Renderer.DEFAULT_COMPRESSION,
      description = "zlib compression level of the PNG (default: ${DEFAULT-VALUE}).")
  int compression;

  @Option(names = "--progress", negatable = true,
      description = "Show a progress bar on stderr (default: when stderr is a terminal).")
  Boolean progress;

  @Parameters(index = "0", arity = "0..1", paramLabel = "Nx",
      description = "Image width in pixels, 1 to " + ViewSpec.MAX_WIDTH + ".")
  Integer nx;

  @Parameters(index = "1", arity = "0..1", paramLabel = "cr", description = "Real part of the centre.")
  Double cr;

  @Parameters(index = "2", arity = "0..1", paramLabel = "ci", description = "Imaginary part of the centre.")
  Double ci;

  @Parameters(index = "3", arity = "0..1", paramLabel = "crPM", description = "Real half-width.")
  Double crPM;

  @Parameters(index = "4", arity = "0..1", paramLabel = "ciPM",
      description = "Imaginary half-height (default: crPM).")
  Double ciPM;

  RenderCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public Integer call() throws Exception {
    if (output != null && output.toString().equals("-")) {
      output = null; // -o - is stdout
    }
    ViewSpec view = view();
    workerArgs.check();
    if (compression < 0 || compression > 9) {
      throw usage("--compression must be 0 to 9, not %d", compression);
    }
    if (output == null && terminal.stdoutIsTerminal()) {
      throw usage("will not write a PNG to a terminal: give -o FILE or redirect stdout");
    }
    boolean showProgress = progress != null ? progress : terminal.stderrIsTerminal();
    RenderStats stats;
    if (output == null) {
      stats = render(view, terminal.stdout(), false, showProgress);
      terminal.err().println(stats);
      return 0;
    }
    // a temporary file beside the output, renamed onto it on success; removed on failure or a signal
    try (OutputFile file = OutputFile.open(output)) {
      stats = render(view, file.stream(), true, showProgress);
      file.commit();
    }
    terminal.out().println(stats);
    return 0;
  }

  /** The view the arguments describe, or the default view. */
  private ViewSpec view() {
    int given = nx == null ? 0 : cr == null ? 1 : ci == null ? 2 : crPM == null ? 3 : ciPM == null ? 4 : 5;
    if (given == 0) {
      return withValues(ViewSpec.DEFAULT_NX, ViewSpec.DEFAULT_CR, ViewSpec.DEFAULT_CI,
          ViewSpec.DEFAULT_CR_PM, ViewSpec.DEFAULT_CI_PM);
    }
    if (given < 4) {
      throw usage("expected Nx cr ci crPM [ciPM], or nothing for the default view; got %d of them", given);
    }
    return withValues(nx, cr, ci, crPM, ciPM == null ? crPM : ciPM);
  }

  private ViewSpec withValues(int nx, double cr, double ci, double crPM, double ciPM) {
    try {
      return ViewSpec.of(nx, cr, ci, crPM, ciPM, nValues);
    } catch (IllegalArgumentException e) {
      throw usage("%s", e.getMessage());
    }
  }

  private RenderStats render(ViewSpec view, OutputStream out, boolean closeOut, boolean showProgress)
      throws Exception {
    Vertx vertx = workerArgs.vertx();
    RowSource source = null;
    ProgressBar bar = null;
    try {
      source = await(workerArgs.source(vertx, new TaskQueueOptions()));
      bar = showProgress ? new ProgressBar(terminal.err(), view.ny(), "rows") : null;
      Context context = vertx.getOrCreateContext();
      Handler<Integer> onRow = bar == null ? null : bar::update;
      return await(Renderer.render(context, source, view, out, closeOut, compression, onRow));
    } finally {
      if (bar != null) {
        bar.clear();
      }
      try {
        if (source != null) {
          awaitQuietly(source.close());
        }
      } finally {
        awaitQuietly(vertx.close());
        if (closeOut) {
          closeQuietly(out);
        }
      }
    }
  }

  private ParameterException usage(String template, Object... args) {
    return new ParameterException(spec.commandLine(), String.format(java.util.Locale.ROOT, template, args));
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof Exception ex ? ex : new RuntimeException(cause);
    }
  }

  private static void awaitQuietly(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // shutting down after a failure: the first failure is the one reported
    }
  }

  private static void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException ignored) {
      // the render's own outcome is what is reported
    }
  }
}
