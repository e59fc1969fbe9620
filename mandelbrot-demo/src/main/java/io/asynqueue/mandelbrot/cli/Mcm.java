package io.asynqueue.mandelbrot.cli;

import io.asynqueue.remote.cli.VersionProvider;
import io.asynqueue.remote.cli.ClusterArgs;
import io.asynqueue.remote.cli.CommandErrors;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code mcm} command: the AsynQueue Mandelbrot demo.
 *
 * <p>Exit codes: 0 on success (and for {@code --help}, {@code --version}), 1 when a render fails
 * (an unwritable output, a failed row), 2 for bad arguments. Errors are one line on stderr, never a
 * stack trace.
 */
@Command(
    name = "mcm",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    synopsisSubcommandLabel = "COMMAND",
    description = "The AsynQueue for Vert.x Mandelbrot demo: renders the Mandelbrot set on a task queue.",
    subcommands = HelpCommand.class)
public final class Mcm implements Callable<Integer> {

  /** Exit code for bad arguments. */
  public static final int EXIT_USAGE = CommandErrors.EXIT_USAGE;
  /** Exit code for a failed run. */
  public static final int EXIT_FAILURE = CommandErrors.EXIT_FAILURE;

  @Spec
  CommandSpec spec;

  Mcm() {
  }

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    cmd.getErr().println("mcm: name a command, such as 'mcm render'");
    cmd.usage(cmd.getErr());
    return EXIT_USAGE;
  }

  /**
   * The command line, wired to a terminal.
   *
   * @param terminal the standard streams
   * @return the command line, ready to {@code execute}
   */
  public static CommandLine commandLine(Terminal terminal) {
    CommandLine cmd = new CommandLine(new Mcm());
    cmd.addSubcommand("render", new RenderCommand(terminal));
    cmd.addSubcommand("serve", new ServeCommand(terminal));
    cmd.addSubcommand("worker", new WorkerCommand(terminal));
    cmd.addSubcommand("secret", new SecretCommand(terminal));
    cmd.setOut(new PrintWriter(terminal.out(), true));
    cmd.setErr(new PrintWriter(terminal.err(), true));
    // one line naming the command, as asynqueue-remote's: "mcm render: -N: 'x' is not an int (see ...)"
    return CommandErrors.install(cmd);
  }

  /**
   * Runs the command.
   *
   * @param terminal the standard streams
   * @param args the arguments
   * @return the exit code
   */
  public static int run(Terminal terminal, String... args) {
    return commandLine(terminal).execute(args);
  }

  /**
   * The entry point of {@code mcm.jar}.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    ClusterArgs.quietHazelcast();
    int code = run(Terminal.system(), args);
    System.out.flush();
    System.err.flush();
    // Exit at once: a lingering non-daemon thread would otherwise hold the JVM for a second.
    System.exit(code);
  }

  /** A throwable's message on one line, or its class name when it has none. */
  static String describe(Throwable t) {
    return CommandErrors.describe(t);
  }
}
