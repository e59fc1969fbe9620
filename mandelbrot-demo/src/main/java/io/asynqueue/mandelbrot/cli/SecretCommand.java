package io.asynqueue.mandelbrot.cli;

import io.asynqueue.remote.cli.VersionProvider;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code mcm secret}: prints a new random secret for {@code mcm worker} and {@code mcm render --remote}. */
@Command(name = "secret", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Prints a new random secret (32 bytes, base64url) for ~/.asynqueue/secret.")
final class SecretCommand implements Callable<Integer> {

  private final Terminal terminal;

  SecretCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public Integer call() {
    terminal.out().println(Secrets.generate());
    terminal.out().flush();
    return 0;
  }
}
