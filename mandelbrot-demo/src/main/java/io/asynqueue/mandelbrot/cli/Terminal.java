package io.asynqueue.mandelbrot.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The command's standard streams, and whether they are terminals. Tests make their own.
 *
 * @param stdout the raw standard output: PNG bytes go here
 * @param out text for standard output (statistics when the PNG goes to a file)
 * @param err text for standard error (errors, progress, statistics when the PNG goes to stdout)
 * @param stdoutIsTerminal whether standard output is a terminal
 * @param stderrIsTerminal whether standard error is a terminal
 */
public record Terminal(OutputStream stdout, PrintStream out, PrintStream err, boolean stdoutIsTerminal,
    boolean stderrIsTerminal) {

  /**
   * The process's own streams. Whether stdout and stderr are terminals comes from the system properties
   * {@code mcm.stdout.tty} and {@code mcm.stderr.tty}, which the {@code mcm} launcher sets with
   * {@code [ -t 1 ]} and {@code [ -t 2 ]}; without them, from {@code System.console() != null}.
   *
   * @return the terminal
   */
  public static Terminal system() {
    boolean console = System.console() != null;
    // A FileOutputStream, not System.out: a PrintStream swallows write errors such as a broken pipe.
    OutputStream stdout = new FileOutputStream(FileDescriptor.out);
    return new Terminal(stdout, System.out, System.err,
        flag("mcm.stdout.tty", console), flag("mcm.stderr.tty", console));
  }

  /**
   * A terminal of in-memory streams, for tests: neither stream is a terminal.
   *
   * @param stdout receives the raw standard output
   * @param err receives the standard error
   * @return the terminal
   */
  public static Terminal of(OutputStream stdout, OutputStream err) {
    return new Terminal(stdout, new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, false);
  }

  private static boolean flag(String property, boolean fallback) {
    String value = System.getProperty(property);
    return value == null || value.isBlank() ? fallback : Boolean.parseBoolean(value.trim());
  }
}
