package io.asynqueue.remote.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * How AsynQueue's command lines ({@code asynqueue-remote}, and {@code mcm} of the Mandelbrot demo) report errors:
 * one line on standard error that names the command, never a stack trace.
 *
 * <ul>
 *   <li>Bad arguments: {@code asynqueue-remote serve: --port: not a port number: 'x' (see 'asynqueue-remote serve
 *       --help')}, exit code {@value #EXIT_USAGE}. A value that does not convert is named by its option.
 *   <li>A run that fails (thrown from the command): {@code asynqueue-remote serve: <message>}, exit code
 *       {@value #EXIT_FAILURE}.
 * </ul>
 */
public final class CommandErrors {

  /** Exit code for bad arguments. */
  public static final int EXIT_USAGE = 2;
  /** Exit code for a failed run. */
  public static final int EXIT_FAILURE = 1;

  private CommandErrors() {
  }

  /**
   * Sets the handlers of a command line and of the subcommands it has now.
   *
   * @param cmd the command line, with its subcommands added
   * @return the command line
   */
  public static CommandLine install(CommandLine cmd) {
    cmd.setParameterExceptionHandler((ex, args) -> {
      CommandLine where = ex.getCommandLine();
      String name = where.getCommandSpec().qualifiedName();
      where.getErr().println(name + ": " + message(ex) + " (see '" + name + " --help')");
      where.getErr().flush();
      return EXIT_USAGE;
    });
    cmd.setExecutionExceptionHandler((ex, where, parseResult) -> {
      where.getErr().println(where.getCommandSpec().qualifiedName() + ": " + describe(ex));
      where.getErr().flush();
      return EXIT_FAILURE;
    });
    return cmd;
  }

  /**
   * @param ex a bad argument
   * @return what is wrong, on one line: a value that did not convert as {@code --option: why}
   */
  static String message(ParameterException ex) {
    ArgSpec arg = ex.getArgSpec();
    if (ex.getCause() instanceof TypeConversionException conversion && arg != null) {
      String name = arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
      return name + ": " + oneLine(conversion.getMessage());
    }
    return oneLine(ex.getMessage());
  }

  /**
   * @param t a failure
   * @return its message on one line, or its class name when it has none
   */
  public static String describe(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      return t.getClass().getSimpleName();
    }
    return oneLine(message);
  }

  /**
   * @param s some text, or {@code null}
   * @return the text on one line: line breaks become "; "
   */
  public static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
  }
}
